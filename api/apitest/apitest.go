// Package apitest starts the API for tests, as the process does but on a
// fresh database, a temporary blob folder and a test OIDC issuer, and calls
// it as signed-in users over real HTTP. Every response's status is checked
// against the OpenAPI document. It is shared by the API's own tests
// (package api) and the end-to-end suite (package e2e), which runs a worker
// behind it; it starts no worker itself and links no part of the pipeline.
package apitest

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
	"github.com/snapnote/snapnote/internal/pgtest"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/storage"
)

// The API's settings in tests: the audience its tokens carry, and the
// upload limits (bytes of one body, pages of one upload, pixels of a page).
const (
	Audience  = "https://api.snapnote.test"
	MaxBytes  = 2 << 20
	MaxPages  = 5
	maxPixels = 40_000_000
)

// Issuer is an OIDC issuer for tests: a real RSA key and an httptest JWKS.
type Issuer struct {
	Key *rsa.PrivateKey
	KID string
	URL string // exact iss, with the trailing slash Auth0 uses
}

var (
	rsaKeyOnce sync.Once
	rsaKey     *rsa.PrivateKey
)

// newIssuer serves an issuer's discovery document and JWKS until the test
// ends; every issuer signs with the same key, made once.
func newIssuer(t testing.TB) *Issuer {
	t.Helper()
	rsaKeyOnce.Do(func() {
		var err error
		rsaKey, err = rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
	})
	iss := &Issuer{Key: rsaKey, KID: "test-key-1"}
	jwks := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &rsaKey.PublicKey, KeyID: iss.KID, Algorithm: "RS256", Use: "sig"}}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": iss.URL, "jwks_uri": iss.URL + ".well-known/jwks.json"})
		case "/.well-known/jwks.json":
			_ = json.NewEncoder(w).Encode(jwks)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	iss.URL = srv.URL + "/"
	return iss
}

// Claims are what tests put in a token; zero fields get valid defaults.
type Claims struct {
	Sub      string
	Email    string
	Issuer   string
	Audience string
	Expiry   time.Time
}

// Token returns an RS256 token the API accepts, with c's claims.
func (iss *Issuer) Token(t testing.TB, c Claims) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: iss.Key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", iss.KID))
	require.NoError(t, err)
	return iss.Sign(t, signer, c)
}

