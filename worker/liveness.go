package worker

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/queue"
)

// DefaultDeadAfter is how long a worker may go without a heartbeat before
// the others take it for dead and hand its running jobs back to the queue.
const DefaultDeadAfter = 30 * time.Second

// Liveness beats for this worker process and reaps the jobs of dead ones.
// River's own rescuer only takes back a running job after
// RescueStuckJobsAfter (an hour, above the longest job's timeout); a worker
// killed mid-page would leave its upload "processing" that long. A
// heartbeat tells a dead worker from a slow job at once.
type Liveness struct {
	DB *db.DB
	// ID is this worker's River client id, as river_job.attempted_by names it.
	ID string
	// DeadAfter is DefaultDeadAfter when zero; heartbeats come six times as
	// often.
	DeadAfter time.Duration
	Logger    *slog.Logger
}

// NewWorkerID returns a River client id unique to this process: host, pid
// and a random suffix, so a restarted process with a reused pid is a new
// worker.
func NewWorkerID() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s_%d_%s", strings.ReplaceAll(host, " ", "-"), os.Getpid(), strings.ToLower(rand.Text()[:8]))
}

// Run beats and reaps until ctx ends, then forgets this worker, so a clean
// stop leaves no heartbeat behind to be taken for a death.
func (l *Liveness) Run(ctx context.Context) {
	deadAfter := l.DeadAfter
	if deadAfter <= 0 {
		deadAfter = DefaultDeadAfter
	}
	host, _ := os.Hostname()
	tick := time.NewTicker(deadAfter / 6)
	defer tick.Stop()
	for {
		if err := l.DB.Heartbeat(ctx, l.ID, host, os.Getpid()); err != nil && ctx.Err() == nil {
			l.Logger.WarnContext(ctx, "worker heartbeat failed", slog.Any("error", err))
		}
		if err := l.reap(ctx, deadAfter); err != nil && ctx.Err() == nil {
			l.Logger.WarnContext(ctx, "reaping dead workers' jobs failed", slog.Any("error", err))
		}
		if err := l.reclaimOrphans(ctx, deadAfter); err != nil && ctx.Err() == nil {
			l.Logger.WarnContext(ctx, "reclaiming this worker's orphaned jobs failed", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			forgetCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := l.DB.ForgetWorker(forgetCtx, l.ID); err != nil {
				l.Logger.WarnContext(ctx, "forget worker", slog.Any("error", err))
			}
			return
		case <-tick.C:
		}
	}
}

// reap hands the running jobs of dead workers back to the queue and tells
// their uploads: queued again while attempts are left, failed with
// snapnote.ErrWorkerLost after the last, so a page that kills every worker
// that reads it ends instead of looping.
func (l *Liveness) reap(ctx context.Context, deadAfter time.Duration) error {
	return l.DB.Tx(ctx, func(q *db.Queries) error {
		reaped, err := q.ReapDeadWorkers(ctx, deadAfter)
		if err != nil {
			return err
		}
		for _, j := range reaped {
			l.Logger.WarnContext(ctx, "job of a dead worker handed back", slog.Int64("job_id", j.ID),
				slog.String("kind", j.Kind), slog.Int("attempt", j.Attempt), slog.String("dead_worker", j.DeadID),
				slog.Bool("retried", j.Retried))
		}
		return l.tellUploads(ctx, q, reaped)
	})
}

// tellUploads puts the uploads of stage jobs handed back to the queue back
// to queued, or fails them when the job was given up.
func (l *Liveness) tellUploads(ctx context.Context, q *db.Queries, handedBack []db.ReapedJob) error {
	for _, j := range handedBack {
		if _, ok := queue.StageOfKind(j.Kind); !ok || j.UploadID == nil {
			continue
		}
		var err error
		if j.Retried {
			err = q.RequeueUpload(ctx, *j.UploadID)
		} else {
			err = q.FailUpload(ctx, *j.UploadID, snapnote.ErrWorkerLost, fmt.Sprintf(
				"The worker reading this upload stopped %d times in a row (it may have run out of memory). "+
					"Please retry later, or upload a smaller photo.", j.Attempt))
		}
		if err != nil {
			return err
		}
	}
	return nil
}
