package tesseract

import (
	"image"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/ocr/preprocess"
	"github.com/snapnote/snapnote/internal/raster"
)

// lines is a short text whose orientation Tesseract can judge.
var lines = []string{
	"Lecture notes on thermodynamics and heat engines",
	"The change in internal energy equals heat minus work",
	"For an ideal gas it depends only on temperature",
	"",
	"Entropy never decreases in an isolated system",
	"Read chapter five before the tutorial on Friday",
	"Carnot engines set the limit on efficiency",
}

func TestParseOSD(t *testing.T) {
	t.Parallel()

	out := "Page number: 0\nOrientation in degrees: 270\nRotate: 90\nOrientation confidence: 12.58\nScript: Latin\nScript confidence: 3.33\n"
	deg, conf := parseOSD([]byte(out))
	require.Equal(t, 90, deg)
	require.InDelta(t, 12.58, conf, 1e-9)

	deg, conf = parseOSD([]byte("Rotate: 45\nOrientation confidence: high\n"))
	require.Zero(t, deg)
	require.Zero(t, conf)
}

func TestOrientation(t *testing.T) {
	t.Parallel()
	if err := (&Engine{}).CheckInstalled(t.Context()); err != nil {
		t.Fatalf("this test needs tesseract: %v", err)
	}

	page := preprocess.Prepare(ocrtest.RenderText(lines, 1000, 500, 26), 0)
	engine := &Engine{}
	for _, deg := range []int{0, 90, 180, 270} {
		t.Run("", func(t *testing.T) {
			t.Parallel()

			// The page turned clockwise by deg needs the rest of a full turn.
			got, conf, err := engine.orientation(t.Context(), raster.Turn(page, deg))
			require.NoError(t, err)
			require.Equal(t, (360-deg)%360, got, "page turned %d°, confidence %.2f", deg, conf)
			require.GreaterOrEqual(t, conf, float64(preprocess.MinOSDConfidence))
		})
	}

	got, conf, err := engine.orientation(t.Context(), image.NewGray(image.Rect(0, 0, 200, 100)))
	require.NoError(t, err, "too few characters is no error")
	require.Zero(t, got)
	require.Zero(t, conf)
}
