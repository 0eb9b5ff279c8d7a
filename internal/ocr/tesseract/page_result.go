package tesseract

import (
	"image"
	"image/draw"

	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/layout"
)

// pageResult makes the Result of the words Tesseract read on page: their count and mean
// confidence (see ocr.WordsResult), their text in reading order, plain and as Markdown, from
// the page's layout (package layout), the rules drawn on it and its figures, with the stroke
// widths measured on page to tell bold headings; and the figures cut from page.
func pageResult(words []ocr.Word, page *image.Gray, rules []layout.Rule) ocr.Result {
	res := ocr.WordsResult(words)
	lw := make([]layout.Word, 0, len(words))
	for _, w := range words {
		lw = append(lw, layout.Word{Box: w.Box, Text: w.Text, Block: w.Block, Par: w.Par, Line: w.Line, Conf: w.Conf})
	}
	layout.Strokes(page, lw)
	p := layout.Analyze(lw, rules, layout.FindFigures(page, lw, rules)...)
	res.Text, res.Markdown = p.Text(), p.Markdown()
	for _, box := range p.Figures() {
		res.Figures = append(res.Figures, ocr.Figure{Box: box, Image: crop(page, box)})
	}
	return res
}

// crop copies the part of page inside box into an image of its own, so that the page can be
// freed while the figure is kept.
func crop(page *image.Gray, box image.Rectangle) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, box.Dx(), box.Dy()))
	draw.Draw(out, out.Rect, page, box.Min, draw.Src)
	return out
}
