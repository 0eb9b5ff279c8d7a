package api_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/snapnote/snapnote/api/apitest"
	"github.com/stretchr/testify/require"
)

func TestAuthRejections(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	iss := b.Issuer

	hs256 := func() string {
		// The classic confusion attack: HMAC keyed with the RSA public key.
		pub, err := json.Marshal(jose.JSONWebKey{Key: &iss.Key.PublicKey})
		require.NoError(t, err)
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: pub},
			(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", iss.KID))
		require.NoError(t, err)
		return iss.Sign(t, signer, apitest.Claims{Sub: "mallory"})
	}
	algNone := func() string {
		enc := base64.RawURLEncoding.EncodeToString
		payload, err := json.Marshal(map[string]any{"sub": "mallory", "iss": iss.URL, "aud": apitest.Audience,
			"exp": time.Now().Add(time.Hour).Unix()})
		require.NoError(t, err)
		return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc(payload) + "."
	}

	for name, header := range map[string]string{
		"no token":       "",
		"not bearer":     "Basic YWxpY2U6c2VjcmV0",
		"garbage":        "Bearer not-a-jwt",
		"expired":        "Bearer " + iss.Token(t, apitest.Claims{Sub: "mallory", Expiry: time.Now().Add(-time.Hour)}),
		"wrong audience": "Bearer " + iss.Token(t, apitest.Claims{Sub: "mallory", Audience: "https://other.api"}),
		"wrong issuer":   "Bearer " + iss.Token(t, apitest.Claims{Sub: "mallory", Issuer: strings.TrimSuffix(iss.URL, "/")}),
		"alg none":       "Bearer " + algNone(),
		"HS256":          "Bearer " + hs256(),
	} {
		t.Run(name, func(t *testing.T) {
			for _, req := range []struct{ method, path, body string }{
				{http.MethodPost, "/api/courses", `{"name":"Sneaky"}`},
				{http.MethodGet, "/api/user", ""},
				{http.MethodGet, "/api/uploads", ""},
			} {
				res := b.Request(req.method, req.path, strings.NewReader(req.body),
					map[string]string{"Authorization": header, "Content-Type": "application/json"})
				apitest.RequireProblem(t, res, http.StatusUnauthorized)
				require.True(t, strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer"),
					"WWW-Authenticate %q", res.Header.Get("WWW-Authenticate"))
			}
		})
	}
	require.Zero(t, b.Count("users"), "a rejected token creates no user")
	require.Zero(t, b.Count("courses"))

	// The public routes stay open; a valid token is let in and its user made.
	require.Equal(t, http.StatusOK, b.Request(http.MethodGet, "/api/health", nil, nil).Status)
	require.Equal(t, http.StatusOK, b.Request(http.MethodGet, "/api/health/db", nil, nil).Status)
	require.Equal(t, http.StatusOK, b.Request(http.MethodGet, "/openapi.json", nil, nil).Status)
	alice := b.User("alice")
	res := alice.Do(http.MethodGet, "/api/user", nil, "")
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var me struct {
		Email string `json:"email"`
	}
	res.JSON(t, &me)
	require.Equal(t, "alice@example.edu", me.Email)
	require.Equal(t, 1, b.Count("users"))
}

// A token may carry no email, name or picture; the user is made all the same.
func TestUserFromSparseToken(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	u := &apitest.User{Bundle: b, Token: b.Issuer.Token(t, apitest.Claims{Sub: "auth0|sparse"})}
	res := u.Do(http.MethodGet, "/api/user", nil, "")
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)

	res = u.Do(http.MethodPatch, "/api/user", strings.NewReader(`{"name":"  Ada  "}`), "application/json")
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Contains(t, string(res.Body), `"name":"Ada"`)
	apitest.RequireProblem(t, u.Do(http.MethodPatch, "/api/user", strings.NewReader(`{"name":"   "}`), "application/json"),
		http.StatusUnprocessableEntity)
	require.Equal(t, 1, b.Count("users"))
}

// A signed token whose sub the users table cannot hold is refused as a 401 that says why, not a 503 from the
// failed upsert: retrying would never help.
func TestAuthSubjectCannotBeStored(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	for sub, detail := range map[string]string{
		strings.Repeat("x", 256): "token subject cannot be stored: longer than 255 characters",
		"auth0|a\x00b":           "token subject cannot be stored: contains a NUL character",
	} {
		u := &apitest.User{Bundle: b, Token: b.Issuer.Token(t, apitest.Claims{Sub: sub})}
		res := u.Do(http.MethodGet, "/api/user", nil, "")
		apitest.RequireProblem(t, res, http.StatusUnauthorized)
		var p struct {
			Detail string `json:"detail"`
		}
		res.JSON(t, &p)
		require.Equal(t, detail, p.Detail)
		require.Equal(t, `Bearer error="invalid_token", error_description="`+detail+`"`, res.Header.Get("WWW-Authenticate"))
	}
	require.Zero(t, b.Count("users"))

	// The longest subject that fits is let in.
	u := &apitest.User{Bundle: b, Token: b.Issuer.Token(t, apitest.Claims{Sub: strings.Repeat("é", 255)})}
	res := u.Do(http.MethodGet, "/api/user", nil, "")
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, 1, b.Count("users"))
}
