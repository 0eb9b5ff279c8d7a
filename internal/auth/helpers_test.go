package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/require"
)

const testAudience = "https://api.snapnote.test"

// testKeys are RSA keys generated once per test binary: 2048-bit generation is slow under -race.
type testKeys struct {
	primary  *rsa.PrivateKey // published by the test issuers
	rotated  *rsa.PrivateKey // published after a rotation
	impostor *rsa.PrivateKey // never published; signs with primary's kid
}

var (
	keysOnce  sync.Once
	keysValue testKeys
	keysErr   error
)

func sharedKeys(t *testing.T) testKeys {
	t.Helper()
	keysOnce.Do(func() {
		var wg sync.WaitGroup
		var errs [3]error
		for i, dst := range []**rsa.PrivateKey{&keysValue.primary, &keysValue.rotated, &keysValue.impostor} {
			wg.Go(func() { *dst, errs[i] = rsa.GenerateKey(rand.Reader, 2048) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				keysErr = err
			}
		}
	})
	require.NoError(t, keysErr)
	return keysValue
}

func kidOf(t *testing.T, key *rsa.PrivateKey) string {
	t.Helper()
	kid, err := thumbprintKID(&key.PublicKey)
	require.NoError(t, err)
	return kid
}

func publicJWKS(t *testing.T, key *rsa.PrivateKey) *jose.JSONWebKeySet {
	t.Helper()
	return &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &key.PublicKey, KeyID: kidOf(t, key), Algorithm: string(jose.RS256), Use: "sig",
	}}}
}

// issuerServer is an OIDC issuer: a discovery document and a JWKS that a test can swap or make fail.
type issuerServer struct {
	server        *httptest.Server
	issuer        string // with the trailing slash, as Auth0 writes it
	jwksURL       string
	keys          atomic.Pointer[jose.JSONWebKeySet]
	failStatus    atomic.Int32 // when non-zero, the JWKS endpoint answers this status with a JSON error body
	discoveryHits atomic.Int32
	jwksFetches   atomic.Int32
}

func newIssuerServer(t *testing.T, keys *jose.JSONWebKeySet) *issuerServer {
	t.Helper()
	s := &issuerServer{}
	s.keys.Store(keys)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		s.discoveryHits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": s.issuer, "jwks_uri": s.jwksURL})
	})
	mux.HandleFunc("GET /jwks.json", func(w http.ResponseWriter, _ *http.Request) {
		s.jwksFetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if status := int(s.failStatus.Load()); status != 0 {
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"statusCode":429,"error":"Too Many Requests","message":"Global limit has been reached"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(s.keys.Load())
	})
	s.server = httptest.NewServer(mux)
	t.Cleanup(s.server.Close)
	s.issuer = s.server.URL + "/"
	s.jwksURL = s.server.URL + "/jwks.json"
	return s
}

// validClaims are the claims of a good token from issuer, as a map so that a test case can break one.
func validClaims(issuer string) map[string]any {
	now := time.Now()
	return map[string]any{
		"iss": issuer,
		"sub": "auth0|user-1",
		"aud": []string{testAudience, issuer + "userinfo"},
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": now.Add(5 * time.Minute).Unix(),
	}
}

// with returns a copy of claims with the given changes; a nil value deletes the claim.
func with(claims map[string]any, changes map[string]any) map[string]any {
	out := maps.Clone(claims)
	for k, v := range changes {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

// signToken signs claims with alg and key (an RSA private key or HMAC secret), putting kid in the header when
// it is not empty.
func signToken(t *testing.T, alg jose.SignatureAlgorithm, key any, kid string, claims map[string]any) string {
	t.Helper()
	signingKey := jose.SigningKey{Algorithm: alg, Key: key}
	if kid != "" {
		signingKey.Key = jose.JSONWebKey{Key: key, KeyID: kid}
	}
	signer, err := jose.NewSigner(signingKey, (&jose.SignerOptions{}).WithType("JWT"))
	require.NoError(t, err)
	token, err := jwt.Signed(signer).Claims(claims).Serialize()
	require.NoError(t, err)
	return token
}

// unsignedToken builds an "alg":"none" token, which go-jose refuses to produce.
func unsignedToken(t *testing.T, kid string, claims map[string]any) string {
	t.Helper()
	header, err := json.Marshal(map[string]string{"alg": "none", "typ": "JWT", "kid": kid})
	require.NoError(t, err)
	payload, err := json.Marshal(claims)
	require.NoError(t, err)
	return base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload) + "."
}

// writeDevKeyFile stores key as dir/dev-signing-key.pem, the way LoadOrCreateDevKey writes it, so that tests can
// load a dev key without generating one.
func writeDevKeyFile(t *testing.T, dir string, key *rsa.PrivateKey) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	data := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	require.NoError(t, os.WriteFile(filepath.Join(dir, devKeyFile), data, 0o600))
}

func newTestValidator(t *testing.T, cfg Config) *Validator {
	t.Helper()
	v, err := NewValidator(cfg)
	require.NoError(t, err)
	return v
}
