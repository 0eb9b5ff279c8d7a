package main

import (
	"bytes"
	"fmt"
	"image/png"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/pgtest"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/storage"
)

// startWorkerProcess runs `snapnote worker` as a child process with env.
func startWorkerProcess(t *testing.T, env []string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "worker")
	cmd.Env = append(append(os.Environ(), runAsMain+"=1"), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("worker %d said:\n%s", cmd.Process.Pid, stderr.String())
		}
	})
	return cmd
}

// waitFor polls cond every 10 ms until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		require.True(t, time.Now().Before(deadline), "timed out waiting for %s", what)
		time.Sleep(10 * time.Millisecond)
	}
}

// A worker killed with SIGKILL in the middle of OCR: another worker sees
// its heartbeat stop, takes its job back and finishes the upload, with
// exactly one note.
func TestKilledWorkersUploadIsFinishedByAnother(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool, url := pgtest.Empty(t)
	require.NoError(t, run(ctx, []string{"migrate", "up"}, func(k string) string {
		return map[string]string{"DATABASE_URL": url, "LOG_LEVEL": "warn"}[k]
	}, io.Discard, io.Discard))

	dataDir := t.TempDir()
	env := []string{"DATABASE_URL=" + url, "DATA_DIR=" + dataDir, "LOG_LEVEL=warn", "OCR_CONCURRENCY=1",
		"WORKER_DEAD_AFTER=2s", "AUTH_MODE=dev"}
	first := startWorkerProcess(t, env)
	waitFor(t, 30*time.Second, "the first worker's heartbeat", func() bool { return workers(t, pool) == 1 })

	id := queueUpload(t, pool, filepath.Join(dataDir, "blobs"))
	waitFor(t, time.Minute, "OCR to start", func() bool {
		u, err := db.New(pool).UploadForWork(ctx, id)
		require.NoError(t, err)
		return u.Status == snapnote.UploadProcessing && u.Stage == snapnote.StageOCR
	})
	require.NoError(t, first.Process.Signal(syscall.SIGKILL))
	killed := time.Now()
	_ = first.Wait()

	startWorkerProcess(t, env)
	var done db.Upload
	waitFor(t, 2*time.Minute, "the second worker to finish the upload", func() bool {
		var err error
		done, err = db.New(pool).UploadForWork(ctx, id)
		require.NoError(t, err)
		return done.Status == snapnote.UploadDone || done.Status == snapnote.UploadFailed
	})
	t.Logf("from the kill to the upload done: %s", time.Since(killed).Round(10*time.Millisecond))
	require.Equal(t, snapnote.UploadDone, done.Status, "%s: %s", done.ErrorCode, done.ErrorMessage)
	require.Equal(t, 2, done.Attempts[snapnote.StageOCR], "the killed attempt and the one that worked")
	var notes int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM documents WHERE upload_id = $1`, id).Scan(&notes))
	require.Equal(t, 1, notes)
}

func workers(t *testing.T, pool *pgxpool.Pool) int {
	var n int
	require.NoError(t, pool.QueryRow(t.Context(), `SELECT count(*) FROM worker_heartbeats`).Scan(&n))
	return n
}

// queueUpload stores a page large enough to keep OCR busy for a moment
// and queues it as an upload, as the API would.
func queueUpload(t *testing.T, pool *pgxpool.Pool, blobDir string) uuid.UUID {
	t.Helper()
	ctx := t.Context()
	logger := slog.New(slog.DiscardHandler)
	d := db.Open(pool, logger)
	user, err := d.UpsertUser(ctx, db.Identity{Subject: "alice"})
	require.NoError(t, err)
	course, err := d.CreateCourse(ctx, user.ID, db.CourseInput{Name: "Physics"})
	require.NoError(t, err)

	var lines []string
	for i := range 40 {
		lines = append(lines, fmt.Sprintf("Line %d of the lecture on thermodynamics and entropy", i+1))
	}
	var page bytes.Buffer
	require.NoError(t, png.Encode(&page, ocrtest.RenderText(lines, 2400, 3200, 48)))
	blobs, err := storage.NewLocal(blobDir)
	require.NoError(t, err)
	defer blobs.Close()
	id := uuid.New()
	key := snapnote.PageBlobKey(user.ID, id, 1, ".png")
	_, err = blobs.Put(ctx, key, bytes.NewReader(page.Bytes()), "image/png")
	require.NoError(t, err)

	q, err := queue.New(pool, logger)
	require.NoError(t, err)
	_, err = q.CreateUpload(ctx, db.NewUpload{ID: id, UserID: user.ID, CourseID: course.ID, BlobKey: key,
		ContentType: "image/png", ByteSize: int64(page.Len()), SHA256: strings.Repeat("0", 64),
		ImageWidth: 2400, ImageHeight: 3200}, db.AuditEntry{UserID: &user.ID})
	require.NoError(t, err)
	return id
}
