// Command snapnote-chaos runs the real service under load while breaking it,
// and checks that nothing was lost: every upload the API accepted (202)
// must end as exactly one note.
//
//	go run ./cmd/snapnote-chaos [-users 4] [-duration 2m] [-scenario mixed|startup-kill|crash-loop]
//
// It builds `snapnote` into a temporary directory, makes a fresh database
// (as internal/pgtest does, on TEST_DATABASE_URL's server), and starts
// `snapnote api` and two `snapnote worker` processes on loopback. Postgres
// and an in-process S3 server (gofakes3) are each reached through a TCP
// proxy the command runs, so it can cut them without stopping a server
// that other work on the machine shares. While N users upload generated
// photos, poll, list and search, it:
//
//   - kills a worker with SIGKILL and starts it again,
//   - kills a worker during start-up: the moment River hands it its first
//     jobs, before it could have beaten (worker killed during start-up),
//   - kills a worker at its first claim three times in a row, as a
//     supervisor restarts it (worker crash loop),
//   - cuts Postgres for 10 s,
//   - cuts S3 for 10 s,
//   - sends garbage tokens and slow upload bodies throughout,
//   - opens 100 connections from one address whose bodies never finish,
//     on three routes, and notes how and when each was closed,
//   - uploads a PDF bomb page (3700×3700 pt, no usable text layer) and
//     watches the memory of the workers and their engines while it is read.
//
// At the end it also prints the API's descriptors and open connections and
// the workers' memory, at the start of the load and after it settled.
//
// Then it waits for every accepted upload to settle, checks each is done
// with one note, and prints 5xx answers by cause and latency percentiles
// per route. It exits 1 when an accepted upload was lost, failed or
// duplicated. It is a tool apart: production never links it.
//
// -scenario startup-kill and -scenario crash-loop run one of the worker
// faults alone, without load, on 12 uploads: a worker started beside a
// running one and killed at its first claim; or a worker alone killed at
// its first claim -crashes times in a row, then started for good. They
// print how many uploads were not done, second by second after the last
// death of a worker holding jobs, and the time until all were, against the
// target: WORKER_DEAD_AFTER + 1 min.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"log"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/snapnote/snapnote/internal/auth"
	"github.com/snapnote/snapnote/internal/faultproxy"
	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/pgtest"
)

const bucket = "snapnote-chaos"

func main() {
	users := flag.Int("users", 4, "signed-in users uploading at once")
	duration := flag.Duration("duration", 2*time.Minute, "how long the load and the faults run")
	settle := flag.Duration("settle", 5*time.Minute, "how long to wait afterwards for accepted uploads to finish")
	keep := flag.Bool("keep", false, "keep the temporary directory (binary, logs) and the database")
	scenario := flag.String("scenario", "mixed", "mixed (load and every fault), startup-kill or crash-loop")
	crashes := flag.Int("crashes", 4, "crash-loop: how many times the worker is killed at its first claim")
	flag.Parse()
	log.SetFlags(log.Ltime)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var ok bool
	var err error
	switch *scenario {
	case "mixed":
		ok, err = run(ctx, *users, *duration, *settle, *keep)
	case "startup-kill":
		ok, err = runWorkerDeaths(ctx, *users, 1, *settle, *keep)
	case "crash-loop":
		ok, err = runWorkerDeaths(ctx, *users, *crashes, *settle, *keep)
	default:
		err = fmt.Errorf("unknown -scenario %q", *scenario)
	}
	if err != nil {
		log.Fatalf("chaos: %v", err)
	}
	if !ok {
		os.Exit(1)
	}
}

// rig is the service under test and the levers that break it.
type rig struct {
	dir     string
	binary  string
	env     []string
	apiURL  string
	pg, s3  *faultproxy.Proxy
	key     *auth.DevKey
	workers [2]*proc
	api     *proc
	watch   *jobWatch
}

// proc is one child process and its log file.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
}

