package preprocess

import (
	"image"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/corpus"
	"github.com/snapnote/snapnote/internal/raster"
)

// pageLines finds the glyphs and text lines of img as preprocess does, with their character
// height.
func pageLines(img *image.Gray) ([]textLine, int) {
	gs := glyphs(img, otsu(histogram(img))/2)
	height := medianHeight(gs)
	return textLines(gs, height), height
}

func TestTextLinesFlat(t *testing.T) {
	t.Parallel()

	img := textPage(1100, 460, 26)
	found, height := pageLines(img)
	require.Len(t, found, 6, "one per line of text, the blank one left out")
	for i := 1; i < len(found); i++ {
		require.Greater(t, found[i].meanY(), found[i-1].meanY()+float64(height), "top to bottom, one each")
	}
	for _, l := range found {
		require.Greater(t, l.glyphs, 25)
		require.InDelta(t, 0, l.slope(), 0.003)
		require.Less(t, l.bend(0), 1.5, "a printed line is straight")
	}
	require.Less(t, lineBend(found), minBend*float64(height))

	out, ok := dewarp(img, found, height)
	require.False(t, ok, "straight lines are left alone")
	require.Same(t, img, out)
	_, _, ok = keystone(img, found, height)
	require.False(t, ok, "an upright margin is left alone")
}

func TestTextLinesAcrossWideWordSpaces(t *testing.T) {
	t.Parallel()

	// Serif type whose thin strokes break at the core threshold: each letter is two pieces
	// 12 pixels tall, the median glyph, and the words are 28 pixels apart. Each row is one
	// line, however far its words are spread, and rows a line apart stay apart.
	const height = 12
	var gs []glyph
	for row := range 3 {
		base := 60 + 40*row
		x := 0
		for range 6 {
			for range 5 {
				gs = append(gs, glyph{x, base - height, x + 5, base}, glyph{x + 7, base - height, x + 12, base})
				x += 14
			}
			x += 28
		}
	}
	lines := textLines(gs, height)
	require.Len(t, lines, 3)
	for _, l := range lines {
		require.Equal(t, 60, l.glyphs, "every word of the row")
		require.InDelta(t, 0, l.slope(), 0.001)
	}
}

func TestTextLinesTooFew(t *testing.T) {
	t.Parallel()

	require.Empty(t, textLines(nil, 0))
	// Characters scattered over the page, each far from the next, make no line.
	var gs []glyph
	for i := range 40 {
		x, y := (i*137)%900, (i*71)%700
		gs = append(gs, glyph{x, y, x + 12, y + 16})
	}
	require.Empty(t, textLines(gs, 16))
}

// curled bends img like a curled page: every point moves vertically by amplitude along a sine
// wave across the width.
func curled(img *image.Gray, amplitude, wavelength float64) *image.Gray {
	return raster.Warp(img, img.Rect.Dx(), img.Rect.Dy(), 244, func(x, y float64) (float64, float64) {
		return x, y - amplitude*math.Sin(2*math.Pi*x/wavelength+0.7)
	})
}

func TestDewarpStraightensCurl(t *testing.T) {
	t.Parallel()

	img := curled(textPage(1100, 460, 26), 12, 900)
	before, height := pageLines(img)
	require.Len(t, before, 6)
	bendBefore := lineBend(before)
	require.Greater(t, bendBefore, 5.0, "the curl bends the lines")

	out, ok := dewarp(img, before, height)
	require.True(t, ok)
	require.Equal(t, img.Bounds(), out.Bounds())
	after, _ := pageLines(out)
	require.Len(t, after, 6, "no line lost or split")
	bendAfter := lineBend(after)
	t.Logf("bend from straight: %.1f px before, %.1f px after (characters %d px)", bendBefore, bendAfter, height)
	require.Less(t, bendAfter, 2.0)
	for _, l := range after {
		require.Less(t, l.bend(0), 2.5, "each line is straight and level")
	}
}

