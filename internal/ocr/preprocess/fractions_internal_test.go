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

// sheet is a synthetic page for the fraction step: blocks of ink on paper standing for
// characters, so that each test knows exactly where every shape is.
type sheet struct{ *image.Gray }

func newSheet(w, h int) sheet {
	s := sheet{image.NewGray(image.Rect(0, 0, w, h))}
	s.fill(glyph{0, 0, w, h}, 240)
	return s
}

func (s sheet) fill(g glyph, v uint8) {
	draw.Draw(s.Gray, image.Rect(g.x0, g.y0, g.x1, g.y1), image.NewUniform(color.Gray{v}), image.Point{}, draw.Src)
}

// exercise draws "1." and then 2 over 3 as blocks, the line's baseline on row top+30, and
// returns the page's character height.
func (s sheet) exercise(top int) int {
	s.fill(glyph{20, top, 30, top + 30}, 20)      // the "1"
	s.fill(glyph{33, top + 24, 37, top + 30}, 20) // its dot
	s.fill(glyph{60, top + 13, 95, top + 17}, 20) // the bar
	s.fill(glyph{70, top - 10, 84, top + 9}, 20)  // the numerator
	s.fill(glyph{70, top + 21, 84, top + 40}, 20) // the denominator
	return 24
}

// requireUntouched checks that the fraction step, at character height height, finds no
// fraction on s and hands back the page itself.
func (s sheet) requireUntouched(t *testing.T, height int, why string) {
	t.Helper()
	out, n := unstackFractions(s.Gray, height)
	require.Zero(t, n, why)
	require.Same(t, s.Gray, out, why)
}

// inkIn returns the ink shapes of img whose rows lie within y0 to y1.
func inkIn(img *image.Gray, y0, y1 int) []glyph {
	var out []glyph
	for _, b := range inkBoxes(img, 128) {
		if b.y0 >= y0 && b.y1 <= y1 {
			out = append(out, b)
		}
	}
	return out
}

func TestUnstackFractionsStandsOnTheBaseline(t *testing.T) {
	t.Parallel()

	page := newSheet(400, 120)
	height := page.exercise(40)
	out, n := unstackFractions(page.Gray, height)
	require.Equal(t, 1, n)
	// The numerator, a slash and the denominator now stand on the baseline of the "1", as
	// tall as it.
	var onBaseline int
	for _, b := range inkBoxes(out, 128) {
		if b.y1 >= 68 && b.y1 <= 72 && b.y1-b.y0 >= 20 {
			onBaseline++
		}
	}
	require.Equal(t, 4, onBaseline, "the 1, the numerator, the slash and the denominator: %v", inkBoxes(out, 128))
}

func TestUnstackFractionsMovesTheRestOfTheLine(t *testing.T) {
	t.Parallel()

	page := newSheet(400, 120)
	height := page.exercise(40)
	plus, four := glyph{110, 45, 120, 65}, glyph{130, 40, 142, 70}
	// Text after a gap too narrow to take the line, then one wide enough.
	near, far := glyph{202, 40, 218, 70}, glyph{360, 40, 380, 70}
	for _, g := range []glyph{plus, four, near, far} {
		page.fill(g, 20)
	}
	out, n := unstackFractions(page.Gray, height)
	require.Equal(t, 1, n)

	moved := func(g glyph) int {
		t.Helper()
		for _, b := range inkIn(out, g.y0, g.y1) {
			if b.y0 == g.y0 && b.y1 == g.y1 && b.x1-b.x0 == g.x1-g.x0 && b.x0 > 95 {
				if b.x0 >= g.x0 {
					return b.x0 - g.x0
				}
			}
		}
		require.Failf(t, "shape lost", "%v not found whole in %v", g, inkIn(out, 0, 120))
		return 0
	}
	shift := moved(plus)
	require.Positive(t, shift)
	require.Equal(t, shift, moved(four), "the line moves as a whole")
	require.Equal(t, shift, moved(near), "a gap narrower than the shift and a character is not room enough")
	require.Zero(t, moved(far), "text beyond the room the line took stays where it was")
	// The rewritten fraction ends before the "+" does.
	for _, b := range inkIn(out, 20, 80) {
		if b.x0 < plus.x0+shift && b.x0 > 40 {
			require.LessOrEqual(t, b.x1, plus.x0+shift, "%v runs into the +", b)
		}
	}
}

func TestUnstackFractionsNeedsRoomOnTheLine(t *testing.T) {
	t.Parallel()

	page := newSheet(400, 120)
	height := page.exercise(40)
	for x := 100; x < 400; x += 8 {
		page.fill(glyph{x, 25, x + 4, 90}, 20) // text to the page's edge, no space to move into
	}
	page.requireUntouched(t, height, "a line with no room is left as printed")
}

