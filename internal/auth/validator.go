package auth

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/auth0/go-jwt-middleware/v2/jwks"
	"github.com/auth0/go-jwt-middleware/v2/validator"
	"github.com/go-jose/go-jose/v4"
	josev2 "gopkg.in/go-jose/go-jose.v2"
)

const (
	defaultCacheTTL  = 10 * time.Minute
	defaultClockSkew = 30 * time.Second
	// defaultRefetchInterval spaces out the JWKS refetches that tokens with an unknown kid trigger.
	defaultRefetchInterval = 30 * time.Second
	// maxSubjectLength is the most characters of "sub" the users table can hold (auth0_user_id VARCHAR(255)).
	maxSubjectLength = 255
	// jwksFetchTimeout bounds one discovery or JWKS request. Every request that needs the fetch waits for it,
	// so keep this short.
	jwksFetchTimeout = 10 * time.Second
)

var (
	// ErrInvalidToken is wrapped by every error ValidateToken returns for a token it rejects.
	ErrInvalidToken = errors.New("invalid token")
	// ErrKeysUnavailable is wrapped by the error ValidateToken returns when the verification keys could not be
	// fetched from the issuer: the token was not judged, and the caller should retry later.
	ErrKeysUnavailable = errors.New("verification keys unavailable")
)

// Config says which tokens a Validator accepts and where it finds their verification keys.
type Config struct {
	// Issuer is the exact expected "iss", e.g. "https://tenant.eu.auth0.com/" (the trailing slash matters).
	// Required. Without JWKSURL or Keys it must be an http(s) URL, the base of OIDC discovery.
	Issuer string
	// Audience is the "aud" every token must contain. Required.
	Audience string
	// JWKSURL overrides discovery; when empty, the JWKS is found through Issuer's
	// /.well-known/openid-configuration.
	JWKSURL string
	// CacheTTL is how long a fetched JWKS is used before it is fetched again; zero means the default, 10m.
	CacheTTL time.Duration
	// RefetchInterval is the least time between two early JWKS fetches triggered by tokens whose kid the cached
	// set lacks; zero means the default, 30s.
	RefetchInterval time.Duration
	// ClockSkew is the leeway allowed on exp, nbf and iat; zero means the default, 30s.
	ClockSkew time.Duration
	// Keys, when set, supplies the verification keys directly (dev auth) instead of fetching a JWKS; everything
	// else (algorithm RS256 only, iss, aud, exp/nbf, claim parsing) goes through exactly the same validator.
	// Each key must be RSA and have a kid.
	Keys *jose.JSONWebKeySet
	// DataDir is the DATA_DIR that Keys were loaded from in dev auth. When set, the rejection of a token signed
	// by another key says to make tokens with the server's DATA_DIR (the usual cause) and the log names it; the
	// client never learns the path.
	DataDir string
}

// Validator checks RS256 JWT access tokens against one issuer and audience. It is safe for concurrent use.
type Validator struct {
	jwt *validator.Validator
}

// NewValidator builds the token validator. It fetches nothing: the first token to validate triggers the
// discovery and JWKS requests. Returns an error naming the field when cfg is incomplete or malformed.
func NewValidator(cfg Config) (*Validator, error) {
	if cfg.Issuer == "" {
		return nil, errors.New("auth config: Issuer is required")
	}
	if cfg.Audience == "" {
		return nil, errors.New("auth config: Audience is required")
	}
	if cfg.CacheTTL < 0 {
		return nil, fmt.Errorf("auth config: CacheTTL must not be negative, got %s", cfg.CacheTTL)
	}
	if cfg.RefetchInterval < 0 {
		return nil, fmt.Errorf("auth config: RefetchInterval must not be negative, got %s", cfg.RefetchInterval)
	}
	if cfg.ClockSkew < 0 {
		return nil, fmt.Errorf("auth config: ClockSkew must not be negative, got %s", cfg.ClockSkew)
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = defaultCacheTTL
	}
	if cfg.RefetchInterval == 0 {
		cfg.RefetchInterval = defaultRefetchInterval
	}
	if cfg.ClockSkew == 0 {
		cfg.ClockSkew = defaultClockSkew
	}

	var keys keySource
	var err error
	if cfg.Keys != nil {
		keys, err = staticKeys(cfg)
	} else {
		keys, err = fetchedKeys(cfg)
	}
	if err != nil {
		return nil, err
	}

	jwtValidator, err := validator.New(
		keyFunc(keys, cfg.DataDir),
		validator.RS256,
		cfg.Issuer,
		[]string{cfg.Audience},
		validator.WithCustomClaims(func() validator.CustomClaims { return &profileClaims{} }),
		validator.WithAllowedClockSkew(cfg.ClockSkew),
	)
	if err != nil {
		return nil, fmt.Errorf("building token validator: %w", err)
	}
	return &Validator{jwt: jwtValidator}, nil
}

