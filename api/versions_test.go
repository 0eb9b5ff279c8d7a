package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/internal/notes"
)

// versions lists a note's versions as u, requiring 200.
func (u *user) versions(docID uuid.UUID) []api.VersionSummary {
	u.b.t.Helper()
	var out []api.VersionSummary
	u.getJSON("/api/documents/"+docID.String()+"/versions", &out)
	return out
}

// edit changes a note's Markdown as u, requiring 200.
func (u *user) edit(docID uuid.UUID, markdown string) api.Document {
	u.b.t.Helper()
	res := u.sendJSON(http.MethodPatch, "/api/documents/"+docID.String(), map[string]any{"formattedNote": markdown})
	require.Equal(u.b.t, http.StatusOK, res.Status, "%s", res.Body)
	var d api.Document
	res.json(u.b.t, &d)
	return d
}

// Reading a note again: 202 with an upload that follows the pipeline; the
// same note then holds the text read from its stored pages, the text it
// had is its newest version, and nothing is duplicated. A retry with the
// same key is the same reread; another upload into the note waits for it.
func TestRereadKeepsThePreviousTextAsAVersion(t *testing.T) {
	t.Parallel()
	b := setup(t)
	w := b.startWorker(notes.Builtin{})
	alice := b.user("alice")
	course := alice.createCourse("Physics")
	page := pageOf(t, "Thermodynamics", "The first law states that energy is conserved.")
	res := alice.upload(form{fields: map[string]string{"courseId": course.ID.String()}, filename: "p.png", file: page})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.json(t, &up)
	done := alice.waitSettled(up.ID)
	require.Equal(t, "done", done.Status, "error: %+v", done.Error)
	docID := *done.DocumentID
	docPath := "/api/documents/" + docID.String()
	edited := alice.edit(docID, "# Thermodynamics\n\nMy own words, typed over the note.")
	require.Len(t, alice.versions(docID), 1, "the edit kept the text as read")

	// The worker is stopped, so that the reread stays queued while the
	// next requests meet it.
	stop, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, w.Stop(stop))
	key := map[string]string{"Idempotency-Key": "reread-" + docID.String()}
	res = alice.call(http.MethodPost, docPath+"/reread", nil, key)
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var reread api.Upload
	res.json(t, &reread)
	require.Equal(t, &docID, reread.Rereads)
	require.Nil(t, reread.AddsTo)
	require.Equal(t, "/api/uploads/"+reread.ID.String(), res.Header.Get("Location"))
	require.Equal(t, 1, reread.PagesTotal)

	res = alice.call(http.MethodPost, docPath+"/reread", nil, key)
	require.Equal(t, http.StatusAccepted, res.Status, "a retry is answered as the first: %s", res.Body)
	var again api.Upload
	res.json(t, &again)
	require.Equal(t, reread.ID, again.ID, "a retry is the same reread")
	requireProblem(t, alice.call(http.MethodPost, docPath+"/reread", nil, nil), http.StatusConflict)
	body, ct := form{filename: "more.png", file: pageOf(t, "Entropy", "Entropy never decreases.")}.encode(t)
	requireProblem(t, alice.do(http.MethodPost, docPath+"/pages", body, ct), http.StatusConflict)
	res = alice.call(http.MethodPost, "/api/documents/"+docID.String()+"/pages", nil, key)
	requireProblem(t, res, http.StatusUnprocessableEntity)
	require.Contains(t, string(res.Body), "read a note again", "the key of a reread names no other request")
	require.Equal(t, 2, b.count("uploads"))

	b.startWorker(notes.Builtin{})
	finished := alice.waitSettled(reread.ID)
	require.Equal(t, "done", finished.Status, "error: %+v", finished.Error)
	require.Equal(t, &docID, finished.DocumentID, "the same note")

	var doc api.Document
	alice.getJSON(docPath, &doc)
	require.Contains(t, doc.FormattedNote, "energy is conserved", "the text read again replaced the edit")
	require.NotContains(t, doc.FormattedNote, "My own words")
	require.Equal(t, 1, strings.Count(doc.OriginalText, "energy is conserved"), "the pages' text alone:\n%s", doc.OriginalText)
	require.Equal(t, 1, b.count("documents"))
	versions := alice.versions(docID)
	require.Len(t, versions, 2)
	require.Equal(t, 2, versions[0].N, "newest first")
	require.Equal(t, snapnote.ReplacedByReread, versions[0].ReplacedBy)
	require.Equal(t, snapnote.ReplacedByEdit, versions[1].ReplacedBy)
	var previous api.Version
	alice.getJSON(versions[0].URL, &previous)
	require.Equal(t, edited.FormattedNote, previous.FormattedNote, "the text the reread replaced")

	var pages []api.Page
	alice.getJSON(docPath+"/pages", &pages)
	require.Len(t, pages, 1, "the note keeps its one page")
	require.Equal(t, reread.ID, pages[0].UploadID, "read by the reread")
	img := b.send(http.MethodGet, pages[0].Image, nil, map[string]string{"Authorization": "Bearer " + alice.token}, 1<<30)
	require.Equal(t, http.StatusOK, img.Status)
	require.True(t, bytes.Equal(page, img.Body), "the same image")
	require.Len(t, b.blobFiles(), 1, "the reread stored no copy of the image")
	audits := b.audits(docID)
	require.Equal(t, "reread", audits[len(audits)-1].Action)

	// The note read again takes pages as any note does.
	body, ct = form{filename: "more.png", file: pageOf(t, "Entropy", "Entropy of an isolated system never decreases.")}.encode(t)
	res = alice.do(http.MethodPost, docPath+"/pages", body, ct)
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var added api.Upload
	res.json(t, &added)
	require.Equal(t, "done", alice.waitSettled(added.ID).Status)
	alice.getJSON(docPath, &doc)
	require.Contains(t, doc.OriginalText, "energy is conserved")
	require.Contains(t, doc.OriginalText, "never decreases")
	alice.getJSON(docPath+"/pages", &pages)
	require.Len(t, pages, 2)
	require.Equal(t, snapnote.ReplacedByPages, alice.versions(docID)[0].ReplacedBy)
}