func run(ctx context.Context, users int, duration, settle time.Duration, keep bool) (bool, error) {
	r := &rig{}
	cleanup, err := r.start(ctx, keep, len(r.workers))
	defer cleanup()
	if err != nil {
		return false, err
	}
	st := newStats()
	st.loadFor = duration
	load := newLoad(r, st, users)
	if err := load.signIn(ctx); err != nil {
		return false, err
	}

	p := &probes{unfinished: map[string]int{}}
	p.footprint(r, true)

	loadCtx, stopLoad := context.WithTimeout(ctx, duration)
	defer stopLoad()
	var wg sync.WaitGroup
	wg.Go(func() { load.unfinishedBodies(loadCtx, p) })
	wg.Go(func() { load.pdfBomb(ctx, p) })
	for i := range users {
		wg.Go(func() { load.user(loadCtx, i) })
	}
	wg.Go(func() { load.garbage(loadCtx) })
	for i := range 6 {
		wg.Go(func() { load.slowBodies(loadCtx, i) })
	}
	wg.Go(func() { r.faults(loadCtx, duration, st) })
	wg.Wait()
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	log.Printf("load stopped; waiting up to %s for %d accepted uploads to settle", settle, load.accepted())
	ok := load.verify(ctx, settle)
	load.client.CloseIdleConnections()
	time.Sleep(2 * time.Second)
	p.footprint(r, false)
	st.print(os.Stdout, load)
	p.print(os.Stdout)
	return ok, nil
}

// start builds the binary, makes the database, storage and proxies, and
// starts the API and the first workers of r.workers. cleanup undoes what
// was done.
func (r *rig) start(ctx context.Context, keep bool, workers int) (func(), error) {
	var undo undoStack
	dir, err := os.MkdirTemp("", "snapnote-chaos-")
	if err != nil {
		return undo.run, err
	}
	r.dir = dir
	if keep {
		log.Printf("keeping %s", dir)
	} else {
		undo.push(func() { _ = os.RemoveAll(dir) })
	}
	if err := r.build(ctx); err != nil {
		return undo.run, err
	}
	dbURL, proxied, err := r.startDependencies(ctx, &undo, keep)
	if err != nil {
		return undo.run, err
	}
	port, err := freePort()
	if err != nil {
		return undo.run, err
	}
	r.apiURL = "http://127.0.0.1:" + strconv.Itoa(port)
	dataDir := filepath.Join(dir, "data")
	r.env = r.environment(proxied, port, dataDir)
	if err := r.startProcesses(ctx, &undo, dbURL, workers); err != nil {
		return undo.run, err
	}
	if r.key, err = auth.LoadDevKey(dataDir); err != nil {
		return undo.run, err
	}
	log.Printf("api at %s, %d workers, Postgres via %s, S3 via %s", r.apiURL, workers, r.pg.Addr(), r.s3.Addr())
	return undo.run, nil
}

// undoStack is what start has set up, undone last first.
type undoStack []func()

func (u *undoStack) push(f func()) { *u = append(*u, f) }

func (u *undoStack) run() {
	for _, f := range slices.Backward(*u) {
		f()
	}
}

// build builds snapnote into the rig's folder.
func (r *rig) build(ctx context.Context) error {
	log.Printf("building snapnote into %s", r.dir)
	r.binary = filepath.Join(r.dir, "snapnote")
	build := exec.CommandContext(ctx, "go", "build", "-o", r.binary, "./cmd/snapnote")
	build.Dir, build.Stdout, build.Stderr = moduleRoot(), os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build snapnote: %w", err)
	}
	return nil
}

// startDependencies makes a fresh database and an in-memory S3, each
// behind a fault proxy, and returns the database's URL, direct and through
// its proxy.
func (r *rig) startDependencies(ctx context.Context, undo *undoStack, keep bool) (direct, proxied string, err error) {
	dbURL, pgAddr, dropDB, err := createDatabase(ctx)
	if err != nil {
		return "", "", err
	}
	if !keep {
		undo.push(dropDB)
	}
	if r.watch, err = newJobWatch(ctx, dbURL); err != nil {
		return "", "", err
	}
	undo.push(r.watch.close)
	if r.pg, err = faultproxy.Start(pgAddr); err != nil {
		return "", "", err
	}
	undo.push(func() { _ = r.pg.Close() })
	viaProxy, err := url.Parse(dbURL)
	if err != nil {
		return "", "", err
	}
	viaProxy.Host = r.pg.Addr()

	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		return "", "", err
	}
	s3srv := httptest.NewServer(gofakes3.New(backend).Server())
	undo.push(s3srv.Close)
	if r.s3, err = faultproxy.Start(strings.TrimPrefix(s3srv.URL, "http://")); err != nil {
		return "", "", err
	}
	undo.push(func() { _ = r.s3.Close() })
	return dbURL, viaProxy.String(), nil
}

