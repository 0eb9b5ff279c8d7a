package worker

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote"
)

// A job River shows running on this worker, that the worker no longer runs
// (its end could not be recorded while the database was down), goes back to
// the queue with its upload; jobs it runs, or ended a moment ago, stay.
func TestLivenessReclaimsItsOwnOrphanedJobs(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	b := setupJobs(t)
	d, state := b.d, b.state
	running := func(worker string) (uuid.UUID, int64) { return b.running(worker, 1, time.Minute) }

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