// ValidateToken returns the claims of a valid token. It returns an error wrapping ErrInvalidToken when the token
// is rejected (malformed, not RS256, unknown kid, bad signature, wrong iss or aud, expired, not yet valid, no
// sub or no exp, a sub the users table cannot hold), or one wrapping ErrKeysUnavailable when the issuer's keys
// could not be fetched.
func (v *Validator) ValidateToken(ctx context.Context, token string) (*Claims, error) {
	// The key func cannot see the token, and the kid decides whether the key set must be refetched.
	ctx = context.WithValue(ctx, tokenKIDKey{}, headerKID(token))
	result, err := v.jwt.ValidateToken(ctx, token)
	if err != nil {
		if errors.Is(err, ErrKeysUnavailable) {
			return nil, fmt.Errorf("validating token: %w", err)
		}
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	validated, ok := result.(*validator.ValidatedClaims)
	if !ok {
		return nil, fmt.Errorf("validating token: unexpected claims type %T", result)
	}
	profile, ok := validated.CustomClaims.(*profileClaims)
	if !ok {
		return nil, fmt.Errorf("validating token: unexpected custom claims type %T", validated.CustomClaims)
	}
	if validated.RegisteredClaims.Subject == "" {
		return nil, fmt.Errorf("%w: missing sub claim", ErrInvalidToken)
	}
	if err := checkSubjectStorable(validated.RegisteredClaims.Subject); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if err := checkRawSubject(token); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	// go-jose checks exp only when present; an access token without one would be valid forever (RFC 9068
	// requires it).
	if validated.RegisteredClaims.Expiry == 0 {
		return nil, fmt.Errorf("%w: missing exp claim", ErrInvalidToken)
	}
	return &Claims{
		Subject:       validated.RegisteredClaims.Subject,
		Email:         profile.email,
		EmailVerified: profile.emailVerified,
		Name:          profile.name,
		Picture:       profile.picture,
	}, nil
}

// keySource returns the key set to verify a token whose header names kid (empty when it names none).
type keySource func(ctx context.Context, kid string) (*josev2.JSONWebKeySet, error)

type tokenKIDKey struct{}

// keyFunc adapts keys to go-jwt-middleware's key func, which runs after the algorithm check. The key func
// cannot see the token, so it returns the whole set and go-jose picks the key whose kid matches the token's
// header; a kid that names no key is rejected here, so that the rejection can say so.
func keyFunc(keys keySource, dataDir string) func(context.Context) (any, error) {
	return func(ctx context.Context) (any, error) {
		kid, _ := ctx.Value(tokenKIDKey{}).(string)
		set, err := keys(ctx, kid)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrKeysUnavailable, err)
		}
		if kid != "" && len(set.Key(kid)) == 0 {
			return nil, unknownKeyRejection(kid, dataDir)
		}
		return set, nil
	}
}

