package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/internal/auth"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/storage"
)

// apiServer is the real API handler served over loopback, with the
// production defaults of the upload limits.
type apiServer struct {
	*httptest.Server
	key   *auth.DevKey
	Queue *queue.Queue
	Blobs storage.Store
}

// newAPIServer serves api.New over pool and a local blob store in blobDir,
// signing tokens with a dev key kept in keyDir. uploadMaxMemory is OCR_MEMORY
// (0: no limit).
func newAPIServer(pool *pgxpool.Pool, blobDir, keyDir string, uploadMaxMemory int64) (*apiServer, error) {
	key, err := auth.LoadOrCreateDevKey(keyDir)
	if err != nil {
		return nil, err
	}
	validator, err := auth.NewValidator(auth.Config{Issuer: auth.DevIssuer, Audience: auth.DevAudience, Keys: key.JWKS()})
	if err != nil {
		return nil, err
	}
	blobs, err := storage.NewLocal(blobDir)
	if err != nil {
		return nil, err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	q, err := queue.New(pool, logger)
	if err != nil {
		return nil, err
	}
	// The defaults of internal/config, but for the rate limits: one client
	// address sends everything here.
	handler, _ := api.New(api.Config{DB: db.Open(pool, logger), Queue: q, Blobs: blobs, Auth: validator,
		UploadMaxBytes: 20 << 20, UploadConcurrency: 8, UploadMaxPages: 20, UploadsPerUser: 4, UploadsReceiving: 64,
		UploadMaxPixels: 50_000_000, UploadTimeout: 2 * time.Minute, UploadMaxMemory: uploadMaxMemory,
		PresignTTL: time.Minute, Logger: logger})
	return &apiServer{Server: httptest.NewServer(handler), key: key, Queue: q, Blobs: blobs}, nil
}

// apiUser calls the API as one user.
type apiUser struct {
	srv    *apiServer
	token  string
	Course uuid.UUID
}

// newUser signs in as subject and creates a course to upload into.
func (s *apiServer) newUser(subject string) (*apiUser, error) {
	token, err := s.key.Token(auth.Claims{Subject: subject}, time.Hour)
	if err != nil {
		return nil, err
	}
	u := &apiUser{srv: s, token: token}
	var course struct {
		ID uuid.UUID `json:"id"`
	}
	status, body, err := u.do(http.MethodPost, "/api/courses", "application/json", bytes.NewReader([]byte(`{"name":"Bench"}`)))
	if err != nil {
		return nil, err
	}
	if status != http.StatusCreated {
		return nil, fmt.Errorf("create course: %d %s", status, body)
	}
	if err := json.Unmarshal(body, &course); err != nil {
		return nil, fmt.Errorf("create course: %w", err)
	}
	u.Course = course.ID
	return u, nil
}

// upload posts one photo and returns the status and body of the answer.
func (u *apiUser) upload(filename string, photo []byte) (int, []byte, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("courseId", u.Course.String()); err != nil {
		return 0, nil, err
	}
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		return 0, nil, err
	}
	if _, err := fw.Write(photo); err != nil {
		return 0, nil, err
	}
	if err := mw.Close(); err != nil {
		return 0, nil, err
	}
	return u.do(http.MethodPost, "/api/uploads", mw.FormDataContentType(), &buf)
}

func (u *apiUser) do(method, path, contentType string, body io.Reader) (int, []byte, error) {
	req, err := http.NewRequest(method, u.srv.URL+path, body)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+u.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := u.srv.Client().Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer func() { _ = res.Body.Close() }()
	out, err := io.ReadAll(res.Body)
	return res.StatusCode, out, err
}
