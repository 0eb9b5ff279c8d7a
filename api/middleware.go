package api

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/snapnote/snapnote/internal/auth"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/httpx"
	"github.com/snapnote/snapnote/web"
)

type userKey struct{}

// withUser turns the validated token into the caller's user row, creating it
// on first use, so handlers only ever see a db.User.
func (s *Server) withUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, ok := auth.ClaimsFromContext(r.Context())
		if !ok {
			httpx.WriteProblem(w, http.StatusUnauthorized, "missing bearer token")
			return
		}
		if ok, wait := s.limiter.Allow(claims.Subject); !ok {
			httpx.TooManyRequests(w, wait)
			return
		}
		user, err := s.cfg.DB.UpsertUser(r.Context(), db.Identity{
			Subject:       claims.Subject,
			Email:         claims.Email,
			EmailVerified: claims.EmailVerified,
			Name:          claims.Name,
			Picture:       claims.Picture,
		})
		if dep := unavailableDependency(err); dep != "" {
			s.logger.WarnContext(r.Context(), "resolve user: dependency unavailable", slog.String("dependency", dep), slog.Any("error", err))
			httpx.WriteUnavailable(w, dep)
			return
		}
		if err != nil {
			s.logger.ErrorContext(r.Context(), "resolve user", slog.Any("error", err))
			httpx.WriteProblem(w, http.StatusServiceUnavailable, "user store unavailable; retry shortly")
			return
		}
		if !user.IsActive {
			httpx.WriteProblem(w, http.StatusForbidden, "this account is deactivated")
			return
		}
		next.ServeHTTP(w, withClient(r.WithContext(context.WithValue(r.Context(), userKey{}, user))))
	})
}

// userFrom returns the caller; every secured handler runs behind withUser.
func userFrom(ctx context.Context) db.User {
	return ctx.Value(userKey{}).(db.User)
}

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &httpx.StatusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.Status == 0 {
			rec.Status = http.StatusOK
		}
		s.metrics.responses.WithLabelValues(strconv.Itoa(rec.Status)).Inc()
		level := slog.LevelInfo
		switch {
		case rec.Status >= 500:
			level = slog.LevelError
		case web.IsAsset(r.URL.Path):
			// One visit loads dozens: they would drown the requests that tell.
			level = slog.LevelDebug
		}
		s.logger.Log(r.Context(), level, "http request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", rec.Status), slog.Duration("took", time.Since(start)))
	})
}

// limitClients refuses a client address that goes over its rate with 429
// and Retry-After, before the request is logged, authenticated or routed.
func (s *Server) limitClients(next http.Handler) http.Handler {
	l := httpx.NewClientLimiter(s.cfg.RateLimitIP, s.cfg.RateBurstIP, s.cfg.TrustedProxies)
	if l == nil {
		return next
	}
	refused := s.metrics.responses.WithLabelValues("429")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := l.ClientAddr(r)
		ok, wait, log := l.Allow(addr, time.Now())
		if ok {
			next.ServeHTTP(w, r)
			return
		}
		refused.Inc()
		if log {
			s.logger.WarnContext(r.Context(), "client over its rate limit", slog.String("client", addr.String()),
				slog.String("path", r.URL.Path))
		}
		httpx.TooManyRequests(w, wait)
	})
}