// Sign returns a token with c's claims signed by signer (a wrong key or
// algorithm, for tests of what the API refuses).
func (iss *Issuer) Sign(t testing.TB, signer jose.Signer, c Claims) string {
	t.Helper()
	if c.Issuer == "" {
		c.Issuer = iss.URL
	}
	if c.Audience == "" {
		c.Audience = Audience
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

// Bundle is one API server on its own database, storage and issuer.
type Bundle struct {
	T       testing.TB
	Pool    *pgxpool.Pool  // the API's database, migrated, dropped when the test ends
	Blobs   *storage.Local // the local blob store under BlobDir
	BlobDir string
	Issuer  *Issuer
	Server  *httptest.Server
	Logger  *slog.Logger // warnings and errors into the test's log
}

// Setup starts the API with the test configuration.
func Setup(t testing.TB) *Bundle {
	t.Helper()
	return SetupWith(t, nil)
}

// SetupWith lets a test change the API's configuration before it starts.
func SetupWith(t testing.TB, configure func(*api.Config)) *Bundle {
	t.Helper()
	return SetupBundle(t, func(_ *Bundle, cfg *api.Config) {
		if configure != nil {
			configure(cfg)
		}
	})
}

// SetupBundle is SetupWith for configuration that needs the bundle (its
// pool) or changes it (its logger, for what is built after the API).
func SetupBundle(t testing.TB, configure func(*Bundle, *api.Config)) *Bundle {
	t.Helper()
	b := &Bundle{T: t, Pool: pgtest.Migrated(t), BlobDir: t.TempDir(), Issuer: newIssuer(t)}
	b.Logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	var err error
	b.Blobs, err = storage.NewLocal(b.BlobDir)
	require.NoError(t, err)
	validator, err := auth.NewValidator(auth.Config{Issuer: b.Issuer.URL, Audience: Audience})
	require.NoError(t, err)
	q, err := queue.New(b.Pool, b.Logger)
	require.NoError(t, err)
	cfg := api.Config{
		DB: db.Open(b.Pool, b.Logger), Queue: q, Blobs: b.Blobs, Auth: validator,
		UploadMaxBytes: MaxBytes, UploadMaxPixels: maxPixels, UploadTimeout: time.Minute,
		UploadMaxPages: MaxPages, UploadsPerUser: 4, UploadsReceiving: 64,
		PresignTTL: time.Minute, Logger: b.Logger,
	}
	configure(b, &cfg)
	handler, humaAPI := api.New(cfg)
	b.Server = httptest.NewServer(requireDocumented(t, humaAPI.OpenAPI(), handler))
	t.Cleanup(b.Server.Close)
	return b
}

// User is a signed-in caller.
type User struct {
	Bundle *Bundle
	Token  string
}

// User returns the caller whose token has subject sub.
func (b *Bundle) User(sub string) *User {
	return &User{Bundle: b, Token: b.Issuer.Token(b.T, Claims{Sub: sub, Email: sub + "@example.edu"})}
}

// Response is an answer of the API, its body cut to what the call kept.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.Body, v), "body: %s", r.Body)
}

// Do makes a request as u with a body of contentType.
func (u *User) Do(method, path string, body io.Reader, contentType string) Response {
	u.Bundle.T.Helper()
	return u.Bundle.Request(method, path, body, map[string]string{"Authorization": "Bearer " + u.Token, "Content-Type": contentType})
}

// Request makes a request with headers, keeping 2,000 bytes of the answer.
func (b *Bundle) Request(method, path string, body io.Reader, headers map[string]string) Response {
	b.T.Helper()
	return b.Send(method, path, body, headers, 2000)
}

// Send makes a request and keeps at most keep bytes of the answer's body.
func (b *Bundle) Send(method, path string, body io.Reader, headers map[string]string, keep int) Response {
	b.T.Helper()
	req, err := http.NewRequest(method, b.Server.URL+path, body)
	require.NoError(b.T, err)
	for k, v := range headers {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(b.T, err)
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	require.NoError(b.T, err)
	if len(data) > keep {
		data = data[:keep]
	}
	return Response{Status: res.StatusCode, Header: res.Header, Body: data}
}

// PostJSON posts v as JSON as u.
func (u *User) PostJSON(path string, v any) Response {
	u.Bundle.T.Helper()
	data, err := json.Marshal(v)
	require.NoError(u.Bundle.T, err)
	return u.Do(http.MethodPost, path, bytes.NewReader(data), "application/json")
}

// CreateCourse creates a course named name for u and returns it.
func (u *User) CreateCourse(name string) api.Course {
	u.Bundle.T.Helper()
	res := u.PostJSON("/api/courses", map[string]string{"name": name})
	require.Equal(u.Bundle.T, http.StatusCreated, res.Status, "%s", res.Body)
	var c api.Course
	res.JSON(u.Bundle.T, &c)
	return c
}

// Form builds a multipart upload body.
type Form struct {
	Fields   map[string]string
	Filename string
	File     []byte
	More     [][]byte // further pages, sent as more file parts after file
}

// Encode returns the multipart body and its content type.
func (f Form) Encode(t testing.TB) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range f.Fields {
		require.NoError(t, mw.WriteField(k, v))
	}
	for i, page := range append([][]byte{f.File}, f.More...) {
		if page == nil {
			continue
		}
		name := f.Filename
		if i > 0 {
			name = fmt.Sprintf("%d-%s", i+1, f.Filename)
		}
		fw, err := mw.CreateFormFile("file", name)
		require.NoError(t, err)
		_, err = fw.Write(page)
		require.NoError(t, err)
	}
	require.NoError(t, mw.Close())
	return &buf, mw.FormDataContentType()
}

// Upload posts f to /api/uploads as u.
func (u *User) Upload(f Form) Response {
	u.Bundle.T.Helper()
	body, ct := f.Encode(u.Bundle.T)
	return u.Do(http.MethodPost, "/api/uploads", body, ct)
}

// WaitSettled polls the upload until it is done or failed.
func (u *User) WaitSettled(id uuid.UUID) api.Upload {
	u.Bundle.T.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		res := u.Do(http.MethodGet, "/api/uploads/"+id.String(), nil, "")
		require.Equal(u.Bundle.T, http.StatusOK, res.Status, "%s", res.Body)
		var up api.Upload
		res.JSON(u.Bundle.T, &up)
		if up.Status == "done" || up.Status == "failed" {
			return up
		}
		require.True(u.Bundle.T, time.Now().Before(deadline), "upload %s still %s at stage %s", id, up.Status, up.Stage)
		time.Sleep(50 * time.Millisecond)
	}
}

