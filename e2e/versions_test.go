package e2e_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
)

// Reading a note again: 202 with an upload that follows the pipeline; the
// same note then holds the text read from its stored pages, the text it
// had is its newest version, and nothing is duplicated. A retry with the
// same key is the same reread; another upload into the note waits for it.
func TestRereadKeepsThePreviousTextAsAVersion(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	page := apitest.PageOf(t, "Thermodynamics", "The first law states that energy is conserved.")
	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "p.png", File: page})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.JSON(t, &up)
	done := alice.WaitSettled(up.ID)
	require.Equal(t, "done", done.Status, "error: %+v", done.Error)
	docID := *done.DocumentID
	docPath := "/api/documents/" + docID.String()
	edited := alice.Edit(docID, "# Thermodynamics\n\nMy own words, typed over the note.")
	require.Len(t, alice.Versions(docID), 1, "the edit kept the text as read")

	// The worker is stopped, so that the reread stays queued while the
	// next requests meet it.
	stop, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, b.Worker.Stop(stop))
	key := map[string]string{"Idempotency-Key": "reread-" + docID.String()}
	res = alice.Call(http.MethodPost, docPath+"/reread", nil, key)
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var reread api.Upload
	res.JSON(t, &reread)
	require.Equal(t, &docID, reread.Rereads)
	require.Nil(t, reread.AddsTo)
	require.Equal(t, "/api/uploads/"+reread.ID.String(), res.Header.Get("Location"))
	require.Equal(t, 1, reread.PagesTotal)

	res = alice.Call(http.MethodPost, docPath+"/reread", nil, key)
	require.Equal(t, http.StatusAccepted, res.Status, "a retry is answered as the first: %s", res.Body)
	var again api.Upload
	res.JSON(t, &again)
	require.Equal(t, reread.ID, again.ID, "a retry is the same reread")
	apitest.RequireProblem(t, alice.Call(http.MethodPost, docPath+"/reread", nil, nil), http.StatusConflict)
	body, ct := apitest.Form{Filename: "more.png", File: apitest.PageOf(t, "Entropy", "Entropy never decreases.")}.Encode(t)
	apitest.RequireProblem(t, alice.Do(http.MethodPost, docPath+"/pages", body, ct), http.StatusConflict)
	res = alice.Call(http.MethodPost, "/api/documents/"+docID.String()+"/pages", nil, key)
	apitest.RequireProblem(t, res, http.StatusUnprocessableEntity)
	require.Contains(t, string(res.Body), "read a note again", "the key of a reread names no other request")
	require.Equal(t, 2, b.Count("uploads"))

	b.startWorker()
	finished := alice.WaitSettled(reread.ID)
	require.Equal(t, "done", finished.Status, "error: %+v", finished.Error)
	require.Equal(t, &docID, finished.DocumentID, "the same note")

	var doc api.Document
	alice.GetJSON(docPath, &doc)
	require.Contains(t, doc.FormattedNote, "energy is conserved", "the text read again replaced the edit")
	require.NotContains(t, doc.FormattedNote, "My own words")
	require.Equal(t, 1, strings.Count(doc.OriginalText, "energy is conserved"), "the pages' text alone:\n%s", doc.OriginalText)
	require.Equal(t, 1, b.Count("documents"))
	versions := alice.Versions(docID)
	require.Len(t, versions, 2)
	require.Equal(t, 2, versions[0].N, "newest first")
	require.Equal(t, snapnote.ReplacedByReread, versions[0].ReplacedBy)
	require.Equal(t, snapnote.ReplacedByEdit, versions[1].ReplacedBy)
	var previous api.Version
	alice.GetJSON(versions[0].URL, &previous)
	require.Equal(t, edited.FormattedNote, previous.FormattedNote, "the text the reread replaced")

	var pages []api.Page
	alice.GetJSON(docPath+"/pages", &pages)
	require.Len(t, pages, 1, "the note keeps its one page")
	require.Equal(t, reread.ID, pages[0].UploadID, "read by the reread")
	img := b.Send(http.MethodGet, pages[0].Image, nil, map[string]string{"Authorization": "Bearer " + alice.Token}, 1<<30)
	require.Equal(t, http.StatusOK, img.Status)
	require.True(t, bytes.Equal(page, img.Body), "the same image")
	require.Len(t, b.BlobFiles(), 1, "the reread stored no copy of the image")
	audits := b.Audits(docID)
	require.Equal(t, "reread", audits[len(audits)-1].Action)

	// The note read again takes pages as any note does.
	body, ct = apitest.Form{Filename: "more.png", File: apitest.PageOf(t, "Entropy", "Entropy of an isolated system never decreases.")}.Encode(t)
	res = alice.Do(http.MethodPost, docPath+"/pages", body, ct)
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var added api.Upload
	res.JSON(t, &added)
	require.Equal(t, "done", alice.WaitSettled(added.ID).Status)
	alice.GetJSON(docPath, &doc)
	require.Contains(t, doc.OriginalText, "energy is conserved")
	require.Contains(t, doc.OriginalText, "never decreases")
	alice.GetJSON(docPath+"/pages", &pages)
	require.Len(t, pages, 2)
	require.Equal(t, snapnote.ReplacedByPages, alice.Versions(docID)[0].ReplacedBy)
}

// Versions go with their note: emptying the trash and deleting the account
// remove them.
func TestVersionsGoWithTheirNote(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.startWorker()
	alice, bob := b.User("alice"), b.User("bob")
	course := alice.CreateCourse("Physics")
	ids := alice.SeedNotes(apitest.Note{Course: course.ID, Title: "Heat", Body: "First."}, apitest.Note{Course: course.ID, Title: "Work", Body: "First."})
	alice.Edit(ids[0], "Second.")
	alice.Edit(ids[1], "Second.")
	bobCourse := bob.CreateCourse("History")
	bobNote := bob.SeedNotes(apitest.Note{Course: bobCourse.ID, Title: "Rome", Body: "First."})[0]
	bob.Edit(bobNote, "Second.")
	require.Equal(t, 3, b.Count("document_versions"))

	require.Equal(t, http.StatusOK, alice.Do(http.MethodDelete, "/api/documents/"+ids[0].String(), nil, "").Status)
	require.Equal(t, http.StatusOK, alice.Do(http.MethodDelete, "/api/trash", nil, "").Status)
	require.Equal(t, 2, b.Count("document_versions"), "the purged note's version is gone")

	require.Equal(t, http.StatusAccepted, alice.Do(http.MethodDelete, "/api/user", nil, "").Status)
	require.Eventually(t, func() bool { return b.Count("document_versions") == 1 }, time.Minute, 50*time.Millisecond)
	require.Len(t, bob.Versions(bobNote), 1, "another user's versions stay")
}
