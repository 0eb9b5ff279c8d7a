package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
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
			name:    "negative refetch interval",
			cfg:     Config{Issuer: "https://tenant.example.com/", Audience: testAudience, RefetchInterval: -time.Second},
			wantErr: "auth config: RefetchInterval must not be negative, got -1s",
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

// TestValidator_KeyRotation pins down the rotation behaviour: a token with a kid the cached JWKS lacks makes
// the validator refetch it at once, at most once per RefetchInterval and with one fetch for concurrent
// requests; the cache is refreshed synchronously after CacheTTL.
func TestValidator_KeyRotation(t *testing.T) {
	t.Parallel()

	keys := sharedKeys(t)
	rotatedKID := kidOf(t, keys.rotated)

	type bundle struct {
		srv      *issuerServer
		v        *Validator
		oldToken string
		newToken string
	}
	// setup validates a token signed with the primary key (the first fetch), then rotates the issuer's JWKS to
	// the rotated key.
	setup := func(t *testing.T, cfg Config) bundle {
		t.Helper()
		srv := newIssuerServer(t, publicJWKS(t, keys.primary))
		cfg.Issuer, cfg.Audience, cfg.JWKSURL = srv.issuer, testAudience, srv.jwksURL
		v := newTestValidator(t, cfg)
		b := bundle{
			srv:      srv,
			v:        v,
			oldToken: signToken(t, jose.RS256, keys.primary, kidOf(t, keys.primary), validClaims(srv.issuer)),
			newToken: signToken(t, jose.RS256, keys.rotated, rotatedKID, validClaims(srv.issuer)),
		}
		_, err := v.ValidateToken(t.Context(), b.oldToken)
		require.NoError(t, err)
		require.Equal(t, int32(1), srv.jwksFetches.Load())
		srv.keys.Store(publicJWKS(t, keys.rotated))
		return b
	}
	garbageKIDToken := func(t *testing.T, srv *issuerServer, i int) string {
		t.Helper()
		return signToken(t, jose.RS256, keys.impostor, fmt.Sprintf("garbage-%d", i), validClaims(srv.issuer))
	}

	t.Run("new kid is accepted on its first token", func(t *testing.T) {
		t.Parallel()

		b := setup(t, Config{CacheTTL: time.Hour, RefetchInterval: time.Hour})
		claims, err := b.v.ValidateToken(t.Context(), b.newToken)
		require.NoError(t, err)
		require.Equal(t, "auth0|user-1", claims.Subject)
		require.Equal(t, int32(2), b.srv.jwksFetches.Load())

		_, err = b.v.ValidateToken(t.Context(), b.oldToken)
		require.ErrorIs(t, err, ErrInvalidToken, "the old key is no longer published")
		var r *rejection
		require.ErrorAs(t, err, &r)
		require.Equal(t, "token signed by a key this server does not have: kid "+kidOf(t, keys.primary), r.detail)
		require.Equal(t, int32(2), b.srv.jwksFetches.Load(), "the refetch for the new kid spent the window")
	})

	t.Run("garbage kids cause at most one fetch per interval", func(t *testing.T) {
		t.Parallel()

		b := setup(t, Config{CacheTTL: time.Hour, RefetchInterval: time.Hour})
		var wg sync.WaitGroup
		errs := make([]error, 50)
		for i := range errs {
			token := garbageKIDToken(t, b.srv, i)
			wg.Go(func() { _, errs[i] = b.v.ValidateToken(t.Context(), token) })
		}
		wg.Wait()
		for i, err := range errs {
			require.ErrorIs(t, err, ErrInvalidToken)
			var r *rejection
			require.ErrorAs(t, err, &r)
			require.Equal(t, fmt.Sprintf("token signed by a key this server does not have: kid garbage-%d", i), r.detail)
		}
		require.Equal(t, int32(2), b.srv.jwksFetches.Load(), "one refetch for all garbage kids in the window")

		// The refetch spent the window: a key published now is not fetched for its first token, which is
		// rejected like any unknown kid until the interval or the TTL has passed.
		b.srv.keys.Store(publicJWKS(t, keys.impostor))
		_, err := b.v.ValidateToken(t.Context(), signToken(t, jose.RS256, keys.impostor, kidOf(t, keys.impostor), validClaims(b.srv.issuer)))
		require.ErrorIs(t, err, ErrInvalidToken)
		require.Equal(t, int32(2), b.srv.jwksFetches.Load())
	})

	t.Run("concurrent new-kid tokens share one fetch", func(t *testing.T) {
		t.Parallel()

		b := setup(t, Config{CacheTTL: time.Hour, RefetchInterval: time.Hour})
		var wg sync.WaitGroup
		errs := make([]error, 20)
		for i := range errs {
			wg.Go(func() { _, errs[i] = b.v.ValidateToken(t.Context(), b.newToken) })
		}
		wg.Wait()
		for _, err := range errs {
			require.NoError(t, err)
		}
		require.Equal(t, int32(2), b.srv.jwksFetches.Load())
	})

	t.Run("the refetch window reopens after the interval", func(t *testing.T) {
		t.Parallel()

		const interval = 50 * time.Millisecond
		b := setup(t, Config{CacheTTL: time.Hour, RefetchInterval: interval})
		_, err := b.v.ValidateToken(t.Context(), garbageKIDToken(t, b.srv, 0))
		require.ErrorIs(t, err, ErrInvalidToken)
		require.Equal(t, int32(2), b.srv.jwksFetches.Load())

		b.srv.keys.Store(publicJWKS(t, keys.impostor))
		time.Sleep(2 * interval)
		_, err = b.v.ValidateToken(t.Context(), signToken(t, jose.RS256, keys.impostor, kidOf(t, keys.impostor), validClaims(b.srv.issuer)))
		require.NoError(t, err)
		require.Equal(t, int32(3), b.srv.jwksFetches.Load())
	})

	t.Run("a failed refetch is not a verdict", func(t *testing.T) {
		t.Parallel()

		b := setup(t, Config{CacheTTL: time.Hour, RefetchInterval: time.Hour})
		b.srv.failStatus.Store(http.StatusTooManyRequests)
		_, err := b.v.ValidateToken(t.Context(), b.newToken)
		require.ErrorIs(t, err, ErrKeysUnavailable)
		require.NotErrorIs(t, err, ErrInvalidToken)

		// Tokens with known kids go on being accepted from the cached set without waiting for the issuer.
		_, err = b.v.ValidateToken(t.Context(), b.oldToken)
		require.NoError(t, err)
		require.Equal(t, int32(2), b.srv.jwksFetches.Load())
	})

	t.Run("cache is refreshed on the first request after the TTL", func(t *testing.T) {
		t.Parallel()

		const ttl = 50 * time.Millisecond
		b := setup(t, Config{CacheTTL: ttl, RefetchInterval: time.Hour})
		b.srv.keys.Store(publicJWKS(t, keys.primary)) // no rotation: the refresh is the TTL's doing
		time.Sleep(2 * ttl)

		_, err := b.v.ValidateToken(t.Context(), b.oldToken)
		require.NoError(t, err)
		require.Equal(t, int32(2), b.srv.jwksFetches.Load())
	})
}

