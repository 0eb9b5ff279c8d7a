package e2e_test

import (
	"bytes"
	"image/png"
	"net/http"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
	"github.com/snapnote/snapnote/internal/corpus"
)

// A page with a drawing between its paragraphs becomes a note that shows the drawing where it
// stood, served to the note's owner alone, exported as an attachment, and deleted with the
// note.
func TestFigureIsKeptServedExportedAndPurgedWithItsNote(t *testing.T) {
	t.Parallel()
	s, err := corpus.LayoutSample(1, corpus.ClassFigure)
	require.NoError(t, err)
	b := setup(t)
	alice, bob := b.User("alice"), b.User("bob")
	course := alice.CreateCourse("Economics")
	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "page.png", File: s.Encoded})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.JSON(t, &up)
	done := alice.WaitSettled(up.ID)
	require.Equal(t, "done", done.Status, "error: %+v", done.Error)
	doc := alice.Document(done.DocumentID)

	// The truth is the title, a paragraph, the caption and a paragraph: the figure stands
	// between the first paragraph and its caption.
	truth := strings.Split(s.Truth, "\n\n")
	require.Len(t, truth, 4)
	url := "/api/documents/" + doc.ID.String() + "/figures/1"
	want := []string{"# " + truth[0], truth[1], "![Figure 1](" + url + ")"}
	blocks := strings.Split(strings.TrimSpace(doc.FormattedNote), "\n\n")
	require.Greater(t, len(blocks), len(want), "note:\n%s", doc.FormattedNote)
	require.Equal(t, want, blocks[:len(want)], "note:\n%s", doc.FormattedNote)
	require.True(t, strings.HasPrefix(blocks[len(want)], truth[2]), "the caption follows the figure:\n%s", doc.FormattedNote)

	res = alice.Call(http.MethodGet, url, nil, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, "image/png", res.Header.Get("Content-Type"))
	require.Equal(t, "private, max-age=86400", res.Header.Get("Cache-Control"))
	img, err := png.Decode(bytes.NewReader(res.Body))
	require.NoError(t, err)
	require.Greater(t, img.Bounds().Dx(), img.Bounds().Dy(), "the drawing is wider than tall")
	etag := res.Header.Get("ETag")
	require.NotEmpty(t, etag)
	require.Equal(t, http.StatusNotModified, alice.Call(http.MethodGet, url, nil, map[string]string{"If-None-Match": etag}).Status)

	apitest.RequireProblem(t, bob.Call(http.MethodGet, url, nil, nil), http.StatusNotFound)
	apitest.RequireProblem(t, alice.Call(http.MethodGet, "/api/documents/"+doc.ID.String()+"/figures/2", nil, nil), http.StatusNotFound)
	apitest.RequireProblem(t, alice.Call(http.MethodGet, "/api/documents/"+doc.ID.String()+"/figures/0", nil, nil), http.StatusUnprocessableEntity)

	files, _ := apitest.ReadZip(t, alice, "/api/export")
	var attachment string
	for name := range files {
		if strings.HasSuffix(name, " - figure 1.png") {
			attachment = name
		}
	}
	require.NotEmpty(t, attachment, "the export holds the figure: %v", keys(files))
	require.Equal(t, "Economics/attachments", path.Dir(attachment))
	require.Equal(t, string(res.Body), files[attachment], "the figure as served")
	name := path.Base(attachment)
	md := files["Economics/"+strings.TrimSuffix(name, " - figure 1.png")+".md"]
	require.Contains(t, md, "\n\n![["+name+"]]\n\n"+truth[2], "the note embeds it where it stood:\n%s", md)
	require.NotContains(t, md, "/api/documents/", "and links nothing of the API")

	figureBlobs := func() int {
		n := 0
		for _, f := range b.BlobFiles() {
			if strings.HasSuffix(f, "-f1.png") {
				n++
			}
		}
		return n
	}
	require.Equal(t, 1, figureBlobs())
	require.Equal(t, http.StatusOK, alice.Call(http.MethodDelete, "/api/documents/"+doc.ID.String(), nil, nil).Status)
	require.Equal(t, http.StatusOK, alice.Call(http.MethodDelete, "/api/trash", nil, nil).Status)
	require.Zero(t, b.Count("page_figures"))
	require.Eventually(t, func() bool { return figureBlobs() == 0 }, 30*time.Second, 20*time.Millisecond,
		"the figure's image goes with the note")
	apitest.RequireProblem(t, alice.Call(http.MethodGet, url, nil, nil), http.StatusNotFound)
}
