package tesseract

import (
	"image"

	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/layout"
)

// pageResult makes the Result of the words Tesseract read on page: their count and mean
// confidence (see ocr.WordsResult), and their text in reading order, plain and as Markdown,
// from the page's layout (package layout) and the rules drawn on it, with the stroke widths
// measured on page to tell bold headings.
func pageResult(words []ocr.Word, page *image.Gray, rules []layout.Rule) ocr.Result {
	res := ocr.WordsResult(words)
	lw := make([]layout.Word, 0, len(words))
	for _, w := range words {
		lw = append(lw, layout.Word{Box: w.Box, Text: w.Text, Block: w.Block, Par: w.Par, Line: w.Line, Conf: w.Conf})
	}
	layout.Strokes(page, lw)
	p := layout.Analyze(lw, rules)
	res.Text, res.Markdown = p.Text(), p.Markdown()
	return res
}
