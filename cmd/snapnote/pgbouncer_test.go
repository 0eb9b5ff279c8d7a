package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/auth"
	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/pgtest"
)

// pgbouncerServerConns is the pooler's whole budget of Postgres connections.
const pgbouncerServerConns = 8

// TestThroughPgBouncer runs two API and three worker processes (this
// binary, as snapnote) through PgBouncer in transaction mode with 8 server
// connections in all: uploads sent to both APIs, a worker killed with
// SIGKILL midway, each upload becomes exactly one note, an event stream
// reports done, and Postgres never sees more than the pooler's 8
// connections. Once with no direct connection (River and the event streams
// poll), once with DATABASE_DIRECT_URL (the event stream LISTENs there).
func TestThroughPgBouncer(t *testing.T) {
	bin := pgbouncerBinary(t)
	uploads := 24
	if testing.Short() {
		uploads = 9
	}
	t.Run("NoDirectURL", func(t *testing.T) { runThroughPgBouncer(t, bin, uploads, false) })
	t.Run("DirectURL", func(t *testing.T) { runThroughPgBouncer(t, bin, uploads, true) })
}

// pgbouncerBinary finds pgbouncer, or skips the test saying how to get it.
func pgbouncerBinary(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"pgbouncer", "/usr/sbin/pgbouncer"} {
		if bin, err := exec.LookPath(p); err == nil {
			return bin
		}
	}
	t.Skip("pgbouncer is not installed: scripts/deps.sh installs it (Debian's pgbouncer), or install PgBouncer 1.18+ yourself")
	return ""
}

