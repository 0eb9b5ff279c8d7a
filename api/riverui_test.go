package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"
	"riverqueue.com/riverui"

	"github.com/snapnote/snapnote/api"
)

// setupRiverUI starts an API serving River UI (as `snapnote api` builds it)
// to the subjects in admins.
func setupRiverUI(t *testing.T, admins []string) *bundle {
	t.Helper()
	return setupBundle(t, func(b *bundle, cfg *api.Config) {
		client, err := river.NewClient(riverpgxv5.New(b.pool), &river.Config{Logger: cfg.Logger})
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
	admin, student := b.user("ops-2"), b.user("alice")

	for _, path := range []string{"/riverui", "/riverui/", "/riverui/api/jobs?state=completed"} {
		requireProblem(t, b.request(http.MethodGet, path, nil, nil), http.StatusUnauthorized)
		requireProblem(t, student.do(http.MethodGet, path, nil, ""), http.StatusNotFound)
	}

	page := admin.do(http.MethodGet, "/riverui/", nil, "")
	require.Equal(t, http.StatusOK, page.Status, "%s", page.Body)
	require.True(t, strings.HasPrefix(page.Header.Get("Content-Type"), "text/html"))
	jobs := admin.do(http.MethodGet, "/riverui/api/jobs?state=completed", nil, "")
	require.Equal(t, http.StatusOK, jobs.Status, "%s", jobs.Body)
	require.Contains(t, string(jobs.Body), `"data"`)
}

func TestRiverUIOffWithoutAdmins(t *testing.T) {
	t.Parallel()
	b := setupRiverUI(t, nil)
	requireProblem(t, b.user("ops-1").do(http.MethodGet, "/riverui/", nil, ""), http.StatusNotFound)
	off := setup(t)
	requireProblem(t, off.user("ops-1").do(http.MethodGet, "/riverui/", nil, ""), http.StatusNotFound)
}
