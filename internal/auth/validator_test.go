package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
)

func TestNewValidator_ConfigErrors(t *testing.T) {
	t.Parallel()

	keys := sharedKeys(t)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	devKeys := publicJWKS(t, keys.primary)

	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{
			name:    "missing issuer",
			cfg:     Config{Audience: testAudience, JWKSURL: "https://tenant.example.com/jwks.json"},
			wantErr: "auth config: Issuer is required",
		},
		{
			name:    "missing audience",
			cfg:     Config{Issuer: "https://tenant.example.com/"},
			wantErr: "auth config: Audience is required",
		},
		{
			name:    "negative cache TTL",
			cfg:     Config{Issuer: "https://tenant.example.com/", Audience: testAudience, CacheTTL: -time.Second},
			wantErr: "auth config: CacheTTL must not be negative, got -1s",
		},
		{
			name:    "negative clock skew",
			cfg:     Config{Issuer: "https://tenant.example.com/", Audience: testAudience, ClockSkew: -time.Second},
			wantErr: "auth config: ClockSkew must not be negative, got -1s",
		},
		{
			name:    "issuer is not a URL and no JWKS URL",
			cfg:     Config{Issuer: "tenant.example.com", Audience: testAudience},
			wantErr: `auth config: Issuer (used for OIDC discovery, as JWKSURL is empty): "tenant.example.com" is not an absolute http(s) URL`,
		},
		{
			name:    "JWKS URL is not http",
			cfg:     Config{Issuer: "https://tenant.example.com/", Audience: testAudience, JWKSURL: "file:///etc/jwks.json"},
			wantErr: `auth config: JWKSURL: "file:///etc/jwks.json" is not an absolute http(s) URL`,
		},
		{
			name:    "keys and JWKS URL",
			cfg:     Config{Issuer: DevIssuer, Audience: DevAudience, JWKSURL: "https://tenant.example.com/jwks.json", Keys: devKeys},
			wantErr: "auth config: set either JWKSURL or Keys, not both",
		},
		{
			name:    "empty key set",
			cfg:     Config{Issuer: DevIssuer, Audience: DevAudience, Keys: &jose.JSONWebKeySet{}},
			wantErr: "auth config: Keys holds no key",
		},
		{
			name:    "key without kid",
			cfg:     Config{Issuer: DevIssuer, Audience: DevAudience, Keys: &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &keys.primary.PublicKey}}}},
			wantErr: "auth config: Keys[0] has no kid",
		},
		{
			name:    "key that is not RSA",
			cfg:     Config{Issuer: DevIssuer, Audience: DevAudience, Keys: &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &ecKey.PublicKey, KeyID: "ec-1"}}}},
			wantErr: `auth config: Keys[0] (kid "ec-1") is not an RSA key`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			v, err := NewValidator(tt.cfg)
			require.EqualError(t, err, tt.wantErr)
			require.Nil(t, v)
		})
	}
}

func TestValidator_Discovery(t *testing.T) {
	t.Parallel()

	keys := sharedKeys(t)
	srv := newIssuerServer(t, publicJWKS(t, keys.primary))
	v := newTestValidator(t, Config{Issuer: srv.issuer, Audience: testAudience})

	token := signToken(t, jose.RS256, keys.primary, kidOf(t, keys.primary),
		with(validClaims(srv.issuer), map[string]any{"name": "Ada"}))
	requireClaims(t, serveThroughMiddleware(t, v, "Bearer "+token), Claims{Subject: "auth0|user-1", Name: "Ada"})
	require.Equal(t, int32(1), srv.discoveryHits.Load())
	require.Equal(t, int32(1), srv.jwksFetches.Load())

	impostor := signToken(t, jose.RS256, keys.impostor, kidOf(t, keys.primary), validClaims(srv.issuer))
	_, err := v.ValidateToken(t.Context(), impostor)
	require.ErrorIs(t, err, ErrInvalidToken)
}

func TestValidator_KeysUnavailable(t *testing.T) {
	t.Parallel()

	keys := sharedKeys(t)
	token := signToken(t, jose.RS256, keys.primary, kidOf(t, keys.primary), validClaims("http://127.0.0.1:1/"))

	t.Run("issuer unreachable", func(t *testing.T) {
		t.Parallel()

		v := newTestValidator(t, Config{Issuer: "http://127.0.0.1:1/", Audience: testAudience})
		_, err := v.ValidateToken(t.Context(), token)
		require.ErrorIs(t, err, ErrKeysUnavailable)
		require.NotErrorIs(t, err, ErrInvalidToken)
	})

	t.Run("JWKS endpoint answers an error", func(t *testing.T) {
		t.Parallel()

		srv := newIssuerServer(t, publicJWKS(t, keys.primary))
		srv.failStatus.Store(http.StatusInternalServerError)
		v := newTestValidator(t, Config{Issuer: srv.issuer, Audience: testAudience})
		_, err := v.ValidateToken(t.Context(), token)
		require.ErrorIs(t, err, ErrKeysUnavailable)
		require.ErrorContains(t, err, "500 Internal Server Error")
	})

	t.Run("garbage is judged without fetching keys", func(t *testing.T) {
		t.Parallel()

		v := newTestValidator(t, Config{Issuer: "http://127.0.0.1:1/", Audience: testAudience})
		_, err := v.ValidateToken(t.Context(), "not-a-jwt")
		require.ErrorIs(t, err, ErrInvalidToken)
	})
}