// A "sub" that is not UTF-8 as sent (raw bytes, or an escaped lone surrogate) is refused: the JSON decoder
// would make it U+FFFD, and two subjects would meet in one account. A U+FFFD sent as one is a character like
// any other.
func TestValidator_SubjectInvalidUTF8(t *testing.T) {
	t.Parallel()

	keys := sharedKeys(t)
	v := newTestValidator(t, Config{Issuer: DevIssuer, Audience: DevAudience, Keys: publicJWKS(t, keys.primary)})
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: keys.primary, KeyID: kidOf(t, keys.primary)}},
		(&jose.SignerOptions{}).WithType("JWT"))
	require.NoError(t, err)
	token := func(rawSub string) string {
		payload := fmt.Appendf(nil, `{"iss":%q,"aud":%q,"sub":"%s","exp":%d}`,
			DevIssuer, DevAudience, rawSub, time.Now().Add(time.Hour).Unix())
		jws, err := signer.Sign(payload)
		require.NoError(t, err)
		compact, err := jws.CompactSerialize()
		require.NoError(t, err)
		return compact
	}
	for _, raw := range []string{"auth0|a\xffb\xed\xa0\x80c", `auth0|\ud800`, `auth0|\\ufffd\udfff`} {
		_, err := v.ValidateToken(t.Context(), token(raw))
		require.ErrorIs(t, err, ErrInvalidToken, "%q", raw)
		requireProblem(t, serveThroughMiddleware(t, v, "Bearer "+token(raw)), http.StatusUnauthorized,
			"token subject cannot be stored: not valid UTF-8")
	}
	for raw, want := range map[string]string{
		"auth0|\uFFFD":         "auth0|\uFFFD",
		`auth0|\uFFFD`:         "auth0|\uFFFD",
		`auth0|\ud83d\ude00`:   "auth0|😀",
		`auth0|\\ufffd \ufffd`: `auth0|\ufffd ` + "\uFFFD",
	} {
		claims, err := v.ValidateToken(t.Context(), token(raw))
		require.NoError(t, err, "%q", raw)
		require.Equal(t, want, claims.Subject)
	}
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
