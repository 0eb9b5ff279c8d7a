package main

import (
	"bytes"
	"fmt"
	"image/png"
	"io"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/pgtest"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/storage"
)

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
	first := startProcess(t, "worker", env)
	waitFor(t, 30*time.Second, "the first worker's heartbeat", func() bool { return workers(t, pool) == 1 })

	id := queueUpload(t, pool, filepath.Join(dataDir, "blobs"), 40)
	waitFor(t, time.Minute, "OCR to start", func() bool {
		u, err := db.New(pool).UploadForWork(ctx, id)
		require.NoError(t, err)
		return u.Status == snapnote.UploadProcessing && u.Stage == snapnote.StageOCR
	})
	require.NoError(t, first.Process.Signal(syscall.SIGKILL))
	killed := time.Now()
	_ = first.Wait()

	startProcess(t, "worker", env)
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

// queueUpload stores a page of lines lines (40 keep OCR busy for a moment)
// and queues it as an upload, as the API would.
func queueUpload(t *testing.T, pool *pgxpool.Pool, blobDir string, lines int) uuid.UUID {
	t.Helper()
	ctx := t.Context()
	logger := slog.New(slog.DiscardHandler)
	d := db.Open(pool, logger)
	user, err := d.UpsertUser(ctx, db.Identity{Subject: "alice"})
	require.NoError(t, err)
	course, err := d.CreateCourse(ctx, user.ID, db.CourseInput{Name: "Physics"})
	require.NoError(t, err)

	var text []string
	for i := range lines {
		text = append(text, fmt.Sprintf("Line %d of the lecture on thermodynamics and entropy", i+1))
	}
	var page bytes.Buffer
	require.NoError(t, png.Encode(&page, ocrtest.RenderText(text, 2400, 3200, 48)))
	blobs, err := storage.NewLocal(blobDir)
	require.NoError(t, err)
	defer blobs.Close()
	id := uuid.New()
	key := snapnote.PageBlobKey(user.ID, id, 1, ".png")
	_, err = blobs.Put(ctx, key, bytes.NewReader(page.Bytes()), "image/png")
	require.NoError(t, err)

	q, err := queue.New(pool, logger)
	require.NoError(t, err)
	_, err = q.CreateUpload(ctx, db.NewUpload{ID: id, UserID: user.ID, CourseID: course.ID,
		Pages: []db.NewPage{{BlobKey: key, ContentType: "image/png", ByteSize: int64(page.Len()),
			SHA256: strings.Repeat("0", 64), ImageWidth: 2400, ImageHeight: 3200}}}, db.AuditEntry{UserID: &user.ID})
	require.NoError(t, err)
	return id
}

// A worker killed the moment River hands it jobs at start-up strands
// nothing: another worker takes them back once they are WORKER_DEAD_AFTER
// old, whether the dead one's heartbeat is there and stops, or was never
// written (the dead worker's row is removed before the kill, as when a
// worker dies between its claim and its first beat).
func TestWorkerKilledAtStartUpStrandsNothing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		removeBeats bool
	}{
		{"HeartbeatStops", false},
		{"NeverBeat", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := startCrashRig(t)
			ids := r.queue(4)
			r.startWorker() // the survivor, started with the other
			claimed := r.killAtFirstClaim(tc.removeBeats)
			require.NotEmpty(t, claimed)
			r.requireAllDoneOnce(ids)
		})
	}
}

// A worker that dies at start-up again and again, alone, strands nothing:
// each life killed at its first claim, the jobs are handed back by a later
// life, and the worker that finally stays up finishes every upload once.
func TestWorkerCrashLoopStrandsNothing(t *testing.T) {
	t.Parallel()
	r := startCrashRig(t)
	ids := r.queue(3)
	for range 3 {
		require.NotEmpty(t, r.killAtFirstClaim(false))
	}
	r.startWorker()
	r.requireAllDoneOnce(ids)
	var lost int
	require.NoError(t, r.pool.QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE metadata ? 'snapnote:handed_back_from'`).Scan(&lost))
	require.Positive(t, lost, "the dead lives' jobs were handed back, not rescued by River")
}

// crashRig is a migrated database and the environment of worker processes
// that share its blobs.
type crashRig struct {
	t       *testing.T
	pool    *pgxpool.Pool
	env     []string
	blobDir string
}

func startCrashRig(t *testing.T) *crashRig {
	t.Helper()
	pool, url := pgtest.Empty(t)
	require.NoError(t, run(t.Context(), []string{"migrate", "up"}, func(k string) string {
		return map[string]string{"DATABASE_URL": url, "LOG_LEVEL": "warn"}[k]
	}, io.Discard, io.Discard))
	dataDir := t.TempDir()
	return &crashRig{t: t, pool: pool, blobDir: filepath.Join(dataDir, "blobs"), env: []string{"DATABASE_URL=" + url,
		"DATA_DIR=" + dataDir, "LOG_LEVEL=warn", "OCR_CONCURRENCY=1", "WORKER_DEAD_AFTER=2s", "AUTH_MODE=dev"}}
}

func (r *crashRig) startWorker() *exec.Cmd { return startProcess(r.t, "worker", r.env) }

// queue queues n uploads of a page that takes OCR a moment.
func (r *crashRig) queue(n int) []uuid.UUID {
	var ids []uuid.UUID
	for range n {
		ids = append(ids, queueUpload(r.t, r.pool, r.blobDir, 20))
	}
	return ids
}

// killAtFirstClaim starts a worker and kills it with SIGKILL the moment a
// job is running under its process, first removing its heartbeat when
// removeBeat; it returns the ids of the jobs it held.
func (r *crashRig) killAtFirstClaim(removeBeat bool) []int64 {
	r.t.Helper()
	w := r.startWorker()
	mark := fmt.Sprintf("%%\\_%d\\_%%", w.Process.Pid)
	var jobs []int64
	waitFor(r.t, time.Minute, "the worker's first claim", func() bool {
		rows, err := r.pool.Query(r.t.Context(), `SELECT id FROM river_job
			WHERE state = 'running' AND attempted_by[array_length(attempted_by, 1)] LIKE $1`, mark)
		require.NoError(r.t, err)
		jobs, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		require.NoError(r.t, err)
		return len(jobs) > 0
	})
	if removeBeat {
		_, err := r.pool.Exec(r.t.Context(), `DELETE FROM worker_heartbeats WHERE id LIKE $1`, mark)
		require.NoError(r.t, err)
	}
	require.NoError(r.t, w.Process.Signal(syscall.SIGKILL))
	_ = w.Wait()
	return jobs
}

// requireAllDoneOnce waits for every upload to be done, each with one note.
func (r *crashRig) requireAllDoneOnce(ids []uuid.UUID) {
	r.t.Helper()
	ctx := r.t.Context()
	for _, id := range ids {
		var u db.Upload
		waitFor(r.t, 2*time.Minute, "upload "+id.String()+" to settle", func() bool {
			var err error
			u, err = db.New(r.pool).UploadForWork(ctx, id)
			require.NoError(r.t, err)
			return u.Status == snapnote.UploadDone || u.Status == snapnote.UploadFailed
		})
		require.Equal(r.t, snapnote.UploadDone, u.Status, "%s: %s", u.ErrorCode, u.ErrorMessage)
		var notes int
		require.NoError(r.t, r.pool.QueryRow(ctx, `SELECT count(*) FROM documents WHERE upload_id = $1`, id).Scan(&notes))
		require.Equal(r.t, 1, notes)
	}
}
