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
// the queue with its upload; jobs it runs, or ended a moment ago, and other
// workers' jobs stay.
func TestLivenessHandsBackItsLostJobs(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	b := setupJobs(t)
	running := func(worker string) (uuid.UUID, int64) { return b.running(worker, 1, time.Minute) }

	me := NewWorkerID()
	l := b.livenessOf(me)
	lost, _ := running(me)
	working, workingJob := running(me)
	justEnded, endedJob := running(me)
	other, _ := running("another-worker")
	l.tracker.inFlight[workingJob] = struct{}{}
	l.tracker.ended[endedJob] = time.Now()

	require.NoError(t, l.handBackLost(ctx))

	job, u := b.state(lost)
	require.Equal(t, "available", job)
	require.Equal(t, snapnote.UploadQueued, u.Status, "the upload says it waits for a worker again")
	for _, id := range []uuid.UUID{working, justEnded, other} {
		job, u = b.state(id)
		require.Equal(t, "running", job)
		require.Equal(t, snapnote.UploadProcessing, u.Status)
	}
}
