// Package auth says who the caller is: it validates RS256 JWT access tokens from Auth0 or any OIDC issuer, or
// from the local dev issuer, and puts the caller's Claims in the request context.
//
// # Validation
//
// A Validator is built by NewValidator from a Config and uses go-jwt-middleware v2's validator for every kind
// of issuer. A token is accepted only when all of these hold:
//
//   - it is a compact JWS whose header says alg RS256 (none, HS256, RS512, ... are refused before any key is
//     looked at) and carries a kid;
//   - the kid names a key of the issuer's key set, and that key verifies the signature;
//   - iss equals Config.Issuer exactly (Auth0's issuer ends in "/": "https://tenant.eu.auth0.com/");
//   - aud contains Config.Audience;
//   - exp is present, and exp, nbf and iat are honoured with Config.ClockSkew of leeway (30s by default);
//   - sub is present.
//
// The profile claims email, email_verified, name and picture are optional. Each is read from its standard name
// or else from a namespaced claim ending in "/" plus that name, such as "https://snapnote.app/email", the only
// shape of custom claim an Auth0 access token can carry.
//
// # Keys
//
// With Config.Keys set, the Validator uses those keys and fetches nothing. Otherwise it fetches the issuer's
// JWKS, from Config.JWKSURL or from the jwks_uri of Issuer's /.well-known/openid-configuration, lazily on the
// first token, and caches it for Config.CacheTTL (10 minutes by default). A fetch that fails, including an
// error status, caches nothing; ValidateToken then returns an error wrapping ErrKeysUnavailable.
//
// Key rotation: the cache is refreshed synchronously, so the first token validated after CacheTTL has passed
// waits for the fresh JWKS and a token signed with a newly published key is accepted from then on. Before the
// TTL has passed, a token with an unknown kid is rejected without a refetch: go-jwt-middleware v2.3.1 does not
// refetch on a cache miss. Identity providers publish the next key well before signing with it (Auth0 does),
// so the TTL only matters for a key that is used the moment it is published.
//
// # Middleware
//
// Middleware requires a valid bearer token on every request it wraps. It answers 401 with
// application/problem+json and a WWW-Authenticate: Bearer challenge for a missing, malformed or rejected token,
// and 503 when the keys cannot be fetched. It checks OPTIONS requests too, so CORS preflight handling belongs
// outside it. Handlers read the caller with ClaimsFromContext.
//
// # Dev auth
//
// LoadOrCreateDevKey keeps an RSA signing key in the data directory. Its JWKSHandler publishes the public key
// and Token signs tokens with iss DevIssuer and aud DevAudience. Dev tokens are checked by the same validator as
// production ones: NewValidator(Config{Issuer: DevIssuer, Audience: DevAudience, Keys: key.JWKS()}).
package auth
