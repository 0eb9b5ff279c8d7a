package auth

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
)

// serveThroughMiddleware runs one request with the given Authorization header (none when empty) through
// Middleware to a handler that echoes the Claims it finds in the context.
func serveThroughMiddleware(t *testing.T, v *Validator, authorization string) *httptest.ResponseRecorder {
	t.Helper()
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, ok := ClaimsFromContext(r.Context())
		if !ok {
			http.Error(w, "no claims in context", http.StatusInternalServerError)
			return
		}
		_ = json.NewEncoder(w).Encode(claims)
	})
	req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/v1/courses", nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	rec := httptest.NewRecorder()
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	Middleware(v, logger)(echo).ServeHTTP(rec, req)
	return rec
}

// requireProblem checks a problem+json answer with the given status and detail.
func requireProblem(t *testing.T, rec *httptest.ResponseRecorder, status int, detail string) {
	t.Helper()
	require.Equal(t, status, rec.Code, rec.Body.String())
	require.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
	var body map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	require.Equal(t, map[string]any{
		"title":  http.StatusText(status),
		"status": float64(status),
		"detail": detail,
	}, body)
}

func requireClaims(t *testing.T, rec *httptest.ResponseRecorder, want Claims) {
	t.Helper()
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var got Claims
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	require.Equal(t, want, got)
}

