package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
	"github.com/snapnote/snapnote/internal/auth"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/faultproxy"
	"github.com/snapnote/snapnote/internal/pgtest"
	"github.com/snapnote/snapnote/migrations"
	"github.com/snapnote/snapnote/storage"
	"github.com/snapnote/snapnote/storage/storagetest"
)

// problem is an RFC 9457 body as Huma writes it.
type problem struct {
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Location string `json:"location"`
		Message  string `json:"message"`
	} `json:"errors"`
}

// requireUnavailable checks a 503 problem that names dependency and says
// when to retry.
func requireUnavailable(t *testing.T, res apitest.Response, dependency string) {
	t.Helper()
	apitest.RequireProblem(t, res, http.StatusServiceUnavailable)
	wait, err := strconv.Atoi(res.Header.Get("Retry-After"))
	require.NoError(t, err, "503 without a Retry-After in seconds")
	require.Positive(t, wait)
	if dependency != "" {
		require.Contains(t, string(res.Body), dependency, "the problem names what is down")
	}
}

// proxied returns a pool on a fresh migrated database reached through a
// proxy that the test can cut, and the database's URL.
func proxied(t *testing.T) (*pgxpool.Pool, *faultproxy.Proxy, string) {
	t.Helper()
	pool, dbURL := pgtest.Empty(t)
	migrate(t, pool)
	cfg := pool.Config()
	proxy, err := faultproxy.Start(net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port))))
	require.NoError(t, err)
	t.Cleanup(func() { _ = proxy.Close() })
	host, port, err := net.SplitHostPort(proxy.Addr())
	require.NoError(t, err)
	p, err := strconv.Atoi(port)
	require.NoError(t, err)
	cfg.ConnConfig.Host, cfg.ConnConfig.Port = host, uint16(p)
	through, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(through.Close)
	return through, proxy, dbURL
}

// The database goes away behind a proxy: every route that needs it answers
// 503 with Retry-After naming the database, readiness too, and all of them
// recover when it comes back, without a restart.
func TestDatabaseOutageAnswers503AndRecovers(t *testing.T) {
	t.Parallel()
	pool, proxy, _ := proxied(t)
	b := apitest.SetupWith(t, func(c *api.Config) { c.DB = db.Open(pool, c.Logger) })
	alice := b.User("alice")
	require.Equal(t, http.StatusOK, alice.Do(http.MethodGet, "/api/courses", nil, "").Status)

	proxy.Cut()
	requireUnavailable(t, alice.Do(http.MethodGet, "/api/courses", nil, ""), "database")
	requireUnavailable(t, alice.Do(http.MethodGet, "/api/search?q=entropy", nil, ""), "database")
	waitReadiness(t, b, http.StatusServiceUnavailable)
	res := b.Request(http.MethodGet, "/api/health/db", nil, nil)
	requireUnavailable(t, res, "database")
	require.NotContains(t, string(res.Body), `"storage"`, "storage is fine")

	proxy.Restore()
	require.Equal(t, http.StatusOK, alice.Do(http.MethodGet, "/api/courses", nil, "").Status)
	waitReadiness(t, b, http.StatusOK)
}

// A database dropped under a running API is an outage, not a bug: 503.
func TestDroppedDatabaseAnswers503(t *testing.T) {
	t.Parallel()
	pool, dbURL := pgtest.Empty(t)
	migrate(t, pool)
	b := apitest.SetupWith(t, func(c *api.Config) { c.DB = db.Open(pool, c.Logger) })
	alice := b.User("alice")
	course := alice.CreateCourse("Thermodynamics")

	u, err := url.Parse(dbURL)
	require.NoError(t, err)
	admin, err := pgx.Connect(context.Background(), pgtest.AdminURL())
	require.NoError(t, err)
	defer admin.Close(context.Background())
	_, err = admin.Exec(context.Background(), "DROP DATABASE "+strings.TrimPrefix(u.Path, "/")+" WITH (FORCE)")
	require.NoError(t, err)

	requireUnavailable(t, alice.Do(http.MethodGet, "/api/courses/"+course.ID.String(), nil, ""), "database")
	waitReadiness(t, b, http.StatusServiceUnavailable)
	requireUnavailable(t, b.Request(http.MethodGet, "/api/health/db", nil, nil), "database")
}

