package api_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
)

func TestAuthRejections(t *testing.T) {
	t.Parallel()
	b := setup(t)
	iss := b.issuer

	hs256 := func() string {
		// The classic confusion attack: HMAC keyed with the RSA public key.
		pub, err := json.Marshal(jose.JSONWebKey{Key: &iss.key.PublicKey})
		require.NoError(t, err)
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: pub},
			(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", iss.kid))
		require.NoError(t, err)
		return iss.sign(t, signer, claims{Sub: "mallory"})
	}
	algNone := func() string {
		enc := base64.RawURLEncoding.EncodeToString
		payload, err := json.Marshal(map[string]any{"sub": "mallory", "iss": iss.url, "aud": testAudience,
			"exp": time.Now().Add(time.Hour).Unix()})
		require.NoError(t, err)
		return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc(payload) + "."
	}

	for name, header := range map[string]string{
		"no token":       "",
		"not bearer":     "Basic YWxpY2U6c2VjcmV0",
		"garbage":        "Bearer not-a-jwt",
		"expired":        "Bearer " + iss.token(t, claims{Sub: "mallory", Expiry: time.Now().Add(-time.Hour)}),
		"wrong audience": "Bearer " + iss.token(t, claims{Sub: "mallory", Audience: "https://other.api"}),
		"wrong issuer":   "Bearer " + iss.token(t, claims{Sub: "mallory", Issuer: strings.TrimSuffix(iss.url, "/")}),
		"alg none":       "Bearer " + algNone(),
		"HS256":          "Bearer " + hs256(),
	} {
		t.Run(name, func(t *testing.T) {
			for _, req := range []struct{ method, path, body string }{
				{http.MethodPost, "/api/courses", `{"name":"Sneaky"}`},
				{http.MethodGet, "/api/user", ""},
				{http.MethodGet, "/api/uploads", ""},
			} {
				res := b.request(req.method, req.path, strings.NewReader(req.body),
					map[string]string{"Authorization": header, "Content-Type": "application/json"})
				requireProblem(t, res, http.StatusUnauthorized)
				require.True(t, strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer"),
					"WWW-Authenticate %q", res.Header.Get("WWW-Authenticate"))
			}
		})
	}
	require.Zero(t, b.count("users"), "a rejected token creates no user")
	require.Zero(t, b.count("courses"))

	// The public routes stay open; a valid token is let in and its user made.
	require.Equal(t, http.StatusOK, b.request(http.MethodGet, "/api/health", nil, nil).Status)
	require.Equal(t, http.StatusOK, b.request(http.MethodGet, "/api/health/db", nil, nil).Status)
	require.Equal(t, http.StatusOK, b.request(http.MethodGet, "/openapi.json", nil, nil).Status)
	alice := b.user("alice")
	res := alice.do(http.MethodGet, "/api/user", nil, "")
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var me struct {
		Email string `json:"email"`
	}
	res.json(t, &me)
	require.Equal(t, "alice@example.edu", me.Email)
	require.Equal(t, 1, b.count("users"))
}

// A token may carry no email, name or picture; the user is made all the same.
func TestUserFromSparseToken(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := &user{b: b, token: b.issuer.token(t, claims{Sub: "auth0|sparse"})}
	res := u.do(http.MethodGet, "/api/user", nil, "")
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)

	res = u.do(http.MethodPatch, "/api/user", strings.NewReader(`{"name":"  Ada  "}`), "application/json")
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Contains(t, string(res.Body), `"name":"Ada"`)
	requireProblem(t, u.do(http.MethodPatch, "/api/user", strings.NewReader(`{"name":"   "}`), "application/json"),
		http.StatusUnprocessableEntity)
	require.Equal(t, 1, b.count("users"))
}

// A signed token whose sub the users table cannot hold is refused as a 401 that says why, not a 503 from the
// failed upsert: retrying would never help.
func TestAuthSubjectCannotBeStored(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for sub, detail := range map[string]string{
		strings.Repeat("x", 256): "token subject cannot be stored: longer than 255 characters",
		"auth0|a\x00b":           "token subject cannot be stored: contains a NUL character",
	} {
		u := &user{b: b, token: b.issuer.token(t, claims{Sub: sub})}
		res := u.do(http.MethodGet, "/api/user", nil, "")
		requireProblem(t, res, http.StatusUnauthorized)
		var p struct {
			Detail string `json:"detail"`
		}
		res.json(t, &p)
		require.Equal(t, detail, p.Detail)
		require.Equal(t, `Bearer error="invalid_token", error_description="`+detail+`"`, res.Header.Get("WWW-Authenticate"))
	}
	require.Zero(t, b.count("users"))

	// The longest subject that fits is let in.
	u := &user{b: b, token: b.issuer.token(t, claims{Sub: strings.Repeat("é", 255)})}
	res := u.do(http.MethodGet, "/api/user", nil, "")
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, 1, b.count("users"))
}
