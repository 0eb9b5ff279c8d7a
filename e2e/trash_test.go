package e2e_test

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
)

func TestTrashRoundTrip(t *testing.T) {
	t.Parallel()
	b := setup(t, workerLater())
	alice, bob := b.User("alice"), b.User("bob")
	physics, maths := alice.CreateCourse("Physics"), alice.CreateCourse("Maths")
	keys := []string{"uploads/a/orbit.png", "uploads/a/comet.png", "uploads/a/matrix.png", "uploads/b/bob.png"}
	for _, k := range keys {
		_, err := b.Blobs.Put(context.Background(), k, bytes.NewReader([]byte("png")), "image/png")
		require.NoError(t, err)
	}
	ids := alice.SeedNotes(
		apitest.Note{Course: physics.ID, Title: "Orbits", Body: "Kepler orbit", ImageKey: keys[0]},
		apitest.Note{Course: physics.ID, Title: "Comets", Body: "comet tails", ImageKey: keys[1]},
		apitest.Note{Course: maths.ID, Title: "Matrices", Body: "matrix rank", ImageKey: keys[2]},
	)
	orbit, comet, matrix := ids[0], ids[1], ids[2]
	bobsCourse := bob.CreateCourse("Bob's")
	bob.SeedNotes(apitest.Note{Course: bobsCourse.ID, Title: "Bob", Body: "orbit", ImageKey: keys[3]})
	require.Equal(t, http.StatusOK, bob.Call(http.MethodDelete, "/api/courses/"+bobsCourse.ID.String(), nil, nil).Status)

	listed := func() []uuid.UUID {
		var list apitest.DocumentList
		alice.GetJSON("/api/documents", &list)
		out := []uuid.UUID{}
		for _, d := range list.Items {
			out = append(out, d.ID)
		}
		return out
	}
	found := func(q string) int {
		var r api.SearchResults
		alice.GetJSON("/api/search?q="+q, &r)
		return len(r.Items)
	}

	require.Equal(t, http.StatusOK, alice.Call(http.MethodDelete, "/api/documents/"+comet.String(), nil, nil).Status)
	require.Equal(t, http.StatusOK, alice.Call(http.MethodDelete, "/api/courses/"+physics.ID.String(), nil, nil).Status)
	require.Equal(t, []uuid.UUID{matrix}, listed(), "a trashed course's notes leave the list")
	require.Zero(t, found("orbit"), "and search")
	var d api.Document
	alice.GetJSON("/api/documents/"+orbit.String(), &d)
	require.Equal(t, "active", d.Status, "their own status is untouched")

	var trash api.Trash
	alice.GetJSON("/api/trash", &trash)
	require.Len(t, trash.Courses, 1)
	require.Equal(t, physics.ID, trash.Courses[0].ID)
	require.NotNil(t, trash.Courses[0].DeletedAt)
	require.Len(t, trash.Documents, 1)
	require.Equal(t, comet, trash.Documents[0].ID)
	require.NotNil(t, trash.Documents[0].DeletedAt)

	res := alice.Call(http.MethodPost, "/api/documents/"+comet.String()+"/restore", nil, nil)
	apitest.RequireProblem(t, res, http.StatusConflict)
	require.Contains(t, string(res.Body), "restore the course first")

	// Restoring the course brings back exactly the notes that were active.
	require.Equal(t, http.StatusOK, alice.Call(http.MethodPost, "/api/courses/"+physics.ID.String()+"/restore", nil, nil).Status)
	require.ElementsMatch(t, []uuid.UUID{orbit, matrix}, listed())
	require.Equal(t, 1, found("orbit"))
	require.Zero(t, found("comet"))

	// Empty the trash: the course goes with all its notes, rows and blobs.
	require.Equal(t, http.StatusOK, alice.Call(http.MethodDelete, "/api/courses/"+physics.ID.String(), nil, nil).Status)
	res = alice.Call(http.MethodDelete, "/api/trash", nil, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var purged api.Purge
	res.JSON(t, &purged)
	require.Equal(t, api.Purge{Courses: 1, Documents: 2}, purged)
	require.Equal(t, 2, b.Count("documents"), "maths' note and bob's stay")
	require.Equal(t, 2, b.Count("courses"), "maths and bob's (in his trash: emptying is per user)")
	// The images go by retried jobs recorded with the purge; a worker runs them.
	b.startWorker()
	require.Eventually(t, func() bool {
		var files []string
		for _, f := range b.BlobFiles() {
			files = append(files, filepath.ToSlash(f[len(b.BlobDir)+1:]))
		}
		return len(files) == 2 && slices.Contains(files, keys[2]) && slices.Contains(files, keys[3])
	}, 30*time.Second, 20*time.Millisecond, "only the purged notes' images are deleted")
	alice.GetJSON("/api/trash", &trash)
	require.Empty(t, trash.Courses)
	require.Empty(t, trash.Documents)
	apitest.RequireProblem(t, alice.Call(http.MethodGet, "/api/documents/"+orbit.String(), nil, nil), http.StatusNotFound)

	for _, id := range []uuid.UUID{physics.ID, orbit, comet} {
		entries := b.Audits(id)
		last := entries[len(entries)-1]
		require.Equal(t, "purge", last.Action)
		require.Equal(t, "127.0.0.1", last.IP)
		require.Equal(t, "snapnote-test/1.0", last.UserAgent)
	}
	var actions []string
	for _, e := range b.Audits(comet) {
		actions = append(actions, e.Action)
	}
	require.Equal(t, []string{"trash", "purge"}, actions, "the refused restore left no row")
}