// Restoring a version: the note takes its text back, the text it had is
// kept as a version itself, and an export holds only the current text.
// Edits make versions; moving a note to another course does not.
func TestRestoreVersion(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice := b.user("alice")
	course := alice.createCourse("Physics")
	other := alice.createCourse("Chemistry")
	docID := alice.seedNotes(note{course: course.ID, title: "Heat", body: "# Heat\n\nFirst words."})[0]
	docPath := "/api/documents/" + docID.String()
	require.Empty(t, alice.versions(docID))

	alice.edit(docID, "# Heat\n\nSecond words.")
	res := alice.sendJSON(http.MethodPatch, docPath, map[string]any{"title": "Heat and work"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res = alice.sendJSON(http.MethodPatch, docPath, map[string]any{"courseId": other.ID})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	versions := alice.versions(docID)
	require.Len(t, versions, 2, "a move keeps no version")
	require.Equal(t, []int{2, 1}, []int{versions[0].N, versions[1].N})
	require.Equal(t, "Heat", versions[0].Title, "the title before it was changed")

	res = alice.call(http.MethodPost, docPath+"/versions/1/restore", nil, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var doc api.Document
	res.json(t, &doc)
	require.Equal(t, "# Heat\n\nFirst words.", doc.FormattedNote)
	require.Equal(t, "# Heat\n\nFirst words.", doc.OriginalText)
	require.Equal(t, "Heat", doc.Title)
	require.Equal(t, "First words.", doc.Excerpt)
	require.Equal(t, other.ID, doc.CourseID, "a restore keeps the note where it is")

	versions = alice.versions(docID)
	require.Len(t, versions, 3)
	require.Equal(t, snapnote.ReplacedByRestore, versions[0].ReplacedBy)
	var kept api.Version
	alice.getJSON(versions[0].URL, &kept)
	require.Equal(t, "Heat and work", kept.Title, "the text the restore replaced")
	require.Equal(t, "# Heat\n\nSecond words.", kept.FormattedNote)
	var found struct {
		Items []struct {
			ID uuid.UUID `json:"id"`
		} `json:"items"`
	}
	alice.getJSON("/api/search?q=first", &found)
	require.Len(t, found.Items, 1, "search follows the restored text")
	audits := b.audits(docID)
	require.Equal(t, "restore_version", audits[len(audits)-1].Action)
	require.Equal(t, map[string]any{"version": float64(1), "kept": float64(3)}, audits[len(audits)-1].Changes)

	res = alice.call(http.MethodGet, "/api/export", nil, nil)
	require.Equal(t, http.StatusOK, res.Status)
	zr, err := zip.NewReader(bytes.NewReader(res.Body), int64(len(res.Body)))
	require.NoError(t, err)
	var markdown []string
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, ".md") {
			r, err := f.Open()
			require.NoError(t, err)
			data, err := io.ReadAll(r)
			require.NoError(t, err)
			markdown = append(markdown, string(data))
		}
	}
	require.Len(t, markdown, 1, "one file for the note, none for its versions")
	require.Contains(t, markdown[0], "First words.")
	require.NotContains(t, markdown[0], "Second words.")
}

// A note keeps its newest snapnote.VersionsKept versions; their numbers
// stay as they were.
func TestVersionsAreBounded(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice := b.user("alice")
	course := alice.createCourse("Physics")
	docID := alice.seedNotes(note{course: course.ID, title: "Heat", body: "edit 0"})[0]
	for i := 1; i <= snapnote.VersionsKept+2; i++ {
		alice.edit(docID, "edit "+strconv.Itoa(i))
	}
	versions := alice.versions(docID)
	require.Len(t, versions, snapnote.VersionsKept)
	require.Equal(t, snapnote.VersionsKept+2, versions[0].N)
	require.Equal(t, 3, versions[len(versions)-1].N, "the two oldest dropped")
	var oldest api.Version
	alice.getJSON(versions[len(versions)-1].URL, &oldest)
	require.Equal(t, "edit 2", oldest.FormattedNote)
	requireProblem(t, alice.call(http.MethodGet, "/api/documents/"+docID.String()+"/versions/1", nil, nil), http.StatusNotFound)
}

// Another user's note is missing on every route of versions; a note in
// trash, or in a course in trash, answers 409; a bad version number 404 or
// 422; and none of them changes anything.
func TestVersionRoutesRefuse(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice, bob := b.user("alice"), b.user("bob")
	course := alice.createCourse("Physics")
	docID := alice.seedNotes(note{course: course.ID, title: "Heat", body: "First words."})[0]
	alice.edit(docID, "Second words.")
	docPath := "/api/documents/" + docID.String()
	routes := []struct{ method, path string }{
		{http.MethodPost, docPath + "/reread"},
		{http.MethodGet, docPath + "/versions"},
		{http.MethodGet, docPath + "/versions/1"},
		{http.MethodPost, docPath + "/versions/1/restore"},
	}
	before := map[string]string{}
	tables := []string{"documents", "document_versions", "uploads", "audit_logs"}
	snapshot := func() {
		for _, table := range tables {
			before[table] = b.snapshot(table)
		}
	}
	unchanged := func() {
		t.Helper()
		for _, table := range tables {
			require.Equal(t, before[table], b.snapshot(table), "%s changed", table)
		}
	}
	bob.id()
	snapshot()
	for _, r := range routes {
		requireProblem(t, bob.call(r.method, r.path, nil, nil), http.StatusNotFound)
		requireProblem(t, bob.call(r.method, "/api/documents/"+uuid.NewString()+strings.TrimPrefix(r.path, docPath), nil, nil),
			http.StatusNotFound)
	}
	for _, n := range []string{"0", "-1", "x"} {
		requireProblem(t, alice.call(http.MethodGet, docPath+"/versions/"+n, nil, nil), http.StatusUnprocessableEntity)
		requireProblem(t, alice.call(http.MethodPost, docPath+"/versions/"+n+"/restore", nil, nil), http.StatusUnprocessableEntity)
	}
	requireProblem(t, alice.call(http.MethodGet, docPath+"/versions/2", nil, nil), http.StatusNotFound)
	requireProblem(t, alice.call(http.MethodPost, docPath+"/versions/2/restore", nil, nil), http.StatusNotFound)
	res := alice.call(http.MethodPost, docPath+"/reread", nil, nil)
	requireProblem(t, res, http.StatusConflict)
	require.Contains(t, string(res.Body), "no stored pages", "a note made without a photo has none to read")
	unchanged()

	require.Equal(t, http.StatusOK, alice.do(http.MethodDelete, docPath, nil, "").Status)
	snapshot()
	for _, r := range routes {
		res := alice.call(r.method, r.path, nil, nil)
		requireProblem(t, res, http.StatusConflict)
		require.Contains(t, string(res.Body), "in trash")
	}
	unchanged()

	require.Equal(t, http.StatusOK, alice.do(http.MethodPost, docPath+"/restore", nil, "").Status)
	require.Equal(t, http.StatusOK, alice.do(http.MethodDelete, "/api/courses/"+course.ID.String(), nil, "").Status)
	snapshot()
	for _, r := range routes {
		res := alice.call(r.method, r.path, nil, nil)
		requireProblem(t, res, http.StatusConflict)
		require.Contains(t, string(res.Body), "course is in trash")
	}
	unchanged()
}

// Versions go with their note: emptying the trash and deleting the account
// remove them.
func TestVersionsGoWithTheirNote(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.startWorker(notes.Builtin{})
	alice, bob := b.user("alice"), b.user("bob")
	course := alice.createCourse("Physics")
	ids := alice.seedNotes(note{course: course.ID, title: "Heat", body: "First."}, note{course: course.ID, title: "Work", body: "First."})
	alice.edit(ids[0], "Second.")
	alice.edit(ids[1], "Second.")
	bobCourse := bob.createCourse("History")
	bobNote := bob.seedNotes(note{course: bobCourse.ID, title: "Rome", body: "First."})[0]
	bob.edit(bobNote, "Second.")
	require.Equal(t, 3, b.count("document_versions"))

	require.Equal(t, http.StatusOK, alice.do(http.MethodDelete, "/api/documents/"+ids[0].String(), nil, "").Status)
	require.Equal(t, http.StatusOK, alice.do(http.MethodDelete, "/api/trash", nil, "").Status)
	require.Equal(t, 2, b.count("document_versions"), "the purged note's version is gone")

	require.Equal(t, http.StatusAccepted, alice.do(http.MethodDelete, "/api/user", nil, "").Status)
	require.Eventually(t, func() bool { return b.count("document_versions") == 1 }, time.Minute, 50*time.Millisecond)
	require.Len(t, bob.versions(bobNote), 1, "another user's versions stay")
}
