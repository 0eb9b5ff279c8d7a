package preprocess

import (
	"bytes"
	"image"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/corpus"
	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/photo"
	"github.com/snapnote/snapnote/internal/raster"
)

// lines is a short text to measure pages by.
var lines = []string{
	"Lecture notes on thermodynamics and heat engines",
	"The change in internal energy equals heat minus work",
	"For an ideal gas it depends only on temperature",
	"",
	"Entropy never decreases in an isolated system",
	"Read chapter five before the tutorial on Friday",
	"Carnot engines set the limit on efficiency",
}

// textPage renders lines in sizePx text on a width×height page, as gray.
func textPage(width, height, sizePx int) *image.Gray {
	return grayscale(ocrtest.RenderText(lines, width, height, sizePx))
}

func TestNormalizeFlattensGradient(t *testing.T) {
	t.Parallel()

	// Light falls from 250 on the left to 90 on the right; ink reflects a tenth of it.
	const w, h = 600, 300
	img := image.NewGray(image.Rect(0, 0, w, h))
	isInk := func(x, y int) bool { return (y/10)%3 == 1 && (x/4)%3 == 0 }
	for y := range h {
		for x := range w {
			light := 250 - 160*x/(w-1)
			if isInk(x, y) {
				light /= 10
			}
			img.Pix[y*w+x] = uint8(light)
		}
	}

	out := normalize(img, true)
	paperMin, inkMax := 255, 0
	for y := 20; y < h-20; y++ {
		for x := 20; x < w-20; x++ {
			v := int(out.Pix[y*out.Stride+x])
			if isInk(x, y) {
				inkMax = max(inkMax, v)
			} else if (y/10)%3 != 1 {
				paperMin = min(paperMin, v) // paper between the lines of ink
			}
		}
	}
	require.GreaterOrEqual(t, paperMin, 235, "paper is white everywhere")
	require.LessOrEqual(t, inkMax, 40, "ink is black everywhere")

	// A global threshold now separates them, which it could not before (ink on the left is
	// brighter than paper on the right).
	require.Less(t, int(otsu(histogram(out))), paperMin)
	require.GreaterOrEqual(t, int(otsu(histogram(out))), inkMax)
}

func TestNormalizeCleanPage(t *testing.T) {
	t.Parallel()

	img := textPage(800, 400, 24)
	out := normalize(img, true)
	require.Equal(t, img.Bounds(), out.Bounds())
	for i, p := range img.Pix {
		if p == 255 {
			require.Equal(t, uint8(255), out.Pix[i])
		}
		if p < 40 {
			require.Less(t, out.Pix[i], uint8(40))
		}
	}
}

func TestStretchLeavesBlankPage(t *testing.T) {
	t.Parallel()

	img := image.NewGray(image.Rect(0, 0, 100, 100))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	stretch(img, histogram(img))
	require.Equal(t, uint8(200), img.Pix[0])
}

func TestOtsu(t *testing.T) {
	t.Parallel()

	var hist [256]int
	hist[30], hist[40], hist[200], hist[220] = 100, 100, 1000, 1000
	th := otsu(&hist)
	require.GreaterOrEqual(t, th, uint8(40))
	require.Less(t, th, uint8(200))
}

func TestGlyphsMeasureTextSize(t *testing.T) {
	t.Parallel()

	small := glyphs(textPage(900, 400, 20), 128)
	large := glyphs(textPage(1800, 800, 40), 128)
	require.Greater(t, len(small), 200)
	require.InDelta(t, len(small), len(large), float64(len(small))/20)
	ratio := float64(medianHeight(large)) / float64(medianHeight(small))
	require.InDelta(t, 2, ratio, 0.2)
	// Go Regular's x-height is about half its em size; the median lies between it and the cap
	// height.
	require.InDelta(t, 12, medianHeight(small), 3)

	// The median does not depend on which way the page is turned.
	require.Equal(t, medianHeight(small), medianHeight(glyphs(raster.Turn(textPage(900, 400, 20), 90), 128)))
	require.Empty(t, glyphs(image.NewGray(image.Rect(0, 0, 50, 50)), 128), "all dark: one big block, no glyph")
}

