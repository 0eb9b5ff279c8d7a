package api

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/snapnote/snapnote/internal/auth"
	"github.com/snapnote/snapnote/internal/httpx"
)

// riverUIPath is where River UI is served when Config.RiverUI is set.
const riverUIPath = "/riverui"

// riverUICookie carries an admin's access token to River UI from a browser,
// which sends no Authorization header of its own. It lives riverUICookieTTL
// at most (the token's own expiry still applies) and only under /riverui.
const (
	riverUICookie    = "snapnote_riverui"
	riverUICookieTTL = 15 * time.Minute
)

// registerRiverUI mounts River UI for the subjects in AdminSubs. It sits
// behind the same bearer-token auth as the API, on every request (the page,
// its assets and its API calls); anyone else, with a valid token or not,
// gets 404 as if nothing were there. Without a handler or admins, /riverui
// answers 404.
//
// A browser opens it after POST /riverui/session with the bearer token,
// which sets riverUICookie (see riverUIByCookie).
func (s *Server) registerRiverUI(mux *http.ServeMux) {
	isAdmin := func(r *http.Request) bool {
		claims, ok := auth.ClaimsFromContext(r.Context())
		return ok && s.isAdmin(claims.Subject)
	}
	admin := func(w http.ResponseWriter, r *http.Request) {
		if !isAdmin(r) {
			httpx.WriteProblem(w, http.StatusNotFound, "not found")
			return
		}
		s.cfg.RiverUI.ServeHTTP(w, r)
	}
	mux.HandleFunc(riverUIPath, admin)
	mux.HandleFunc(riverUIPath+"/", admin)
	mux.HandleFunc("POST "+riverUIPath+"/session", func(w http.ResponseWriter, r *http.Request) {
		if !isAdmin(r) {
			httpx.WriteProblem(w, http.StatusNotFound, "not found")
			return
		}
		if crossSite(r) {
			httpx.WriteProblem(w, http.StatusForbidden, "cross-site request refused")
			return
		}
		_, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		http.SetCookie(w, &http.Cookie{
			Name: riverUICookie, Value: strings.TrimSpace(token), Path: riverUIPath,
			MaxAge: int(riverUICookieTTL.Seconds()), HttpOnly: true, SameSite: http.SameSiteStrictMode,
			Secure: r.TLS != nil || (httpx.TrustedPeer(r.RemoteAddr, s.cfg.TrustedProxies) && r.Header.Get("X-Forwarded-Proto") == "https"),
		})
		w.WriteHeader(http.StatusNoContent)
	})
}

// isAdmin reports whether subject may open River UI: it is served, and
// subject is one of AdminSubs.
func (s *Server) isAdmin(subject string) bool {
	return s.cfg.RiverUI != nil && slices.Contains(s.cfg.AdminSubs, subject)
}

// riverUIByCookie lets a request under /riverui that has no Authorization
// header but riverUICookie authenticate with the cookie's token, checked
// like a bearer token. ok is false, and the request answered 403, when it
// comes from another site (Sec-Fetch-Site, or an Origin that is not this
// host): River UI's requests retry, cancel and delete jobs.
func (s *Server) riverUIByCookie(w http.ResponseWriter, r *http.Request) (_ *http.Request, ok bool) {
	cookie, err := r.Cookie(riverUICookie)
	if err != nil || r.Header.Get("Authorization") != "" {
		return r, true
	}
	if crossSite(r) {
		httpx.WriteProblem(w, http.StatusForbidden, "cross-site request refused")
		return r, false
	}
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+cookie.Value)
	return r, true
}

// crossSite reports whether a browser says r comes from another site:
// Sec-Fetch-Site other than same-origin or none (typed by the user), or an
// Origin whose host is not the one r is addressed to.
func crossSite(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	u, err := url.Parse(origin)
	return err != nil || u.Host != r.Host
}
