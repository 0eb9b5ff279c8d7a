package tesseract_test

import (
	"image"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/preprocess"
	"github.com/snapnote/snapnote/internal/ocr/tesseract"
	"github.com/snapnote/snapnote/internal/ocr/warm"
	"github.com/snapnote/snapnote/internal/raster"
)

func TestMain(m *testing.M) {
	// The pools these tests start run this binary as their child processes.
	warm.ServeIfChild()
	os.Exit(m.Run())
}

func TestChildProcessesReadLikeTheCommand(t *testing.T) {
	t.Parallel()
	requireTesseract(t)
	pool, err := warm.NewPool(t.Context(), &warm.PoolConfig{Size: 1})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, pool.Close()) })

	upright := testPage()
	for name, img := range map[string]image.Image{"upright": upright, "upside down": raster.Turn(upright, 180), "sideways": raster.Turn(upright, 90)} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			command, err := (&tesseract.Engine{}).Recognize(t.Context(), img, ocr.Options{})
			require.NoError(t, err)
			warm, err := (&tesseract.Engine{Pool: pool}).Recognize(t.Context(), img, ocr.Options{})
			require.NoError(t, err)

			require.Equal(t, command.Text, warm.Text)
			require.Equal(t, command.Words, warm.Words)
			require.Equal(t, command.Steps, warm.Steps)
			require.InDelta(t, command.Confidence, warm.Confidence, 1e-4)
		})
	}

	_, err = (&tesseract.Engine{Pool: pool}).Recognize(t.Context(), image.NewGray(image.Rect(0, 0, 800, 600)), ocr.Options{})
	require.ErrorIs(t, err, ocr.ErrNoText)
}

// testPage is a page of lecture notes like a photo of A4 at 200 dpi, as gray.
func testPage() *image.Gray { return preprocess.Prepare(page(), 0) }
