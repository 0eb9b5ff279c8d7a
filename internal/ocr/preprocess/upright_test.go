package preprocess

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/corpus"
	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/photo"
	"github.com/snapnote/snapnote/internal/raster"
)

// maxSide bounds the pages of these tests as Tesseract's default does.
const maxSide = 4000

// variantGray returns the class variant of a corpus page as the pipeline receives it.
func variantGray(t testing.TB, page corpus.Page, class string) *image.Gray {
	t.Helper()
	s, err := corpus.Variant(page, class)
	require.NoError(t, err)
	img, err := photo.Decode(bytes.NewReader(s.Encoded))
	require.NoError(t, err)
	return Prepare(img, maxSide)
}

// An upright page skips orientation detection; a page turned a quarter or
// upside down never does.
func TestPlainlyUpright(t *testing.T) {
	t.Parallel()
	want := map[string]bool{corpus.ClassClean: true, corpus.ClassSkew: true, corpus.ClassShadow: true,
		corpus.ClassRotate90: false, corpus.ClassRotate180: false, corpus.ClassRotate270: false}
	for _, page := range corpus.Pages(2) {
		for class, upright := range want {
			gray := variantGray(t, page, class)
			require.Equal(t, upright, plainlyUpright(glyphs(gray, otsu(histogram(gray))/2)), class)
		}
	}
}

// A corpus page turned a quarter or upside down is turned back from its lines alone; an
// upright one, or one turned by more than one way, is left to orientation detection.
func TestPlainTurn(t *testing.T) {
	t.Parallel()
	turns := map[string]int{corpus.ClassRotate90: 270, corpus.ClassRotate180: 180, corpus.ClassRotate270: 90}
	for _, page := range corpus.Pages(2) {
		for class, want := range turns {
			gray := variantGray(t, page, class)
			turn, ok := plainTurn(glyphs(gray, otsu(histogram(gray))/2), gray.Rect.Dx(), gray.Rect.Dy())
			require.True(t, ok, class)
			require.Equal(t, want, turn, class)
		}
		gray := variantGray(t, page, corpus.ClassClean)
		_, ok := plainTurn(glyphs(gray, otsu(histogram(gray))/2), gray.Rect.Dx(), gray.Rect.Dy())
		require.False(t, ok, "no turn makes an upright page upright")
	}
}

// The pipeline turns a page lying on its side upright without running orientation
// detection, which it still runs on a page its lines leave in doubt.
func TestRunTurnsPlainPageWithoutDetection(t *testing.T) {
	t.Parallel()
	lying := variantGray(t, corpus.Pages(1)[0], corpus.ClassRotate90)
	detections := 0
	pipeline := &Pipeline{Orient: func(context.Context, *image.Gray) (int, float64, error) {
		detections++
		return 0, 0, nil
	}}
	gray, steps, err := pipeline.Run(t.Context(), lying, maxSide)
	require.NoError(t, err)
	require.Contains(t, steps, "rotate:270")
	require.Zero(t, detections)
	require.Greater(t, gray.Rect.Dy(), gray.Rect.Dx(), "upright, as the page was printed")

	// Marks scattered over a page, in no lines, leave it in doubt.
	scattered := image.NewGray(image.Rect(0, 0, 1000, 800))
	for i := range scattered.Pix {
		scattered.Pix[i] = 255
	}
	for i := range 120 {
		x, y := (i*137)%950, (i*71)%760
		for dy := range 18 {
			for dx := range 12 {
				scattered.SetGray(x+dx, y+dy, color.Gray{})
			}
		}
	}
	_, _, err = pipeline.Run(t.Context(), scattered, maxSide)
	require.NoError(t, err)
	require.Equal(t, 1, detections)
}

// A page whose characters are far larger than Tesseract needs, as a
// full-size phone photo's are, is shrunk before it is read.
func TestLargeCharactersAreShrunk(t *testing.T) {
	t.Parallel()
	page := ocrtest.RenderText([]string{"Thermodynamics Lecture Three", "", "The first law states that energy is conserved.",
		"Entropy of an isolated system never decreases."}, 3000, 1400, 110)
	pipeline := &Pipeline{Skip: []string{StepOrient, StepPerspective}}
	gray, steps, err := pipeline.Run(t.Context(), Prepare(page, maxSide), maxSide)
	require.NoError(t, err)
	require.Contains(t, strings.Join(steps, " "), "scale:0.")
	require.Less(t, gray.Rect.Dx(), 3000)
	require.InDelta(t, shrunkGlyph, medianHeight(glyphs(gray, otsu(histogram(gray))/2)), 6)
}

// A page of a heading and a few sums lying on its side, which orientation detection judges
// with little confidence or not at all, is turned upright whichever side detection named; an
// upright page, or every corpus page, is never turned so.
func TestSidewaysTurn(t *testing.T) {
	t.Parallel()
	page := grayscale(ocrtest.RenderText([]string{"Understanding fractions: give the result of:", "",
		"1. 2/3 + 1/3", "2. 6/3", "3. 1/5 + 9/5"}, 1400, 1000, 40))
	glyphsOf := func(img *image.Gray) []glyph { return glyphs(img, otsu(histogram(img))/2) }
	require.Zero(t, sidewaysTurn(glyphsOf(page), 90, 1400, 1000), "upright")
	for _, lying := range []int{90, 270} {
		turned := raster.Turn(page, lying)
		w, h := turned.Rect.Dx(), turned.Rect.Dy()
		for _, osd := range []int{0, 90, 270} {
			require.Equal(t, 360-lying, sidewaysTurn(glyphsOf(turned), osd, w, h), "lying %d, detection %d", lying, osd)
		}
	}
	for _, p := range corpus.Pages(2) {
		for _, class := range []string{corpus.ClassClean, corpus.ClassSkew, corpus.ClassShadow} {
			gray := variantGray(t, p, class)
			require.Zero(t, sidewaysTurn(glyphsOf(gray), 90, gray.Rect.Dx(), gray.Rect.Dy()), class)
		}
	}
}
