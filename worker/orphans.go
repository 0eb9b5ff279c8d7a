package worker

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/snapnote/snapnote/internal/db"
)

// jobTracker is a River worker middleware that knows which jobs this
// process is working and when each one ended, so Liveness can tell a job it
// still runs from one whose end River could not record.
type jobTracker struct {
	river.MiddlewareDefaults

	mu       sync.Mutex
	inFlight map[int64]struct{}
	ended    map[int64]time.Time
}

var (
	trackersMu sync.Mutex
	trackers   = map[string]*jobTracker{} // River client id → its tracker
)

// newTracker makes the tracker of the River client id, which worker.New
// installs as middleware and Liveness reads.
func newTracker(id string) *jobTracker {
	trackersMu.Lock()
	defer trackersMu.Unlock()
	t := &jobTracker{inFlight: map[int64]struct{}{}, ended: map[int64]time.Time{}}
	trackers[id] = t
	return t
}

// trackerOf returns the tracker of the River client id in this process, if
// worker.New made that client: without one, no job can be known to be lost.
func trackerOf(id string) (*jobTracker, bool) {
	trackersMu.Lock()
	defer trackersMu.Unlock()
	t, ok := trackers[id]
	return t, ok
}

func (t *jobTracker) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	t.mu.Lock()
	t.inFlight[job.ID] = struct{}{}
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		delete(t.inFlight, job.ID)
		t.ended[job.ID] = time.Now()
		t.mu.Unlock()
	}()
	return doInner(ctx)
}

// orphans returns those of ids this process is not working and did not end
// within grace: River keeps a job running in its table until its completer
// records the end, which takes a moment even when all is well.
func (t *jobTracker) orphans(ids []int64, grace time.Duration) []int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	for id, at := range t.ended {
		if now.Sub(at) > 10*grace {
			delete(t.ended, id)
		}
	}
	var out []int64
	for _, id := range ids {
		if _, running := t.inFlight[id]; running {
			continue
		}
		if at, ok := t.ended[id]; ok && now.Sub(at) < grace {
			continue
		}
		out = append(out, id)
	}
	return out
}

// reclaimOrphans hands back this worker's jobs that River's table shows
// running but that it no longer works: a database outage made River give up
// recording their end, and the heartbeat, still beating, would never let
// another worker take them. Their uploads are told as for a dead worker's.
func (l *Liveness) reclaimOrphans(ctx context.Context, grace time.Duration) error {
	t, ok := trackerOf(l.ID)
	if !ok {
		return nil
	}
	return l.DB.Tx(ctx, func(q *db.Queries) error {
		ids, err := q.RunningJobsOf(ctx, l.ID, grace)
		if err != nil || len(ids) == 0 {
			return err
		}
		orphans := t.orphans(ids, grace)
		if len(orphans) == 0 {
			return nil
		}
		jobs, err := q.HandBackJobs(ctx, l.ID, orphans, "worker "+l.ID+" lost track of the job (its end could not be recorded)")
		if err != nil {
			return err
		}
		for _, j := range jobs {
			l.Logger.WarnContext(ctx, "job whose end was never recorded handed back", slog.Int64("job_id", j.ID),
				slog.String("kind", j.Kind), slog.Int("attempt", j.Attempt), slog.Bool("retried", j.Retried))
		}
		return l.tellUploads(ctx, q, jobs)
	})
}