func runThroughPgBouncer(t *testing.T, bin string, uploads int, direct bool) {
	ctx := t.Context()
	created, dbURL := pgtest.Empty(t)
	created.Close()
	db, err := url.Parse(dbURL)
	require.NoError(t, err)
	// The test's own look at the rows, past the pooler and named so that
	// the count of the pooler's connections leaves it out.
	pool := namedPool(t, *db, "snapnote-test")
	dbName := strings.TrimPrefix(db.Path, "/")
	require.NoError(t, run(ctx, []string{"migrate", "up"}, func(k string) string {
		return map[string]string{"DATABASE_URL": dbURL, "LOG_LEVEL": "warn"}[k]
	}, io.Discard, io.Discard))

	bouncer := startPgBouncer(t, bin, db)
	pooled := *db
	pooled.Host = bouncer
	dataDir := t.TempDir()
	key, err := auth.LoadOrCreateDevKey(dataDir)
	require.NoError(t, err)
	env := []string{"DATABASE_URL=" + pooled.String(), "DATABASE_POOLING=transaction", "DB_MAX_CONNS=10",
		"DATA_DIR=" + dataDir, "AUTH_MODE=dev", "LOG_LEVEL=warn", "OCR_CONCURRENCY=1", "WORKER_DEAD_AFTER=3s",
		"RATE_LIMIT=0", "RATE_LIMIT_IP=0", "BIND_ADDR=127.0.0.1", "BACKUP_SCHEDULE=@every 9999h"}
	if direct {
		env = append(env, "DATABASE_DIRECT_URL="+withApplicationName(*db, "snapnote-direct").String())
	}

	// Postgres' view, from a pool on another database: backends on the
	// test database, those past the pooler apart.
	admin, err := pgxpool.New(ctx, pgtest.AdminURL())
	require.NoError(t, err)
	t.Cleanup(admin.Close)
	var most, listens atomic.Int32
	watchCtx, stopWatching := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for watchCtx.Err() == nil {
			var pooledConns, listening int32
			err := admin.QueryRow(watchCtx, `
				SELECT count(*) FILTER (WHERE application_name NOT IN ('snapnote-direct', 'snapnote-test')),
				       count(*) FILTER (WHERE query ILIKE 'LISTEN %')
				FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'`, dbName).Scan(&pooledConns, &listening)
			if err == nil {
				if pooledConns > most.Load() {
					most.Store(pooledConns)
				}
				listens.Add(listening)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()

	var apis []string
	for range 2 {
		port := freePort(t)
		startProcess(t, "api", append(env, "PORT="+strconv.Itoa(port)))
		apis = append(apis, fmt.Sprintf("http://127.0.0.1:%d", port))
	}
	var workerProcs []*exec.Cmd
	for range 3 {
		workerProcs = append(workerProcs, startProcess(t, "worker", env))
	}
	started := time.Now()
	waitFor(t, time.Minute, "three workers' heartbeats", func() bool { return workers(t, pool) == 3 })
	for _, api := range apis {
		waitFor(t, time.Minute, "the API at "+api, func() bool {
			res, err := http.Get(api + "/api/health/db")
			if err != nil {
				return false
			}
			res.Body.Close()
			return res.StatusCode == http.StatusOK
		})
	}

	token, err := key.Token(auth.Claims{Subject: "alice"}, time.Hour)
	require.NoError(t, err)
	client := &apiClient{t: t, token: token}
	var course struct{ ID string }
	client.json(http.MethodPost, apis[0]+"/api/courses", "application/json", strings.NewReader(`{"name":"Physics"}`), http.StatusCreated, &course)

	var ids []string
	var streamed sync.WaitGroup
	var streamDone atomic.Bool
	for i := range uploads {
		body, contentType := uploadForm(t, course.ID, i)
		var up struct{ ID string }
		client.json(http.MethodPost, apis[i%2]+"/api/uploads", contentType, body, http.StatusAccepted, &up)
		ids = append(ids, up.ID)
		if i == 0 {
			streamed.Go(func() { streamDone.Store(client.streamsDone(apis[1] + "/api/uploads/" + up.ID + "/events")) })
		}
		if i == uploads/2 {
			require.NoError(t, workerProcs[0].Process.Signal(syscall.SIGKILL))
		}
	}

	waitFor(t, 3*time.Minute, "every upload to settle", func() bool {
		var open int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM uploads WHERE status NOT IN ('done', 'failed')`).Scan(&open))
		return open == 0
	})
	took := time.Since(started)
	streamed.Wait()
	stopWatching()
	<-watched

	var done, notes, distinct int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM uploads WHERE status = 'done'`).Scan(&done))
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT upload_id) FROM documents`).Scan(&notes, &distinct))
	t.Logf("%d uploads through PgBouncer (direct URL: %v): %d done, %d notes, most Postgres connections from the pooler %d, in %s",
		uploads, direct, done, notes, most.Load(), took.Round(100*time.Millisecond))
	require.Equal(t, uploads, done, "every upload done")
	require.Equal(t, uploads, notes, "exactly one note each")
	require.Equal(t, uploads, distinct)
	require.True(t, streamDone.Load(), "the event stream reported done")
	require.LessOrEqual(t, most.Load(), int32(pgbouncerServerConns), "Postgres saw more connections than the pooler has")
	require.Positive(t, most.Load(), "the watcher saw the pooler's connections")
	if direct {
		require.Positive(t, listens.Load(), "the event stream LISTENed on the direct connection")
	} else {
		require.Zero(t, listens.Load(), "no LISTEN without a direct connection")
	}
}

func withApplicationName(u url.URL, name string) *url.URL {
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return &u
}

// namedPool opens a pool on u whose connections Postgres lists as name.
func namedPool(t *testing.T, u url.URL, name string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(t.Context(), withApplicationName(u, name).String())
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return pool
}

// startPgBouncer runs PgBouncer in transaction mode in front of db's server,
// with pgbouncerServerConns server connections in all, and returns its
// host:port. PgBouncer refuses to run as root: as root it runs as postgres.
func startPgBouncer(t *testing.T, bin string, db *url.URL) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "pgbouncer")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		pg, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("pgbouncer refuses to run as root, and there is no postgres user to run it as")
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		require.NoError(t, os.Chown(dir, uid, gid))
	}
	require.NoError(t, os.Chmod(dir, 0o755))
	port := freePort(t)
	pgUser := db.User.Username()
	conf := fmt.Sprintf(`[databases]
* = host=%s port=%s user=%s

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = transaction
default_pool_size = %d
max_db_connections = %d
max_client_conn = 1000
ignore_startup_parameters = extra_float_digits
logfile = %s
`, db.Hostname(), cmpPort(db.Port()), pgUser, port, filepath.Join(dir, "users.txt"),
		pgbouncerServerConns, pgbouncerServerConns, filepath.Join(dir, "pgbouncer.log"))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "users.txt"), fmt.Appendf(nil, "%q \"\"\n", pgUser), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pgbouncer.ini"), []byte(conf), 0o644))
	cmd := exec.Command(bin, filepath.Join(dir, "pgbouncer.ini"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
			t.Logf("pgbouncer said:\n%s%s", out.String(), log)
		}
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	waitFor(t, 30*time.Second, "pgbouncer to listen", func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return addr
}

func cmpPort(p string) string {
	if p == "" {
		return "5432"
	}
	return p
}

// freePort returns a TCP port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startProcess runs `snapnote CMD` (this test binary) with env, killed when
// the test ends.
func startProcess(t *testing.T, command string, env []string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], command)
	cmd.Env = append(append(os.Environ(), runAsMain+"=1"), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("%s %d said:\n%s", command, cmd.Process.Pid, stderr.String())
		}
	})
	return cmd
}

// uploadForm is a multipart upload of one short page of text, the i-th.
func uploadForm(t *testing.T, courseID string, i int) (io.Reader, string) {
	t.Helper()
	lines := []string{fmt.Sprintf("Lecture %d: thermodynamics", i+1), "Entropy never decreases in a closed system.",
		"Heat flows from hot to cold."}
	var page bytes.Buffer
	require.NoError(t, png.Encode(&page, ocrtest.RenderText(lines, 1000, 600, 36)))
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	require.NoError(t, mw.WriteField("courseId", courseID))
	fw, err := mw.CreateFormFile("file", "page.png")
	require.NoError(t, err)
	_, err = fw.Write(page.Bytes())
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	return &body, mw.FormDataContentType()
}

// apiClient calls an API process with a bearer token.
type apiClient struct {
	t     *testing.T
	token string
}

func (c *apiClient) json(method, url, contentType string, body io.Reader, status int, out any) {
	c.t.Helper()
	req, err := http.NewRequest(method, url, body)
	require.NoError(c.t, err)
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", contentType)
	res, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	require.NoError(c.t, err)
	require.Equal(c.t, status, res.StatusCode, "%s %s: %s", method, url, data)
	require.NoError(c.t, json.Unmarshal(data, out))
}

// streamsDone reads an upload's event stream until it ends and reports
// whether a status event said done.
func (c *apiClient) streamsDone(url string) bool {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer res.Body.Close()
	done := false
	scanner := bufio.NewScanner(res.Body)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		if data, ok := strings.CutPrefix(scanner.Text(), "data: "); ok && strings.Contains(data, `"status":"done"`) {
			done = true
		}
	}
	return done
}
