package auth

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/auth0/go-jwt-middleware/v2/jwks"
	"github.com/auth0/go-jwt-middleware/v2/validator"
	"github.com/go-jose/go-jose/v4"
	josev2 "gopkg.in/go-jose/go-jose.v2"
)

const (
	defaultCacheTTL  = 10 * time.Minute
	defaultClockSkew = 30 * time.Second
	// jwksFetchTimeout bounds one discovery or JWKS request. The caching provider holds its lock while it
	// fetches, so every request waits for a slow identity provider: keep this short.
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
	// ClockSkew is the leeway allowed on exp, nbf and iat; zero means the default, 30s.
	ClockSkew time.Duration
	// Keys, when set, supplies the verification keys directly (dev auth) instead of fetching a JWKS; everything
	// else (algorithm RS256 only, iss, aud, exp/nbf, claim parsing) goes through exactly the same validator.
	// Each key must be RSA and have a kid.
	Keys *jose.JSONWebKeySet
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
	if cfg.ClockSkew < 0 {
		return nil, fmt.Errorf("auth config: ClockSkew must not be negative, got %s", cfg.ClockSkew)
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = defaultCacheTTL
	}
	if cfg.ClockSkew == 0 {
		cfg.ClockSkew = defaultClockSkew
	}

	var keyFunc func(context.Context) (any, error)
	var err error
	if cfg.Keys != nil {
		keyFunc, err = staticKeyFunc(cfg)
	} else {
		keyFunc, err = fetchedKeyFunc(cfg)
	}
	if err != nil {
		return nil, err
	}

	jwtValidator, err := validator.New(
		keyFunc,
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
// sub or no exp), or one wrapping ErrKeysUnavailable when the issuer's keys could not be fetched.
func (v *Validator) ValidateToken(ctx context.Context, token string) (*Claims, error) {
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

// staticKeyFunc serves cfg.Keys to the validator. The key func cannot see the token, so it returns the whole
// set, as the JWKS provider does, and go-jose picks the key whose kid matches the token's header. The set is
// converted once to the go-jose v2 type that go-jwt-middleware v2 understands; private halves are dropped.
func staticKeyFunc(cfg Config) (func(context.Context) (any, error), error) {
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
	return func(context.Context) (any, error) { return set, nil }, nil
}

// fetchedKeyFunc serves the issuer's JWKS through go-jwt-middleware's caching provider, found by discovery or
// at cfg.JWKSURL. Synchronous refresh: once CacheTTL has passed, the next token waits for the fresh JWKS rather
// than being judged against the stale one, so a rotated key is accepted from the first request after the TTL.
// Before the TTL an unknown kid is rejected without a fetch (the provider cannot refetch on a cache miss).
func fetchedKeyFunc(cfg Config) (func(context.Context) (any, error), error) {
	client := &http.Client{Timeout: jwksFetchTimeout, Transport: statusCheckingTransport{base: http.DefaultTransport}}
	opts := []any{jwks.WithCustomClient(client), jwks.WithSynchronousRefresh(true)}

	var providerURL *url.URL
	if cfg.JWKSURL != "" {
		jwksURL, err := parseHTTPURL(cfg.JWKSURL)
		if err != nil {
			return nil, fmt.Errorf("auth config: JWKSURL: %w", err)
		}
		opts = append(opts, jwks.WithCustomJWKSURI(jwksURL))
		// With a custom JWKS URI the provider uses its issuer URL only as a cache key, so the issuer need not
		// be a URL here.
		providerURL = jwksURL
	} else {
		issuerURL, err := parseHTTPURL(cfg.Issuer)
		if err != nil {
			return nil, fmt.Errorf("auth config: Issuer (used for OIDC discovery, as JWKSURL is empty): %w", err)
		}
		providerURL = issuerURL
	}

	provider := jwks.NewCachingProvider(providerURL, cfg.CacheTTL, opts...)
	return func(ctx context.Context) (any, error) {
		keys, err := provider.KeyFunc(ctx)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrKeysUnavailable, err)
		}
		return keys, nil
	}, nil
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
