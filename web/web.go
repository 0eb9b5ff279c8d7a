// Package web serves SnapNote's web app: static ES modules embedded in the
// binary, with no build step and nothing loaded from another host, under a
// strict Content-Security-Policy; /app-config.json, which tells the app how
// to sign in; and what makes it an installable app that opens offline: its
// manifest (with a share target), its icons and its service worker.
//
// The app lives in app/; its browser tests in e2e/ (see README "Web app").
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
)

//go:embed app
var files embed.FS

// Config is how the app signs in.
type Config struct {
	// AuthMode is "dev" (tokens from the #token= fragment that `snapnote dev`
	// prints) or "oidc" (Authorization Code + PKCE against Issuer).
	AuthMode string
	// Issuer is the OIDC issuer's exact URL; the app reads its endpoints from
	// Issuer + ".well-known/openid-configuration".
	Issuer   string
	Audience string
	// ClientID is the app's public OIDC client (no secret).
	ClientID string
	// Stages are the pipeline's stage names in order, for the app's
	// progress bars (the queue's stage table; cmd passes them in).
	Stages []string
	// Languages are the Tesseract languages installed, those a course may be
	// read in, for the course form's choice (beside "auto"); DefaultLanguage
	// is what a course that names none is read in (OCR_LANG). Nil Languages:
	// the server cannot tell, and the form offers the default and auto.
	Languages       []string
	DefaultLanguage string
}

// AppConfig is the body of /app-config.json.
type AppConfig struct {
	Auth     string   `json:"auth"`
	Issuer   string   `json:"issuer,omitempty"`
	Audience string   `json:"audience,omitempty"`
	ClientID string   `json:"clientId,omitempty"`
	Stages   []string `json:"stages,omitempty"`
	// Languages and DefaultLanguage are Config's, for the course form.
	Languages       []string `json:"languages,omitempty"`
	DefaultLanguage string   `json:"defaultLanguage,omitempty"`
}

// Public reports whether path is one the app serves without a token.
func Public(p string) bool {
	switch p {
	case "/", "/app-config.json", manifestPath, workerPath, sharePath:
		return true
	}
	return IsAsset(p)
}

// IsAsset reports whether path is one of the app's static assets (scripts,
// styles, icons): many per visit, each telling nothing on its own.
func IsAsset(p string) bool {
	return strings.HasPrefix(p, "/assets/")
}

const (
	manifestPath = "/manifest.webmanifest"
	// workerPath is at the root so the service worker's scope is the whole app.
	workerPath = "/sw.js"
	// sharePath receives what another app shares (the manifest's share_target).
	sharePath = "/share"
)

// Register adds the app's routes to mux: the page at /, its assets under
// /assets/ and /app-config.json. Other paths stay the mux's, so an unknown
// /api route still answers the API's 404, never the app's page.
func Register(mux *http.ServeMux, cfg Config) {
	h := newHandler(cfg)
	mux.Handle("GET /{$}", h.page("index.html"))
	mux.Handle("GET /assets/{file...}", http.HandlerFunc(h.asset))
	mux.Handle("GET /app-config.json", http.HandlerFunc(h.appConfig))
	mux.Handle("GET "+manifestPath, h.page("manifest.webmanifest"))
	mux.Handle("GET "+workerPath, h.page("sw.js"))
	mux.Handle("POST "+sharePath, http.HandlerFunc(shareWithoutWorker))
}

// shareWithoutWorker answers a share that no service worker took (its first
// start, or a browser without one): the files cannot be kept without a
// token, so the app opens and says so.
func shareWithoutWorker(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/#/share", http.StatusSeeOther)
}

type asset struct {
	data []byte
	etag string
}

