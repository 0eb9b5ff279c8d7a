package api

import (
	_ "embed"
	"net/http"
)

// docsPage renders /openapi.json in the browser with no asset from another
// host, so the documentation works offline (Huma's own page loads its
// script from a CDN).
//
//go:embed docs/index.html
var docsPage []byte

// registerDocs serves the documentation page at /docs.
func (s *Server) registerDocs(mux *http.ServeMux) {
	mux.HandleFunc("GET /docs", func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'")
		h.Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(docsPage)
	})
}
