package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Claims are the identity facts the service uses from a validated token.
type Claims struct {
	// Subject is the "sub" claim: the caller's stable id at the issuer. Never empty in a validated token.
	Subject string
	// Email is the "email" claim, or a namespaced claim ending in "/email"; empty when absent.
	Email string
	// EmailVerified is the "email_verified" claim (or a namespaced one); false when absent.
	EmailVerified bool
	// Name is the "name" claim (or a namespaced one); empty when absent.
	Name string
	// Picture is the "picture" claim (or a namespaced one), a URL; empty when absent.
	Picture string
}

type claimsContextKey struct{}

// ContextWithClaims returns a copy of ctx carrying c, as Middleware does for a request with a valid token.
// It is for tests and in-process callers that act on behalf of a known user.
func ContextWithClaims(ctx context.Context, c *Claims) context.Context {
	return context.WithValue(ctx, claimsContextKey{}, c)
}

// ClaimsFromContext returns the claims that Middleware (or ContextWithClaims) put in ctx, and false when there
// are none.
func ClaimsFromContext(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(claimsContextKey{}).(*Claims)
	return c, ok && c != nil
}

// profileClaims receives the optional profile claims of a token. The validator unmarshals the verified payload
// into it; "sub" is read from the registered claims instead.
type profileClaims struct {
	email         string
	emailVerified bool
	name          string
	picture       string
}

// Validate implements validator.CustomClaims. Every profile claim is optional, so there is nothing to reject.
func (p *profileClaims) Validate(context.Context) error {
	return nil
}

// UnmarshalJSON reads each profile claim from its standard name or, failing that, from a namespaced claim
// ending in "/name": Auth0 access tokens carry only namespaced custom claims such as
// "https://snapnote.app/email". A claim of the wrong JSON type counts as absent rather than rejecting an
// otherwise valid token.
func (p *profileClaims) UnmarshalJSON(data []byte) error {
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("decoding profile claims: %w", err)
	}
	p.email = stringClaim(raw, "email")
	p.emailVerified = boolClaim(raw, "email_verified")
	p.name = stringClaim(raw, "name")
	p.picture = stringClaim(raw, "picture")
	return nil
}

// lookupClaim returns the claim called name, else the namespaced claim ending in "/"+name that sorts first, else
// nil.
func lookupClaim(raw map[string]any, name string) any {
	if v, ok := raw[name]; ok {
		return v
	}
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		if strings.HasSuffix(key, "/"+name) {
			return raw[key]
		}
	}
	return nil
}

func stringClaim(raw map[string]any, name string) string {
	s, _ := lookupClaim(raw, name).(string)
	return s
}

// boolClaim accepts a JSON boolean, or a string such as "true" as some providers send.
func boolClaim(raw map[string]any, name string) bool {
	switch b := lookupClaim(raw, name).(type) {
	case bool:
		return b
	case string:
		parsed, err := strconv.ParseBool(b)
		return err == nil && parsed
	default:
		return false
	}
}