func TestUnstackFractionsLeavesCloseLinesAlone(t *testing.T) {
	t.Parallel()

	// Two exercises 52 rows apart: the digits of one reach within a few rows of the other's.
	page := newSheet(400, 160)
	height := page.exercise(40)
	page.exercise(92)
	page.requireUntouched(t, height, "lines whose rows overlap are left as printed, not torn")
}

func TestUnstackFractionsIgnoresUnderlinedWords(t *testing.T) {
	t.Parallel()

	// A short underlined word, and close under it a line of text that runs past the rule.
	page := newSheet(400, 120)
	page.fill(glyph{60, 30, 74, 49}, 20)
	page.fill(glyph{78, 30, 92, 49}, 20)
	page.fill(glyph{58, 52, 94, 55}, 20)
	for x := 20; x < 300; x += 18 {
		page.fill(glyph{x, 62, x + 14, 81}, 20)
	}
	page.requireUntouched(t, 24, "")
}

func TestUnstackFractionsOnASubImage(t *testing.T) {
	t.Parallel()

	// The step reads a page through its rows' stride, as every step does: a page cut out of a
	// wider one reads as the same page drawn on its own.
	wide := newSheet(500, 120)
	height := wide.exercise(40)
	alone := newSheet(400, 120)
	alone.exercise(40)
	cut := wide.SubImage(image.Rect(0, 0, 400, 120)).(*image.Gray)
	got, n := unstackFractions(cut, height)
	require.Equal(t, 1, n)
	want, _ := unstackFractions(alone.Gray, height)
	require.Equal(t, want.Rect, got.Rect)
	for y := range want.Rect.Dy() {
		require.Equal(t, want.Pix[y*want.Stride:][:400], got.Pix[y*got.Stride:][:400], "row %d", y)
	}
}

func TestUnstackFractionsNeedsDigitsCentredOnTheBar(t *testing.T) {
	t.Parallel()

	// A rule with a character over its left end and another under its right end, as where a
	// table's short rule meets its cells, is no fraction.
	page := newSheet(400, 120)
	page.fill(glyph{60, 53, 120, 57}, 20)
	page.fill(glyph{60, 30, 72, 49}, 20)
	page.fill(glyph{108, 61, 120, 80}, 20)
	page.requireUntouched(t, 24, "")
}

func TestUnstackFractionsIgnoresWordsSetSideways(t *testing.T) {
	t.Parallel()

	// "Plot" turned a quarter, as a chart's axis title: the "l" lies as a bar between the "P"
	// above it and the "o" below it, each as wide as it.
	page := newSheet(400, 200)
	page.fill(glyph{60, 40, 84, 60}, 20)  // P
	page.fill(glyph{60, 64, 84, 68}, 20)  // l
	page.fill(glyph{61, 72, 84, 92}, 20)  // o
	page.fill(glyph{62, 96, 84, 110}, 20) // t
	page.requireUntouched(t, 24, "")
}

func TestUnstackFractionsJoinsADigitBrokenInPieces(t *testing.T) {
	t.Parallel()

	// A photo's faint "2" over a bar: its foot close above the bar and its top, further up,
	// are two shapes, each too short to be a digit.
	page := newSheet(400, 120)
	page.fill(glyph{20, 40, 30, 70}, 20) // the "1"
	page.fill(glyph{33, 64, 37, 70}, 20) // its dot
	page.fill(glyph{60, 53, 95, 57}, 20) // the bar
	page.fill(glyph{70, 44, 84, 50}, 20) // the numerator's foot
	page.fill(glyph{72, 26, 84, 34}, 20) // and its top
	page.fill(glyph{70, 61, 84, 80}, 20) // the denominator
	out, n := unstackFractions(page.Gray, 24)
	require.Equal(t, 1, n)
	// Both pieces moved down onto the line, as tall as the "1" together.
	for _, b := range inkBoxes(out, 128) {
		require.GreaterOrEqual(t, b.y0, 36, "%v stands above the line", b)
	}
}

func TestUnstackFractionsLeavesNoSpeckOfTheBar(t *testing.T) {
	t.Parallel()

	// The bar's ends fade out over a few columns, too pale to be found as ink with it.
	page := newSheet(400, 120)
	height := page.exercise(40)
	page.fill(glyph{57, 53, 60, 57}, 160)
	page.fill(glyph{95, 53, 98, 57}, 160)
	out, n := unstackFractions(page.Gray, height)
	require.Equal(t, 1, n)
	for _, b := range inkBoxes(out, 200) {
		require.False(t, b.x1-b.x0 <= 3 && b.y1-b.y0 <= 4, "a speck at %v", b)
	}
}