func TestKeystoneSquaresMargin(t *testing.T) {
	t.Parallel()

	page := textPage(1100, 700, 26)
	w, h := float64(page.Rect.Dx()), float64(page.Rect.Dy())
	// Held at an angle: the top edge 16% shorter than the bottom, on light surroundings.
	quad := [4][2]float64{{w * 0.08, h * 0.05}, {w * 0.92, h * 0.05}, {w, h}, {0, h}}
	rect := [4][2]float64{{0, 0}, {w, 0}, {w, h}, {0, h}}
	img := raster.Warp(page, int(w), int(h), 238, raster.Projective(quad, rect).Apply)

	found, height := pageLines(img)
	_, slant, ok := leftMargin(found, levels(found), height)
	require.True(t, ok)
	require.Greater(t, math.Abs(slant), 0.05, "the margin slants")

	out, amount, ok := keystone(img, found, height)
	require.True(t, ok)
	// The text covers half the page's height, so half of the keystone shows between its lines.
	require.InDelta(t, 0.16/2, amount, 0.04)
	t.Logf("keystone %.3f, margin slant %.3f before", amount, slant)
	after, height := pageLines(out)
	_, slant, ok = leftMargin(after, levels(after), height)
	require.True(t, ok)
	require.Less(t, math.Abs(slant), 0.01, "the margin is upright")
}

// printedRow returns the boxes of n characters height pixels tall standing on baseline y, the
// first starting at x, in words of five.
func printedRow(x, y, n, height int) []glyph {
	gs := make([]glyph, n)
	for i := range gs {
		x0 := x + i*(height*3/4) + i/5*height/2
		gs[i] = glyph{x0, y - height, x0 + height/2, y}
	}
	return gs
}

func TestKeystoneLeavesIndentedBodyAlone(t *testing.T) {
	t.Parallel()

	// A flat page rendered from a PDF (redp5110, page 4): a body whose first four lines start
	// a pixel or two apart, author bios indented far right of it, and a footer starting far left
	// of both at the bottom. A line slanting by -0.12 passes through the body's first four
	// starts and the footer's, and no start lies left of it, but every row between them begins
	// right of it.
	const height = 11
	var gs []glyph
	for i, x := range []int{286, 287, 285, 285, 286, 286, 285, 286, 286, 286, 286, 286} {
		gs = append(gs, printedRow(x, 291+25*i, 60, height)...)
	}
	for i := range 25 {
		gs = append(gs, printedRow(550, 797+25*i, 40, height)...)
	}
	gs = append(gs, printedRow(135, 1587, 30, height)...)
	lines := textLines(gs, height)
	require.Len(t, lines, 12+25+1)

	_, slant, ok := leftMargin(lines, levels(lines), height)
	require.False(t, ok, "the body's starts and the footer's make no margin (slant %.3f)", slant)

	// The same starts, rows of the bios moved onto the slanting line, make one.
	gs = gs[:0]
	for i, x := range []int{286, 287, 285, 285} {
		gs = append(gs, printedRow(x, 291+25*i, 60, height)...)
	}
	for i := range 40 {
		y := 416 + 25*i
		gs = append(gs, printedRow(int(math.Round(325-0.12*float64(y))), y, 40, height)...)
	}
	gs = append(gs, printedRow(135, 1587, 30, height)...)
	lines = textLines(gs, height)
	_, slant, ok = leftMargin(lines, levels(lines), height)
	require.True(t, ok)
	require.InDelta(t, -0.12, slant, 0.005)
}

func TestRotateGlyphs(t *testing.T) {
	t.Parallel()

	img := textPage(800, 400, 26)
	gs := glyphs(img, otsu(histogram(img))/2)
	const deg = 4.0
	moved := rotateGlyphs(gs, deg, img.Rect.Dx(), img.Rect.Dy())
	turned := rotate(img, deg, 255)
	seen := glyphs(turned, otsu(histogram(turned))/2)
	// Every moved box lies where a box of the rotated image is, within a pixel or two.
	for _, g := range moved {
		if g.y1-g.y0 < 8 {
			continue // a speck may merge with its neighbour once resampled
		}
		cx, cy := float64(g.x0+g.x1)/2, float64(g.y0+g.y1)/2
		best := math.Inf(1)
		for _, s := range seen {
			best = min(best, math.Hypot(cx-float64(s.x0+s.x1)/2, cy-float64(s.y0+s.y1)/2))
		}
		require.Less(t, best, 3.0, "centres rounded to pixels, shapes resampled")
	}
}

