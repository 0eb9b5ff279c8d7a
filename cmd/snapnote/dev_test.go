package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/auth"
	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/pgtest"
)

// The laptop mode, end to end: one process migrates, serves, works jobs and
// prints a token that the API accepts.
func TestDevServesAndProcesses(t *testing.T) {
	t.Parallel()
	_, url := pgtest.Empty(t)
	env := map[string]string{"DATABASE_URL": url, "DATA_DIR": t.TempDir(), "PORT": "0", "LOG_LEVEL": "warn",
		"ADMIN_SUBS": "dev-user"}

	ctx, cancel := context.WithCancel(context.Background())
	stdoutR, stdoutW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"dev"}, func(k string) string { return env[k] }, stdoutW, io.Discard)
		stdoutW.Close()
	}()

	var base, token string
	lines := bufio.NewScanner(stdoutR)
	for lines.Scan() && token == "" {
		line := lines.Text()
		if m := regexp.MustCompile(`http://localhost:\d+`).FindString(line); m != "" && base == "" {
			base = m
		}
		if strings.HasPrefix(line, "Bearer token") && lines.Scan() {
			token = lines.Text()
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stdoutR) }()
	require.NotEmpty(t, base, "dev prints its URL")
	require.NotEmpty(t, token, "dev prints a token")

	call := func(method, path, contentType string, body io.Reader) map[string]any {
		t.Helper()
		req, err := http.NewRequest(method, base+path, body)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		require.Less(t, res.StatusCode, 300, "%s %s", method, path)
		var out map[string]any
		require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
		return out
	}

	course := call(http.MethodPost, "/api/courses", "application/json", strings.NewReader(`{"name":"Biology"}`))
	var page bytes.Buffer
	require.NoError(t, png.Encode(&page, ocrtest.RenderText([]string{"Cell Biology", "", "Mitochondria make energy for the cell."}, 1200, 500, 40)))
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	require.NoError(t, mw.WriteField("courseId", course["id"].(string)))
	fw, err := mw.CreateFormFile("file", "page.png")
	require.NoError(t, err)
	_, err = fw.Write(page.Bytes())
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	upload := call(http.MethodPost, "/api/uploads", mw.FormDataContentType(), &body)

	deadline := time.Now().Add(time.Minute)
	for {
		up := call(http.MethodGet, "/api/uploads/"+upload["id"].(string), "", nil)
		if up["status"] == "done" {
			doc := call(http.MethodGet, "/api/documents/"+up["documentId"].(string), "", nil)
			require.Equal(t, "Cell Biology", doc["title"])
			break
		}
		require.NotEqual(t, "failed", up["status"], "%v", up["error"])
		require.True(t, time.Now().Before(deadline), "upload still %v", up["status"])
		time.Sleep(50 * time.Millisecond)
	}

	// A token minted with another DATA_DIR's key is refused with a detail that says so, without the server's path.
	other, err := auth.LoadOrCreateDevKey(t.TempDir())
	require.NoError(t, err)
	stranger, err := other.Token(auth.Claims{Subject: "dev-user"}, time.Minute)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodGet, base+"/api/courses", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+stranger)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var problem struct {
		Detail string `json:"detail"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&problem))
	require.NoError(t, res.Body.Close())
	require.Equal(t, http.StatusUnauthorized, res.StatusCode)
	require.Regexp(t, `^token signed by a key this server does not have: kid \S+ \(in dev auth: make the token with the DATA_DIR the server uses\)$`, problem.Detail)
	require.NotContains(t, problem.Detail, env["DATA_DIR"])

	// River UI, for ADMIN_SUBS, shows the pipeline's finished jobs.
	jobs := call(http.MethodGet, "/riverui/api/jobs?state=completed&limit=20", "", nil)
	var kinds []string
	for _, j := range jobs["data"].([]any) {
		kinds = append(kinds, j.(map[string]any)["kind"].(string))
	}
	require.Contains(t, kinds, "ocr", "River UI lists the completed jobs: %v", jobs)

	cancel()
	require.NoError(t, <-done, "dev shuts down cleanly")
}
