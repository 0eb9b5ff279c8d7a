package e2e_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/draw"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
)

// Three photos, one note: each page is read on its own, the note holds
// their text in order, and each page's image is served.
func TestSeveralPagesMakeOneNote(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	pages := [][]byte{
		apitest.PageOf(t, "Thermodynamics Lecture Three", "The first law states that energy is conserved."),
		apitest.PageOf(t, "Second Page", "Entropy of an isolated system never decreases."),
		apitest.PageOf(t, "Third Page", "Heat flows from hot bodies to cold ones."),
	}
	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "p.png",
		File: pages[0], More: pages[1:]})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.JSON(t, &up)
	require.Equal(t, 3, up.PagesTotal)
	require.Len(t, up.Pages, 3)

	done := alice.WaitSettled(up.ID)
	require.Equal(t, "done", done.Status, "error: %+v", done.Error)
	require.Equal(t, 3, done.PagesDone)
	for i, p := range done.Pages {
		require.Equal(t, i+1, p.N)
		require.Equal(t, "done", p.Status)
		require.NotNil(t, p.OCRConfidence)
	}

	var doc api.Document
	alice.GetJSON("/api/documents/"+done.DocumentID.String(), &doc)
	first := strings.Index(doc.OriginalText, "energy is conserved")
	second := strings.Index(doc.OriginalText, "never decreases")
	third := strings.Index(doc.OriginalText, "hot bodies")
	require.True(t, first >= 0 && first < second && second < third, "pages in order:\n%s", doc.OriginalText)
	require.Contains(t, doc.FormattedNote, "hot bodies", "the formatter saw every page")
	require.Len(t, doc.Metadata["pages"], 3, "the metadata keeps each page")

	var listed []api.Page
	alice.GetJSON("/api/documents/"+doc.ID.String()+"/pages", &listed)
	require.Len(t, listed, 3)
	for i, p := range listed {
		require.Equal(t, i+1, p.N)
		img := b.Send(http.MethodGet, p.Image, nil, map[string]string{"Authorization": "Bearer " + alice.Token}, 1<<30)
		require.Equal(t, http.StatusOK, img.Status)
		require.True(t, bytes.Equal(pages[i], img.Body), "page %d's image is the one sent", p.N)
	}
	require.Equal(t, http.StatusNotFound, alice.Do(http.MethodGet, "/api/documents/"+doc.ID.String()+"/pages/4/image", nil, "").Status)
	bob := b.User("bob")
	require.Equal(t, http.StatusNotFound, bob.Do(http.MethodGet, "/api/documents/"+doc.ID.String()+"/pages", nil, "").Status)
	require.Equal(t, http.StatusNotFound, bob.Do(http.MethodGet, listed[0].Image, nil, "").Status)
}

// A blank page fails the upload with the page named; a retry reads only
// the page that failed.
func TestABadPageFailsTheUploadNamingIt(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	white := image.NewRGBA(image.Rect(0, 0, 800, 600))
	draw.Draw(white, white.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "p.png",
		File: apitest.PageOf(t, "Optics", "Light bends when it enters water."),
		More: [][]byte{apitest.PNGBytes(t, white), apitest.PageOf(t, "More Optics", "Lenses focus light.")}})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.JSON(t, &up)

	// The pages are read even after one failed the upload.
	var failed api.Upload
	require.Eventually(t, func() bool {
		failed = alice.WaitSettled(up.ID)
		return failed.Pages[0].Status == "done" && failed.Pages[2].Status == "done"
	}, time.Minute, 50*time.Millisecond)
	require.Equal(t, "failed", failed.Status)
	require.Equal(t, "no_text", failed.Error.Code)
	require.True(t, strings.HasPrefix(failed.Error.Message, "Page 2 of 3: "), failed.Error.Message)
	require.Equal(t, "failed", failed.Pages[1].Status)
	require.Equal(t, "no_text", failed.Pages[1].Error.Code)

	res = alice.Do(http.MethodPost, "/api/uploads/"+up.ID.String()+"/retry", nil, "")
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	again := alice.WaitSettled(up.ID)
	require.Equal(t, "failed", again.Status, "the blank page is blank again")
	require.Equal(t, 1, b.ocrJobs(up.ID, 1), "the page read already is not read again")
	require.Equal(t, 1, b.ocrJobs(up.ID, 3))
	require.Equal(t, 2, b.ocrJobs(up.ID, 2), "the page that failed is read again")
	require.Zero(t, b.Count("documents"))
}

// Pages added later join the same note, after its own; a title the user
// edited is kept, and search finds the new text.
func TestPagesAddedToANote(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "p.png",
		File: apitest.PageOf(t, "Thermodynamics", "The first law states that energy is conserved.")})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.JSON(t, &up)
	done := alice.WaitSettled(up.ID)
	require.Equal(t, "done", done.Status, "error: %+v", done.Error)
	docPath := "/api/documents/" + done.DocumentID.String()
	res = alice.SendJSON(http.MethodPatch, docPath, map[string]any{"title": "My heat notes"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)

	body, ct := apitest.Form{Filename: "more.png", File: apitest.PageOf(t, "Entropy", "Entropy of an isolated system never decreases.")}.Encode(t)
	res = alice.Do(http.MethodPost, docPath+"/pages", body, ct)
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var added api.Upload
	res.JSON(t, &added)
	require.Equal(t, done.DocumentID, added.AddsTo)
	addedDone := alice.WaitSettled(added.ID)
	require.Equal(t, "done", addedDone.Status, "error: %+v", addedDone.Error)
	require.Equal(t, done.DocumentID, addedDone.DocumentID, "the same note")

	var doc api.Document
	alice.GetJSON(docPath, &doc)
	require.Equal(t, "My heat notes", doc.Title, "an edited title is kept")
	old, added2 := strings.Index(doc.OriginalText, "energy is conserved"), strings.Index(doc.OriginalText, "never decreases")
	require.True(t, old >= 0 && old < added2, "the new page after the old:\n%s", doc.OriginalText)
	require.Contains(t, doc.FormattedNote, "never decreases")
	var listed []api.Page
	alice.GetJSON(docPath+"/pages", &listed)
	require.Len(t, listed, 2)
	require.Equal(t, added.ID, listed[1].UploadID)
	var found struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	alice.GetJSON("/api/search?q=isolated", &found)
	require.Len(t, found.Items, 1)
	require.Equal(t, 1, b.Count("documents"))

	// Another user's note, or a note in trash, takes no pages.
	bob := b.User("bob")
	body, ct = apitest.Form{Filename: "more.png", File: apitest.PageOf(t, "X", "Y")}.Encode(t)
	require.Equal(t, http.StatusNotFound, bob.Do(http.MethodPost, docPath+"/pages", body, ct).Status)
	require.Equal(t, http.StatusOK, alice.Do(http.MethodDelete, docPath, nil, "").Status)
	body, ct = apitest.Form{Filename: "more.png", File: apitest.PageOf(t, "X", "Y")}.Encode(t)
	apitest.RequireProblem(t, alice.Do(http.MethodPost, docPath+"/pages", body, ct), http.StatusConflict)
}

// ocrJobs counts the OCR jobs queued for page n of an upload.
func (b *stack) ocrJobs(uploadID uuid.UUID, n int) int {
	b.T.Helper()
	var jobs int
	require.NoError(b.T, b.Pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job
		WHERE kind = 'ocr' AND args->>'upload_id' = $1 AND (args->>'page')::int = $2`, uploadID.String(), n).Scan(&jobs))
	return jobs
}
