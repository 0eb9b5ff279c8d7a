package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"
	"riverqueue.com/riverui"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
)

// setupRiverUI starts an API serving River UI (as `snapnote api` builds it)
// to the subjects in admins.
func setupRiverUI(t *testing.T, admins []string) *apitest.Bundle {
	t.Helper()
	return apitest.SetupBundle(t, func(b *apitest.Bundle, cfg *api.Config) {
		client, err := river.NewClient(riverpgxv5.New(b.Pool), &river.Config{Logger: cfg.Logger})
		require.NoError(t, err)
		ui, err := riverui.NewHandler(&riverui.HandlerOpts{
			Endpoints: riverui.NewEndpoints(client, nil), Logger: cfg.Logger, Prefix: "/riverui",
		})
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		require.NoError(t, ui.Start(ctx))
		cfg.RiverUI, cfg.AdminSubs = ui, admins
	})
}

func TestRiverUIOnlyForAdmins(t *testing.T) {
	t.Parallel()
	b := setupRiverUI(t, []string{"ops-1", "ops-2"})
	admin, student := b.User("ops-2"), b.User("alice")

	for _, path := range []string{"/riverui", "/riverui/", "/riverui/api/jobs?state=completed"} {
		apitest.RequireProblem(t, b.Request(http.MethodGet, path, nil, nil), http.StatusUnauthorized)
		apitest.RequireProblem(t, student.Do(http.MethodGet, path, nil, ""), http.StatusNotFound)
	}

	page := admin.Do(http.MethodGet, "/riverui/", nil, "")
	require.Equal(t, http.StatusOK, page.Status, "%s", page.Body)
	require.True(t, strings.HasPrefix(page.Header.Get("Content-Type"), "text/html"))
	jobs := admin.Do(http.MethodGet, "/riverui/api/jobs?state=completed", nil, "")
	require.Equal(t, http.StatusOK, jobs.Status, "%s", jobs.Body)
	require.Contains(t, string(jobs.Body), `"data"`)

	// The profile tells the app where the dashboard is, to its operators only.
	var profile api.User
	admin.GetJSON("/api/user", &profile)
	require.Equal(t, "/riverui/", profile.JobDashboard)
	var other api.User
	student.GetJSON("/api/user", &other)
	require.Empty(t, other.JobDashboard)
}

func TestRiverUIOffWithoutAdmins(t *testing.T) {
	t.Parallel()
	b := setupRiverUI(t, nil)
	apitest.RequireProblem(t, b.User("ops-1").Do(http.MethodGet, "/riverui/", nil, ""), http.StatusNotFound)
	off := apitest.Setup(t)
	apitest.RequireProblem(t, off.User("ops-1").Do(http.MethodGet, "/riverui/", nil, ""), http.StatusNotFound)
}

// riverUISession mints River UI's cookie as u, from the page's own origin.
func riverUISession(t *testing.T, b *apitest.Bundle, u *apitest.User, headers map[string]string) apitest.Response {
	t.Helper()
	all := map[string]string{"Authorization": "Bearer " + u.Token}
	for k, v := range headers {
		all[k] = v
	}
	return b.Request(http.MethodPost, "/riverui/session", nil, all)
}

// TestRiverUICookie: an admin's POST with the bearer token mints a cookie
// scoped to /riverui (HttpOnly, SameSite=Strict, short-lived) that opens
// River UI from a browser, its state-changing calls included; it is
// refused from another site, once its token has expired, and to anyone
// not in ADMIN_SUBS.
func TestRiverUICookie(t *testing.T) {
	t.Parallel()
	b := setupRiverUI(t, []string{"ops-1"})
	admin := b.User("ops-1")

	res := riverUISession(t, b, admin, map[string]string{"Origin": b.Server.URL, "Sec-Fetch-Site": "same-origin"})
	require.Equal(t, http.StatusNoContent, res.Status, "%s", res.Body)
	cookies := (&http.Response{Header: res.Header}).Cookies()
	require.Len(t, cookies, 1)
	c := cookies[0]
	require.Equal(t, "/riverui", c.Path)
	require.True(t, c.HttpOnly)
	require.Equal(t, http.SameSiteStrictMode, c.SameSite)
	require.False(t, c.Secure, "plain HTTP here; Secure behind TLS")
	require.Positive(t, c.MaxAge)
	require.LessOrEqual(t, c.MaxAge, 15*60)

	withCookie := func(method, path string, headers map[string]string) apitest.Response {
		all := map[string]string{"Cookie": c.Name + "=" + c.Value}
		for k, v := range headers {
			all[k] = v
		}
		return b.Request(method, path, nil, all)
	}
	page := withCookie(http.MethodGet, "/riverui/", map[string]string{"Sec-Fetch-Site": "none"})
	require.Equal(t, http.StatusOK, page.Status, "%s", page.Body)
	require.Equal(t, http.StatusOK, withCookie(http.MethodGet, "/riverui/api/jobs?state=completed", nil).Status)
	// A state-changing call from River UI's own page passes auth (River UI answers it).
	cancel := withCookie(http.MethodPost, "/riverui/api/jobs/cancel", map[string]string{
		"Origin": b.Server.URL, "Sec-Fetch-Site": "same-origin", "Content-Type": "application/json"})
	require.NotContains(t, []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound}, cancel.Status, "%s", cancel.Body)

	// Cross-site: refused, whatever the method.
	apitest.RequireProblem(t, withCookie(http.MethodPost, "/riverui/api/jobs/cancel", map[string]string{"Sec-Fetch-Site": "cross-site"}), http.StatusForbidden)
	apitest.RequireProblem(t, withCookie(http.MethodPost, "/riverui/api/jobs/cancel", map[string]string{"Origin": "https://evil.example"}), http.StatusForbidden)
	apitest.RequireProblem(t, withCookie(http.MethodGet, "/riverui/", map[string]string{"Sec-Fetch-Site": "same-site"}), http.StatusForbidden)
	apitest.RequireProblem(t, riverUISession(t, b, admin, map[string]string{"Origin": "https://evil.example"}), http.StatusForbidden)

	// The cookie is not a way in elsewhere.
	apitest.RequireProblem(t, withCookie(http.MethodGet, "/api/courses", nil), http.StatusUnauthorized)

	// Expired: the token in the cookie is checked on every request.
	expired := b.Issuer.Token(t, apitest.Claims{Sub: "ops-1", Expiry: time.Now().Add(-time.Hour)})
	apitest.RequireProblem(t, b.Request(http.MethodGet, "/riverui/", nil, map[string]string{"Cookie": c.Name + "=" + expired}), http.StatusUnauthorized)
	apitest.RequireProblem(t, b.Request(http.MethodGet, "/riverui/", nil, map[string]string{"Cookie": c.Name + "=garbage"}), http.StatusUnauthorized)

	// Not an admin: no cookie minted, and a cookie of theirs opens nothing.
	student := b.User("alice")
	apitest.RequireProblem(t, riverUISession(t, b, student, nil), http.StatusNotFound)
	apitest.RequireProblem(t, b.Request(http.MethodGet, "/riverui/", nil, map[string]string{"Cookie": c.Name + "=" + student.Token}), http.StatusNotFound)
	apitest.RequireProblem(t, b.Request(http.MethodPost, "/riverui/session", nil, nil), http.StatusUnauthorized)
}
