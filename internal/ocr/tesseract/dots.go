package tesseract

import (
	"image"
	"image/color"
	"image/draw"
	"slices"
	"unicode/utf8"

	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/layout"
)

// StepDots is the step a Result records when words read as characters were dots of ink
// (see readDots), with how many: "dots:4".
const StepDots = "dots"

// A dot of ink, a bullet or one end of a matching exercise's line, is a disc: about square
// (sides within dotAspect of each other), at least dotHeight of the page's words tall (a full
// stop is smaller), its box at least dotFill ink (a disc fills 79%; letters measured on worksheet
// photos fill 29–56%, their bold capitals included) and solid in the middle, where "e", "o" and
// "8" have their counters.
const (
	dotAspect = 1.3
	dotHeight = 0.5
	dotFill   = 0.7
)

// readDots finds the words Tesseract read as a character, often "e" or "8", that are dots of
// ink on page (see dotFill), whose median word height is height. A dot that starts a line with
// words after it is a bullet and reads "•", which the layout takes for a list's marker; any
// other is no text (the dots of a matching exercise, drawn to be joined by lines) and goes,
// and so does its ink: it returns the words, and the page without those dots when there were
// any (page itself else), and how many dots it found.
func readDots(words []ocr.Word, page *image.Gray, height int) ([]ocr.Word, *image.Gray, int) {
	out := words[:0:0]
	var gone []image.Rectangle
	dots := 0
	for i, w := range words {
		if !isDot(w, page, height) {
			out = append(out, w)
			continue
		}
		dots++
		first := i == 0 || !sameLine(words[i-1], w)
		if first && i+1 < len(words) && sameLine(words[i+1], w) {
			w.Text = "•"
			out = append(out, w)
			continue
		}
		gone = append(gone, w.Box)
	}
	if len(gone) == 0 {
		return out, page, dots
	}
	// The layout takes ink no word covers for a drawing: a dot left behind would make one.
	clean := &image.Gray{Pix: slices.Clone(page.Pix), Stride: page.Stride, Rect: page.Rect}
	paper := image.NewUniform(color.Gray{layout.PaperLevel(page)})
	for _, box := range gone {
		draw.Draw(clean, box.Inset(-1), paper, image.Point{}, draw.Src)
	}
	return out, clean, dots
}

// sameLine reports whether a and b are on one line as Tesseract numbers them.
func sameLine(a, b ocr.Word) bool {
	return a.Page == b.Page && a.Block == b.Block && a.Par == b.Par && a.Line == b.Line
}

// isDot reports whether w is a single character whose box on page holds a dot of ink.
func isDot(w ocr.Word, page *image.Gray, height int) bool {
	b := w.Box.Intersect(page.Rect)
	dx, dy := b.Dx(), b.Dy()
	if utf8.RuneCountInString(w.Text) != 1 || height == 0 || float64(dy) < dotHeight*float64(height) ||
		float64(max(dx, dy)) > dotAspect*float64(min(dx, dy)) {
		return false
	}
	ink := func(r image.Rectangle) float64 {
		dark := 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for _, v := range page.Pix[page.PixOffset(r.Min.X, y):page.PixOffset(r.Max.X, y)] {
				if v < layout.InkLevel {
					dark++
				}
			}
		}
		return float64(dark) / float64(max(1, r.Dx()*r.Dy()))
	}
	middle := image.Rect(b.Min.X+dx/3, b.Min.Y+dy/3, b.Max.X-dx/3, b.Max.Y-dy/3)
	return ink(b) >= dotFill && ink(middle) >= 0.9
}
