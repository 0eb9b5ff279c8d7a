package web_test

import (
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
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
		Audience: "https://api.snapnote.test", ClientID: "abc123", Languages: []string{"deu", "eng", "fra"}, DefaultLanguage: "eng"})
	res, body := get(t, srv.URL+"/app-config.json")
	var got web.AppConfig
	require.NoError(t, json.Unmarshal([]byte(body), &got))
	require.Equal(t, web.AppConfig{Auth: "oidc", Issuer: "https://tenant.eu.auth0.com/",
		Audience: "https://api.snapnote.test", ClientID: "abc123", Languages: []string{"deu", "eng", "fra"}, DefaultLanguage: "eng"}, got,
		"with the languages a course may be read in, for the course form")
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

// The app installs: a manifest with the icons and share target browsers
// ask for, icons of those sizes, and a service worker at the root.
func TestInstallable(t *testing.T) {
	t.Parallel()
	srv := newServer(t, web.Config{AuthMode: "dev"})

	res, body := get(t, srv.URL+"/manifest.webmanifest")
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "application/manifest+json", res.Header.Get("Content-Type"))
	var m struct {
		Name, StartURL, Display string
		Icons                   []struct{ Src, Sizes, Type, Purpose string }
		ShareTarget             struct {
			Action, Method, Enctype string
			Params                  struct{ Files []struct{ Name string } }
		} `json:"share_target"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &m))
	require.Equal(t, "standalone", m.Display)
	require.Equal(t, "/share", m.ShareTarget.Action)
	require.Equal(t, "POST", m.ShareTarget.Method)
	require.Equal(t, "multipart/form-data", m.ShareTarget.Enctype)
	require.Equal(t, "file", m.ShareTarget.Params.Files[0].Name, "the same field name as an upload's")

	sizes := map[string]bool{}
	for _, icon := range m.Icons {
		res, body := get(t, srv.URL+icon.Src)
		require.Equal(t, http.StatusOK, res.StatusCode, icon.Src)
		if icon.Type != "image/png" {
			continue
		}
		img, err := png.Decode(strings.NewReader(body))
		require.NoError(t, err, icon.Src)
		require.Equal(t, icon.Sizes, fmt.Sprintf("%dx%d", img.Bounds().Dx(), img.Bounds().Dy()), icon.Src)
		if icon.Purpose == "maskable" {
			// Launchers crop a maskable icon: its corners are the background, not transparent.
			_, _, _, a := img.At(0, 0).RGBA()
			require.NotZero(t, a, "a maskable icon fills its square")
		}
		sizes[icon.Sizes+icon.Purpose] = true
	}
	require.Equal(t, map[string]bool{"192x192": true, "512x512": true, "512x512maskable": true}, sizes)

	res, body = get(t, srv.URL+"/sw.js")
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, res.Header.Get("Content-Type"), "javascript")
	require.NotContains(t, body, "__SHELL__")
	require.NotContains(t, body, "__VERSION__")
	require.Contains(t, body, `"/assets/js/main.js"`, "the shell it keeps for offline use")
	shell := regexp.MustCompile(`const SHELL = (\[.*?\]);`).FindStringSubmatch(body)
	require.Len(t, shell, 2)
	var paths []string
	require.NoError(t, json.Unmarshal([]byte(shell[1]), &paths))
	for _, p := range paths {
		res, _ := get(t, srv.URL+p)
		require.Equal(t, http.StatusOK, res.StatusCode, "the worker installs only if every file of its shell answers: %s", p)
	}
	require.Contains(t, res.Header.Get("Content-Security-Policy"), "worker-src 'self'")
	require.Contains(t, res.Header.Get("Content-Security-Policy"), "trusted-types sw-url")
	res, _ = get(t, srv.URL+"/assets/sw.js")
	require.Equal(t, http.StatusNotFound, res.StatusCode, "the worker has one address, its scope the whole app")

	for _, path := range []string{"/manifest.webmanifest", "/sw.js", "/share", "/assets/icons/icon-512.png"} {
		require.True(t, web.Public(path), path)
	}
}

// A share no service worker took opens the app, which says what to do.
func TestShareWithoutWorkerOpensTheApp(t *testing.T) {
	t.Parallel()
	srv := newServer(t, web.Config{AuthMode: "dev"})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Post(srv.URL+"/share", "multipart/form-data; boundary=x", strings.NewReader("--x--\r\n"))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/#/share", res.Header.Get("Location"))
}

// The app draws its progress bars from the stages the server names.
func TestStagesReachTheApp(t *testing.T) {
	t.Parallel()
	srv := newServer(t, web.Config{AuthMode: "dev", Stages: []string{"ocr", "format", "extract"}})
	_, body := get(t, srv.URL+"/app-config.json")
	require.JSONEq(t, `{"auth":"dev","stages":["ocr","format","extract"]}`, body)
}