func TestMiddleware(t *testing.T) {
	t.Parallel()

	keys := sharedKeys(t)
	primaryKID := kidOf(t, keys.primary)
	srv := newIssuerServer(t, publicJWKS(t, keys.primary))
	v := newTestValidator(t, Config{Issuer: srv.issuer, Audience: testAudience, JWKSURL: srv.jwksURL})

	good := validClaims(srv.issuer)
	sign := func(claims map[string]any) string {
		return signToken(t, jose.RS256, keys.primary, primaryKID, claims)
	}
	now := time.Now()
	publicPEM := func() []byte {
		der, err := x509.MarshalPKIXPublicKey(&keys.primary.PublicKey)
		require.NoError(t, err)
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}()

	const (
		challenge        = "Bearer"
		invalidChallenge = `Bearer error="invalid_token", error_description="invalid token"`
	)

	tests := []struct {
		name          string
		authorization string // empty: no header
		wantClaims    *Claims
		wantChallenge string
		wantDetail    string
	}{
		{
			name:          "valid with profile claims",
			authorization: "Bearer " + sign(with(good, map[string]any{"email": "ada@example.com", "email_verified": true, "name": "Ada Lovelace", "picture": "https://example.com/ada.png"})),
			wantClaims:    &Claims{Subject: "auth0|user-1", Email: "ada@example.com", EmailVerified: true, Name: "Ada Lovelace", Picture: "https://example.com/ada.png"},
		},
		{
			name:          "valid without profile claims",
			authorization: "Bearer " + sign(good),
			wantClaims:    &Claims{Subject: "auth0|user-1"},
		},
		{
			name:          "valid with namespaced email",
			authorization: "Bearer " + sign(with(good, map[string]any{"https://snapnote.app/email": "ada@example.com", "https://snapnote.app/email_verified": true})),
			wantClaims:    &Claims{Subject: "auth0|user-1", Email: "ada@example.com", EmailVerified: true},
		},
		{
			name:          "scheme is case-insensitive",
			authorization: "bearer " + sign(good),
			wantClaims:    &Claims{Subject: "auth0|user-1"},
		},
		{
			name:          "expired within clock skew",
			authorization: "Bearer " + sign(with(good, map[string]any{"exp": now.Add(-10 * time.Second).Unix()})),
			wantClaims:    &Claims{Subject: "auth0|user-1"},
		},
		{
			name:          "no authorization header",
			wantChallenge: challenge,
			wantDetail:    "missing bearer token",
		},
		{
			name:          "basic scheme",
			authorization: "Basic dXNlcjpwYXNz",
			wantChallenge: challenge,
			wantDetail:    "authorization scheme must be Bearer",
		},
		{
			name:          "bearer with empty token",
			authorization: "Bearer ",
			wantChallenge: challenge,
			wantDetail:    "missing bearer token",
		},
		{
			name:          "bearer alone",
			authorization: "Bearer",
			wantChallenge: challenge,
			wantDetail:    "missing bearer token",
		},
		{
			name:          "garbage",
			authorization: "Bearer not.a.jwt",
			wantChallenge: invalidChallenge,
			wantDetail:    "invalid token",
		},
		{
			name:          "expired",
			authorization: "Bearer " + sign(with(good, map[string]any{"exp": now.Add(-2 * time.Minute).Unix()})),
			wantChallenge: `Bearer error="invalid_token", error_description="token expired"`,
			wantDetail:    "token expired",
		},
		{
			name:          "nbf beyond clock skew",
			authorization: "Bearer " + sign(with(good, map[string]any{"nbf": now.Add(2 * time.Minute).Unix()})),
			wantChallenge: `Bearer error="invalid_token", error_description="token not yet valid"`,
			wantDetail:    "token not yet valid",
		},
		{
			name:          "iat beyond clock skew",
			authorization: "Bearer " + sign(with(good, map[string]any{"iat": now.Add(2 * time.Minute).Unix()})),
			wantChallenge: `Bearer error="invalid_token", error_description="token not yet valid"`,
			wantDetail:    "token not yet valid",
		},
		{
			name:          "wrong audience",
			authorization: "Bearer " + sign(with(good, map[string]any{"aud": "https://other-api.example.com"})),
			wantChallenge: invalidChallenge,
			wantDetail:    "invalid token",
		},
		{
			name:          "wrong issuer",
			authorization: "Bearer " + sign(with(good, map[string]any{"iss": "https://evil.example.com/"})),
			wantChallenge: invalidChallenge,
			wantDetail:    "invalid token",
		},
		{
			name:          "issuer without trailing slash",
			authorization: "Bearer " + sign(with(good, map[string]any{"iss": srv.server.URL})),
			wantChallenge: invalidChallenge,
			wantDetail:    "invalid token",
		},
		{
			name:          "alg none",
			authorization: "Bearer " + unsignedToken(t, primaryKID, good),
			wantChallenge: invalidChallenge,
			wantDetail:    "invalid token",
		},
		{
			name:          "HS256 keyed with the RSA public key",
			authorization: "Bearer " + signToken(t, jose.HS256, publicPEM, primaryKID, good),
			wantChallenge: invalidChallenge,
			wantDetail:    "invalid token",
		},
		{
			name:          "RS512",
			authorization: "Bearer " + signToken(t, jose.RS512, keys.primary, primaryKID, good),
			wantChallenge: invalidChallenge,
			wantDetail:    "invalid token",
		},
		{
			name:          "other RSA key with the same kid",
			authorization: "Bearer " + signToken(t, jose.RS256, keys.impostor, primaryKID, good),
			wantChallenge: invalidChallenge,
			wantDetail:    "invalid token",
		},
		{
			name:          "unknown kid",
			authorization: "Bearer " + signToken(t, jose.RS256, keys.rotated, kidOf(t, keys.rotated), good),
			wantChallenge: `Bearer error="invalid_token", error_description="token signed by a key this server does not have: kid ` + kidOf(t, keys.rotated) + `"`,
			wantDetail:    "token signed by a key this server does not have: kid " + kidOf(t, keys.rotated),
		},
		{
			name:          "unknown kid that is long and not header-safe",
			authorization: "Bearer " + signToken(t, jose.RS256, keys.rotated, `"é\`+strings.Repeat("k", 100), good),
			wantChallenge: `Bearer error="invalid_token", error_description="token signed by a key this server does not have: kid ???` + strings.Repeat("k", 61) + `?"`,
			wantDetail:    `token signed by a key this server does not have: kid "é\` + strings.Repeat("k", 61) + "…",
		},
		{
			name:          "subject longer than the users table holds",
			authorization: "Bearer " + sign(with(good, map[string]any{"sub": strings.Repeat("é", 256)})),
			wantChallenge: `Bearer error="invalid_token", error_description="token subject cannot be stored: longer than 255 characters"`,
			wantDetail:    "token subject cannot be stored: longer than 255 characters",
		},
		{
			name:          "subject of 255 characters",
			authorization: "Bearer " + sign(with(good, map[string]any{"sub": strings.Repeat("é", 255)})),
			wantClaims:    &Claims{Subject: strings.Repeat("é", 255)},
		},
		{
			name:          "subject with NUL",
			authorization: "Bearer " + sign(with(good, map[string]any{"sub": "auth0|a\x00b"})),
			wantChallenge: `Bearer error="invalid_token", error_description="token subject cannot be stored: contains a NUL character"`,
			wantDetail:    "token subject cannot be stored: contains a NUL character",
		},
		{
			name:          "no kid",
			authorization: "Bearer " + signToken(t, jose.RS256, keys.primary, "", good),
			wantChallenge: invalidChallenge,
			wantDetail:    "invalid token",
		},
		{
			name:          "missing exp",
			authorization: "Bearer " + sign(with(good, map[string]any{"exp": nil})),
			wantChallenge: invalidChallenge,
			wantDetail:    "invalid token",
		},
		{
			name:          "missing sub",
			authorization: "Bearer " + sign(with(good, map[string]any{"sub": nil})),
			wantChallenge: invalidChallenge,
			wantDetail:    "invalid token",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			rec := serveThroughMiddleware(t, v, tt.authorization)
			if tt.wantClaims != nil {
				requireClaims(t, rec, *tt.wantClaims)
				require.Empty(t, rec.Header().Get("WWW-Authenticate"))
				return
			}
			requireProblem(t, rec, http.StatusUnauthorized, tt.wantDetail)
			require.Equal(t, tt.wantChallenge, rec.Header().Get("WWW-Authenticate"))
		})
	}
}

func TestMiddleware_KeysUnavailable(t *testing.T) {
	t.Parallel()

	keys := sharedKeys(t)
	srv := newIssuerServer(t, publicJWKS(t, keys.primary))
	srv.failStatus.Store(http.StatusTooManyRequests)
	v := newTestValidator(t, Config{Issuer: srv.issuer, Audience: testAudience, JWKSURL: srv.jwksURL})
	token := signToken(t, jose.RS256, keys.primary, kidOf(t, keys.primary), validClaims(srv.issuer))

	rec := serveThroughMiddleware(t, v, "Bearer "+token)
	requireProblem(t, rec, http.StatusServiceUnavailable, "cannot verify tokens right now, retry later")
	require.Empty(t, rec.Header().Get("WWW-Authenticate"))

	// The error answer was not cached as an empty key set: once the issuer recovers, the token is accepted.
	srv.failStatus.Store(0)
	requireClaims(t, serveThroughMiddleware(t, v, "Bearer "+token), Claims{Subject: "auth0|user-1"})
}
