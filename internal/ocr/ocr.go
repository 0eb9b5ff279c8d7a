package ocr

import (
	"context"
	"errors"
	"fmt"
	"image"
)

// Result is what an engine read from one image.
type Result struct {
	// Text is the plain text read, in reading order: words on a line joined by a space, lines
	// by "\n", and blocks (paragraphs, headings, list items, tables) separated by a blank line.
	// Vision returns Markdown instead.
	Text string
	// Markdown is the page with its structure, as package layout writes it: headings, lists,
	// tables and paragraphs, the same words as Text. Empty when the engine does not find
	// structure (Vision, whose Text is Markdown already).
	Markdown string
	// Confidence is the mean word confidence from 0 to 1 over the words the engine scored; 0
	// when there are no words or the engine scores none (Vision).
	Confidence float64
	// Words is the number of words in Text.
	Words int
	// Steps lists the preprocessing the engine applied before reading, in order, each as a
	// name and its parameter: "scale:1.50", "rotate:90", "deskew:-3.25". Nil when it applied
	// none or does no preprocessing.
	Steps []string
	// Figures are the drawings, diagrams and photos found on the page, in the order the
	// Markdown numbers them: its "![Figure k](figure:k)" shows Figures[k-1] (see package
	// layout). Nil when there are none or the engine does not look for them.
	Figures []Figure
	// Engine names the engine that read the text when it is not simply the one asked: Vision
	// sets "vision", or "tesseract (vision failed: …)" when its fallback read the image. Empty
	// when the engine does not say; see EngineName.
	Engine string
}

// Figure is a figure cut from the page an engine read.
type Figure struct {
	// Box is where the figure stands on the page as the engine read it: upright, straightened
	// and scaled by its preprocessing, so not in the uploaded photo's coordinates.
	Box image.Rectangle
	// Image is the figure's pixels, cut from that page (its own copy, Bounds at the origin).
	Image image.Image
}

// Names of the engines, as recorded with a document.
const (
	EngineTesseract = "tesseract"
	EngineVision    = "vision"
)

// Tesseract's language data: DefaultLang is what a Tesseract engine reads when no languages are
// configured, OSDLang what its orientation detection reads.
const (
	DefaultLang = "eng"
	OSDLang     = "osd"
)

// EngineName returns the name recorded for text read by e when the Result does not name its
// engine: what its Name method returns (EngineTesseract, EngineVision), or e's Go type for an
// engine without one.
func EngineName(e Engine) string {
	if named, ok := e.(interface{ Name() string }); ok {
		return named.Name()
	}
	return fmt.Sprintf("%T", e)
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
