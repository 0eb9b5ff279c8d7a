package worker

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/pgtest"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/jobs"
	"github.com/snapnote/snapnote/storage"
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
		Pages: []db.NewPage{{BlobKey: snapnote.PageBlobKey(b.user.ID, id, 1, ".png"), ContentType: "image/png", ByteSize: 1,
			SHA256: strings.Repeat("0", 64), ImageWidth: 1, ImageHeight: 1}}}, db.AuditEntry{UserID: &b.user.ID})
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

// livenessOf returns the liveness loop of a worker named id, on the
// bundle's database, whose River client runs nothing.
func (b *jobsBundle) livenessOf(id string) *liveness {
	b.t.Helper()
	client, err := river.NewClient(riverpgxv5.New(b.pool), &river.Config{ID: id, Logger: discard()})
	require.NoError(b.t, err)
	return &liveness{db: b.d, client: client, tracker: newJobTracker(), deadAfter: 30 * time.Second, logger: discard()}
}

// beatAgo writes worker's heartbeat as if its last beat was ago.
func (b *jobsBundle) beatAgo(worker string, ago time.Duration) {
	b.t.Helper()
	require.NoError(b.t, b.d.Heartbeat(b.t.Context(), worker, "host", 1))
	_, err := b.pool.Exec(b.t.Context(), `UPDATE worker_heartbeats SET heartbeat_at = now() - make_interval(secs => $2)
		WHERE id = $1`, worker, ago.Seconds())
	require.NoError(b.t, err)
}

// The hand-back rule: a job running for longer than deadAfter under a
// worker whose heartbeat is stale, or missing (killed before its first
// beat), goes back to the queue with its upload; on the last attempt the
// upload fails instead of looping. A living worker's jobs, and a job that
// started within deadAfter, are left alone.
func TestHandBackRule(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	b := setupJobs(t)
	b.beatAgo("stale", time.Minute)
	b.beatAgo("alive", time.Second)
	staleJob, _ := b.running("stale", 1, time.Minute)
	neverBeat, _ := b.running("never-beat", 1, time.Minute)
	lastTry, _ := b.running("never-beat", queue.OCRArgs{}.InsertOpts().MaxAttempts, time.Minute)
	alive, _ := b.running("alive", 1, time.Hour)
	justClaimed, _ := b.running("just-started", 1, time.Second)

	l := b.livenessOf("reaper")
	require.NoError(t, l.handBack(ctx))

	for _, id := range []uuid.UUID{staleJob, neverBeat} {
		job, u := b.state(id)
		require.Equal(t, "available", job)
		require.Equal(t, snapnote.UploadQueued, u.Status, "the upload says it waits for a worker again")
	}
	job, u := b.state(lastTry)
	require.Equal(t, "discarded", job)
	require.Equal(t, snapnote.UploadFailed, u.Status)
	require.Equal(t, snapnote.ErrWorkerLost, u.ErrorCode)
	pages, err := b.d.PagesOfUploads(ctx, []uuid.UUID{lastTry})
	require.NoError(t, err)
	require.Equal(t, snapnote.UploadFailed, pages[lastTry][0].Status, "the page the job read fails with its upload")
	require.Equal(t, snapnote.ErrWorkerLost, pages[lastTry][0].ErrorCode)
	for _, id := range []uuid.UUID{alive, justClaimed} {
		job, u = b.state(id)
		require.Equal(t, "running", job)
		require.Equal(t, snapnote.UploadProcessing, u.Status)
	}

	// River reads the attempt's error the hand-back wrote.
	var jobID int64
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT id FROM river_job WHERE args->>'upload_id' = $1`, neverBeat.String()).Scan(&jobID))
	row, err := l.client.JobGet(ctx, jobID)
	require.NoError(t, err)
	require.Equal(t, "worker never-beat stopped beating while the job ran", row.Errors[len(row.Errors)-1].Error)
	require.Equal(t, 1, row.Errors[len(row.Errors)-1].Attempt)

	// The stale heartbeat is gone, the living one stays, and a second
	// pass hands nothing back twice.
	beats, err := b.d.WorkerHeartbeats(ctx)
	require.NoError(t, err)
	require.Len(t, beats, 1)
	require.Equal(t, "alive", beats[0].ID)
	require.NoError(t, l.handBack(ctx))
	job, _ = b.state(staleJob)
	require.Equal(t, "available", job)
}

// Start writes the heartbeat before the River client may claim a job, and
// hands back the jobs of a dead earlier life of the worker before its own
// client starts; Stop removes the heartbeat.
func TestStartBeatsBeforeClaiming(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	b := setupJobs(t)
	_, jobID := b.running("earlier-life", 1, time.Minute)
	blobs, err := storage.NewLocal(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = blobs.Close() })

	w, err := New(Config{Jobs: jobs.Config{Pipeline: &jobs.Pipeline{Pool: b.pool, Blobs: blobs, Logger: discard()},
		Logger: discard()}, OCRConcurrency: 1, LLMConcurrency: 1})
	require.NoError(t, err)
	require.NoError(t, w.Start(ctx))
	t.Cleanup(func() {
		stopCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		require.NoError(t, w.Stop(stopCtx))
		beats, err := b.d.WorkerHeartbeats(stopCtx)
		require.NoError(t, err)
		require.Empty(t, beats, "a clean stop is not a death")
	})

	// The earlier life's job came back and this worker claimed it, after
	// its heartbeat was written.
	var row *rivertype.JobRow
	require.Eventually(t, func() bool {
		row, err = w.Client().JobGet(ctx, jobID)
		require.NoError(t, err)
		return row.Attempt == 2 && row.AttemptedBy[len(row.AttemptedBy)-1] == w.ID()
	}, 30*time.Second, 20*time.Millisecond)
	beats, err := b.d.WorkerHeartbeats(ctx)
	require.NoError(t, err)
	require.Len(t, beats, 1)
	require.Equal(t, w.ID(), beats[0].ID)
	require.False(t, beats[0].StartedAt.After(*row.AttemptedAt), "heartbeat at %s, claim at %s", beats[0].StartedAt, row.AttemptedAt)
}
