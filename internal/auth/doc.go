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
// Key rotation: a token whose kid the cached set lacks makes the Validator fetch the JWKS again at once, so a
// key the issuer has just published is accepted on the first token signed with it. Such early fetches start at
// most once per Config.RefetchInterval (30 seconds by default), and concurrent requests wait for the one fetch
// in flight, so tokens with made-up kids cannot flood the issuer. After CacheTTL the cache is refreshed
// synchronously by the next token. A kid that is still unknown is rejected with a detail naming it (and, in dev
// auth, Config.DataDir, whose key the server has).
//
// The sub claim must fit the users table: at most 255 characters and no NUL. Other tokens are rejected here,
// with a detail saying why, rather than failing at the database on every request.
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
