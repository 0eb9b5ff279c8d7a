package e2e_test

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
	"github.com/snapnote/snapnote/internal/corpus"
	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/pdf/pdftest"
)

// A scanner app's PDF with a text layer is taken as it is, without OCR,
// and a photo sent after it in the same upload is read as a photo.
func TestPDFWithTextLayerBecomesNote(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	doc := pdftest.Text(
		[]string{"Thermodynamics Lecture Three", "", "The first law states that energy is conserved."},
		[]string{"Second Page", "", "Entropy of an isolated system never decreases."})
	photo := apitest.PageOf(t, "Third Page", "Heat flows from hot bodies to cold ones.")
	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "scan.pdf",
		File: doc, More: [][]byte{photo}})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.JSON(t, &up)
	require.Equal(t, "application/pdf", up.Pages[0].ContentType)
	require.Zero(t, up.Pages[0].Width, "the API renders nothing, so it knows no pixel size")

	done := alice.WaitSettled(up.ID)
	require.Equal(t, "done", done.Status, "error: %+v", done.Error)
	require.Equal(t, []string{"p1:pdf-p1:pdf-text-layer", "p1:pdf-p2:pdf-text-layer"}, done.OCRSteps[:2])
	require.Nil(t, done.Pages[0].OCRConfidence, "no word of the PDF was scored by OCR")
	require.NotNil(t, done.Pages[1].OCRConfidence)

	var note api.Document
	alice.GetJSON("/api/documents/"+done.DocumentID.String(), &note)
	first := strings.Index(note.OriginalText, "The first law states that energy is conserved.")
	second := strings.Index(note.OriginalText, "Entropy of an isolated system never decreases.")
	third := strings.Index(note.OriginalText, "hot bodies")
	require.True(t, first >= 0 && first < second && second < third, "pages in order:\n%s", note.OriginalText)

	var pages []api.Page
	alice.GetJSON("/api/documents/"+note.ID.String()+"/pages", &pages)
	file := b.Send(http.MethodGet, pages[0].Image, nil, map[string]string{"Authorization": "Bearer " + alice.Token}, 1<<20)
	require.Equal(t, http.StatusOK, file.Status)
	require.Equal(t, doc, file.Body, "the PDF is served as it was sent")
}

// A PDF of scanned pages without a text layer is rendered and read by OCR.
func TestScannedPDFIsReadByOCR(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	lines := []string{"Optics Lecture Five", "", "Light bends when it enters water.", "Lenses focus light on the retina."}
	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "scan.pdf",
		File: pdftest.Scan(85, ocrtest.RenderText(lines, 1654, 2339, 40))})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.JSON(t, &up)

	done := alice.WaitSettled(up.ID)
	require.Equal(t, "done", done.Status, "error: %+v", done.Error)
	require.Equal(t, "pdf-render:300dpi", done.OCRSteps[0])
	require.NotNil(t, done.OCRConfidence)
	var note api.Document
	alice.GetJSON("/api/documents/"+done.DocumentID.String(), &note)
	require.Less(t, ocrtest.CER(note.OriginalText, strings.Join(lines, "\n")), 0.05, note.OriginalText)
}

// A PDF of more pages than the worker reads fails its upload for good,
// with a code and a message saying why, before any page is read.
func TestPDFOverPageCapFailsUpload(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	pages := make([][]string, 51) // one over the default PDF_MAX_PAGES
	for i := range pages {
		pages[i] = []string{"A page of the long handout."}
	}
	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "handout.pdf",
		File: pdftest.Text(pages...)})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.JSON(t, &up)

	failed := alice.WaitSettled(up.ID)
	require.Equal(t, "failed", failed.Status)
	require.Equal(t, "pdf_too_many_pages", failed.Error.Code)
	require.Equal(t, "The PDF has 51 pages; at most 50 are read. Upload the pages of one note, or split the PDF.", failed.Error.Message)
	require.Equal(t, 1, b.ocrJobs(up.ID, 1), "a permanent failure is not retried")
	require.Zero(t, b.Count("documents"))
}

// The drawings of a scanned PDF's pages are kept with the note, numbered through the
// document, each served to the note's owner.
func TestScannedPDFKeepsItsFigures(t *testing.T) {
	t.Parallel()
	var pages []image.Image
	for i := range 2 {
		s, err := corpus.LayoutSample(i, corpus.ClassFigure)
		require.NoError(t, err)
		img, err := png.Decode(bytes.NewReader(s.Encoded))
		require.NoError(t, err)
		pages = append(pages, img)
	}
	b := setup(t)
	alice := b.User("alice")
	course := alice.CreateCourse("Economics")
	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "scan.pdf",
		File: pdftest.Scan(90, pages...)})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.JSON(t, &up)
	done := alice.WaitSettled(up.ID)
	require.Equal(t, "done", done.Status, "error: %+v", done.Error)

	doc := alice.Document(done.DocumentID)
	base := "/api/documents/" + doc.ID.String() + "/figures/"
	first, second := strings.Index(doc.FormattedNote, "![Figure 1]("+base+"1)"), strings.Index(doc.FormattedNote, "![Figure 2]("+base+"2)")
	require.True(t, first >= 0 && second > first, "both pages' figures, in order:\n%s", doc.FormattedNote)
	for _, n := range []string{"1", "2"} {
		res := alice.Call(http.MethodGet, base+n, nil, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, "image/png", res.Header.Get("Content-Type"))
	}
}
