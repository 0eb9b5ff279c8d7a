package tesseract

import (
	"image"
	"image/color"
	"image/draw"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/ocr"
)

// Dots of ink read as letters: at a line's start before words a bullet, after words (the
// dots of a matching exercise) or alone gone with their ink; letters, a hollow "8" as large as
// a dot and a full stop stay as read.
func TestReadDots(t *testing.T) {
	t.Parallel()

	page := image.NewGray(image.Rect(0, 0, 600, 400))
	draw.Draw(page, page.Rect, image.NewUniform(color.Gray{250}), image.Point{}, draw.Src)
	disc := func(cx, cy, r int) image.Rectangle {
		for y := cy - r; y < cy+r; y++ {
			for x := cx - r; x < cx+r; x++ {
				if dx, dy := x-cx, y-cy; 4*(dx*dx+dy*dy) <= (2*r-1)*(2*r-1) {
					page.SetGray(x, y, color.Gray{20})
				}
			}
		}
		return image.Rect(cx-r, cy-r, cx+r, cy+r)
	}
	ring := func(box image.Rectangle) image.Rectangle { // a letter's strokes round a counter
		draw.Draw(page, box, image.NewUniform(color.Gray{20}), image.Point{}, draw.Src)
		draw.Draw(page, box.Inset(box.Dx()/4), image.NewUniform(color.Gray{250}), image.Point{}, draw.Src)
		return box
	}
	var words []ocr.Word
	word := func(line int, text string, box image.Rectangle) {
		words = append(words, ocr.Word{Block: 1, Par: 1, Line: line, Conf: 90, Text: text, Box: box})
	}
	word(1, "Je", ring(image.Rect(20, 20, 80, 60)))
	word(1, "mange", ring(image.Rect(100, 20, 250, 60)))
	word(1, "e", disc(300, 44, 16)) // a matching exercise's dot after the words
	word(2, "e", disc(30, 104, 16)) // a bullet
	word(2, "Des", ring(image.Rect(70, 80, 150, 120)))
	word(3, "8", ring(image.Rect(20, 150, 52, 182))) // hollow
	word(3, "pommes", ring(image.Rect(70, 140, 250, 180)))
	word(4, "fin", ring(image.Rect(20, 200, 90, 240)))
	stop := image.Rect(96, 232, 102, 238) // a full stop, as solid as a dot but small
	draw.Draw(page, stop, image.NewUniform(color.Gray{20}), image.Point{}, draw.Src)
	word(4, ".", stop)
	word(5, "o", disc(40, 300, 16)) // a dot alone

	got, clean, dots := readDots(words, page, 40)
	require.Equal(t, 3, dots)
	var texts []string
	for _, w := range got {
		texts = append(texts, w.Text)
	}
	require.Equal(t, []string{"Je", "mange", "•", "Des", "8", "pommes", "fin", "."}, texts)
	require.Equal(t, uint8(250), clean.GrayAt(300, 44).Y, "the matching dot's ink goes")
	require.Equal(t, uint8(250), clean.GrayAt(40, 300).Y, "and the lone dot's")
	require.Equal(t, uint8(20), clean.GrayAt(30, 104).Y, "the bullet's stays")
	require.Equal(t, uint8(20), page.GrayAt(300, 44).Y, "the page itself is unchanged")

	same, samePage, none := readDots(words[:2], page, 40)
	require.Zero(t, none)
	require.Len(t, same, 2)
	require.Same(t, page, samePage)
}
