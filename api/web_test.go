package api_test

import (
	"net/http"
	"testing"

	"github.com/snapnote/snapnote/api/apitest"
	"github.com/stretchr/testify/require"
)

// The web app shares the API's server: its page, assets and settings answer
// without a token, and it never answers for a path of the API.
func TestWebAppBesideTheAPI(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)

	page := b.Request(http.MethodGet, "/", nil, nil)
	require.Equal(t, http.StatusOK, page.Status)
	require.Contains(t, string(page.Body), "<!doctype html>")
	require.Contains(t, page.Header.Get("Content-Security-Policy"), "script-src 'self'")
	require.Equal(t, http.StatusOK, b.Request(http.MethodGet, "/assets/js/main.js", nil, nil).Status)
	require.Equal(t, http.StatusOK, b.Request(http.MethodGet, "/app-config.json", nil, nil).Status)

	apitest.RequireProblem(t, b.Request(http.MethodGet, "/api/courses", nil, nil), http.StatusUnauthorized)
	apitest.RequireProblem(t, b.Request(http.MethodGet, "/api/nope", nil, nil), http.StatusNotFound)
	alice := b.User("alice")
	for _, path := range []string{"/api/nope", "/api/courses/x/y", "/index.html"} {
		res := alice.Call(http.MethodGet, path, nil, nil)
		require.Equal(t, http.StatusNotFound, res.Status, path)
		require.NotContains(t, string(res.Body), "<html", "%s must not answer with the app", path)
	}
	require.Equal(t, http.StatusOK, alice.Call(http.MethodGet, "/api/courses", nil, nil).Status)
}
