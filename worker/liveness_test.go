package worker

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/pgtest"
	"github.com/snapnote/snapnote/internal/queue"
)

// jobsBundle is a database with one user's course, where tests make
// uploads whose OCR job a worker is running.
type jobsBundle struct {
	t      *testing.T
	pool   *pgxpool.Pool
	d      *db.DB
	q      *queue.Queue
	user   db.User
	course db.Course
}

func setupJobs(t *testing.T) *jobsBundle {
	t.Helper()
	b := &jobsBundle{t: t, pool: pgtest.Migrated(t)}
	b.d = db.Open(b.pool, discard())
	var err error
	b.q, err = queue.New(b.pool, discard())
	require.NoError(t, err)
	b.user, err = b.d.UpsertUser(t.Context(), db.Identity{Subject: "alice"})
	require.NoError(t, err)
	b.course, err = b.d.CreateCourse(t.Context(), b.user.ID, db.CourseInput{Name: "Physics"})
	require.NoError(t, err)
	return b
}

// running makes an upload whose OCR job worker started since ago, on
// River's attempt number attempt, and returns the upload's and the job's ids.
func (b *jobsBundle) running(worker string, attempt int, since time.Duration) (uuid.UUID, int64) {
	b.t.Helper()
	ctx := b.t.Context()
	id := uuid.New()
	_, err := b.q.CreateUpload(ctx, db.NewUpload{ID: id, UserID: b.user.ID, CourseID: b.course.ID,
		BlobKey: snapnote.PageBlobKey(b.user.ID, id, 1, ".png"), ContentType: "image/png", ByteSize: 1,
		SHA256: strings.Repeat("0", 64), ImageWidth: 1, ImageHeight: 1}, db.AuditEntry{UserID: &b.user.ID})
	require.NoError(b.t, err)
	require.NoError(b.t, b.d.StartStage(ctx, id, snapnote.StageOCR, attempt))
	var job int64
	require.NoError(b.t, b.pool.QueryRow(ctx, `UPDATE river_job SET state = 'running', attempt = $2,
		attempted_at = now() - make_interval(secs => $4), attempted_by = ARRAY['someone-before', $3]
		WHERE args->>'upload_id' = $1 RETURNING id`, id.String(), attempt, worker, since.Seconds()).Scan(&job))
	return id, job
}

// state returns the state of an upload's job, and the upload.
func (b *jobsBundle) state(id uuid.UUID) (job string, upload db.Upload) {
	b.t.Helper()
	require.NoError(b.t, b.pool.QueryRow(b.t.Context(), `SELECT state::text FROM river_job WHERE args->>'upload_id' = $1`,
		id.String()).Scan(&job))
	upload, err := b.d.UploadByID(b.t.Context(), b.user.ID, id)
	require.NoError(b.t, err)
	return job, upload
}

// A dead worker's running jobs go back to the queue with their uploads;
// on the last attempt the upload fails instead of looping; a living
// worker's jobs are left alone.
func TestLivenessReapsDeadWorkersJobs(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	b := setupJobs(t)
	d, pool := b.d, b.pool
	running := func(worker string, attempt int) uuid.UUID {
		id, _ := b.running(worker, attempt, 0)
		return id
	}
	state := b.state

	require.NoError(t, d.Heartbeat(ctx, "dead", "host", 1))
	require.NoError(t, d.Heartbeat(ctx, "alive", "host", 2))
	_, err := pool.Exec(ctx, `UPDATE worker_heartbeats SET heartbeat_at = now() - interval '1 minute' WHERE id = 'dead'`)
	require.NoError(t, err)
	retried := running("dead", 1)
	lastTry := running("dead", queue.OCRArgs{}.InsertOpts().MaxAttempts)
	untouched := running("alive", 1)

	l := &Liveness{DB: d, ID: "reaper", Logger: discard()}
	require.NoError(t, l.reap(ctx, 30*time.Second))

	job, u := state(retried)
	require.Equal(t, "available", job)
	require.Equal(t, snapnote.UploadQueued, u.Status, "the upload says it waits for a worker again")
	job, u = state(lastTry)
	require.Equal(t, "discarded", job)
	require.Equal(t, snapnote.UploadFailed, u.Status)
	require.Equal(t, snapnote.ErrWorkerLost, u.ErrorCode)
	job, u = state(untouched)
	require.Equal(t, "running", job)
	require.Equal(t, snapnote.UploadProcessing, u.Status)

	// The dead worker is forgotten: a second reaper finds nothing more.
	require.NoError(t, l.reap(ctx, 30*time.Second))
	job, _ = state(retried)
	require.Equal(t, "available", job)
	var workers int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM worker_heartbeats`).Scan(&workers))
	require.Equal(t, 1, workers)
}
