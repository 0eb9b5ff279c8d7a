package auth

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"gopkg.in/go-jose/go-jose.v2/jwt"
)

var (
	errNoBearerToken = errors.New("missing bearer token")
	errNotBearer     = errors.New("authorization scheme must be Bearer")
)

// Middleware requires a valid bearer token on every request, OPTIONS included (mount CORS handling outside
// it). On success the Claims are in the request context (see ClaimsFromContext).
//
// Otherwise it answers 401 with an RFC 9457 application/problem+json body {"title","status","detail"} and
// `WWW-Authenticate: Bearer`, plus error="invalid_token" and an error_description when a token was sent but
// rejected (RFC 6750). A missing or malformed Authorization header is a 401 too, never a 400. The detail says
// "missing bearer token", "authorization scheme must be Bearer", "token expired", "token not yet valid",
// "token signed by a key this server does not have: kid …" (in dev auth with a hint to use the server's
// DATA_DIR, never its path), "token subject cannot be stored: …" or "invalid token", and nothing more; the full reason is logged at debug level. When the issuer's keys cannot
// be fetched it answers 503 instead (the token was not judged, so the client should keep it and retry) and logs
// at error level. A nil logger discards the logs.
func Middleware(v *Validator, logger *slog.Logger) func(http.Handler) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			token, err := bearerToken(r)
			if err != nil {
				logger.DebugContext(ctx, "auth: request rejected",
					"reason", err.Error(), "method", r.Method, "path", r.URL.Path)
				w.Header().Set("WWW-Authenticate", "Bearer")
				writeProblem(w, http.StatusUnauthorized, err.Error())
				return
			}

			claims, err := v.ValidateToken(ctx, token)
			if err != nil {
				if !errors.Is(err, ErrInvalidToken) {
					logger.ErrorContext(ctx, "auth: cannot validate tokens",
						"error", err, "method", r.Method, "path", r.URL.Path)
					writeProblem(w, http.StatusServiceUnavailable, "cannot verify tokens right now, retry later")
					return
				}
				detail := rejectionDetail(err)
				logger.DebugContext(ctx, "auth: request rejected",
					"reason", detail, "error", err, "method", r.Method, "path", r.URL.Path)
				w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="`+errorDescription(detail)+`"`)
				writeProblem(w, http.StatusUnauthorized, detail)
				return
			}

			next.ServeHTTP(w, r.WithContext(ContextWithClaims(ctx, claims)))
		})
	}
}

// bearerToken returns the token of an "Authorization: Bearer <token>" header; the scheme is case-insensitive
// (RFC 9110 §11.1).
func bearerToken(r *http.Request) (string, error) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return "", errNoBearerToken
	}
	scheme, token, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", errNotBearer
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return "", errNoBearerToken
	}
	return token, nil
}

// rejectionDetail is what a client may learn about why its token was rejected: timing problems and the other
// rejections it can act on, and nothing about which keys, issuer or audience the server expects.
func rejectionDetail(err error) string {
	var r *rejection
	switch {
	case errors.As(err, &r):
		return r.detail
	case errors.Is(err, jwt.ErrExpired):
		return "token expired"
	case errors.Is(err, jwt.ErrNotValidYet), errors.Is(err, jwt.ErrIssuedInTheFuture):
		return "token not yet valid"
	default:
		return "invalid token"
	}
}

// errorDescription makes detail fit an error_description, whose characters RFC 6750 §3 limits to printable
// ASCII other than '"' and '\': a detail may repeat a kid or a directory name.
func errorDescription(detail string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '?'
		}
		return r
	}, detail)
}

// problem is an RFC 9457 problem details body.
type problem struct {
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
}

func writeProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	// A write error means the client has gone; there is no one left to tell.
	_ = json.NewEncoder(w).Encode(problem{Title: http.StatusText(status), Status: status, Detail: detail})
}
