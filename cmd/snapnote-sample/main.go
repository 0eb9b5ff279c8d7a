// Command snapnote-sample writes the sample note photo that the README's
// walkthrough uploads: a phone photo of a generated lecture page (package
// corpus: skewed, tilted, shadowed, a little blurred and noisy, JPEG), the
// same bytes on every machine.
//
//	go run ./cmd/snapnote-sample                 writes docs/sample-note.jpg
//	go run ./cmd/snapnote-sample -page 3 -out x.jpg
package main

//go:generate go run . -out ../../docs/sample-note.jpg

import (
	"flag"
	"fmt"
	"os"

	"github.com/snapnote/snapnote/internal/corpus"
)

func main() {
	page := flag.Int("page", 0, "corpus page to photograph")
	class := flag.String("class", corpus.ClassPhone, "what the photo does to the page (see package corpus)")
	out := flag.String("out", "docs/sample-note.jpg", "file to write")
	truth := flag.String("truth", "", "also write the page's true text to this file")
	flag.Parse()
	if err := write(*page, *class, *out, *truth); err != nil {
		fmt.Fprintln(os.Stderr, "snapnote-sample:", err)
		os.Exit(1)
	}
}

func write(index int, class, out, truth string) error {
	if index < 0 {
		return fmt.Errorf("-page must be 0 or more, got %d", index)
	}
	page := corpus.NewPage(index)
	sample, err := corpus.Variant(page, class)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, sample.Encoded, 0o644); err != nil {
		return fmt.Errorf("write sample: %w", err)
	}
	if truth != "" {
		if err := os.WriteFile(truth, []byte(sample.Truth), 0o644); err != nil {
			return fmt.Errorf("write truth: %w", err)
		}
	}
	fmt.Printf("%s: page %d, %s, %s, %d bytes\n", out, index, class, sample.ContentType, len(sample.Encoded))
	return nil
}
