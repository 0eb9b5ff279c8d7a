package pdf

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"image"
	"io"
	"math"
	"strconv"

	"github.com/snapnote/snapnote/internal/ocr/layout"
)

// pointScale turns PDF points into the pixels package layout works in: 4 pixels a point, 288
// dpi, fine enough that rounding moves nothing.
const pointScale = 4

// markdown returns the text layer of page n as Markdown, from where its words stand and their
// size (`pdftotext -bbox-layout`): headings, lists and tables as package layout finds them.
func (r *Reader) markdown(ctx context.Context, path string, n int) (string, error) {
	page := strconv.Itoa(n)
	out, err := r.run(ctx, r.pageTimeout(), 32<<20, "pdftotext", "-f", page, "-l", page, "-bbox-layout", "-enc", "UTF-8", path, "-")
	if err != nil {
		return "", err
	}
	words, err := bboxWords(out)
	if err != nil {
		return "", fmt.Errorf("read pdftotext -bbox-layout: %w", err)
	}
	return layout.Analyze(words, nil).Markdown(), nil
}

// bboxWords reads the words of pdftotext's -bbox-layout XHTML: each block a paragraph of the
// layout's words, each line a line, the word's box its font's box, whose height is its size.
func bboxWords(xhtml []byte) ([]layout.Word, error) {
	dec := xml.NewDecoder(bytes.NewReader(xhtml))
	dec.Strict = false
	dec.AutoClose = xml.HTMLAutoClose
	dec.Entity = xml.HTMLEntity
	var (
		words       []layout.Word
		block, line int
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return words, nil
		}
		if err != nil {
			return nil, err
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch start.Name.Local {
		case "block":
			block++
		case "line":
			line++
		case "word":
			var box [4]float64
			for _, a := range start.Attr {
				i := map[string]int{"xMin": 0, "yMin": 1, "xMax": 2, "yMax": 3}
				if k, ok := i[a.Name.Local]; ok {
					if box[k], err = strconv.ParseFloat(a.Value, 64); err != nil {
						return nil, fmt.Errorf("word %s: %w", a.Name.Local, err)
					}
				}
			}
			var text string
			if err := dec.DecodeElement(&text, &start); err != nil {
				return nil, err
			}
			px := func(f float64) int { return int(math.Round(f * pointScale)) }
			r := image.Rect(px(box[0]), px(box[1]), px(box[2]), px(box[3]))
			words = append(words, layout.Word{Box: r, Text: text, Size: float64(r.Dy()), Conf: -1,
				Block: block, Par: block, Line: line})
		}
	}
}