func TestEnlarge(t *testing.T) {
	t.Parallel()

	src := &image.Gray{Pix: []uint8{0, 200, 100, 100}, Stride: 2, Rect: image.Rect(0, 0, 2, 2)}
	out := enlarge(src, 4, 4)
	require.Equal(t, image.Rect(0, 0, 4, 4), out.Bounds())
	// Corners keep their values; between them values are interpolated.
	require.Equal(t, uint8(0), out.Pix[0])
	require.Equal(t, uint8(200), out.Pix[3])
	require.Equal(t, uint8(100), out.Pix[15])
	require.Equal(t, uint8(50), out.Pix[1])  // a quarter of the way from 0 to 200
	require.Equal(t, uint8(150), out.Pix[2]) // three quarters

	uniform := image.NewGray(image.Rect(0, 0, 37, 23))
	for i := range uniform.Pix {
		uniform.Pix[i] = 77
	}
	for _, p := range enlarge(uniform, 100, 61).Pix {
		require.Equal(t, uint8(77), p)
	}
}

func TestSkewAngle(t *testing.T) {
	t.Parallel()

	page := textPage(1000, 700, 26)
	for _, deg := range []float64{0, 0.75, -2.5, 4.25, -7, 9.5} {
		img := rotate(page, deg, 255)
		got := skewAngle(glyphs(img, 128))
		require.InDelta(t, deg, got, 0.5, "turned %.2f°", deg)

		// Turning back straightens the lines: measured again, the angle is about 0.
		require.InDelta(t, 0, skewAngle(glyphs(rotate(img, -got, 255), 128)), 0.5)
	}
	require.Zero(t, skewAngle(nil))

	// A sideways page is not "straightened" by a few degrees.
	for _, deg := range []int{90, 270} {
		require.Zero(t, skewAngle(glyphs(raster.Turn(rotate(page, 3, 255), deg), 128)), "%d°", deg)
	}
}

// A photographed sheet turned 2 degrees whose edge left a column of specks beside its text, six
// degrees from upright: specks in a column line up better than the glyphs of the lines, so the
// page could be lying on its side, and skewAngle leaves it alone. Known to be upright, it is
// straightened.
func TestUprightSkewAngleIgnoresAColumnOfSpecks(t *testing.T) {
	t.Parallel()

	gs := glyphs(rotate(textPage(1000, 700, 26), 2, 255), 128)
	for i := range 1500 {
		y := i * 700 / 1500
		x := 40 + y/10 // six degrees from upright
		gs = append(gs, glyph{x, y, x + 4, y + 4})
	}
	require.Zero(t, skewAngle(gs))
	require.InDelta(t, 2, uprightSkewAngle(gs), 0.5)
}

func TestRotate(t *testing.T) {
	t.Parallel()

	img := textPage(300, 200, 20)
	same := rotate(img, 0, 255)
	require.Equal(t, img.Bounds(), same.Bounds())
	require.Equal(t, img.Pix, same.Pix)

	// 30° grows the canvas to hold the corners; the uncovered corners get the fill.
	turned := rotate(img, 30, 7)
	sin, cos := 0.5, math.Sqrt(3)/2
	require.InDelta(t, 300*cos+200*sin, turned.Bounds().Dx(), 1)
	require.InDelta(t, 300*sin+200*cos, turned.Bounds().Dy(), 1)
	require.Equal(t, uint8(7), turned.Pix[0])
}

// Glyph boxes move with the pixels they box.
func TestTurnGlyphs(t *testing.T) {
	t.Parallel()
	page := textPage(400, 300, 20)
	for _, deg := range []int{90, 180, 270} {
		gs := glyphs(page, 128)
		turnGlyphs(gs, deg, 400, 300)
		want := glyphs(raster.Turn(page, deg), 128)
		require.ElementsMatch(t, want, gs, "%d°", deg)
	}
}

// onDesk returns a w×h photo of blank paper (244) filling quad on a desk (70).
func onDesk(w, h int, quad [4][2]float64) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Pix[y*w+x] = 70
			if quadDistance(quad, float64(x)+0.5, float64(y)+0.5) > 0 {
				img.Pix[y*w+x] = 244
			}
		}
	}
	return img
}

