package auth

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
)

// devKeyFrom loads key as a dev key from a fresh directory, sparing a key generation.
func devKeyFrom(t *testing.T, key *rsa.PrivateKey) *DevKey {
	t.Helper()
	dir := t.TempDir()
	writeDevKeyFile(t, dir, key)
	k, err := LoadOrCreateDevKey(dir)
	require.NoError(t, err)
	return k
}

func TestLoadOrCreateDevKey_CreatesThenReloads(t *testing.T) {
	t.Parallel()

	dir := filepath.Join(t.TempDir(), "data")
	created, err := LoadOrCreateDevKey(dir)
	require.NoError(t, err)

	dirInfo, err := os.Stat(dir)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), dirInfo.Mode().Perm())
	fileInfo, err := os.Stat(filepath.Join(dir, "dev-signing-key.pem"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fileInfo.Mode().Perm())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file is left behind")

	loaded, err := LoadOrCreateDevKey(dir)
	require.NoError(t, err)
	require.Equal(t, created.kid, loaded.kid)
	require.True(t, created.key.Equal(loaded.key))
	require.Equal(t, 2048, created.key.N.BitLen())

	// RFC 7638: the SHA-256 of the required members in lexical order, without whitespace.
	pub := &created.key.PublicKey
	thumbprintInput := fmt.Sprintf(`{"e":"AQAB","kty":"RSA","n":"%s"}`, base64.RawURLEncoding.EncodeToString(pub.N.Bytes()))
	sum := sha256.Sum256([]byte(thumbprintInput))
	require.Equal(t, base64.RawURLEncoding.EncodeToString(sum[:]), created.kid)
}

func TestLoadOrCreateDevKey_ConcurrentCreatorsAgree(t *testing.T) {
	t.Parallel()

	dir := t.TempDir()
	const creators = 3
	var wg sync.WaitGroup
	kids := make([]string, creators)
	errs := make([]error, creators)
	for i := range creators {
		wg.Go(func() {
			k, err := LoadOrCreateDevKey(dir)
			errs[i] = err
			if err == nil {
				kids[i] = k.kid
			}
		})
	}
	wg.Wait()
	for i := range creators {
		require.NoError(t, errs[i])
		require.Equal(t, kids[0], kids[i])
	}

	onDisk, err := LoadOrCreateDevKey(dir)
	require.NoError(t, err)
	require.Equal(t, kids[0], onDisk.kid)
}

func TestLoadOrCreateDevKey_BadFile(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		content string
		wantErr string
	}{
		{name: "not PEM", content: "hello", wantErr: `no PKCS#8 "PRIVATE KEY" PEM block`},
		{name: "PKCS#1 block", content: "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", wantErr: `no PKCS#8 "PRIVATE KEY" PEM block`},
		{name: "corrupt DER", content: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", wantErr: "parsing dev signing key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			dir := t.TempDir()
			path := filepath.Join(dir, "dev-signing-key.pem")
			require.NoError(t, os.WriteFile(path, []byte(tt.content), 0o600))
			_, err := LoadOrCreateDevKey(dir)
			require.ErrorContains(t, err, tt.wantErr)
			require.ErrorContains(t, err, path)
		})
	}
}

func TestDevKey_TokenValidates(t *testing.T) {
	t.Parallel()

	keys := sharedKeys(t)
	k := devKeyFrom(t, keys.primary)
	v := newTestValidator(t, Config{Issuer: DevIssuer, Audience: DevAudience, Keys: k.JWKS()})

	want := Claims{Subject: "dev|ada", Email: "ada@example.com", EmailVerified: true, Name: "Ada", Picture: "https://example.com/a.png"}
	token, err := k.Token(want, time.Hour)
	require.NoError(t, err)

	got, err := v.ValidateToken(t.Context(), token)
	require.NoError(t, err)
	require.Equal(t, want, *got)
	requireClaims(t, serveThroughMiddleware(t, v, "Bearer "+token), want)
}

