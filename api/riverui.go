package api

import (
	"net/http"
	"slices"

	"github.com/snapnote/snapnote/internal/auth"
)

// riverUIPath is where River UI is served when Config.RiverUI is set.
const riverUIPath = "/riverui"

// registerRiverUI mounts River UI for the subjects in AdminSubs. It sits
// behind the same bearer-token auth as the API, on every request (the page,
// its assets and its API calls), so a browser needs a proxy that adds the
// header; anyone else, with a valid token or not, gets 404 as if nothing
// were there. Without a handler or admins, /riverui answers 404.
func (s *Server) registerRiverUI(mux *http.ServeMux) {
	on := s.cfg.RiverUI != nil && len(s.cfg.AdminSubs) > 0
	admin := func(w http.ResponseWriter, r *http.Request) {
		claims, ok := auth.ClaimsFromContext(r.Context())
		if !on || !ok || !slices.Contains(s.cfg.AdminSubs, claims.Subject) {
			writeProblem(w, http.StatusNotFound, "not found")
			return
		}
		s.cfg.RiverUI.ServeHTTP(w, r)
	}
	mux.HandleFunc(riverUIPath, admin)
	mux.HandleFunc(riverUIPath+"/", admin)
}
