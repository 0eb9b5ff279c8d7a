package worker

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/pgtest"
	"github.com/snapnote/snapnote/internal/queue"
)

// A dead worker's running jobs go back to the queue with their uploads;
// on the last attempt the upload fails instead of looping; a living
// worker's jobs are left alone.
func TestLivenessReapsDeadWorkersJobs(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := pgtest.Migrated(t)
	d := db.Open(pool, discard())
	q, err := queue.New(pool, discard())
	require.NoError(t, err)
	user, err := d.UpsertUser(ctx, db.Identity{Subject: "alice"})
	require.NoError(t, err)
	course, err := d.CreateCourse(ctx, user.ID, db.CourseInput{Name: "Physics"})
	require.NoError(t, err)

	// running makes an upload whose OCR job worker runs at attempt.
	running := func(worker string, attempt int) uuid.UUID {
		id := uuid.New()
		_, err := q.CreateUpload(ctx, db.NewUpload{ID: id, UserID: user.ID, CourseID: course.ID,
			BlobKey: snapnote.PageBlobKey(user.ID, id, 1, ".png"), ContentType: "image/png", ByteSize: 1,
			SHA256: strings.Repeat("0", 64), ImageWidth: 1, ImageHeight: 1}, db.AuditEntry{UserID: &user.ID})
		require.NoError(t, err)
		require.NoError(t, d.StartStage(ctx, id, snapnote.StageOCR, attempt))
		_, err = pool.Exec(ctx, `UPDATE river_job SET state = 'running', attempt = $2, attempted_at = now(),
			attempted_by = ARRAY['someone-before', $3] WHERE args->>'upload_id' = $1`, id.String(), attempt, worker)
		require.NoError(t, err)
		return id
	}
	state := func(id uuid.UUID) (job string, upload db.Upload) {
		require.NoError(t, pool.QueryRow(ctx, `SELECT state::text FROM river_job WHERE args->>'upload_id' = $1`,
			id.String()).Scan(&job))
		upload, err := d.UploadByID(ctx, user.ID, id)
		require.NoError(t, err)
		return job, upload
	}

	require.NoError(t, d.Heartbeat(ctx, "dead", "host", 1))
	require.NoError(t, d.Heartbeat(ctx, "alive", "host", 2))
	_, err = pool.Exec(ctx, `UPDATE worker_heartbeats SET heartbeat_at = now() - interval '1 minute' WHERE id = 'dead'`)
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
