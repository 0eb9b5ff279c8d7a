package api_test

import (
	"net/http"
	"net/netip"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
)

func TestRateLimitPerUser(t *testing.T) {
	t.Parallel()
	b := apitest.SetupWith(t, func(c *api.Config) { c.RateLimit, c.RateBurst = 0.5, 3 })
	alice, bob := b.User("alice"), b.User("bob")
	for range 3 {
		require.Equal(t, http.StatusOK, alice.Do(http.MethodGet, "/api/user", nil, "").Status)
	}
	res := alice.Do(http.MethodGet, "/api/user", nil, "")
	apitest.RequireProblem(t, res, http.StatusTooManyRequests)
	wait, err := strconv.Atoi(res.Header.Get("Retry-After"))
	require.NoError(t, err)
	require.Positive(t, wait)
	require.Equal(t, http.StatusOK, bob.Do(http.MethodGet, "/api/user", nil, "").Status, "each user has a bucket of their own")
	require.Equal(t, http.StatusOK, b.Request(http.MethodGet, "/api/health", nil, nil).Status, "health is never limited")
}

func TestCORS(t *testing.T) {
	t.Parallel()
	b := apitest.SetupWith(t, func(c *api.Config) { c.CORSOrigins = []string{"https://app.snapnote.test"} })

	res := b.Request(http.MethodOptions, "/api/uploads", nil, map[string]string{
		"Origin": "https://app.snapnote.test", "Access-Control-Request-Method": "POST",
		"Access-Control-Request-Headers": "authorization, content-type"})
	require.Equal(t, http.StatusNoContent, res.Status, "a preflight needs no token")
	require.Equal(t, "https://app.snapnote.test", res.Header.Get("Access-Control-Allow-Origin"))
	require.Contains(t, res.Header.Get("Access-Control-Allow-Headers"), "Authorization")

	res = b.Request(http.MethodGet, "/api/health", nil, map[string]string{"Origin": "https://evil.test"})
	require.Equal(t, http.StatusOK, res.Status)
	require.Empty(t, res.Header.Get("Access-Control-Allow-Origin"), "other origins get no CORS headers")

	res = b.Request(http.MethodOptions, "/api/uploads", nil, map[string]string{
		"Origin": "https://evil.test", "Access-Control-Request-Method": "POST"})
	require.Empty(t, res.Header.Get("Access-Control-Allow-Origin"))
}

// Garbage from one address is refused before its token is read, with 429
// and Retry-After, while another address behind the same trusted proxy is
// untouched; an untrusted peer cannot pick its address with the header.
func TestRateLimitPerClientAddress(t *testing.T) {
	t.Parallel()
	b := apitest.SetupWith(t, func(c *api.Config) {
		c.RateLimitIP, c.RateBurstIP = 0.5, 3
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	from := func(addr string) map[string]string {
		return map[string]string{"Authorization": "Bearer garbage", "X-Forwarded-For": addr}
	}
	for range 3 {
		require.Equal(t, http.StatusUnauthorized, b.Request(http.MethodGet, "/api/courses", nil, from("203.0.113.7")).Status)
	}
	res := b.Request(http.MethodGet, "/api/courses", nil, from("203.0.113.7"))
	apitest.RequireProblem(t, res, http.StatusTooManyRequests)
	wait, err := strconv.Atoi(res.Header.Get("Retry-After"))
	require.NoError(t, err)
	require.Positive(t, wait)
	apitest.RequireProblem(t, b.Request(http.MethodGet, "/api/courses", nil, from("1.2.3.4, 203.0.113.7")), http.StatusTooManyRequests)
	require.Equal(t, http.StatusUnauthorized, b.Request(http.MethodGet, "/api/courses", nil, from("198.51.100.1")).Status)
	alice := b.User("alice")
	require.Equal(t, http.StatusOK, alice.Do(http.MethodGet, "/api/user", nil, "").Status, "another address is not limited")

	direct := apitest.SetupWith(t, func(c *api.Config) { c.RateLimitIP, c.RateBurstIP = 0.5, 2 })
	for _, addr := range []string{"203.0.113.1", "203.0.113.2"} {
		require.Equal(t, http.StatusUnauthorized, direct.Request(http.MethodGet, "/api/courses", nil, from(addr)).Status)
	}
	apitest.RequireProblem(t, direct.Request(http.MethodGet, "/api/courses", nil, from("203.0.113.3")), http.StatusTooManyRequests)
}
