package notes

import "context"

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
	// formatter, "llm:<model>" for an LLM formatter.
	Engine string
}

// Formatter turns OCR text into Markdown.
//
// Format returns an error when ctx is done or the engine fails; it must not
// return a partial note with a nil error.
type Formatter interface {
	Format(ctx context.Context, in Input) (Output, error)
}
