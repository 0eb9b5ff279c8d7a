package api_test

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
	"github.com/snapnote/snapnote/internal/notes"
)

func TestTrashRoundTrip(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice, bob := b.user("alice"), b.user("bob")
	physics, maths := alice.createCourse("Physics"), alice.createCourse("Maths")
	keys := []string{"uploads/a/orbit.png", "uploads/a/comet.png", "uploads/a/matrix.png", "uploads/b/bob.png"}
	for _, k := range keys {
		_, err := b.blobs.Put(context.Background(), k, bytes.NewReader([]byte("png")), "image/png")
		require.NoError(t, err)
	}
	ids := alice.seedNotes(
		note{course: physics.ID, title: "Orbits", body: "Kepler orbit", imageKey: keys[0]},
		note{course: physics.ID, title: "Comets", body: "comet tails", imageKey: keys[1]},
		note{course: maths.ID, title: "Matrices", body: "matrix rank", imageKey: keys[2]},
	)
	orbit, comet, matrix := ids[0], ids[1], ids[2]
	bobsCourse := bob.createCourse("Bob's")
	bob.seedNotes(note{course: bobsCourse.ID, title: "Bob", body: "orbit", imageKey: keys[3]})
	require.Equal(t, http.StatusOK, bob.call(http.MethodDelete, "/api/courses/"+bobsCourse.ID.String(), nil, nil).Status)

	listed := func() []uuid.UUID {
		var list documentList
		alice.getJSON("/api/documents", &list)
		out := []uuid.UUID{}
		for _, d := range list.Items {
			out = append(out, d.ID)
		}
		return out
	}
	found := func(q string) int {
		var r api.SearchResults
		alice.getJSON("/api/search?q="+q, &r)
		return len(r.Items)
	}

	require.Equal(t, http.StatusOK, alice.call(http.MethodDelete, "/api/documents/"+comet.String(), nil, nil).Status)
	require.Equal(t, http.StatusOK, alice.call(http.MethodDelete, "/api/courses/"+physics.ID.String(), nil, nil).Status)
	require.Equal(t, []uuid.UUID{matrix}, listed(), "a trashed course's notes leave the list")
	require.Zero(t, found("orbit"), "and search")
	var d api.Document
	alice.getJSON("/api/documents/"+orbit.String(), &d)
	require.Equal(t, "active", d.Status, "their own status is untouched")

	var trash api.Trash
	alice.getJSON("/api/trash", &trash)
	require.Len(t, trash.Courses, 1)
	require.Equal(t, physics.ID, trash.Courses[0].ID)
	require.NotNil(t, trash.Courses[0].DeletedAt)
	require.Len(t, trash.Documents, 1)
	require.Equal(t, comet, trash.Documents[0].ID)
	require.NotNil(t, trash.Documents[0].DeletedAt)

	res := alice.call(http.MethodPost, "/api/documents/"+comet.String()+"/restore", nil, nil)
	requireProblem(t, res, http.StatusConflict)
	require.Contains(t, string(res.Body), "restore the course first")

	// Restoring the course brings back exactly the notes that were active.
	require.Equal(t, http.StatusOK, alice.call(http.MethodPost, "/api/courses/"+physics.ID.String()+"/restore", nil, nil).Status)
	require.ElementsMatch(t, []uuid.UUID{orbit, matrix}, listed())
	require.Equal(t, 1, found("orbit"))
	require.Zero(t, found("comet"))

	// Empty the trash: the course goes with all its notes, rows and blobs.
	require.Equal(t, http.StatusOK, alice.call(http.MethodDelete, "/api/courses/"+physics.ID.String(), nil, nil).Status)
	res = alice.call(http.MethodDelete, "/api/trash", nil, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var purged api.Purge
	res.json(t, &purged)
	require.Equal(t, api.Purge{Courses: 1, Documents: 2}, purged)
	require.Equal(t, 2, b.count("documents"), "maths' note and bob's stay")
	require.Equal(t, 2, b.count("courses"), "maths and bob's (in his trash: emptying is per user)")
	// The images go by retried jobs recorded with the purge; a worker runs them.
	b.startWorker(notes.Builtin{})
	require.Eventually(t, func() bool {
		var files []string
		for _, f := range b.blobFiles() {
			files = append(files, filepath.ToSlash(f[len(b.blobDir)+1:]))
		}
		return len(files) == 2 && slices.Contains(files, keys[2]) && slices.Contains(files, keys[3])
	}, 30*time.Second, 20*time.Millisecond, "only the purged notes' images are deleted")
	alice.getJSON("/api/trash", &trash)
	require.Empty(t, trash.Courses)
	require.Empty(t, trash.Documents)
	requireProblem(t, alice.call(http.MethodGet, "/api/documents/"+orbit.String(), nil, nil), http.StatusNotFound)

	for _, id := range []uuid.UUID{physics.ID, orbit, comet} {
		entries := b.audits(id)
		last := entries[len(entries)-1]
		require.Equal(t, "purge", last.Action)
		require.Equal(t, "127.0.0.1", last.IP)
		require.Equal(t, "snapnote-test/1.0", last.UserAgent)
	}
	var actions []string
	for _, e := range b.audits(comet) {
		actions = append(actions, e.Action)
	}
	require.Equal(t, []string{"trash", "purge"}, actions, "the refused restore left no row")
}
