package api_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/internal/auth"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/notes"
	"github.com/snapnote/snapnote/internal/ocr/tesseract"
	"github.com/snapnote/snapnote/internal/pgtest"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/internal/telemetry"
	"github.com/snapnote/snapnote/jobs"
	"github.com/snapnote/snapnote/storage"
	"github.com/snapnote/snapnote/worker"
)

const (
	testAudience  = "https://api.snapnote.test"
	testMaxBytes  = 2 << 20
	testMaxPixels = 40_000_000
	testMaxPages  = 5
)

// issuer is an OIDC issuer for tests: a real RSA key and an httptest JWKS.
type issuer struct {
	key *rsa.PrivateKey
	kid string
	url string // exact iss, with the trailing slash Auth0 uses
}

var (
	rsaKeyOnce sync.Once
	rsaKey     *rsa.PrivateKey
)

func newIssuer(t testing.TB) *issuer {
	t.Helper()
	rsaKeyOnce.Do(func() {
		var err error
		rsaKey, err = rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
	})
	iss := &issuer{key: rsaKey, kid: "test-key-1"}
	jwks := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &rsaKey.PublicKey, KeyID: iss.kid, Algorithm: "RS256", Use: "sig"}}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": iss.url, "jwks_uri": iss.url + ".well-known/jwks.json"})
		case "/.well-known/jwks.json":
			_ = json.NewEncoder(w).Encode(jwks)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	iss.url = srv.URL + "/"
	return iss
}

// claims are what tests put in a token; zero fields get valid defaults.
type claims struct {
	Sub      string
	Email    string
	Issuer   string
	Audience string
	Expiry   time.Time
}

func (iss *issuer) token(t testing.TB, c claims) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: iss.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", iss.kid))
	require.NoError(t, err)
	return iss.sign(t, signer, c)
}

func (iss *issuer) sign(t testing.TB, signer jose.Signer, c claims) string {
	t.Helper()
	if c.Issuer == "" {
		c.Issuer = iss.url
	}
	if c.Audience == "" {
		c.Audience = testAudience
	}
	if c.Expiry.IsZero() {
		c.Expiry = time.Now().Add(time.Hour)
	}
	reg := jwt.Claims{Subject: c.Sub, Issuer: c.Issuer, Audience: jwt.Audience{c.Audience},
		Expiry: jwt.NewNumericDate(c.Expiry), IssuedAt: jwt.NewNumericDate(time.Now().Add(-time.Minute))}
	extra := map[string]any{}
	if c.Email != "" {
		extra["email"] = c.Email
	}
	tok, err := jwt.Signed(signer).Claims(reg).Claims(extra).Serialize()
	require.NoError(t, err)
	return tok
}

// bundle is one API server on its own database, storage and issuer.
type bundle struct {
	t       testing.TB
	pool    *pgxpool.Pool
	blobs   *storage.Local
	blobDir string
	issuer  *issuer
	server  *httptest.Server
	logger  *slog.Logger
	// pipelineMetrics, when set, is what startWorker's pipeline records into.
	pipelineMetrics *telemetry.PipelineMetrics
}

func setup(t testing.TB) *bundle {
	t.Helper()
	return setupWith(t, nil)
}

// setupWith lets a test change the API's configuration before it starts.
func setupWith(t testing.TB, configure func(*api.Config)) *bundle {
	t.Helper()
	return setupBundle(t, func(_ *bundle, cfg *api.Config) {
		if configure != nil {
			configure(cfg)
		}
	})
}

