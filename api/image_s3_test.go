package api_test

import (
	"bytes"
	"crypto/rand"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
	"github.com/snapnote/snapnote/storage/storagetest"
)

func TestDocumentImageRedirectsToPresignedS3URL(t *testing.T) {
	t.Parallel()
	s3 := storagetest.NewFakeS3(t)
	b := apitest.SetupWith(t, func(c *api.Config) { c.Blobs = s3 })
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	const key = "uploads/alice/page.png"
	image := make([]byte, 64<<10)
	_, _ = rand.Read(image)
	_, err := s3.Put(t.Context(), key, bytes.NewReader(image), "image/png")
	require.NoError(t, err)
	ids := alice.SeedNotes(apitest.Note{Course: course.ID, Title: "Forces", Body: "F = ma", ImageKey: key})

	req, err := http.NewRequest(http.MethodGet, b.Server.URL+"/api/documents/"+ids[0].String()+"/image", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+alice.Token)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Do(req)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	require.Equal(t, http.StatusTemporaryRedirect, res.StatusCode)
	require.Equal(t, "private, no-store", res.Header.Get("Cache-Control"))
	location := res.Header.Get("Location")
	require.Contains(t, location, "X-Amz-Signature=")

	// The browser follows the redirect without the API's bearer token.
	got, err := http.Get(location)
	require.NoError(t, err)
	defer got.Body.Close()
	require.Equal(t, http.StatusOK, got.StatusCode)
	require.Equal(t, "image/png", got.Header.Get("Content-Type"))
	data, err := io.ReadAll(got.Body)
	require.NoError(t, err)
	require.Equal(t, image, data, "the redirect leads to the stored bytes")

	// Another user's note is still a 404, not a redirect.
	require.Equal(t, http.StatusNotFound, b.User("bob").Do(http.MethodGet, "/api/documents/"+ids[0].String()+"/image", nil, "").Status)
}
