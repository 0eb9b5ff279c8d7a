package api_test

import (
	"net/http"
	"testing"

	"github.com/snapnote/snapnote/api/apitest"
	"github.com/stretchr/testify/require"
)

// Too many pages, or none, are refused before anything is stored.
func TestPageCountIsChecked(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	page := apitest.PageOf(t, "Optics", "Light bends.")
	var more [][]byte
	for range apitest.MaxPages { // one page over the cap in all
		more = append(more, page)
	}
	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "p.png", File: page, More: more})
	apitest.RequireProblem(t, res, http.StatusUnprocessableEntity)
	require.Contains(t, string(res.Body), "too many pages")
	res = alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}})
	apitest.RequireProblem(t, res, http.StatusUnprocessableEntity)
	res = alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "p.png",
		File: page, More: [][]byte{[]byte("not an image")}})
	apitest.RequireProblem(t, res, http.StatusUnsupportedMediaType)
	require.Contains(t, string(res.Body), "file[1]", "the bad page is named")
	require.Zero(t, b.Count("uploads"))
	require.Zero(t, b.Count("upload_pages"))
	require.Empty(t, b.BlobFiles())
}