// setupBundle is setupWith for configuration that needs the bundle (its pool).
func setupBundle(t testing.TB, configure func(*bundle, *api.Config)) *bundle {
	t.Helper()
	b := &bundle{t: t, pool: pgtest.Migrated(t), blobDir: t.TempDir(), issuer: newIssuer(t)}
	b.logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	var err error
	b.blobs, err = storage.NewLocal(b.blobDir)
	require.NoError(t, err)
	validator, err := auth.NewValidator(auth.Config{Issuer: b.issuer.url, Audience: testAudience})
	require.NoError(t, err)
	q, err := queue.New(b.pool, b.logger)
	require.NoError(t, err)
	cfg := api.Config{
		DB: db.Open(b.pool, b.logger), Queue: q, Blobs: b.blobs, Auth: validator,
		UploadMaxBytes: testMaxBytes, UploadMaxPixels: testMaxPixels, UploadTimeout: time.Minute,
		UploadMaxPages: testMaxPages, UploadsPerUser: 4, UploadsReceiving: 64,
		PresignTTL: time.Minute, Logger: b.logger,
	}
	configure(b, &cfg)
	handler, humaAPI := api.New(cfg)
	b.server = httptest.NewServer(requireDocumented(t, humaAPI.OpenAPI(), handler))
	t.Cleanup(b.server.Close)
	return b
}

// startWorker runs the real pipeline (real tesseract) in the background.
func (b *bundle) startWorker(formatter notes.Formatter) *worker.Worker {
	b.t.Helper()
	// As cmd wires it: an auto course may be read in any language installed.
	languages, err := (&tesseract.Engine{}).Languages(context.Background())
	require.NoError(b.t, err)
	client, err := worker.New(worker.Config{
		Jobs: jobs.Config{Pipeline: &jobs.Pipeline{Pool: b.pool, Blobs: b.blobs, OCR: &tesseract.Engine{AutoLangs: languages}, Formatter: formatter,
			OCRTimeout: time.Minute, Logger: b.logger, Metrics: b.pipelineMetrics}, Logger: b.logger},
		OCRConcurrency: 2, LLMConcurrency: 2,
	})
	require.NoError(b.t, err)
	require.NoError(b.t, client.Start(context.Background()))
	b.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = client.Stop(ctx)
	})
	return client
}

// user is a signed-in caller.
type user struct {
	b     *bundle
	token string
}

func (b *bundle) user(sub string) *user {
	return &user{b: b, token: b.issuer.token(b.t, claims{Sub: sub, Email: sub + "@example.edu"})}
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.Body, v), "body: %s", r.Body)
}

func (u *user) do(method, path string, body io.Reader, contentType string) response {
	u.b.t.Helper()
	return u.b.request(method, path, body, map[string]string{"Authorization": "Bearer " + u.token, "Content-Type": contentType})
}

func (b *bundle) request(method, path string, body io.Reader, headers map[string]string) response {
	b.t.Helper()
	return b.send(method, path, body, headers, 2000)
}

// send makes a request and keeps at most keep bytes of the answer's body.
func (b *bundle) send(method, path string, body io.Reader, headers map[string]string, keep int) response {
	b.t.Helper()
	req, err := http.NewRequest(method, b.server.URL+path, body)
	require.NoError(b.t, err)
	for k, v := range headers {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(b.t, err)
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	require.NoError(b.t, err)
	if len(data) > keep {
		data = data[:keep]
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: data}
}

func (u *user) postJSON(path string, v any) response {
	u.b.t.Helper()
	data, err := json.Marshal(v)
	require.NoError(u.b.t, err)
	return u.do(http.MethodPost, path, bytes.NewReader(data), "application/json")
}

func (u *user) createCourse(name string) api.Course {
	u.b.t.Helper()
	res := u.postJSON("/api/courses", map[string]string{"name": name})
	require.Equal(u.b.t, http.StatusCreated, res.Status, "%s", res.Body)
	var c api.Course
	res.json(u.b.t, &c)
	return c
}

// form builds a multipart upload body.
type form struct {
	fields   map[string]string
	filename string
	file     []byte
	more     [][]byte // further pages, sent as more file parts after file
}

func (f form) encode(t testing.TB) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range f.fields {
		require.NoError(t, mw.WriteField(k, v))
	}
	for i, page := range append([][]byte{f.file}, f.more...) {
		if page == nil {
			continue
		}
		name := f.filename
		if i > 0 {
			name = fmt.Sprintf("%d-%s", i+1, f.filename)
		}
		fw, err := mw.CreateFormFile("file", name)
		require.NoError(t, err)
		_, err = fw.Write(page)
		require.NoError(t, err)
	}
	require.NoError(t, mw.Close())
	return &buf, mw.FormDataContentType()
}

