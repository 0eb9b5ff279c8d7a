package api

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/snapnote/snapnote/internal/auth"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/web"
)

type userKey struct{}

// withUser turns the validated token into the caller's user row, creating it
// on first use, so handlers only ever see a db.User.
func (s *Server) withUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, ok := auth.ClaimsFromContext(r.Context())
		if !ok {
			writeProblem(w, http.StatusUnauthorized, "missing bearer token")
			return
		}
		if ok, wait := s.limiter.allow(claims.Subject); !ok {
			tooManyRequests(w, wait)
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
			writeUnavailable(w, dep)
			return
		}
		if err != nil {
			s.logger.ErrorContext(r.Context(), "resolve user", slog.Any("error", err))
			writeProblem(w, http.StatusServiceUnavailable, "user store unavailable; retry shortly")
			return
		}
		if !user.IsActive {
			writeProblem(w, http.StatusForbidden, "this account is deactivated")
			return
		}
		next.ServeHTTP(w, withClient(r.WithContext(context.WithValue(r.Context(), userKey{}, user))))
	})
}

// userFrom returns the caller; every secured handler runs behind withUser.
func userFrom(ctx context.Context) db.User {
	return ctx.Value(userKey{}).(db.User)
}

// statusRecorder remembers the status for the access log. It keeps Unwrap so
// http.ResponseController (read deadlines, flushing for SSE) still works.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader also gives every 503 a Retry-After, whoever wrote it (auth
// when the issuer's keys cannot be fetched, the user lookup, a handler).
func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	if code == http.StatusServiceUnavailable && r.Header().Get("Retry-After") == "" {
		r.Header().Set("Retry-After", strconv.Itoa(retryAfterOutage))
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		s.metrics.responses.WithLabelValues(strconv.Itoa(rec.status)).Inc()
		level := slog.LevelInfo
		switch {
		case rec.status >= 500:
			level = slog.LevelError
		case web.IsAsset(r.URL.Path):
			// One visit loads dozens: they would drown the requests that tell.
			level = slog.LevelDebug
		}
		s.logger.Log(r.Context(), level, "http request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", rec.status), slog.Duration("took", time.Since(start)))
	})
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.logger.ErrorContext(r.Context(), "panic serving request", slog.Any("panic", v),
					slog.String("stack", string(debug.Stack())))
				writeProblem(w, http.StatusInternalServerError, "internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}
