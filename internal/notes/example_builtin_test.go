package notes_test

import (
	"context"
	"fmt"

	"github.com/snapnote/snapnote/internal/notes"
)

func ExampleBuiltin_Format() {
	ocr := `THERMODYNAMICS

The first law of thermo-
dynamics: energy is conserved.
|
dU = δQ - δW

Key points:
• heat is not a state function
o work depends on the path
1) isothermal
2) adiabatic`

	out, err := notes.Builtin{}.Format(context.Background(), notes.Input{Text: ocr})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Print(out.Markdown)
	fmt.Println("---")
	title := notes.Title(out.Markdown, "")
	fmt.Println("engine:", out.Engine)
	fmt.Println("title:", title)
	fmt.Println("excerpt:", notes.Excerpt(out.Markdown, title, 60))
	fmt.Println("words:", notes.WordCount(notes.PlainText(out.Markdown)))
	fmt.Println("language:", notes.DetectLanguage(notes.PlainText(out.Markdown)))
	// Output:
	// # THERMODYNAMICS
	//
	// The first law of thermodynamics: energy is conserved.
	//
	// dU = δQ - δW
	//
	// ## Key points
	//
	// - heat is not a state function
	// - work depends on the path
	//
	// 1. isothermal
	// 2. adiabatic
	// ---
	// engine: builtin
	// title: THERMODYNAMICS
	// excerpt: The first law of thermodynamics: energy is conserved. dU…
	// words: 27
	// language: en
}
