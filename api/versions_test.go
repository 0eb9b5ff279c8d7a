package api_test

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
)

// Restoring a version: the note takes its text back, the text it had is
// kept as a version itself, and an export holds only the current text.
// Edits make versions; moving a note to another course does not.
func TestRestoreVersion(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	other := alice.CreateCourse("Chemistry")
	docID := alice.SeedNotes(apitest.Note{Course: course.ID, Title: "Heat", Body: "# Heat\n\nFirst words."})[0]
	docPath := "/api/documents/" + docID.String()
	require.Empty(t, alice.Versions(docID))

	alice.Edit(docID, "# Heat\n\nSecond words.")
	res := alice.SendJSON(http.MethodPatch, docPath, map[string]any{"title": "Heat and work"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res = alice.SendJSON(http.MethodPatch, docPath, map[string]any{"courseId": other.ID})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	versions := alice.Versions(docID)
	require.Len(t, versions, 2, "a move keeps no version")
	require.Equal(t, []int{2, 1}, []int{versions[0].N, versions[1].N})
	require.Equal(t, "Heat", versions[0].Title, "the title before it was changed")

	res = alice.Call(http.MethodPost, docPath+"/versions/1/restore", nil, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var doc api.Document
	res.JSON(t, &doc)
	require.Equal(t, "# Heat\n\nFirst words.", doc.FormattedNote)
	require.Equal(t, "# Heat\n\nFirst words.", doc.OriginalText)
	require.Equal(t, "Heat", doc.Title)
	require.Equal(t, "First words.", doc.Excerpt)
	require.Equal(t, other.ID, doc.CourseID, "a restore keeps the note where it is")

	versions = alice.Versions(docID)
	require.Len(t, versions, 3)
	require.Equal(t, snapnote.ReplacedByRestore, versions[0].ReplacedBy)
	var kept api.Version
	alice.GetJSON(versions[0].URL, &kept)
	require.Equal(t, "Heat and work", kept.Title, "the text the restore replaced")
	require.Equal(t, "# Heat\n\nSecond words.", kept.FormattedNote)
	var found struct {
		Items []struct {
			ID uuid.UUID `json:"id"`
		} `json:"items"`
	}
	alice.GetJSON("/api/search?q=first", &found)
	require.Len(t, found.Items, 1, "search follows the restored text")
	audits := b.Audits(docID)
	require.Equal(t, "restore_version", audits[len(audits)-1].Action)
	require.Equal(t, map[string]any{"version": float64(1), "kept": float64(3)}, audits[len(audits)-1].Changes)

	res = alice.Call(http.MethodGet, "/api/export", nil, nil)
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
	b := apitest.Setup(t)
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	docID := alice.SeedNotes(apitest.Note{Course: course.ID, Title: "Heat", Body: "edit 0"})[0]
	for i := 1; i <= snapnote.VersionsKept+2; i++ {
		alice.Edit(docID, "edit "+strconv.Itoa(i))
	}
	versions := alice.Versions(docID)
	require.Len(t, versions, snapnote.VersionsKept)
	require.Equal(t, snapnote.VersionsKept+2, versions[0].N)
	require.Equal(t, 3, versions[len(versions)-1].N, "the two oldest dropped")
	var oldest api.Version
	alice.GetJSON(versions[len(versions)-1].URL, &oldest)
	require.Equal(t, "edit 2", oldest.FormattedNote)
	apitest.RequireProblem(t, alice.Call(http.MethodGet, "/api/documents/"+docID.String()+"/versions/1", nil, nil), http.StatusNotFound)
}

// Another user's note is missing on every route of versions; a note in
// trash, or in a course in trash, answers 409; a bad version number 404 or
// 422; and none of them changes anything.
func TestVersionRoutesRefuse(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	alice, bob := b.User("alice"), b.User("bob")
	course := alice.CreateCourse("Physics")
	docID := alice.SeedNotes(apitest.Note{Course: course.ID, Title: "Heat", Body: "First words."})[0]
	alice.Edit(docID, "Second words.")
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
			before[table] = b.Snapshot(table)
		}
	}
	unchanged := func() {
		t.Helper()
		for _, table := range tables {
			require.Equal(t, before[table], b.Snapshot(table), "%s changed", table)
		}
	}
	bob.ID()
	snapshot()
	for _, r := range routes {
		apitest.RequireProblem(t, bob.Call(r.method, r.path, nil, nil), http.StatusNotFound)
		apitest.RequireProblem(t, bob.Call(r.method, "/api/documents/"+uuid.NewString()+strings.TrimPrefix(r.path, docPath), nil, nil),
			http.StatusNotFound)
	}
	for _, n := range []string{"0", "-1", "x"} {
		apitest.RequireProblem(t, alice.Call(http.MethodGet, docPath+"/versions/"+n, nil, nil), http.StatusUnprocessableEntity)
		apitest.RequireProblem(t, alice.Call(http.MethodPost, docPath+"/versions/"+n+"/restore", nil, nil), http.StatusUnprocessableEntity)
	}
	apitest.RequireProblem(t, alice.Call(http.MethodGet, docPath+"/versions/2", nil, nil), http.StatusNotFound)
	apitest.RequireProblem(t, alice.Call(http.MethodPost, docPath+"/versions/2/restore", nil, nil), http.StatusNotFound)
	res := alice.Call(http.MethodPost, docPath+"/reread", nil, nil)
	apitest.RequireProblem(t, res, http.StatusConflict)
	require.Contains(t, string(res.Body), "no stored pages", "a note made without a photo has none to read")
	unchanged()

	require.Equal(t, http.StatusOK, alice.Do(http.MethodDelete, docPath, nil, "").Status)
	snapshot()
	for _, r := range routes {
		res := alice.Call(r.method, r.path, nil, nil)
		apitest.RequireProblem(t, res, http.StatusConflict)
		require.Contains(t, string(res.Body), "in trash")
	}
	unchanged()

	require.Equal(t, http.StatusOK, alice.Do(http.MethodPost, docPath+"/restore", nil, "").Status)
	require.Equal(t, http.StatusOK, alice.Do(http.MethodDelete, "/api/courses/"+course.ID.String(), nil, "").Status)
	snapshot()
	for _, r := range routes {
		res := alice.Call(r.method, r.path, nil, nil)
		apitest.RequireProblem(t, res, http.StatusConflict)
		require.Contains(t, string(res.Body), "course is in trash")
	}
	unchanged()
}