func TestPageQuad(t *testing.T) {
	t.Parallel()

	want := [4][2]float64{{90, 60}, {720, 40}, {780, 1010}, {40, 960}}
	img := onDesk(800, 1050, want)
	got, ok := pageQuad(img)
	require.True(t, ok)
	cell := float64((1050 + backgroundCells - 1) / backgroundCells)
	for k := range want {
		require.InDelta(t, want[k][0], got[k][0], 2*cell, "corner %d x", k)
		require.InDelta(t, want[k][1], got[k][1], 2*cell, "corner %d y", k)
	}

	// The page mapped onto a rectangle is paper to its edges.
	flat := unwarp(img, got)
	require.InDelta(t, 780-40, flat.Rect.Dx(), 4*cell)
	require.InDelta(t, 1010-40, flat.Rect.Dy(), 4*cell)
	border := int(2 * cell)
	for y := border; y < flat.Rect.Dy()-border; y++ {
		for x := border; x < flat.Rect.Dx()-border; x++ {
			require.Equal(t, uint8(244), flat.Pix[y*flat.Stride+x], "(%d, %d)", x, y)
		}
	}
}

func TestPageQuadNone(t *testing.T) {
	t.Parallel()

	t.Run("page fills the photo", func(t *testing.T) {
		t.Parallel()
		_, ok := pageQuad(textPage(800, 600, 24))
		require.False(t, ok)
	})
	t.Run("shadow across the page", func(t *testing.T) {
		t.Parallel()
		// A dark disc over one corner and a bite out of the bottom edge: dark regions, but no
		// frame around a four-cornered page.
		img := textPage(800, 1000, 24)
		for y := range 1000 {
			for x := range 800 {
				if math.Hypot(float64(x-800), float64(y)) < 350 || math.Hypot(float64(x-300), float64(y-1000)) < 250 {
					img.Pix[y*img.Stride+x] /= 3
				}
			}
		}
		_, ok := pageQuad(img)
		require.False(t, ok)
	})
}

// BenchmarkPreprocessGo measures the preprocessing done in Go, everything but orientation
// detection's Tesseract run, on a 12-megapixel photo of a page turned by 3 degrees.
func BenchmarkPreprocessGo(b *testing.B) {
	img := rotate(textPage(2900, 3900, 80), 3, 255)
	for b.Loop() {
		page := img
		quad, warped := pageQuad(page)
		if warped {
			page = unwarp(page, quad)
		}
		flat := normalize(page, !warped)
		gs := glyphs(flat, otsu(histogram(flat))/2)
		rotate(flat, -skewAngle(gs), 255)
	}
}

func TestNormalizeClearsTheDeskBesideThePage(t *testing.T) {
	t.Parallel()

	// A page of text, its left fifth and a slanted strip along its top the desk it lies on:
	// dark, plain, and meeting the paper at a step.
	img := textPage(800, 500, 24)
	desk := func(x, y int) bool { return x < 160 || y < 30-x/40 }
	inkBefore := 0
	for y := range 500 {
		for x := range 800 {
			if desk(x, y) {
				img.Pix[y*img.Stride+x] = uint8(70 + (x*7+y*3)%12)
			} else if img.Pix[y*img.Stride+x] < 128 {
				inkBefore++
			}
		}
	}

	out := normalize(img, true)
	deskLeft, inkAfter := 0, 0
	for y := range 500 {
		for x := range 800 {
			switch v := out.Pix[y*out.Stride+x]; {
			case desk(x, y) && v < 250:
				deskLeft++
			case !desk(x, y) && v < 128:
				inkAfter++
			}
		}
	}
	require.Zero(t, deskLeft, "the desk is paper white")
	require.InDelta(t, inkBefore, inkAfter, 0.02*float64(inkBefore), "the text is kept")
}

// BenchmarkPipelineFlat runs every step but orientation detection on flat pages: a corpus page
// as photographed straight on, and a 12-megapixel photo of a page turned by 3 degrees.
func BenchmarkPipelineFlat(b *testing.B) {
	s, err := corpus.Variant(corpus.NewPage(0), corpus.ClassClean)
	require.NoError(b, err)
	clean, err := photo.Decode(bytes.NewReader(s.Encoded))
	require.NoError(b, err)
	pages := map[string]*image.Gray{
		"corpus-clean": Prepare(clean, maxSide),
		"photo-12MP":   rotate(textPage(2900, 3900, 80), 3, 255),
	}
	pipeline := &Pipeline{Skip: []string{StepOrient}}
	for name, page := range pages {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				_, _, err := pipeline.Run(b.Context(), page, maxSide)
				require.NoError(b, err)
			}
		})
	}
}