func (u *user) upload(f form) response {
	u.b.t.Helper()
	body, ct := f.encode(u.b.t)
	return u.do(http.MethodPost, "/api/uploads", body, ct)
}

// waitSettled polls the upload until it is done or failed.
func (u *user) waitSettled(id uuid.UUID) api.Upload {
	u.b.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		res := u.do(http.MethodGet, "/api/uploads/"+id.String(), nil, "")
		require.Equal(u.b.t, http.StatusOK, res.Status, "%s", res.Body)
		var up api.Upload
		res.json(u.b.t, &up)
		if up.Status == "done" || up.Status == "failed" {
			return up
		}
		require.True(u.b.t, time.Now().Before(deadline), "upload %s still %s at stage %s", id, up.Status, up.Stage)
		time.Sleep(50 * time.Millisecond)
	}
}

// streamEvents reads the upload's event stream to its end.
func (u *user) streamEvents(id uuid.UUID) []api.Upload {
	u.b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.b.server.URL+"/api/uploads/"+id.String()+"/events", nil)
	require.NoError(u.b.t, err)
	req.Header.Set("Authorization", "Bearer "+u.token)
	res, err := http.DefaultClient.Do(req)
	require.NoError(u.b.t, err)
	defer res.Body.Close()
	require.Equal(u.b.t, http.StatusOK, res.StatusCode)
	require.Equal(u.b.t, "text/event-stream", res.Header.Get("Content-Type"))
	var events []api.Upload
	scanner := bufio.NewScanner(res.Body)
	for scanner.Scan() {
		data, ok := strings.CutPrefix(scanner.Text(), "data: ")
		if !ok {
			continue
		}
		var up api.Upload
		require.NoError(u.b.t, json.Unmarshal([]byte(data), &up))
		events = append(events, up)
	}
	require.NoError(u.b.t, scanner.Err())
	return events
}

func (b *bundle) count(table string) int {
	b.t.Helper()
	var n int
	require.NoError(b.t, b.pool.QueryRow(context.Background(), "SELECT count(*) FROM "+pgx.Identifier{table}.Sanitize()).Scan(&n))
	return n
}

// blobFiles lists every file under the blob root.
func (b *bundle) blobFiles() []string {
	b.t.Helper()
	var files []string
	require.NoError(b.t, filepath.WalkDir(b.blobDir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return err
	}))
	return files
}