// environment is what the rig's processes run with: Postgres and S3
// through their proxies, dev auth, and limits small enough to be reached.
func (r *rig) environment(dbURL string, port int, dataDir string) []string {
	return append(os.Environ(),
		"DATABASE_URL="+dbURL, "DB_MAX_CONNS=10", "DATA_DIR="+dataDir,
		"LOG_LEVEL=warn", "LOG_FORMAT=text",
		"STORAGE=s3", "S3_BUCKET="+bucket, "S3_ENDPOINT=http://"+r.s3.Addr(), "S3_FORCE_PATH_STYLE=true",
		"AWS_ACCESS_KEY_ID=chaos", "AWS_SECRET_ACCESS_KEY=chaos", "AWS_REGION=us-east-1",
		"AUTH_MODE=dev", "PORT="+strconv.Itoa(port), "BIND_ADDR=127.0.0.1",
		// Each simulated client comes through a "proxy" on loopback that
		// names it in X-Forwarded-For, so the per-address limit sees many.
		"TRUSTED_PROXIES=127.0.0.1/32", "RATE_LIMIT_IP=20", "RATE_BURST_IP=40",
		"UPLOAD_READ_TIMEOUT=10s", "WORKER_DEAD_AFTER=4s", "OCR_CONCURRENCY=1", "SHUTDOWN_TIMEOUT=5s")
}

// startProcesses migrates the database (directly, not through its proxy),
// then starts the api and workers, and waits for the api to be ready.
func (r *rig) startProcesses(ctx context.Context, undo *undoStack, dbURL string, workers int) error {
	migrate := exec.CommandContext(ctx, r.binary, "migrate", "up")
	migrate.Env = append(slices.Clone(r.env), "DATABASE_URL="+dbURL)
	if out, err := migrate.CombinedOutput(); err != nil {
		return fmt.Errorf("migrate: %w: %s", err, out)
	}
	var err error
	if r.api, err = r.spawn("api", "api"); err != nil {
		return err
	}
	undo.push(func() { r.api.stop() })
	for i := range workers {
		if r.workers[i], err = r.spawn(fmt.Sprintf("worker%d", i+1), "worker"); err != nil {
			return err
		}
	}
	undo.push(func() {
		for _, w := range r.workers {
			w.stop()
		}
	})
	if err := waitReady(ctx, r.apiURL); err != nil {
		return fmt.Errorf("api did not become ready (log: %s): %w", r.api.log, err)
	}
	return nil
}

// spawn starts `snapnote <sub>` with its standard error in a log file.
func (r *rig) spawn(name, sub string) (*proc, error) {
	path := filepath.Join(r.dir, name+".log")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(r.binary, sub)
	cmd.Env, cmd.Stdout, cmd.Stderr = r.env, f, f
	if err := cmd.Start(); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() { _ = cmd.Wait(); _ = f.Close() }()
	return &proc{name: name, cmd: cmd, log: path}, nil
}

// stop asks the process to stop, and kills it if it has not after 10 s.
func (p *proc) stop() {
	if p == nil || p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		for p.cmd.ProcessState == nil && syscall.Kill(p.cmd.Process.Pid, 0) == nil {
			time.Sleep(50 * time.Millisecond)
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
	}
}

