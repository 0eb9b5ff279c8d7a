package e2e_test

import (
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
)

// Leaving: the account's rows and images go, others' stay, and the same
// token meets a new, empty account.
func TestDeleteAccount(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice, bob := b.User("alice"), b.User("bob")
	course := alice.CreateCourse("Physics")
	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "p.png",
		File: apitest.PageOf(t, "Optics", "Light bends when it enters water."), More: [][]byte{apitest.PageOf(t, "More", "Lenses focus light.")}})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var done api.Upload
	res.JSON(t, &done)
	require.Equal(t, "done", alice.WaitSettled(done.ID).Status)
	bobCourse := bob.CreateCourse("History")
	// An upload still running when the account goes.
	res = alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "p.png",
		File: apitest.PageOf(t, "Waves", "Sound is a wave.")})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	require.Len(t, b.BlobFiles(), 3)

	var leaving api.Leaving
	res = alice.Do(http.MethodDelete, "/api/user", nil, "")
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	res.JSON(t, &leaving)
	require.Equal(t, "deleting", leaving.Status)

	// At once: the token meets a new, empty account.
	var courses struct {
		Items []api.Course `json:"items"`
	}
	alice.GetJSON("/api/courses", &courses)
	require.Empty(t, courses.Items)

	// Soon: nothing of the old account is left, rows, images or the
	// folder named after it.
	require.Eventually(t, func() bool {
		entries, err := os.ReadDir(b.BlobDir)
		return b.Count("uploads") == 0 && b.Count("documents") == 0 && err == nil && len(entries) == 0
	}, time.Minute, 50*time.Millisecond)
	require.Equal(t, 1, b.Count("courses"), "only bob's course is left")
	require.Equal(t, 2, b.Count("users"), "bob, and alice's new account")
	var leftovers int
	require.NoError(t, b.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_logs a
		WHERE a.user_id IS NULL AND a.action <> 'delete'`).Scan(&leftovers))
	require.Zero(t, leftovers, "the old account's audit rows go with it")
	var got api.Course
	bob.GetJSON("/api/courses/"+bobCourse.ID.String(), &got)
	require.Equal(t, "History", got.Name)
}
