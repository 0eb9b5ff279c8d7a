package preprocess

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/corpus"
	"github.com/snapnote/snapnote/internal/photo"
)

// layoutPage returns page index of a corpus layout class as the pipeline takes it.
func layoutPage(t *testing.T, index int, class string) *image.Gray {
	t.Helper()
	s, err := corpus.LayoutSample(index, class)
	require.NoError(t, err)
	img, err := photo.Decode(bytes.NewReader(s.Encoded))
	require.NoError(t, err)
	return Prepare(img, 0)
}

func TestUnstackFractionsFindsEveryFraction(t *testing.T) {
	t.Parallel()

	for index := range 3 {
		s, err := corpus.LayoutSample(index, corpus.ClassFractions)
		require.NoError(t, err)
		page := layoutPage(t, index, corpus.ClassFractions)
		out, n := unstackFractions(page, medianHeight(glyphs(page, otsu(histogram(page))/2)))
		require.Equal(t, strings.Count(s.Truth, "/"), n, "page %d:\n%s", index, s.Truth)
		require.Equal(t, page.Rect, out.Rect, "the page keeps its size")
		// The bars are gone: no stroke on the page is shaped like one any more.
		boxes := inkBoxes(out, otsu(histogram(out)))
		require.Empty(t, findFractions(boxes, medianHeight(glyphs(out, otsu(histogram(out))/2))))
	}
}

func TestUnstackFractionsLeavesOtherPagesAlone(t *testing.T) {
	t.Parallel()

	// Rules, bullets, dashes, underlined headings of tables and figures are not fractions.
	for _, class := range []string{corpus.ClassLists, corpus.ClassRuledTable, corpus.ClassFigure, corpus.ClassThreeColumns} {
		page := layoutPage(t, 1, class)
		out, n := unstackFractions(page, medianHeight(glyphs(page, otsu(histogram(page))/2)))
		require.Zero(t, n, class)
		require.Same(t, page, out, class)
	}
}

func TestUnstackFractionsNeedsRoomOnTheLine(t *testing.T) {
	t.Parallel()

	// "1." then 2 over 3, drawn as blocks, on a line with room after it.
	const height = 24
	page := func(crowded bool) *image.Gray {
		img := image.NewGray(image.Rect(0, 0, 400, 120))
		fill := func(x0, y0, x1, y1 int, v uint8) {
			draw.Draw(img, image.Rect(x0, y0, x1, y1), image.NewUniform(color.Gray{v}), image.Point{}, draw.Src)
		}
		fill(0, 0, 400, 120, 240)
		fill(20, 40, 30, 70, 20) // the "1"
		fill(33, 64, 37, 70, 20) // its dot
		fill(60, 53, 95, 57, 20) // the bar
		fill(70, 30, 84, 49, 20) // the numerator
		fill(70, 61, 84, 80, 20) // the denominator
		if crowded {
			for x := 100; x < 400; x += 8 {
				fill(x, 25, x+4, 90, 20) // text to the page's edge, no space to move into
			}
		}
		return img
	}

	out, n := unstackFractions(page(false), height)
	require.Equal(t, 1, n)
	// The numerator, a slash and the denominator now stand on the baseline of the "1", as
	// tall as it.
	boxes := inkBoxes(out, 128)
	var onBaseline int
	for _, b := range boxes {
		if b.y1 >= 68 && b.y1 <= 72 && b.y1-b.y0 >= 20 {
			onBaseline++
		}
	}
	require.GreaterOrEqual(t, onBaseline, 4, "the 1, the numerator, the slash and the denominator: %v", boxes)

	crowded := page(true)
	out, n = unstackFractions(crowded, height)
	require.Zero(t, n, "a line with no room is left as printed")
	require.Same(t, crowded, out)
}
