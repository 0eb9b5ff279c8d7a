package api_test

import (
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/internal/notes"
)

// Leaving: the account's rows and images go, others' stay, and the same
// token meets a new, empty account.
func TestDeleteAccount(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.startWorker(notes.Builtin{})
	alice, bob := b.user("alice"), b.user("bob")
	course := alice.createCourse("Physics")
	res := alice.upload(form{fields: map[string]string{"courseId": course.ID.String()}, filename: "p.png",
		file: pageOf(t, "Optics", "Light bends when it enters water."), more: [][]byte{pageOf(t, "More", "Lenses focus light.")}})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var done api.Upload
	res.json(t, &done)
	require.Equal(t, "done", alice.waitSettled(done.ID).Status)
	bobCourse := bob.createCourse("History")
	// An upload still running when the account goes.
	res = alice.upload(form{fields: map[string]string{"courseId": course.ID.String()}, filename: "p.png",
		file: pageOf(t, "Waves", "Sound is a wave.")})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	require.Len(t, b.blobFiles(), 3)

	var leaving api.Leaving
	res = alice.do(http.MethodDelete, "/api/user", nil, "")
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	res.json(t, &leaving)
	require.Equal(t, "deleting", leaving.Status)

	// At once: the token meets a new, empty account.
	var courses struct {
		Items []api.Course `json:"items"`
	}
	alice.getJSON("/api/courses", &courses)
	require.Empty(t, courses.Items)

	// Soon: nothing of the old account is left, rows or images.
	require.Eventually(t, func() bool {
		return b.count("uploads") == 0 && b.count("documents") == 0 && len(b.blobFiles()) == 0
	}, time.Minute, 50*time.Millisecond)
	entries, err := os.ReadDir(b.blobDir)
	require.NoError(t, err)
	require.Empty(t, entries, "no empty folder named after the account is left")
	require.Equal(t, 1, b.count("courses"), "only bob's course is left")
	require.Equal(t, 2, b.count("users"), "bob, and alice's new account")
	var leftovers int
	require.NoError(t, b.pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_logs a
		WHERE a.user_id IS NULL AND a.action <> 'delete'`).Scan(&leftovers))
	require.Zero(t, leftovers, "the old account's audit rows go with it")
	var got api.Course
	bob.getJSON("/api/courses/"+bobCourse.ID.String(), &got)
	require.Equal(t, "History", got.Name)
}
