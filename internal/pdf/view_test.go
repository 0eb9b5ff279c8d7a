package pdf_test

import (
	"bytes"
	"context"
	"image/png"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/pdf"
	"github.com/snapnote/snapnote/internal/pdf/pdftest"
)

// Every page of a PDF, a text layer or a scan, is rendered as a PNG of
// ViewSide pixels on its longer side, in order.
func TestViewsRenderEveryPage(t *testing.T) {
	t.Parallel()
	landscape := pdftest.Page{Lines: lecture, MediaBox: [2]float64{842, 595}}
	doc := pdftest.Write([]pdftest.Page{{Lines: lecture}, scanOf(lecture), landscape}, pdftest.Options{})
	var got []pdf.View
	err := (&pdf.Reader{}).Views(context.Background(), write(t, doc), func(v pdf.View) error {
		got = append(got, v)
		return nil
	})
	require.NoError(t, err)
	require.Len(t, got, 3)
	for i, v := range got {
		require.NoError(t, v.Err)
		require.Equal(t, i+1, v.Page)
		img, err := png.Decode(bytes.NewReader(v.PNG))
		require.NoError(t, err, "page %d is a PNG", v.Page)
		require.Equal(t, [2]int{v.Width, v.Height}, [2]int{img.Bounds().Dx(), img.Bounds().Dy()})
		require.Equal(t, pdf.ViewSide, max(v.Width, v.Height), "page %d", v.Page)
	}
	require.Greater(t, got[2].Width, got[2].Height, "a landscape page stays landscape")
}

// A page whose view cannot fit MaxPixels even at MinViewSide, or whose render
// runs out of the memory poppler may take, is refused with its size and
// the other pages are still rendered; a smaller MaxPixels shrinks a view
// before it refuses it.
func TestViewsAreBounded(t *testing.T) {
	t.Parallel()
	doc := write(t, pdftest.Text(lecture, lecture))
	views := func(r *pdf.Reader) []pdf.View {
		var got []pdf.View
		require.NoError(t, r.Views(context.Background(), doc, func(v pdf.View) error {
			got = append(got, v)
			return nil
		}))
		return got
	}
	small := views(&pdf.Reader{MaxPixels: 800 * 800})
	require.NoError(t, small[0].Err)
	require.LessOrEqual(t, small[0].Width*small[0].Height, 800*800)
	require.GreaterOrEqual(t, max(small[0].Width, small[0].Height), pdf.MinViewSide)

	refused := views(&pdf.Reader{MaxPixels: 100_000})
	require.Len(t, refused, 2)
	for _, v := range refused {
		require.ErrorIs(t, v.Err, pdf.ErrPageTooLarge)
		require.Contains(t, v.Err.Error(), "210×297 mm", "the refusal says the page's size")
		require.Nil(t, v.PNG)
	}

	reserved := int64(0)
	views(&pdf.Reader{Reserve: func(_ context.Context, n int64) (func(), error) {
		reserved = max(reserved, n)
		return func() {}, nil
	}})
	require.Positive(t, reserved, "each render takes its memory from the budget first")
}
