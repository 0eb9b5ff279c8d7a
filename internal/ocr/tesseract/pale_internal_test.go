package tesseract

import (
	"image"
	"image/color"
	"image/draw"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/ocr"
)

func TestPaleStretches(t *testing.T) {
	t.Parallel()

	page := image.NewGray(image.Rect(0, 0, 600, 300))
	paint := func(r image.Rectangle, v uint8) {
		draw.Draw(page, r, image.NewUniform(color.Gray{v}), image.Point{}, draw.Src)
	}
	paint(page.Rect, 240)
	const dark, faint = 120, 210
	// A line read, in dark ink; a pale heading under it, not read; a drawing in dark ink with
	// pale edges, not read; and pale ink already read as a word.
	body := ocr.Word{Text: "body", Conf: 95, Box: image.Rect(20, 20, 300, 40)}
	paint(body.Box, 30)
	for x := 20; x < 140; x += 12 {
		paint(image.Rect(x, 70, x+8, 90), 180)
	}
	paint(image.Rect(300, 70, 400, 90), 200)
	paint(image.Rect(310, 74, 390, 86), 20)
	read := ocr.Word{Text: "Key", Conf: 90, Box: image.Rect(20, 150, 80, 170)}
	paint(read.Box, 180)
	// A blank block as large as the page covers nothing.
	blank := ocr.Word{Text: " ", Conf: 95, Box: page.Rect}

	// The heading's rows, and a quarter of its height either side.
	got := paleStretches(page, []ocr.Word{body, read, blank}, 20, dark, faint)
	require.Equal(t, []image.Rectangle{image.Rect(20, 65, 136, 95)}, got)
}

func TestLineAfter(t *testing.T) {
	t.Parallel()

	title := ocr.Word{Text: "Eau", Block: 3, Par: 1, Line: 2, Box: image.Rect(200, 100, 260, 130)}
	words := []ocr.Word{{Text: "above", Box: image.Rect(100, 40, 300, 70)}, title}

	// A section's pale number before the title joins the title's line.
	line, ok := lineAfter(words, image.Rect(100, 102, 150, 128), 30)
	require.True(t, ok)
	require.Equal(t, title, line)

	// Ink far before it, or on other rows, is a line of its own.
	_, ok = lineAfter(words, image.Rect(0, 102, 50, 128), 30)
	require.False(t, ok)
	_, ok = lineAfter(words, image.Rect(100, 140, 150, 170), 30)
	require.False(t, ok)
}
