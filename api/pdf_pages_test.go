package api_test

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/internal/notes"
	"github.com/snapnote/snapnote/internal/ocr/tesseract"
	"github.com/snapnote/snapnote/internal/pdf"
	"github.com/snapnote/snapnote/internal/pdf/pdftest"
	"github.com/snapnote/snapnote/jobs"
	"github.com/snapnote/snapnote/worker"
)

// pdfNote uploads a PDF of two text pages and a photo as one note, read by a
// worker with reader, and returns the note's pages once it is done.
func pdfNote(t *testing.T, b *bundle, alice *user, reader *pdf.Reader) []api.Page {
	t.Helper()
	client, err := worker.New(worker.Config{
		Jobs: jobs.Config{Pipeline: &jobs.Pipeline{Pool: b.pool, Blobs: b.blobs, OCR: &tesseract.Engine{}, PDF: reader,
			Formatter: notes.Builtin{}, OCRTimeout: time.Minute, Logger: b.logger}, Logger: b.logger},
		OCRConcurrency: 2, LLMConcurrency: 2,
	})
	require.NoError(t, err)
	require.NoError(t, client.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = client.Stop(ctx)
	})
	course := alice.createCourse("Physics")
	doc := pdftest.Text([]string{"Thermodynamics Lecture Three", "", "The first law states that energy is conserved."},
		[]string{"Second Page", "", "Entropy of an isolated system never decreases."})
	res := alice.upload(form{fields: map[string]string{"courseId": course.ID.String()}, filename: "scan.pdf",
		file: doc, more: [][]byte{pageOf(t, "Third Page", "Heat flows from hot bodies to cold ones.")}})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.json(t, &up)
	done := alice.waitSettled(up.ID)
	require.Equal(t, "done", done.Status, "error: %+v", done.Error)
	var pages []api.Page
	alice.getJSON("/api/documents/"+done.DocumentID.String()+"/pages", &pages)
	require.Len(t, pages, 2)
	return pages
}

// Each page of a PDF is shown as a PNG rendered when it was read: to its
// owner only, cached as a photo is; a photo beside it is shown as itself.
func TestPDFPagesAreServedAsImages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice, bob := b.user("alice"), b.user("bob")
	pages := pdfNote(t, b, alice, nil)

	pdfPage, photo := pages[0], pages[1]
	require.Len(t, pdfPage.Views, 2, "one view per page of the PDF")
	require.Equal(t, []api.View{{Image: photo.Image}}, photo.Views)
	for k, v := range pdfPage.Views {
		require.Empty(t, v.Problem)
		require.Equal(t, pdfPage.Image[:len(pdfPage.Image)-len("image")]+"pdf-pages/"+strconv.Itoa(k+1), v.Image)
		res := alice.call(http.MethodGet, v.Image, nil, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, "image/png", res.Header.Get("Content-Type"))
		require.Equal(t, "private, max-age=86400", res.Header.Get("Cache-Control"))
		img, err := png.Decode(bytes.NewReader(res.Body))
		require.NoError(t, err)
		require.Equal(t, [2]int{v.Width, v.Height}, [2]int{img.Bounds().Dx(), img.Bounds().Dy()})
		require.Equal(t, pdf.ViewSide, v.Height, "an A4 page, upright")

		again := alice.call(http.MethodGet, v.Image, nil, map[string]string{"If-None-Match": res.Header.Get("ETag")})
		require.Equal(t, http.StatusNotModified, again.Status, "rendered once, revalidated by its ETag")

		requireProblem(t, bob.do(http.MethodGet, v.Image, nil, ""), http.StatusNotFound)
	}
	requireProblem(t, alice.do(http.MethodGet, pdfPage.Image[:len(pdfPage.Image)-len("image")]+"pdf-pages/3", nil, ""), http.StatusNotFound)
	requireProblem(t, alice.do(http.MethodGet, photo.Image[:len(photo.Image)-len("image")]+"pdf-pages/1", nil, ""), http.StatusNotFound)
	requireProblem(t, b.request(http.MethodGet, pdfPage.Views[0].Image, nil, nil), http.StatusUnauthorized)
}

// A PDF page whose image would not fit the worker's bound is not rendered:
// the note is made all the same, and the page list and the image route say
// why there is no image.
func TestPDFPageTooLargeToShowIsRefusedWithReason(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice := b.user("alice")
	pages := pdfNote(t, b, alice, &pdf.Reader{MaxPixels: 100_000})

	for k, v := range pages[0].Views {
		require.Empty(t, v.Image)
		require.Equal(t, "Page "+strconv.Itoa(k+1)+" of the PDF is too large to show as an image.", v.Problem)
		res := alice.do(http.MethodGet, pages[0].Image[:len(pages[0].Image)-len("image")]+"pdf-pages/"+strconv.Itoa(k+1), nil, "")
		requireProblem(t, res, http.StatusUnprocessableEntity)
		require.Contains(t, string(res.Body), v.Problem)
	}
	for _, f := range b.blobFiles() {
		require.NotContains(t, f, ".page", "nothing was rendered")
	}
}