// faults breaks the service on a schedule spread over the run.
func (r *rig) faults(ctx context.Context, duration time.Duration, st *stats) {
	at := func(frac float64) bool {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(time.Until(st.start.Add(time.Duration(frac * float64(duration))))):
			return true
		}
	}
	hold := func(d time.Duration) { // the fault lasts d, or until the run ends
		select {
		case <-ctx.Done():
		case <-time.After(d):
		}
	}
	if !at(0.15) {
		return
	}
	st.fault("worker1 SIGKILL")
	_ = r.workers[0].cmd.Process.Signal(syscall.SIGKILL)
	hold(3 * time.Second)
	if w, err := r.spawn("worker1", "worker"); err == nil {
		r.workers[0] = w
	} else {
		log.Printf("restart worker1: %v", err)
	}
	st.fault("")

	if !at(0.25) {
		return
	}
	r.workers[1].stop()
	k := r.killAtClaim(ctx, 1)
	st.fault("worker2 killed during start-up: " + k.String())
	st.deaths = append(st.deaths, k)
	if w, err := r.spawn("worker2", "worker"); err == nil {
		r.workers[1] = w
	} else {
		log.Printf("restart worker2: %v", err)
	}
	st.fault("")

	if !at(0.35) {
		return
	}
	st.fault("postgres cut")
	r.pg.Cut()
	hold(10 * time.Second)
	r.pg.Restore()
	st.fault("")

	if !at(0.6) {
		return
	}
	st.fault("s3 cut")
	r.s3.Cut()
	hold(10 * time.Second)
	r.s3.Restore()
	st.fault("")

	if !at(0.75) {
		return
	}
	r.workers[0].stop()
	for range 3 {
		k := r.killAtClaim(ctx, 0)
		st.fault("worker1 crash loop: " + k.String())
		st.deaths = append(st.deaths, k)
		hold(time.Second) // a supervisor's restart delay
	}
	if w, err := r.spawn("worker1", "worker"); err == nil {
		r.workers[0] = w
	} else {
		log.Printf("restart worker1: %v", err)
	}
	st.fault("")
}

// createDatabase makes an empty database named like pgtest's on
// TEST_DATABASE_URL's server and returns its URL, the server's host:port,
// and a function that drops it.
func createDatabase(ctx context.Context) (string, string, func(), error) {
	admin, err := pgx.Connect(ctx, pgtest.AdminURL())
	if err != nil {
		return "", "", nil, fmt.Errorf("connect to postgres (set TEST_DATABASE_URL): %w", err)
	}
	defer func() { _ = admin.Close(ctx) }()
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := "snapnote_chaos_" + hex.EncodeToString(suffix)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", "", nil, fmt.Errorf("create database: %w", err)
	}
	u, err := url.Parse(pgtest.AdminURL())
	if err != nil {
		return "", "", nil, err
	}
	u.Path = "/" + name
	cfg := admin.Config()
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := pgx.Connect(ctx, pgtest.AdminURL())
		if err != nil {
			log.Printf("drop %s: %v", name, err)
			return
		}
		defer func() { _ = admin.Close(ctx) }()
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			log.Printf("drop %s: %v", name, err)
		}
	}
	return u.String(), addr, drop, nil
}

func moduleRoot() string {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "."
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func waitReady(ctx context.Context, base string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(base + "/api/health/db"); err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return errors.New("timed out")
}

// photo renders a page of lecture notes as a PNG.
func photo(user, n int) []byte {
	img := ocrtest.RenderText([]string{
		fmt.Sprintf("Lecture %d: Entropy and heat", n),
		"",
		fmt.Sprintf("Student %d wrote this page number %d.", user, n),
		"The entropy of an isolated system never decreases.",
		"Heat flows from hot bodies to cold ones.",
	}, 1100, 420, 30)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// uploadBody is one multipart upload of a photo to course.
func uploadBody(course string, page []byte) ([]byte, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("courseId", course)
	fw, _ := mw.CreateFormFile("file", "page.png")
	_, _ = fw.Write(page)
	_ = mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

// problemDetail is a problem+json body's detail, or a prefix of the body.
func problemDetail(body []byte) string {
	var p struct {
		Detail string `json:"detail"`
	}
	if json.Unmarshal(body, &p) == nil && p.Detail != "" {
		return p.Detail
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 60 {
		s = s[:60]
	}
	return s
}

// retryAfter is the answer's Retry-After, or a second.
func retryAfter(h http.Header) time.Duration {
	if n, err := strconv.Atoi(h.Get("Retry-After")); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return time.Second
}