// S3 goes away behind a proxy in the middle of the test: an upload answers
// 503 naming storage (not 500 "internal error"), readiness names storage,
// and both recover when it is back.
func TestStorageOutageAnswers503AndRecovers(t *testing.T) {
	t.Parallel()
	srv := storagetest.NewFakeS3Server(t)
	proxy, err := faultproxy.Start(strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = proxy.Close() })
	blobs := storagetest.NewS3At(t, "http://"+proxy.Addr())
	b := apitest.SetupWith(t, func(c *api.Config) { c.Blobs = blobs })
	alice := b.User("alice")
	course := alice.CreateCourse("Thermodynamics")
	page := apitest.PNGBytes(t, image.NewGray(image.Rect(0, 0, 64, 64)))
	upload := apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "p.png", File: page}
	require.Equal(t, http.StatusAccepted, alice.Upload(upload).Status)

	proxy.Cut()
	requireUnavailable(t, alice.Upload(upload), "storage")
	waitReadiness(t, b, http.StatusServiceUnavailable)
	res := b.Request(http.MethodGet, "/api/health/db", nil, nil)
	requireUnavailable(t, res, "storage")
	var p problem
	res.JSON(t, &p)
	require.Len(t, p.Errors, 1)
	require.Equal(t, "storage", p.Errors[0].Location)

	proxy.Restore()
	require.Equal(t, http.StatusAccepted, alice.Upload(upload).Status)
	waitReadiness(t, b, http.StatusOK)
}

// downStore is a blob store whose every call fails the way a store that
// cannot be reached fails: a refused connection, marked ErrUnavailable.
type downStore struct{ storage.Store }

var errRefused = fmt.Errorf("%w: %w", storage.ErrUnavailable,
	&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED})

func (downStore) Put(context.Context, string, io.Reader, string) (storage.Info, error) {
	return storage.Info{}, errRefused
}

func (downStore) Get(context.Context, string) (io.ReadCloser, storage.Info, error) {
	return nil, storage.Info{}, errRefused
}

func (downStore) Stat(context.Context, string) (storage.Info, error) {
	return storage.Info{}, errRefused
}

func TestReadinessNamesEachDependency(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	res := b.Request(http.MethodGet, "/api/health/db", nil, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var body struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	require.NoError(t, json.Unmarshal(res.Body, &body))
	require.Equal(t, map[string]string{"database": "ok", "storage": "ok"}, body.Checks)

	down := apitest.SetupWith(t, func(c *api.Config) { c.Blobs = downStore{c.Blobs} })
	res = down.Request(http.MethodGet, "/api/health/db", nil, nil)
	requireUnavailable(t, res, "storage")
	require.NotContains(t, string(res.Body), "database")
	alice := down.User("alice")
	course := alice.CreateCourse("Thermodynamics")
	page := apitest.PNGBytes(t, image.NewGray(image.Rect(0, 0, 64, 64)))
	requireUnavailable(t, alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "p.png", File: page}), "storage")
}

// However many callers ask, readiness asks the database about once a second.
func TestReadinessIsCached(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	before := b.Pool.Stat().AcquireCount()
	for range 200 {
		require.Equal(t, http.StatusOK, b.Request(http.MethodGet, "/api/health/db", nil, nil).Status)
	}
	// 200 sequential requests take well under the few seconds that would
	// allow more than a handful of checks.
	require.LessOrEqual(t, b.Pool.Stat().AcquireCount()-before, int64(5))
}

// The identity provider is unreachable: tokens cannot be judged, so the
// answer is 503 with Retry-After, never 401 (the token may be fine).
func TestIdentityProviderOutageAnswers503(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + ln.Addr().String() + "/"
	require.NoError(t, ln.Close())
	b := apitest.SetupWith(t, func(c *api.Config) {
		v, err := auth.NewValidator(auth.Config{Issuer: closed, Audience: apitest.Audience})
		require.NoError(t, err)
		c.Auth = v
	})
	token := b.Issuer.Token(t, apitest.Claims{Sub: "alice", Issuer: closed})
	res := b.Request(http.MethodGet, "/api/courses", nil, map[string]string{"Authorization": "Bearer " + token})
	requireUnavailable(t, res, "")
}

// waitReadiness asks for readiness until it answers status, past the cache.
func waitReadiness(t *testing.T, b *apitest.Bundle, status int) {
	t.Helper()
	waitUntil(t, func() bool { return b.Request(http.MethodGet, "/api/health/db", nil, nil).Status == status })
}

// migrate applies every migration to pool's database.
func migrate(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	m, err := migrations.New(pool, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	_, err = m.Up(context.Background())
	require.NoError(t, err)
}

// waitUntil polls cond every 50 ms for up to ten seconds.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		require.True(t, time.Now().Before(deadline), "condition not reached")
		time.Sleep(50 * time.Millisecond)
	}
}
