package e2e_test

import (
	"bytes"
	"image/png"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
	"github.com/snapnote/snapnote/internal/pdf"
	"github.com/snapnote/snapnote/internal/pdf/pdftest"
	"github.com/snapnote/snapnote/jobs"
)

// pdfNote uploads a PDF of two text pages and a photo as one note and
// returns the note's pages once it is done.
func pdfNote(t *testing.T, alice *apitest.User) []api.Page {
	t.Helper()
	course := alice.CreateCourse("Physics")
	doc := pdftest.Text([]string{"Thermodynamics Lecture Three", "", "The first law states that energy is conserved."},
		[]string{"Second Page", "", "Entropy of an isolated system never decreases."})
	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "scan.pdf",
		File: doc, More: [][]byte{apitest.PageOf(t, "Third Page", "Heat flows from hot bodies to cold ones.")}})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.JSON(t, &up)
	done := alice.WaitSettled(up.ID)
	require.Equal(t, "done", done.Status, "error: %+v", done.Error)
	var pages []api.Page
	alice.GetJSON("/api/documents/"+done.DocumentID.String()+"/pages", &pages)
	require.Len(t, pages, 2)
	return pages
}

// Each page of a PDF is shown as a PNG rendered when it was read: to its
// owner only, cached as a photo is; a photo beside it is shown as itself.
func TestPDFPagesAreServedAsImages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice, bob := b.User("alice"), b.User("bob")
	pages := pdfNote(t, alice)

	pdfPage, photo := pages[0], pages[1]
	require.Len(t, pdfPage.Views, 2, "one view per page of the PDF")
	require.Equal(t, []api.View{{Image: photo.Image}}, photo.Views)
	for k, v := range pdfPage.Views {
		require.Empty(t, v.Problem)
		require.Equal(t, pdfPage.Image[:len(pdfPage.Image)-len("image")]+"pdf-pages/"+strconv.Itoa(k+1), v.Image)
		res := alice.Call(http.MethodGet, v.Image, nil, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, "image/png", res.Header.Get("Content-Type"))
		require.Equal(t, "private, max-age=86400", res.Header.Get("Cache-Control"))
		img, err := png.Decode(bytes.NewReader(res.Body))
		require.NoError(t, err)
		require.Equal(t, [2]int{v.Width, v.Height}, [2]int{img.Bounds().Dx(), img.Bounds().Dy()})
		require.Equal(t, pdf.ViewSide, v.Height, "an A4 page, upright")

		again := alice.Call(http.MethodGet, v.Image, nil, map[string]string{"If-None-Match": res.Header.Get("ETag")})
		require.Equal(t, http.StatusNotModified, again.Status, "rendered once, revalidated by its ETag")

		apitest.RequireProblem(t, bob.Do(http.MethodGet, v.Image, nil, ""), http.StatusNotFound)
	}
	apitest.RequireProblem(t, alice.Do(http.MethodGet, pdfPage.Image[:len(pdfPage.Image)-len("image")]+"pdf-pages/3", nil, ""), http.StatusNotFound)
	apitest.RequireProblem(t, alice.Do(http.MethodGet, photo.Image[:len(photo.Image)-len("image")]+"pdf-pages/1", nil, ""), http.StatusNotFound)
	apitest.RequireProblem(t, b.Request(http.MethodGet, pdfPage.Views[0].Image, nil, nil), http.StatusUnauthorized)
}

// A PDF page whose image would not fit the worker's bound is not rendered:
// the note is made all the same, and the page list and the image route say
// why there is no image.
func TestPDFPageTooLargeToShowIsRefusedWithReason(t *testing.T) {
	t.Parallel()
	b := setup(t, withPipeline(func(p *jobs.Pipeline) { p.PDF = &pdf.Reader{MaxPixels: 100_000} }))
	alice := b.User("alice")
	pages := pdfNote(t, alice)

	for k, v := range pages[0].Views {
		require.Empty(t, v.Image)
		require.Equal(t, "Page "+strconv.Itoa(k+1)+" of the PDF is too large to show as an image.", v.Problem)
		res := alice.Do(http.MethodGet, pages[0].Image[:len(pages[0].Image)-len("image")]+"pdf-pages/"+strconv.Itoa(k+1), nil, "")
		apitest.RequireProblem(t, res, http.StatusUnprocessableEntity)
		require.Contains(t, string(res.Body), v.Problem)
	}
	for _, f := range b.BlobFiles() {
		require.NotContains(t, f, ".page", "nothing was rendered")
	}
}