// TestValidator_KeyRotation pins down the chosen rotation behaviour: synchronous refresh after CacheTTL, no
// refetch on an unknown kid before it.
func TestValidator_KeyRotation(t *testing.T) {
	t.Parallel()

	keys := sharedKeys(t)

	setup := func(t *testing.T, ttl time.Duration) (*issuerServer, *Validator, string, string) {
		t.Helper()
		srv := newIssuerServer(t, publicJWKS(t, keys.primary))
		v := newTestValidator(t, Config{Issuer: srv.issuer, Audience: testAudience, JWKSURL: srv.jwksURL, CacheTTL: ttl})
		oldToken := signToken(t, jose.RS256, keys.primary, kidOf(t, keys.primary), validClaims(srv.issuer))
		newToken := signToken(t, jose.RS256, keys.rotated, kidOf(t, keys.rotated), validClaims(srv.issuer))

		_, err := v.ValidateToken(t.Context(), oldToken)
		require.NoError(t, err)
		srv.keys.Store(publicJWKS(t, keys.rotated))
		return srv, v, oldToken, newToken
	}

	t.Run("new kid is rejected until the cache TTL passes", func(t *testing.T) {
		t.Parallel()

		srv, v, oldToken, newToken := setup(t, time.Hour)
		_, err := v.ValidateToken(t.Context(), newToken)
		require.ErrorIs(t, err, ErrInvalidToken)
		_, err = v.ValidateToken(t.Context(), oldToken)
		require.NoError(t, err, "the cached key set still holds the old key")
		require.Equal(t, int32(1), srv.jwksFetches.Load())
	})

	t.Run("new kid is accepted on the first request after the cache TTL", func(t *testing.T) {
		t.Parallel()

		const ttl = 50 * time.Millisecond
		srv, v, oldToken, newToken := setup(t, ttl)
		time.Sleep(2 * ttl)

		claims, err := v.ValidateToken(t.Context(), newToken)
		require.NoError(t, err)
		require.Equal(t, "auth0|user-1", claims.Subject)
		require.Equal(t, int32(2), srv.jwksFetches.Load())

		_, err = v.ValidateToken(t.Context(), oldToken)
		require.ErrorIs(t, err, ErrInvalidToken, "the old key is no longer published")
	})
}

func TestProfileClaims_UnmarshalJSON(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		payload string
		want    profileClaims
	}{
		{
			name:    "standard names",
			payload: `{"email":"ada@example.com","email_verified":true,"name":"Ada","picture":"https://example.com/a.png"}`,
			want:    profileClaims{email: "ada@example.com", emailVerified: true, name: "Ada", picture: "https://example.com/a.png"},
		},
		{
			name:    "namespaced names",
			payload: `{"https://snapnote.app/email":"ada@example.com","https://snapnote.app/email_verified":true,"https://snapnote.app/name":"Ada"}`,
			want:    profileClaims{email: "ada@example.com", emailVerified: true, name: "Ada"},
		},
		{
			name:    "standard name wins over namespaced",
			payload: `{"email":"std@example.com","https://snapnote.app/email":"ns@example.com"}`,
			want:    profileClaims{email: "std@example.com"},
		},
		{
			name:    "email_verified as a string",
			payload: `{"email_verified":"true"}`,
			want:    profileClaims{emailVerified: true},
		},
		{
			name:    "wrong types count as absent",
			payload: `{"email":42,"email_verified":"yes please","name":["Ada"],"picture":null}`,
			want:    profileClaims{},
		},
		{
			name:    "a suffix that is not a path segment does not match",
			payload: `{"https://snapnote.app/backup_email":"other@example.com"}`,
			want:    profileClaims{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			var got profileClaims
			require.NoError(t, json.Unmarshal([]byte(tt.payload), &got))
			require.Equal(t, tt.want, got)
		})
	}
}

func TestClaimsContext(t *testing.T) {
	t.Parallel()

	_, ok := ClaimsFromContext(t.Context())
	require.False(t, ok)

	_, ok = ClaimsFromContext(ContextWithClaims(t.Context(), nil))
	require.False(t, ok)

	want := &Claims{Subject: "auth0|user-1", Email: "ada@example.com"}
	got, ok := ClaimsFromContext(ContextWithClaims(t.Context(), want))
	require.True(t, ok)
	require.Same(t, want, got)
}
