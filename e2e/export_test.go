package e2e_test

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
)

func TestExportIsAVault(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice, bob := b.User("alice"), b.User("bob")
	physics, history := alice.CreateCourse("Physics"), alice.CreateCourse("History / Modern")
	pages := [][]byte{apitest.PageOf(t, "Optics", "Light bends when it enters water."), apitest.PageOf(t, "Lenses", "Lenses focus light.")}
	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": physics.ID.String(), "title": "Optics"},
		Filename: "p.png", File: pages[0], More: pages[1:]})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.JSON(t, &up)
	require.Equal(t, "done", alice.WaitSettled(up.ID).Status)
	alice.SeedNotes(apitest.Note{Course: history.ID, Title: `The "Congress": of Vienna`, Body: "# Vienna\n\nIn 1815."},
		apitest.Note{Course: history.ID, Title: `The "Congress": of Vienna`, Body: "A second note with the same title."})
	bob.SeedNotes(apitest.Note{Course: bob.CreateCourse("Bob's").ID, Title: "Secret", Body: "bob only"})

	files, res2 := apitest.ReadZip(t, alice, "/api/export")
	require.Equal(t, "application/zip", res2.Header.Get("Content-Type"))
	require.Contains(t, res2.Header.Get("Content-Disposition"), "attachment")
	optics, ok := files["Physics/Optics.md"]
	require.True(t, ok, "files: %v", keys(files))
	require.True(t, strings.HasPrefix(optics, "---\ntitle: \"Optics\"\ncourse: \"Physics\"\n"), optics)
	require.Contains(t, optics, "  - \"attachments/Optics - p1.png\"\n  - \"attachments/Optics - p2.png\"\n")
	require.Contains(t, optics, "Light bends")
	require.Contains(t, optics, "![[Optics - p2.png]]")
	require.Equal(t, string(pages[0]), files["Physics/attachments/Optics - p1.png"])
	require.Equal(t, string(pages[1]), files["Physics/attachments/Optics - p2.png"])
	vienna := files["History Modern/The Congress of Vienna.md"]
	require.Contains(t, vienna, `title: "The \"Congress\": of Vienna"`, "the title survives YAML quoting")
	require.Contains(t, files, "History Modern/The Congress of Vienna (2).md", "same titles get their own files")
	for name := range files {
		require.NotContains(t, name, "Bob", "only the caller's notes")
	}
	require.Len(t, files, 5)

	// One course alone; another user's course is not found.
	files, _ = apitest.ReadZip(t, alice, "/api/courses/"+physics.ID.String()+"/export")
	require.Len(t, files, 3)
	apitest.RequireProblem(t, bob.Do(http.MethodGet, "/api/courses/"+physics.ID.String()+"/export", nil, ""), http.StatusNotFound)

	// A page image gone from storage is left out; the rest is exported.
	for _, f := range b.BlobFiles() {
		if strings.HasSuffix(f, "-p2.png") {
			require.NoError(t, os.Remove(f))
		}
	}
	files, _ = apitest.ReadZip(t, alice, "/api/courses/"+physics.ID.String()+"/export")
	require.Len(t, files, 2)
	require.NotContains(t, files["Physics/Optics.md"], "p2.png")
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