// BenchmarkStraightenFlat measures what finding and judging the lines of text costs a flat
// page, where nothing is straightened: the corpus page as rendered, after normalize.
func BenchmarkStraightenFlat(b *testing.B) {
	page := normalize(corpus.NewPage(0).Image, true)
	gs := glyphs(page, otsu(histogram(page))/2)
	for b.Loop() {
		if _, steps := straightenLines(page, gs); len(steps) > 0 {
			b.Fatal("a flat page was straightened:", steps)
		}
	}
}

// BenchmarkStraightenCurl measures straightening a curled corpus page.
func BenchmarkStraightenCurl(b *testing.B) {
	page := normalize(curled(corpus.NewPage(0).Image, 14, 1400), true)
	gs := glyphs(page, otsu(histogram(page))/2)
	for b.Loop() {
		if _, steps := straightenLines(page, gs); len(steps) == 0 {
			b.Fatal("a curled page was left alone")
		}
	}
}

// convergingRow returns the boxes of characters height pixels tall along the baseline through
// (0, y) and the vanishing point (vx, vy) far left of the page, from column x0 to x1: a line of
// a page photographed at an angle, whose lines converge towards its far side.
func convergingRow(y, vx, vy float64, x0, x1, height int) []glyph {
	var gs []glyph
	for x := x0; x+height/2 <= x1; x += height * 3 / 4 {
		base := int(y + (vy-y)*float64(x)/vx)
		gs = append(gs, glyph{x, base - height, x + height/2, base})
	}
	return gs
}

func TestLevelsKeepSpacingWhereLinesConverge(t *testing.T) {
	t.Parallel()

	// Eight rows 80 pixels apart at the left edge, converging towards a point far to the left:
	// the lower rows slope down to the right, the upper ones up. The fourth and the seventh
	// rows are short, at the right end (the last words of a line set apart, or the right
	// column of an exercise), and the sixth and eighth end early, the last lines of
	// paragraphs: the body of the page is at the left.
	const height, vx, vy = 20, -1500.0, 300.0
	var gs []glyph
	for k, span := range [][2]int{{0, 3000}, {0, 3000}, {0, 3000}, {2400, 3000}, {0, 3000}, {0, 2200}, {2400, 3000}, {0, 1500}} {
		gs = append(gs, convergingRow(100+80*float64(k), vx, vy, span[0], span[1], height)...)
	}
	lines := textLines(gs, height)
	require.Len(t, lines, 8)
	var right []int
	for k, l := range lines {
		if l.x0 >= 2000 {
			right = append(right, k)
		}
	}
	require.Len(t, right, 2)
	short, last := right[0], right[1]
	require.Equal(t, 3, short)
	spacing := lines[2].meanY() - lines[1].meanY()
	require.Greater(t, lines[short].meanY()-lines[2].meanY(), spacing+20,
		"at its own mean height the short line runs far below the long one above")

	level := levels(lines)
	for k := 1; k < 4; k++ {
		require.InDelta(t, spacing, level[k+1]-level[k], 2, "rows %d and %d keep their spacing", k, k+1)
	}
	require.InDelta(t, 2*spacing, level[last]-level[4], 2, "a short line below the last long one follows their trend")
	for k, l := range lines {
		if k != short && k != last {
			require.Equal(t, l.meanY(), level[k], "a line through the body keeps its mean height")
		}
	}
}

func TestTextLinesChainPieces(t *testing.T) {
	t.Parallel()

	const height = 20
	// Two columns four characters apart: the rows of the left one on the baselines of the
	// right one, except the last, half a row lower on the right.
	var gs []glyph
	for k, y := range []int{100, 150, 200} {
		gs = append(gs, printedRow(0, y, 20, height)...)
		right := y
		if k == 2 {
			right += 25
		}
		gs = append(gs, printedRow(400, right, 20, height)...)
	}
	require.Len(t, textLines(gs, height), 6, "found as pieces")
	lines := chainLines(textLines(gs, height), height)
	require.Len(t, lines, 4, "the two pieces of each of the first two rows make one line")
	for _, l := range lines[:2] {
		require.InDelta(t, 0, l.x0, 1)
		require.Greater(t, l.x1, 650.0)
		require.Equal(t, 40, l.glyphs)
	}
	require.Less(t, lines[2].x1, 350.0, "rows half a line apart are not one")
	require.Greater(t, lines[3].x0, 350.0)
}