// StreamEvents reads the upload's event stream to its end.
func (u *User) StreamEvents(id uuid.UUID) []api.Upload {
	u.Bundle.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.Bundle.Server.URL+"/api/uploads/"+id.String()+"/events", nil)
	require.NoError(u.Bundle.T, err)
	req.Header.Set("Authorization", "Bearer "+u.Token)
	res, err := http.DefaultClient.Do(req)
	require.NoError(u.Bundle.T, err)
	defer res.Body.Close()
	require.Equal(u.Bundle.T, http.StatusOK, res.StatusCode)
	require.Equal(u.Bundle.T, "text/event-stream", res.Header.Get("Content-Type"))
	var events []api.Upload
	scanner := bufio.NewScanner(res.Body)
	for scanner.Scan() {
		data, ok := strings.CutPrefix(scanner.Text(), "data: ")
		if !ok {
			continue
		}
		var up api.Upload
		require.NoError(u.Bundle.T, json.Unmarshal([]byte(data), &up))
		events = append(events, up)
	}
	require.NoError(u.Bundle.T, scanner.Err())
	return events
}

// Count returns the rows of table.
func (b *Bundle) Count(table string) int {
	b.T.Helper()
	var n int
	require.NoError(b.T, b.Pool.QueryRow(context.Background(), "SELECT count(*) FROM "+pgx.Identifier{table}.Sanitize()).Scan(&n))
	return n
}

// BlobFiles lists every file under the blob root.
func (b *Bundle) BlobFiles() []string {
	b.T.Helper()
	var files []string
	require.NoError(b.T, filepath.WalkDir(b.BlobDir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return err
	}))
	return files
}

// PNGBytes encodes img as PNG.
func PNGBytes(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

// RequireProblem fails the test unless res is a problem+json answer with
// status, a title or detail.
func RequireProblem(t testing.TB, res Response, status int) {
	t.Helper()
	require.Equal(t, status, res.Status, "body: %s", res.Body)
	require.True(t, strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json"),
		"content type %q", res.Header.Get("Content-Type"))
	var p struct {
		Title  string `json:"title"`
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	res.JSON(t, &p)
	require.Equal(t, status, p.Status)
	require.NotEmpty(t, p.Title+p.Detail)
}

// testWriter writes log lines into the test's log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Call makes a request as u with extra headers, keeping the whole body.
func (u *User) Call(method, path string, body io.Reader, headers map[string]string) Response {
	u.Bundle.T.Helper()
	h := map[string]string{"Authorization": "Bearer " + u.Token, "User-Agent": "snapnote-test/1.0"}
	if body != nil {
		h["Content-Type"] = "application/json"
	}
	for k, v := range headers {
		h[k] = v
	}
	return u.Bundle.Send(method, path, body, h, 64<<20)
}

// SendJSON sends v as a JSON body, keeping the whole answer.
func (u *User) SendJSON(method, path string, v any) Response {
	u.Bundle.T.Helper()
	var body io.Reader
	if v != nil {
		data, err := json.Marshal(v)
		require.NoError(u.Bundle.T, err)
		body = bytes.NewReader(data)
	}
	return u.Call(method, path, body, nil)
}

// GetJSON GETs path, requires 200 and decodes the body into v.
func (u *User) GetJSON(path string, v any) {
	u.Bundle.T.Helper()
	res := u.Call(http.MethodGet, path, nil, nil)
	require.Equal(u.Bundle.T, http.StatusOK, res.Status, "GET %s: %s", path, res.Body)
	res.JSON(u.Bundle.T, v)
}

// ID returns the caller's user ID, creating the user on first call.
func (u *User) ID() uuid.UUID {
	u.Bundle.T.Helper()
	var me api.User
	u.GetJSON("/api/user", &me)
	return me.ID
}

// Note is a document to seed straight into the database.
type Note struct {
	Course    uuid.UUID
	Title     string
	Body      string
	ImageKey  string
	CreatedAt time.Time
}

// SeedNotes inserts documents for u in one COPY, skipping the pipeline, and
// returns their ids in order.
func (u *User) SeedNotes(notes ...Note) []uuid.UUID {
	u.Bundle.T.Helper()
	userID := u.ID()
	ids := make([]uuid.UUID, len(notes))
	rows := make([][]any, len(notes))
	for i, n := range notes {
		ids[i] = uuid.New()
		if n.CreatedAt.IsZero() {
			n.CreatedAt = time.Now()
		}
		var key any
		if n.ImageKey != "" {
			key = n.ImageKey
		}
		rows[i] = []any{ids[i], n.Course, userID, n.Title, n.Body, n.Body, n.Body, key, n.CreatedAt, n.CreatedAt}
	}
	_, err := u.Bundle.Pool.CopyFrom(context.Background(), pgx.Identifier{"documents"},
		[]string{"id", "course_id", "user_id", "title", "original_text", "formatted_note", "excerpt", "image_path", "created_at", "updated_at"},
		pgx.CopyFromRows(rows))
	require.NoError(u.Bundle.T, err)
	return ids
}

// AuditEntry is one audit_logs row as tests check it.
type AuditEntry struct {
	Action    string
	Entity    string
	Changes   map[string]any
	IP        string
	UserAgent string
}

// Audits returns the audit rows of one entity, oldest first.
func (b *Bundle) Audits(entityID uuid.UUID) []AuditEntry {
	b.T.Helper()
	rows, err := b.Pool.Query(context.Background(), `
		SELECT action, entity_type, coalesce(changes, '{}'), coalesce(host(ip_address), ''), coalesce(user_agent, '')
		FROM audit_logs WHERE entity_id = $1 ORDER BY id`, entityID)
	require.NoError(b.T, err)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditEntry, error) {
		var e AuditEntry
		return e, r.Scan(&e.Action, &e.Entity, &e.Changes, &e.IP, &e.UserAgent)
	})
	require.NoError(b.T, err)
	return out
}

