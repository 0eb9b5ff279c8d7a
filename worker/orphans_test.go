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

// A job River shows running on this worker, that the worker no longer runs
// (its end could not be recorded while the database was down), goes back to
// the queue with its upload; jobs it runs, or ended a moment ago, stay.
func TestLivenessReclaimsItsOwnOrphanedJobs(t *testing.T) {
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

	// running makes an upload whose OCR job worker started a minute ago,
	// and returns the upload's and the job's ids.
	running := func(worker string) (uuid.UUID, int64) {
		id := uuid.New()
		_, err := q.CreateUpload(ctx, db.NewUpload{ID: id, UserID: user.ID, CourseID: course.ID,
			BlobKey: snapnote.PageBlobKey(user.ID, id, 1, ".png"), ContentType: "image/png", ByteSize: 1,
			SHA256: strings.Repeat("0", 64), ImageWidth: 1, ImageHeight: 1}, db.AuditEntry{UserID: &user.ID})
		require.NoError(t, err)
		require.NoError(t, d.StartStage(ctx, id, snapnote.StageOCR, 1))
		var job int64
		require.NoError(t, pool.QueryRow(ctx, `UPDATE river_job SET state = 'running', attempt = 1,
			attempted_at = now() - interval '1 minute', attempted_by = ARRAY[$2]
			WHERE args->>'upload_id' = $1 RETURNING id`, id.String(), worker).Scan(&job))
		return id, job
	}
	state := func(id uuid.UUID) (job string, upload db.Upload) {
		require.NoError(t, pool.QueryRow(ctx, `SELECT state::text FROM river_job WHERE args->>'upload_id' = $1`,
			id.String()).Scan(&job))
		upload, err := d.UploadByID(ctx, user.ID, id)
		require.NoError(t, err)
		return job, upload
	}

	me := NewWorkerID()
	tracker := newTracker(me)
	orphan, _ := running(me)
	working, workingJob := running(me)
	justEnded, endedJob := running(me)
	other, _ := running("another-worker")
	tracker.inFlight[workingJob] = struct{}{}
	tracker.ended[endedJob] = time.Now()

	l := &Liveness{DB: d, ID: me, Logger: discard()}
	require.NoError(t, l.reclaimOrphans(ctx, 30*time.Second))

	job, u := state(orphan)
	require.Equal(t, "available", job)
	require.Equal(t, snapnote.UploadQueued, u.Status, "the upload says it waits for a worker again")
	for _, id := range []uuid.UUID{working, justEnded, other} {
		job, u = state(id)
		require.Equal(t, "running", job)
		require.Equal(t, snapnote.UploadProcessing, u.Status)
	}

	// A Liveness whose client worker.New did not make knows nothing of its
	// jobs, so it hands none back.
	stranger := &Liveness{DB: d, ID: "another-worker", Logger: discard()}
	require.NoError(t, stranger.reclaimOrphans(ctx, 30*time.Second))
	job, _ = state(other)
	require.Equal(t, "running", job)
}
