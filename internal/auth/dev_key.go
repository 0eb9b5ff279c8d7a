package auth

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

const (
	// DevIssuer is the "iss" of dev tokens.
	DevIssuer = "snapnote-dev"
	// DevAudience is the "aud" of dev tokens.
	DevAudience = "snapnote"

	devKeyFile = "dev-signing-key.pem"
	devKeyBits = 2048
)

// DevKey is the local RSA signing key of dev auth, with its kid.
type DevKey struct {
	key *rsa.PrivateKey
	kid string
}

// LoadOrCreateDevKey reads dir/dev-signing-key.pem (a PKCS#8 PEM RSA key). When the file is missing it creates
// dir (0700) and a new 2048-bit key, written atomically with mode 0600; when two processes race to create it,
// both end up with the one that reached the disk first. The kid is the base64url SHA-256 JWK thumbprint
// (RFC 7638), so it is the same on every load. Returns an error naming the file when it cannot be read, parsed
// or written.
func LoadOrCreateDevKey(dir string) (*DevKey, error) {
	path := filepath.Join(dir, devKeyFile)
	key, err := readDevKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		key, err = createDevKey(dir, path)
	}
	if err != nil {
		return nil, err
	}
	kid, err := thumbprintKID(&key.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("computing kid of dev signing key %s: %w", path, err)
	}
	return &DevKey{key: key, kid: kid}, nil
}

func readDevKey(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading dev signing key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("reading dev signing key %s: no PKCS#8 \"PRIVATE KEY\" PEM block", path)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parsing dev signing key %s: %w", path, err)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("parsing dev signing key %s: %T is not an RSA key", path, parsed)
	}
	return key, nil
}

// createDevKey writes a new key to a temporary file and links it into place, which fails rather than replaces
// when another process got there first; then that process's key is the one to use.
func createDevKey(dir, path string) (*rsa.PrivateKey, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating dev key directory: %w", err)
	}
	key, err := rsa.GenerateKey(rand.Reader, devKeyBits)
	if err != nil {
		return nil, fmt.Errorf("generating dev signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encoding dev signing key: %w", err)
	}

	tmp, err := os.CreateTemp(dir, ".dev-signing-key-*.pem") // mode 0600
	if err != nil {
		return nil, fmt.Errorf("creating dev signing key file: %w", err)
	}
	// Once linked, the temporary name is a second link to the installed key; after a failure it is a partial
	// file. Either way it goes, and a failure to remove it must not fail the load.
	defer func() { _ = os.Remove(tmp.Name()) }()
	if err := pem.Encode(tmp, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		_ = tmp.Close()
		return nil, fmt.Errorf("writing dev signing key %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return nil, fmt.Errorf("syncing dev signing key %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("closing dev signing key %s: %w", tmp.Name(), err)
	}

	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readDevKey(path)
		}
		return nil, fmt.Errorf("installing dev signing key %s: %w", path, err)
	}
	return key, nil
}

func thumbprintKID(pub *rsa.PublicKey) (string, error) {
	jwk := jose.JSONWebKey{Key: pub}
	sum, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("computing JWK thumbprint: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(sum), nil
}

// JWKS returns the public half of k as a key set: one RSA key with its kid, use "sig" and alg RS256.
func (k *DevKey) JWKS() *jose.JSONWebKeySet {
	return &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key:       &k.key.PublicKey,
		KeyID:     k.kid,
		Algorithm: string(jose.RS256),
		Use:       "sig",
	}}}
}

// JWKSHandler serves JWKS() as application/json; it is meant for /.well-known/jwks.json.
func (k *DevKey) JWKSHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		body, err := json.Marshal(k.JWKS())
		if err != nil {
			http.Error(w, "cannot encode JWKS", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
}

// devTokenClaims are the profile claims of a dev token, under their standard names.
type devTokenClaims struct {
	Email         string `json:"email,omitempty"`
	EmailVerified bool   `json:"email_verified,omitempty"`
	Name          string `json:"name,omitempty"`
	Picture       string `json:"picture,omitempty"`
}

// Token signs an RS256 access token for c with iss=DevIssuer, aud=DevAudience, iat and nbf now, exp now+ttl,
// and k's kid in the header. Returns an error when c has no Subject or ttl is not positive.
func (k *DevKey) Token(c Claims, ttl time.Duration) (string, error) {
	if c.Subject == "" {
		return "", errors.New("signing dev token: subject is required")
	}
	if ttl <= 0 {
		return "", fmt.Errorf("signing dev token: ttl must be positive, got %s", ttl)
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: k.key, KeyID: k.kid}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		return "", fmt.Errorf("signing dev token: building signer: %w", err)
	}
	now := time.Now()
	registered := jwt.Claims{
		Issuer:    DevIssuer,
		Subject:   c.Subject,
		Audience:  jwt.Audience{DevAudience},
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now),
		Expiry:    jwt.NewNumericDate(now.Add(ttl)),
	}
	profile := devTokenClaims{Email: c.Email, EmailVerified: c.EmailVerified, Name: c.Name, Picture: c.Picture}
	token, err := jwt.Signed(signer).Claims(registered).Claims(profile).Serialize()
	if err != nil {
		return "", fmt.Errorf("signing dev token: %w", err)
	}
	return token, nil
}