func newAsset(data []byte) asset {
	sum := sha256.Sum256(data)
	return asset{data: data, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
}

// serviceWorker is app/sw.js with the app shell it keeps for offline use
// and a version that changes with any of it, so a new build replaces the
// old shell when the worker updates.
func (h *handler) serviceWorker() []byte {
	var shell []string
	version := sha256.New()
	for name, a := range h.assets {
		if name == "sw.js" || name == "index.html" || name == "manifest.webmanifest" {
			continue // served at their own addresses
		}
		shell = append(shell, "/assets/"+name)
		version.Write([]byte(a.etag))
	}
	slices.Sort(shell)
	shell = append([]string{"/", manifestPath}, shell...)
	list, _ := json.Marshal(shell)
	src := h.assets["sw.js"].data
	src = bytes.Replace(src, []byte(`"__SHELL__"`), list, 1)
	src = bytes.Replace(src, []byte(`__VERSION__`), []byte(base64.RawURLEncoding.EncodeToString(version.Sum(nil)[:9])), 1)
	return src
}

type handler struct {
	assets    map[string]asset // by path under app/
	config    []byte
	csp       string
	assetSize int
}

func newHandler(cfg Config) *handler {
	h := &handler{assets: map[string]asset{}}
	err := fs.WalkDir(files, "app", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		h.assets[strings.TrimPrefix(p, "app/")] = newAsset(data)
		h.assetSize += len(data)
		return nil
	})
	if err != nil {
		panic("web: embedded app unreadable: " + err.Error()) // a broken build, not a runtime condition
	}
	for name, data := range map[string][]byte{
		"icons/icon-192.png": iconPNG(192, false), "icons/icon-512.png": iconPNG(512, false),
		"icons/maskable-512.png": iconPNG(512, true),
	} {
		h.assets[name] = newAsset(data)
	}
	h.assets["sw.js"] = newAsset(h.serviceWorker())
	ac := AppConfig{Auth: "dev", Stages: cfg.Stages}
	connect := "'self'"
	if cfg.AuthMode != "dev" {
		ac = AppConfig{Auth: "oidc", Issuer: cfg.Issuer, Audience: cfg.Audience, ClientID: cfg.ClientID, Stages: cfg.Stages}
		// Discovery and the token endpoint are fetched from the browser.
		if u, err := url.Parse(cfg.Issuer); err == nil && u.Host != "" {
			connect += " " + u.Scheme + "://" + u.Host
		}
	}
	ac.Languages, ac.DefaultLanguage = cfg.Languages, cfg.DefaultLanguage
	h.config, _ = json.Marshal(ac)
	h.csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; " +
		"connect-src " + connect + "; manifest-src 'self'; worker-src 'self'; base-uri 'none'; " +
		"form-action 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types " + workerURLPolicy
	return h
}

// workerURLPolicy names the one Trusted Types policy the app may make: it
// passes the service worker's own URL, and nothing else, to register().
const workerURLPolicy = "sw-url"

// AssetBytes is the size of the embedded app, for reports.
func AssetBytes() int { return newHandler(Config{AuthMode: "dev"}).assetSize }

func (h *handler) headers(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", h.csp)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
}

func (h *handler) page(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.serve(w, r, name) })
}

func (h *handler) asset(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, r.PathValue("file"))
}

// serve answers one embedded file. Names are stable (no content hash), so
// browsers revalidate every load; the ETag makes that a 304.
func (h *handler) serve(w http.ResponseWriter, r *http.Request, name string) {
	a, ok := h.assets[name]
	if !ok || name == "index.html" && r.URL.Path != "/" || name == "sw.js" && r.URL.Path != workerPath ||
		name == "manifest.webmanifest" && r.URL.Path != manifestPath {
		http.NotFound(w, r)
		return
	}
	h.headers(w)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", a.etag)
	if name == "manifest.webmanifest" {
		w.Header().Set("Content-Type", "application/manifest+json")
	}
	http.ServeContent(w, r, path.Base(name), time.Time{}, bytes.NewReader(a.data))
}

func (h *handler) appConfig(w http.ResponseWriter, _ *http.Request) {
	h.headers(w)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(h.config)
}
