package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/web"
)

func newServer(t *testing.T, cfg web.Config) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/health", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	web.Register(mux, cfg)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(body)
}

func TestServesTheAppUnderAStrictPolicy(t *testing.T) {
	t.Parallel()
	srv := newServer(t, web.Config{AuthMode: "dev"})

	res, body := get(t, srv.URL+"/")
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, res.Header.Get("Content-Type"), "text/html")
	require.Contains(t, body, `<script type="module" src="/assets/js/main.js">`)
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'",
		"connect-src 'self';", "frame-ancestors 'none'", "require-trusted-types-for 'script'"} {
		require.Contains(t, csp, want)
	}
	require.NotContains(t, csp, "unsafe-")
	require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))

	// The page names only assets it serves itself, and no other host.
	require.NotContains(t, body, "://")
	require.NotContains(t, body, "<style")
	require.NotContains(t, body, " style=")

	res, body = get(t, srv.URL+"/assets/js/main.js")
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, res.Header.Get("Content-Type"), "javascript")
	require.NotEmpty(t, body)
	etag := res.Header.Get("ETag")
	require.NotEmpty(t, etag)
	res, _ = get(t, srv.URL+"/assets/js/main.js", "If-None-Match", etag)
	require.Equal(t, http.StatusNotModified, res.StatusCode, "a reload revalidates instead of downloading")

	res, body = get(t, srv.URL+"/app-config.json")
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.JSONEq(t, `{"auth":"dev"}`, body)
}

func TestLeavesOtherPathsAlone(t *testing.T) {
	t.Parallel()
	srv := newServer(t, web.Config{AuthMode: "dev"})
	for _, path := range []string{"/api/nope", "/api/courses/x", "/index.html", "/assets/nope.js", "/assets/index.html", "/notes/1"} {
		res, body := get(t, srv.URL+path)
		require.Equal(t, http.StatusNotFound, res.StatusCode, path)
		require.NotContains(t, body, "<html", "%s must not answer with the app", path)
	}
	res, body := get(t, srv.URL+"/api/health")
	require.Equal(t, "ok", body, "routes of the API keep answering")
	require.Empty(t, res.Header.Get("Content-Security-Policy"))

	for path, public := range map[string]bool{"/": true, "/app-config.json": true, "/assets/app.css": true,
		"/api/courses": false, "/metrics": false, "/index.html": false} {
		require.Equal(t, public, web.Public(path), path)
	}
}

func TestOIDCSettingsReachTheApp(t *testing.T) {
	t.Parallel()
	srv := newServer(t, web.Config{AuthMode: "oidc", Issuer: "https://tenant.eu.auth0.com/",
		Audience: "https://api.snapnote.test", ClientID: "abc123"})
	res, body := get(t, srv.URL+"/app-config.json")
	var got web.AppConfig
	require.NoError(t, json.Unmarshal([]byte(body), &got))
	require.Equal(t, web.AppConfig{Auth: "oidc", Issuer: "https://tenant.eu.auth0.com/",
		Audience: "https://api.snapnote.test", ClientID: "abc123"}, got)
	require.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	// The browser fetches the issuer's discovery document and token endpoint.
	require.True(t, strings.Contains(res.Header.Get("Content-Security-Policy"), "connect-src 'self' https://tenant.eu.auth0.com;"))
}

func TestEmbeddedAppIsSmall(t *testing.T) {
	t.Parallel()
	size := web.AssetBytes()
	t.Logf("embedded app: %d bytes", size)
	require.Less(t, size, 100_000, "the app stays small; a larger one deserves a look at why")
}
