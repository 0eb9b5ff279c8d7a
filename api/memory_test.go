package api_test

import (
	"image"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
)

// A photo whose reading needs more memory than a worker gives one page is
// refused at upload, with the reason; a lighter one of the same size is
// taken.
func TestUploadNeedingTooMuchMemoryIsRefused(t *testing.T) {
	t.Parallel()
	b := apitest.SetupWith(t, func(c *api.Config) { c.UploadMaxMemory = 16 << 20 })
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "deep.png", File: apitest.DeepPNG(t, 1500, 1500)})
	apitest.RequireProblem(t, res, http.StatusUnprocessableEntity)
	require.Contains(t, string(res.Body), "8-bit colour")
	require.Zero(t, b.Count("uploads"))
	require.Empty(t, b.BlobFiles())

	res = alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "gray.png",
		File: apitest.PNGBytes(t, image.NewGray(image.Rect(0, 0, 1500, 1500)))})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
}
