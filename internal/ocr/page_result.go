package ocr

import (
	"image"

	"github.com/snapnote/snapnote/internal/ocr/layout"
)

// pageResult makes the Result of the words Tesseract read on page: their count and mean
// confidence (see wordsResult), and their text in reading order, plain and as Markdown, from
// the page's layout (package layout) and the rules drawn on it, with the stroke widths
// measured on page to tell bold headings.
func pageResult(words []ocrWord, page *image.Gray, rules []layout.Rule) Result {
	res := wordsResult(words)
	lw := make([]layout.Word, 0, len(words))
	for _, w := range words {
		lw = append(lw, layout.Word{Box: w.box, Text: w.text, Block: w.block, Par: w.par, Line: w.line, Conf: w.conf})
	}
	layout.Strokes(page, lw)
	p := layout.Analyze(lw, rules)
	res.Text, res.Markdown = p.Text(), p.Markdown()
	return res
}