func TestDevKey_OtherKeyRejected(t *testing.T) {
	t.Parallel()

	keys := sharedKeys(t)
	dataDir := t.TempDir()
	writeDevKeyFile(t, dataDir, keys.primary)
	k, err := LoadOrCreateDevKey(dataDir)
	require.NoError(t, err)
	other := devKeyFrom(t, keys.impostor)
	v := newTestValidator(t, Config{Issuer: DevIssuer, Audience: DevAudience, Keys: k.JWKS(), DataDir: dataDir})

	// A token made with another DATA_DIR's key: the rejection names the kid and the likely cause, never the
	// server's path.
	token, err := other.Token(Claims{Subject: "dev|mallory"}, time.Hour)
	require.NoError(t, err)
	_, err = v.ValidateToken(t.Context(), token)
	require.ErrorIs(t, err, ErrInvalidToken)
	requireProblem(t, serveThroughMiddleware(t, v, "Bearer "+token), http.StatusUnauthorized,
		"token signed by a key this server does not have: kid "+other.kid+" (in dev auth: make the token with the DATA_DIR the server uses)")
}

func TestDevKey_TokenCarriesKID(t *testing.T) {
	t.Parallel()

	k := devKeyFrom(t, sharedKeys(t).primary)
	token, err := k.Token(Claims{Subject: "dev|ada"}, time.Hour)
	require.NoError(t, err)
	require.NotEmpty(t, k.kid)
	require.Equal(t, k.kid, headerKID(token))
}

func TestDevKey_JWKSHandler(t *testing.T) {
	t.Parallel()

	keys := sharedKeys(t)
	k := devKeyFrom(t, keys.primary)
	srv := httptest.NewServer(k.JWKSHandler())
	t.Cleanup(srv.Close)

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, resp.Body.Close()) })
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))

	var raw struct {
		Keys []map[string]any `json:"keys"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&raw))
	require.Len(t, raw.Keys, 1)
	require.Equal(t, "RSA", raw.Keys[0]["kty"])
	require.Equal(t, "sig", raw.Keys[0]["use"])
	require.Equal(t, "RS256", raw.Keys[0]["alg"])
	require.Equal(t, k.kid, raw.Keys[0]["kid"])
	for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
		require.NotContains(t, raw.Keys[0], private)
	}

	// The served JWKS works as the fetched key set of a validator, as a separate dev API process would use it.
	v := newTestValidator(t, Config{Issuer: DevIssuer, Audience: DevAudience, JWKSURL: srv.URL})
	token, err := k.Token(Claims{Subject: "dev|ada"}, time.Minute)
	require.NoError(t, err)
	_, err = v.ValidateToken(t.Context(), token)
	require.NoError(t, err)
}

func TestDevKey_TokenChecksInput(t *testing.T) {
	t.Parallel()

	k := devKeyFrom(t, sharedKeys(t).primary)

	_, err := k.Token(Claims{}, time.Hour)
	require.EqualError(t, err, "signing dev token: subject is required")

	_, err = k.Token(Claims{Subject: "dev|ada"}, 0)
	require.EqualError(t, err, "signing dev token: ttl must be positive, got 0s")
}

func TestDevKey_WrongIssuerOrAudienceRejected(t *testing.T) {
	t.Parallel()

	keys := sharedKeys(t)
	k := devKeyFrom(t, keys.primary)
	token, err := k.Token(Claims{Subject: "dev|ada"}, time.Hour)
	require.NoError(t, err)

	for _, cfg := range []Config{
		{Issuer: "https://tenant.example.com/", Audience: DevAudience, Keys: k.JWKS()},
		{Issuer: DevIssuer, Audience: testAudience, Keys: k.JWKS()},
	} {
		_, err := newTestValidator(t, cfg).ValidateToken(t.Context(), token)
		require.ErrorIs(t, err, ErrInvalidToken)
	}

	// A token signed for the dev issuer with an algorithm other than RS256 is refused on the dev path too.
	rs512 := signToken(t, jose.RS512, keys.primary, k.kid, map[string]any{
		"iss": DevIssuer, "aud": DevAudience, "sub": "dev|ada", "exp": time.Now().Add(time.Hour).Unix(),
	})
	_, err = newTestValidator(t, Config{Issuer: DevIssuer, Audience: DevAudience, Keys: k.JWKS()}).ValidateToken(t.Context(), rs512)
	require.ErrorIs(t, err, ErrInvalidToken)
}
