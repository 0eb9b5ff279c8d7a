package ocr

import (
	"context"
	"errors"
	"image"
)

// Result is what an engine read from one image.
type Result struct {
	// Text is the plain text read: words on a line joined by a space, lines by "\n", and
	// paragraphs separated by a blank line.
	Text string
	// Confidence is the mean word confidence from 0 to 1 over the words the engine scored; 0
	// when there are no words.
	Confidence float64
	// Words is the number of words in Text.
	Words int
}

// Engine reads text from an upright image.
type Engine interface {
	// Recognize returns the text in img. It returns ErrNoText when img holds no recognisable
	// text, and another error when the engine could not run.
	Recognize(ctx context.Context, img image.Image) (Result, error)
}

// ErrNoText is returned by Recognize when the image contains no recognisable text. It is a
// permanent failure: the same image will give the same answer.
var ErrNoText = errors.New("no text found in image")