func pngBytes(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

func requireProblem(t testing.TB, res response, status int) {
	t.Helper()
	require.Equal(t, status, res.Status, "body: %s", res.Body)
	require.True(t, strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json"),
		"content type %q", res.Header.Get("Content-Type"))
	var p struct {
		Title  string `json:"title"`
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	res.json(t, &p)
	require.Equal(t, status, p.Status)
	require.NotEmpty(t, p.Title+p.Detail)
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// call makes a request as u with extra headers, keeping the whole body.
func (u *user) call(method, path string, body io.Reader, headers map[string]string) response {
	u.b.t.Helper()
	h := map[string]string{"Authorization": "Bearer " + u.token, "User-Agent": "snapnote-test/1.0"}
	if body != nil {
		h["Content-Type"] = "application/json"
	}
	for k, v := range headers {
		h[k] = v
	}
	return u.b.send(method, path, body, h, 64<<20)
}

// sendJSON sends v as a JSON body, keeping the whole answer.
func (u *user) sendJSON(method, path string, v any) response {
	u.b.t.Helper()
	var body io.Reader
	if v != nil {
		data, err := json.Marshal(v)
		require.NoError(u.b.t, err)
		body = bytes.NewReader(data)
	}
	return u.call(method, path, body, nil)
}

// getJSON GETs path, requires 200 and decodes the body into v.
func (u *user) getJSON(path string, v any) {
	u.b.t.Helper()
	res := u.call(http.MethodGet, path, nil, nil)
	require.Equal(u.b.t, http.StatusOK, res.Status, "GET %s: %s", path, res.Body)
	res.json(u.b.t, v)
}

// id returns the caller's user id, creating the user on first call.
func (u *user) id() uuid.UUID {
	u.b.t.Helper()
	var me api.User
	u.getJSON("/api/user", &me)
	return me.ID
}

// note is a document to seed straight into the database.
type note struct {
	course    uuid.UUID
	title     string
	body      string
	imageKey  string
	createdAt time.Time
}

// seedNotes inserts documents for u in one COPY, skipping the pipeline, and
// returns their ids in order.
func (u *user) seedNotes(notes ...note) []uuid.UUID {
	u.b.t.Helper()
	userID := u.id()
	ids := make([]uuid.UUID, len(notes))
	rows := make([][]any, len(notes))
	for i, n := range notes {
		ids[i] = uuid.New()
		if n.createdAt.IsZero() {
			n.createdAt = time.Now()
		}
		var key any
		if n.imageKey != "" {
			key = n.imageKey
		}
		rows[i] = []any{ids[i], n.course, userID, n.title, n.body, n.body, n.body, key, n.createdAt, n.createdAt}
	}
	_, err := u.b.pool.CopyFrom(context.Background(), pgx.Identifier{"documents"},
		[]string{"id", "course_id", "user_id", "title", "original_text", "formatted_note", "excerpt", "image_path", "created_at", "updated_at"},
		pgx.CopyFromRows(rows))
	require.NoError(u.b.t, err)
	return ids
}

// auditEntry is one audit_logs row as tests check it.
type auditEntry struct {
	Action    string
	Entity    string
	Changes   map[string]any
	IP        string
	UserAgent string
}

// audits returns the audit rows of one entity, oldest first.
func (b *bundle) audits(entityID uuid.UUID) []auditEntry {
	b.t.Helper()
	rows, err := b.pool.Query(context.Background(), `
		SELECT action, entity_type, coalesce(changes, '{}'), coalesce(host(ip_address), ''), coalesce(user_agent, '')
		FROM audit_logs WHERE entity_id = $1 ORDER BY id`, entityID)
	require.NoError(b.t, err)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (auditEntry, error) {
		var e auditEntry
		return e, r.Scan(&e.Action, &e.Entity, &e.Changes, &e.IP, &e.UserAgent)
	})
	require.NoError(b.t, err)
	return out
}

// snapshot returns every row of table as JSON, ordered, to compare before and after.
func (b *bundle) snapshot(table string) string {
	b.t.Helper()
	var s string
	require.NoError(b.t, b.pool.QueryRow(context.Background(),
		`SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY to_jsonb(t)::text)::text, '[]') FROM `+pgx.Identifier{table}.Sanitize()+` t`).Scan(&s))
	return s
}

// metric returns the value of an unlabelled gauge or counter on /metrics.
func (b *bundle) metric(name string) float64 {
	b.t.Helper()
	res, err := http.Get(b.server.URL + "/metrics")
	require.NoError(b.t, err)
	defer res.Body.Close()
	text, err := io.ReadAll(res.Body)
	require.NoError(b.t, err)
	for line := range strings.Lines(string(text)) {
		if value, ok := strings.CutPrefix(strings.TrimSpace(line), name+" "); ok {
			v, err := strconv.ParseFloat(value, 64)
			require.NoError(b.t, err)
			return v
		}
	}
	b.t.Fatalf("no metric %s", name)
	return 0
}

// startUpload begins an upload by u whose body the test writes through the
// returned pipe, as slowly as it likes. The answer's status comes on the
// channel: 0 when the request failed.
func (u *user) startUpload(contentType string) (*io.PipeWriter, <-chan int) {
	pr, pw := io.Pipe()
	answer := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, u.b.server.URL+"/api/uploads", pr)
		req.Header.Set("Authorization", "Bearer "+u.token)
		req.Header.Set("Content-Type", contentType)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			answer <- 0
			return
		}
		_ = res.Body.Close()
		answer <- res.StatusCode
	}()
	return pw, answer
}