// Snapshot returns every row of table as JSON, ordered, to compare before and after.
func (b *Bundle) Snapshot(table string) string {
	b.T.Helper()
	var s string
	require.NoError(b.T, b.Pool.QueryRow(context.Background(),
		`SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY to_jsonb(t)::text)::text, '[]') FROM `+pgx.Identifier{table}.Sanitize()+` t`).Scan(&s))
	return s
}

// Metric returns the value of an unlabelled gauge or counter on /metrics.
func (b *Bundle) Metric(name string) float64 {
	b.T.Helper()
	res, err := http.Get(b.Server.URL + "/metrics")
	require.NoError(b.T, err)
	defer res.Body.Close()
	text, err := io.ReadAll(res.Body)
	require.NoError(b.T, err)
	for line := range strings.Lines(string(text)) {
		if value, ok := strings.CutPrefix(strings.TrimSpace(line), name+" "); ok {
			v, err := strconv.ParseFloat(value, 64)
			require.NoError(b.T, err)
			return v
		}
	}
	b.T.Fatalf("no metric %s", name)
	return 0
}

// StartUpload begins an upload by u whose body the test writes through the
// returned pipe, as slowly as it likes. The answer's status comes on the
// channel: 0 when the request failed.
func (u *User) StartUpload(contentType string) (*io.PipeWriter, <-chan int) {
	pr, pw := io.Pipe()
	answer := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, u.Bundle.Server.URL+"/api/uploads", pr)
		req.Header.Set("Authorization", "Bearer "+u.Token)
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

// Document returns the document id as u reads it.
func (u *User) Document(id *uuid.UUID) api.Document {
	u.Bundle.T.Helper()
	require.NotNil(u.Bundle.T, id)
	var doc api.Document
	u.GetJSON("/api/documents/"+id.String(), &doc)
	return doc
}

// DocumentList is a page of GET /api/documents.
type DocumentList struct {
	Items      []api.Document `json:"items"`
	NextCursor string         `json:"nextCursor"`
}

// Versions lists a note's versions as u, requiring 200.
func (u *User) Versions(docID uuid.UUID) []api.VersionSummary {
	u.Bundle.T.Helper()
	var out []api.VersionSummary
	u.GetJSON("/api/documents/"+docID.String()+"/versions", &out)
	return out
}

// Edit changes a note's Markdown as u, requiring 200.
func (u *User) Edit(docID uuid.UUID, markdown string) api.Document {
	u.Bundle.T.Helper()
	res := u.SendJSON(http.MethodPatch, "/api/documents/"+docID.String(), map[string]any{"formattedNote": markdown})
	require.Equal(u.Bundle.T, http.StatusOK, res.Status, "%s", res.Body)
	var d api.Document
	res.JSON(u.Bundle.T, &d)
	return d
}