// headerKID returns the kid of a compact JWS's protected header, or "" when there is none or the token is
// malformed (the validator then rejects it before asking for keys).
func headerKID(token string) string {
	header, _, ok := strings.Cut(token, ".")
	if !ok {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(header)
	if err != nil {
		return ""
	}
	var h struct {
		KID string `json:"kid"`
	}
	if json.Unmarshal(raw, &h) != nil {
		return ""
	}
	return h.KID
}

// staticKeys serves cfg.Keys. The set is converted once to the go-jose v2 type that go-jwt-middleware v2
// understands; private halves are dropped.
func staticKeys(cfg Config) (keySource, error) {
	if cfg.JWKSURL != "" {
		return nil, errors.New("auth config: set either JWKSURL or Keys, not both")
	}
	if len(cfg.Keys.Keys) == 0 {
		return nil, errors.New("auth config: Keys holds no key")
	}
	set := &josev2.JSONWebKeySet{}
	for i, key := range cfg.Keys.Keys {
		if key.KeyID == "" {
			return nil, fmt.Errorf("auth config: Keys[%d] has no kid", i)
		}
		public := key.Public()
		rsaKey, ok := public.Key.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("auth config: Keys[%d] (kid %q) is not an RSA key", i, key.KeyID)
		}
		set.Keys = append(set.Keys, josev2.JSONWebKey{
			Key:       rsaKey,
			KeyID:     key.KeyID,
			Algorithm: key.Algorithm,
			Use:       key.Use,
		})
	}
	return func(context.Context, string) (*josev2.JSONWebKeySet, error) { return set, nil }, nil
}

// fetchedKeys serves the issuer's JWKS, found by discovery or at cfg.JWKSURL, through a keyCache: refreshed
// synchronously once CacheTTL has passed, and refetched early (at most once per RefetchInterval) for a token
// whose kid it lacks, so a rotated key is accepted from its first token.
func fetchedKeys(cfg Config) (keySource, error) {
	client := &http.Client{Timeout: jwksFetchTimeout, Transport: statusCheckingTransport{base: http.DefaultTransport}}
	opts := []jwks.ProviderOption{jwks.WithCustomClient(client)}

	var providerURL *url.URL
	if cfg.JWKSURL != "" {
		jwksURL, err := parseHTTPURL(cfg.JWKSURL)
		if err != nil {
			return nil, fmt.Errorf("auth config: JWKSURL: %w", err)
		}
		opts = append(opts, jwks.WithCustomJWKSURI(jwksURL))
		providerURL = jwksURL
	} else {
		issuerURL, err := parseHTTPURL(cfg.Issuer)
		if err != nil {
			return nil, fmt.Errorf("auth config: Issuer (used for OIDC discovery, as JWKSURL is empty): %w", err)
		}
		providerURL = issuerURL
	}

	provider := jwks.NewProvider(providerURL, opts...)
	cache := &keyCache{
		fetch: func(ctx context.Context) (*josev2.JSONWebKeySet, error) {
			keys, err := provider.KeyFunc(ctx)
			if err != nil {
				return nil, fmt.Errorf("fetching JWKS: %w", err)
			}
			set, ok := keys.(*josev2.JSONWebKeySet)
			if !ok {
				return nil, fmt.Errorf("fetching JWKS: unexpected key set type %T", keys)
			}
			return set, nil
		},
		ttl:             cfg.CacheTTL,
		refetchInterval: cfg.RefetchInterval,
	}
	return cache.keysFor, nil
}

func parseHTTPURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("parsing URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	return u, nil
}

// statusCheckingTransport makes an error status from the JWKS endpoint fail the fetch. go-jwt-middleware
// decodes the JWKS body whatever the status, so a JSON error body (Auth0's 429 is one) would otherwise be
// cached as an empty key set and reject every token for a whole CacheTTL. The body is replaced with one whose
// Read fails, so the provider's decode error says what happened and nothing is cached.
type statusCheckingTransport struct {
	base http.RoundTripper
}

func (t statusCheckingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || resp.StatusCode < http.StatusBadRequest {
		return resp, err
	}
	_ = resp.Body.Close() // the fetch fails either way; a close error would add nothing
	resp.Body = io.NopCloser(errorReader{err: fmt.Errorf("%s answered %s", req.URL.Redacted(), resp.Status)})
	return resp, nil
}

type errorReader struct{ err error }

func (r errorReader) Read([]byte) (int, error) { return 0, r.err }
