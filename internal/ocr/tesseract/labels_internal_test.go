package tesseract

import (
	"image"
	"image/color"
	"image/draw"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
)

func TestLabelOf(t *testing.T) {
	for _, c := range []struct {
		read []ocr.Word
		want string
		ok   bool
	}{
		{[]ocr.Word{{Text: "2.", Conf: 95}}, "2.", true},
		{[]ocr.Word{{Text: "2.1.", Conf: 90}}, "2.1.", true},
		{[]ocr.Word{{Text: "4,", Conf: 76}}, "4.", true},
		{[]ocr.Word{{Text: "b", Conf: 80}, {Text: ")", Conf: 70}}, "b)", true},
		{[]ocr.Word{{Text: "2.", Conf: 40}}, "", false},
		{[]ocr.Word{{Text: "ri", Conf: 90}, {Text: "à", Conf: 90}}, "", false},
		{nil, "", false},
	} {
		got, ok := labelOf(c.read)
		require.Equal(t, c.ok, ok, "%v", c.read)
		require.Equal(t, c.want, got.Text, "%v", c.read)
	}
}

func TestUnreadInk(t *testing.T) {
	page := image.NewGray(image.Rect(0, 0, 400, 100))
	draw.Draw(page, page.Rect, image.NewUniform(color.Gray{240}), image.Point{}, draw.Src)
	draw.Draw(page, image.Rect(40, 30, 60, 60), image.NewUniform(color.Gray{30}), image.Point{}, draw.Src)
	first := ocr.Word{Text: "Soleil", Conf: 95, Box: image.Rect(140, 30, 260, 60)}

	box, junk, ok := unreadInk(page, []ocr.Word{first}, first.Box, inkLevel(page))
	require.True(t, ok)
	require.Equal(t, image.Rect(40, 30, 60, 60), box)
	require.Empty(t, junk)

	// A word read with confidence there is the label, read already.
	read := ocr.Word{Text: "2.", Conf: 90, Box: image.Rect(40, 30, 60, 60)}
	_, _, ok = unreadInk(page, []ocr.Word{read, first}, first.Box, inkLevel(page))
	require.False(t, ok)

	// Doubted words, punctuation and a word as tall as two lines are what a label replaces.
	doubted := ocr.Word{Text: "ri", Conf: 10, Box: image.Rect(40, 30, 50, 60)}
	dot := ocr.Word{Text: ".", Conf: 90, Box: image.Rect(56, 55, 60, 60)}
	column := ocr.Word{Text: "Wn", Conf: 70, Box: image.Rect(40, 0, 60, 100)}
	_, junk, ok = unreadInk(page, []ocr.Word{doubted, dot, column, first}, first.Box, inkLevel(page))
	require.True(t, ok)
	require.ElementsMatch(t, []ocr.Word{doubted, dot, column}, junk)

	// Ink too small for a label, or none, is not one.
	blank := image.NewGray(page.Rect)
	draw.Draw(blank, blank.Rect, image.NewUniform(color.Gray{240}), image.Point{}, draw.Src)
	draw.Draw(blank, image.Rect(40, 40, 44, 44), image.NewUniform(color.Gray{30}), image.Point{}, draw.Src)
	_, _, ok = unreadInk(blank, []ocr.Word{first}, first.Box, inkLevel(blank))
	require.False(t, ok)
}

func TestRecoverLabelsReplacesAColumnMisreadAsOneWord(t *testing.T) {
	require.NoError(t, (&Engine{}).CheckInstalled(t.Context()), "this test needs tesseract")

	// "2." alone on a page, and the words the engine read: the line's text to its right, and a
	// word as tall as two lines over the number, a column of numbers misread, which is a line
	// of its own.
	label := image.NewGray(image.Rect(0, 0, 200, 120))
	draw.Draw(label, label.Rect, ocrtest.RenderText([]string{"2."}, 200, 120, 32), image.Point{}, draw.Src)
	page := image.NewGray(image.Rect(0, 0, 600, 160))
	draw.Draw(page, page.Rect, image.White, image.Point{}, draw.Src)
	draw.Draw(page, label.Rect, label, image.Point{}, draw.Src)
	ink := inkLevel(page)
	var number image.Rectangle
	for y := range page.Rect.Dy() {
		for x := range page.Rect.Dx() {
			if page.GrayAt(x, y).Y <= ink {
				number = number.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	text := ocr.Word{Block: 1, Par: 1, Line: 1, Conf: 95, Text: "Soleil", Box: image.Rect(number.Max.X+60, number.Min.Y, number.Max.X+200, number.Max.Y)}
	column := ocr.Word{Block: 2, Par: 1, Line: 1, Conf: 70, Text: "Wn", Box: image.Rect(number.Min.X, 0, number.Max.X, 160)}

	words, n, err := (&Engine{}).recoverLabels(t.Context(), page, []ocr.Word{text, column}, "eng")
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Len(t, words, 2)
	require.Equal(t, "2.", words[0].Text)
	require.Equal(t, [3]int{1, 1, 1}, [3]int{words[0].Block, words[0].Par, words[0].Line})
	require.Equal(t, text, words[1])
}

func TestMisreadLabel(t *testing.T) {
	word := func(text string, x0, x1 int) ocr.Word {
		return ocr.Word{Block: 1, Par: 1, Line: 1, Conf: 90, Text: text, Box: image.Rect(x0, 20, x1, 50)}
	}
	for _, c := range []struct {
		words []ocr.Word
		want  bool
	}{
		{[]ocr.Word{word("IL", 50, 80), word("La", 130, 170)}, true},   // set apart by its height and more
		{[]ocr.Word{word("IL", 50, 80), word("La", 95, 135)}, false},   // a word of the line, not a label
		{[]ocr.Word{word("II.", 50, 80), word("La", 130, 170)}, false}, // a label read right
		{[]ocr.Word{word("Soleil", 50, 140), word("et", 190, 220)}, false},
		{[]ocr.Word{word("IL", 50, 80)}, false}, // alone on its line
	} {
		require.Equal(t, c.want, misreadLabel(c.words, c.words[0]), "%v", c.words)
	}
}
