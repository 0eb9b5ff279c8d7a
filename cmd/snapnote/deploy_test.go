package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/auth"
	"github.com/snapnote/snapnote/internal/config"
	"github.com/snapnote/snapnote/internal/pgtest"
)

func TestTokenRefusesToMakeASecondKey(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	_, _, err := program(t, map[string]string{"AUTH_MODE": "dev", "DATA_DIR": empty}, "token", "--sub", "alice")
	require.ErrorContains(t, err, "no dev signing key exists under DATA_DIR "+empty)
	require.ErrorContains(t, err, "`snapnote dev`")
	require.ErrorContains(t, err, "--data-dir")
	entries, err := os.ReadDir(empty)
	require.NoError(t, err)
	require.Empty(t, entries, "no key was made")

	server := t.TempDir()
	_, err = auth.LoadOrCreateDevKey(server)
	require.NoError(t, err)
	out, _, err := program(t, map[string]string{"AUTH_MODE": "dev", "DATA_DIR": empty}, "token", "--sub", "alice", "--data-dir", server)
	require.NoError(t, err)
	require.Equal(t, 2, strings.Count(strings.TrimSpace(out), "."))
}

// Every command and flag the README's command table shows is in `snapnote help`.
func TestHelpListsWhatTheReadmeLists(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	_, table, ok := strings.Cut(string(readme), "\n## Commands\n")
	require.True(t, ok, "README has a Commands section")
	table, _, _ = strings.Cut(table, "\n## ")
	help, _, err := program(t, nil, "help")
	require.NoError(t, err)

	cells := regexp.MustCompile("(?m)^\\| `snapnote ([^`]+)`")
	flags := regexp.MustCompile(`--?[a-z][a-z-]*`)
	rows := cells.FindAllStringSubmatch(table, -1)
	require.NotEmpty(t, rows)
	for _, row := range rows {
		command := strings.Fields(row[1])[0]
		require.Regexp(t, "(?m)^  "+regexp.QuoteMeta(command)+" ", help, "help lacks the command %q", command)
		for _, flag := range flags.FindAllString(row[1], -1) {
			require.Contains(t, help, flag, "help lacks %s of %q", flag, command)
		}
	}
}

func TestHealthAsksTheReadinessRoute(t *testing.T) {
	t.Parallel()
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, "/api/health/db", r.URL.Path)
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	port := srv.Listener.Addr().(*net.TCPAddr).Port

	out, _, err := program(t, map[string]string{"PORT": itoa(port)}, "health")
	require.NoError(t, err, "the default URL is the API on this machine's PORT")
	require.Contains(t, out, "200")

	status = http.StatusServiceUnavailable
	_, _, err = program(t, nil, "health", "--url", srv.URL+"/api/health/db")
	require.ErrorContains(t, err, "503")

	_, _, err = program(t, map[string]string{"PORT": "1"}, "health", "--timeout", "2s")
	require.ErrorContains(t, err, "not answering")
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestWorkerCheckWantsACurrentSchema(t *testing.T) {
	t.Parallel()
	_, url := pgtest.Empty(t)
	env := map[string]string{"DATABASE_URL": url, "AUTH_MODE": "dev", "DATA_DIR": t.TempDir()}
	_, _, err := program(t, env, "worker", "--check")
	require.ErrorContains(t, err, "snapnote migrate up")

	_, _, err = program(t, env, "migrate", "up")
	require.NoError(t, err)
	out, _, err := program(t, env, "worker", "--check")
	require.NoError(t, err)
	require.Contains(t, out, "ok")

	_, _, err = program(t, map[string]string{"DATABASE_URL": "postgres://127.0.0.1:1/x?connect_timeout=2", "AUTH_MODE": "dev"}, "worker", "--check")
	require.Error(t, err, "no database, not ready")
}

func TestMetricsMoveToTheirOwnAddress(t *testing.T) {
	t.Parallel()
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "served "+r.URL.Path)
	})
	api, metrics := splitMetrics(handler)
	get := func(h http.Handler, path string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code, rec.Body.String()
	}
	code, _ := get(api, "/metrics")
	require.Equal(t, http.StatusNotFound, code, "the API port no longer answers /metrics")
	code, body := get(api, "/api/health")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "served /api/health", body)
	code, body = get(metrics, "/metrics")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "served /metrics", body)
	code, _ = get(metrics, "/api/health")
	require.Equal(t, http.StatusNotFound, code, "the metrics port answers nothing else")
}

func TestListenDefaults(t *testing.T) {
	t.Parallel()
	dev, metrics, err := listenHTTP(&config.Config{Port: 0}, devDefaultHost)
	require.NoError(t, err)
	t.Cleanup(func() { _ = dev.Close() })
	require.Nil(t, metrics)
	require.True(t, dev.Addr().(*net.TCPAddr).IP.IsLoopback(), "dev listens on loopback by default")

	api, metrics, err := listenHTTP(&config.Config{Port: 0, BindAddr: "127.0.0.1", MetricsAddr: "127.0.0.1:0"}, apiDefaultHost)
	require.NoError(t, err)
	t.Cleanup(func() { _ = api.Close(); _ = metrics.Close() })
	require.True(t, api.Addr().(*net.TCPAddr).IP.IsLoopback(), "BIND_ADDR wins")
	require.NotEqual(t, api.Addr().String(), metrics.Addr().String())

	require.Equal(t, "localhost", localHost("0.0.0.0", "localhost"))
	require.Equal(t, "127.0.0.1", localHost("", "127.0.0.1"))
	require.Equal(t, "10.0.0.5", localHost("10.0.0.5", "127.0.0.1"))
}

func TestDevSaysWhichBlobStoreItUses(t *testing.T) {
	t.Parallel()
	var logs strings.Builder
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	logDevStorage(context.Background(), &config.Config{Storage: "s3", S3Bucket: "notes"}, logger)
	require.Contains(t, logs.String(), "STORAGE=s3")
	require.Contains(t, logs.String(), "bucket=notes")

	logs.Reset()
	logDevStorage(context.Background(), &config.Config{Storage: "local", StorageDir: "data/blobs"}, logger)
	require.Contains(t, logs.String(), "local disk")
	require.Contains(t, logs.String(), "dir=data/blobs")
}
