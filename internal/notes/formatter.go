package notes

import (
	"context"

	"github.com/snapnote/snapnote/internal/llm"
)

// Input is what a formatter works from.
type Input struct {
	// Text is the OCR text: lines separated by \n, paragraphs by a blank line.
	Text string
	// Context is an optional hint the user gave at upload, such as
	// "Thermodynamics lecture 3".
	Context string
}

// Output is a formatted note.
type Output struct {
	// Markdown is the note, ending in a newline unless it is empty.
	Markdown string
	// Engine names who produced the note: EngineBuiltin for the offline
	// formatter, "llm:<model>" for an LLM formatter, EngineLLMRejected when
	// the LLM's note failed the content guard and Builtin's was kept.
	Engine string
	// Usage is the tokens an LLM spent on the note, summed over its requests;
	// nil when no LLM was asked.
	Usage *llm.Usage
	// Guard says why the LLM's note was rejected, as in "dropped 48% of the
	// OCR words"; empty when it was not.
	Guard string
}

// Formatter turns OCR text into Markdown.
//
// Format returns an error when ctx is done or the engine fails; it must not
// return a partial note with a nil error.
type Formatter interface {
	Format(ctx context.Context, in Input) (Output, error)
}
