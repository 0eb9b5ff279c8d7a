package worker

import (
	"context"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// jobTracker is a River worker middleware that knows which jobs its
// worker is working and when each one ended, so the liveness loop can tell
// a job it still runs from one whose end River could not record.
type jobTracker struct {
	river.MiddlewareDefaults

	mu       sync.Mutex
	inFlight map[int64]struct{}
	ended    map[int64]time.Time
}

func newJobTracker() *jobTracker {
	return &jobTracker{inFlight: map[int64]struct{}{}, ended: map[int64]time.Time{}}
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

// lost returns those of ids this worker is not working and did not end
// within grace: River keeps a job running in its table until its completer
// records the end, which takes a moment even when all is well.
func (t *jobTracker) lost(ids []int64, grace time.Duration) []int64 {
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
