package pdf_test

import (
	"context"
	"image"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/tesseract"
	"github.com/snapnote/snapnote/internal/pdf"
	"github.com/snapnote/snapnote/internal/pdf/pdftest"
)

// sizeRecorder is a real engine that also notes the size of each image it
// is given.
type sizeRecorder struct {
	ocr.Engine
	mu    sync.Mutex
	sizes []image.Point
}

func (e *sizeRecorder) Recognize(ctx context.Context, img image.Image, opts ocr.Options) (ocr.Result, error) {
	e.mu.Lock()
	e.sizes = append(e.sizes, img.Bounds().Size())
	e.mu.Unlock()
	return e.Engine.Recognize(ctx, img, opts)
}

// reservations records what a Reader reserves from a memory budget.
type reservations struct {
	mu    sync.Mutex
	bytes []int64
}

func (r *reservations) reserve(_ context.Context, n int64) (func(), error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bytes = append(r.bytes, n)
	return func() {}, nil
}

// A page's memory is planned from its size before it is rendered, inside
// the budget one page may take (OCR_MEMORY, 160 MiB by default): a
// 3700×3700 pt page whose text layer is unusable would be about 59 Mpx even
// at the lowest resolution, so it is refused with its size and what it
// would need, before anything is rendered or reserved; a page that fits at
// a lower resolution is rendered at it, and reserves what its rendering was
// planned to take, which is what the engine is given.
func TestPageMemoryIsPlannedBeforeRendering(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const budget = 160 << 20
	unusable := []string{"Page 1"} // fewer words than a usable text layer has

	var reserved reservations
	engine := &sizeRecorder{Engine: &tesseract.Engine{}}
	reader := pdf.Reader{MaxPageBytes: budget, Reserve: reserved.reserve}
	bomb := pdftest.Write([]pdftest.Page{{Lines: unusable, MediaBox: [2]float64{3700, 3700}}}, pdftest.Options{})
	_, err := reader.Read(ctx, write(t, bomb), engine, ocr.Options{}, time.Minute)
	var large *pdf.PageTooLargeError
	require.ErrorAs(t, err, &large)
	require.ErrorIs(t, err, pdf.ErrPageTooLarge)
	require.InDelta(t, 1305, large.WidthMM, 1)
	require.Equal(t, int64(budget), large.MaxBytes)
	require.Greater(t, large.Bytes, int64(55_000_000*pdf.PageBytesPerPixel), "about 59 Mpx at the lowest resolution")
	require.Contains(t, err.Error(), "more than the 160 MB one page may take")
	require.Empty(t, engine.sizes, "nothing was rendered")
	require.Empty(t, reserved.bytes, "nothing was reserved")

	// With 40 MiB a page, a 700 pt square (25 cm, 8.5 Mpx at 300 dpi) is
	// rendered lower.
	const smaller = 40 << 20
	reader.MaxPageBytes = smaller
	big := pdftest.Write([]pdftest.Page{{Lines: unusable, MediaBox: [2]float64{700, 700}}}, pdftest.Options{})
	res, err := reader.Read(ctx, write(t, big), engine, ocr.Options{}, time.Minute)
	if err != nil {
		require.ErrorIs(t, err, ocr.ErrNoText)
	}
	require.Len(t, engine.sizes, 1)
	got := engine.sizes[0]
	rendered := int64(got.X) * int64(got.Y) * pdf.PageBytesPerPixel
	require.Len(t, reserved.bytes, 1)
	planned := reserved.bytes[0]
	require.LessOrEqual(t, planned, int64(smaller), "the page planned fits the budget")
	require.LessOrEqual(t, rendered, planned, "what was rendered is no more than what was reserved")
	require.Greater(t, rendered, int64(smaller)*9/10, "at the highest resolution that fits")
	if err == nil {
		require.NotContains(t, res.Steps, pdf.StepRender+":300dpi")
	}
}
