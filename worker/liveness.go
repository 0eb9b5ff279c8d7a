package worker

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/queue"
)

// DefaultDeadAfter is how long a worker may go without a heartbeat before
// the others take it for dead and hand its running jobs back to the queue.
const DefaultDeadAfter = 30 * time.Second

// NewWorkerID returns a River client id unique to this process: host, pid
// and a random suffix, so a restarted process with a reused pid is a new
// worker.
func NewWorkerID() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s_%d_%s", strings.ReplaceAll(host, " ", "-"), os.Getpid(), strings.ToLower(rand.Text()[:8]))
}

// liveness beats for one worker and hands back the jobs of dead ones.
// River's own rescuer only takes back a running job after
// RescueStuckJobsAfter (above the longest job's timeout); a worker killed
// mid-page would leave its upload "processing" that long. A heartbeat tells
// a dead worker from a slow job within deadAfter.
//
// The rule: a job running for more than deadAfter under a River client id
// with no heartbeat in the last deadAfter is a dead worker's, whether the
// heartbeat went stale or was never written.
type liveness struct {
	db        *db.DB
	client    *river.Client[pgx.Tx] // whose id beats, and whose running jobs tracker knows
	tracker   *jobTracker
	deadAfter time.Duration // heartbeats come six times as often
	logger    *slog.Logger
}

// run beats and hands back until ctx ends, then forgets this worker, so a
// clean stop leaves no heartbeat behind to be taken for a death.
func (l *liveness) run(ctx context.Context) {
	tick := time.NewTicker(l.deadAfter / 6)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			l.forget(ctx)
			return
		case <-tick.C:
		}
		if err := l.beat(ctx); err != nil && ctx.Err() == nil {
			l.logger.WarnContext(ctx, "worker heartbeat failed", slog.Any("error", err))
		}
		l.handBackDead(ctx)
		if err := l.handBackLost(ctx); err != nil && ctx.Err() == nil {
			l.logger.WarnContext(ctx, "handing back this worker's lost jobs failed", slog.Any("error", err))
		}
	}
}

// beat records that this worker lives.
func (l *liveness) beat(ctx context.Context) error {
	host, _ := os.Hostname()
	return l.db.Heartbeat(ctx, l.client.ID(), host, os.Getpid())
}

// forget removes this worker's heartbeat.
func (l *liveness) forget(ctx context.Context) {
	forgetCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := l.db.ForgetWorker(forgetCtx, l.client.ID()); err != nil {
		l.logger.WarnContext(ctx, "forget worker", slog.Any("error", err))
	}
}

// handBackDead hands the running jobs of dead workers back to the queue
// and tells their uploads; a failure is logged, and the next beat tries
// again.
func (l *liveness) handBackDead(ctx context.Context) {
	if err := l.handBack(ctx); err != nil && ctx.Err() == nil {
		l.logger.WarnContext(ctx, "handing back dead workers' jobs failed", slog.Any("error", err))
	}
}

// handBack hands the running jobs of dead workers back to the queue and
// tells their uploads: queued again while attempts are left, failed with
// snapnote.ErrWorkerLost after the last, so a page that kills every worker
// that reads it ends instead of looping. The dead workers' heartbeats go.
func (l *liveness) handBack(ctx context.Context) error {
	return l.db.Tx(ctx, func(q *db.Queries) error {
		handedBack, err := q.HandBackJobsOfDeadWorkers(ctx, l.deadAfter)
		if err != nil {
			return err
		}
		for _, j := range handedBack {
			l.logger.WarnContext(ctx, "job of a dead worker handed back", slog.Int64("job_id", j.ID),
				slog.String("kind", j.Kind), slog.Int("attempt", j.Attempt), slog.String("dead_worker", j.Worker),
				slog.Bool("retried", j.Retried))
		}
		if err := l.tellUploads(ctx, q, handedBack); err != nil {
			return err
		}
		dead, err := q.ForgetDeadWorkers(ctx, l.deadAfter)
		for _, id := range dead {
			l.logger.WarnContext(ctx, "worker stopped beating", slog.String("dead_worker", id))
		}
		return err
	})
}

// handBackLost hands back this worker's jobs that River's table shows
// running but that it no longer works: a database outage made River give
// up recording their end, and the heartbeat, still beating, would never let
// another worker take them. Their uploads are told as for a dead worker's.
func (l *liveness) handBackLost(ctx context.Context) error {
	running, err := l.runningJobs(ctx)
	if err != nil {
		return err
	}
	lost := l.tracker.lost(running, l.deadAfter)
	if len(lost) == 0 {
		return nil
	}
	return l.db.Tx(ctx, func(q *db.Queries) error {
		handedBack, err := q.HandBackJobs(ctx, l.client.ID(), lost, l.deadAfter,
			"worker "+l.client.ID()+" lost track of the job (its end could not be recorded)")
		if err != nil {
			return err
		}
		for _, j := range handedBack {
			l.logger.WarnContext(ctx, "job whose end was never recorded handed back", slog.Int64("job_id", j.ID),
				slog.String("kind", j.Kind), slog.Int("attempt", j.Attempt), slog.Bool("retried", j.Retried))
		}
		return l.tellUploads(ctx, q, handedBack)
	})
}

// runningJobs returns the ids of the jobs River's table shows running
// under this worker's id, read through River's own job list.
func (l *liveness) runningJobs(ctx context.Context) ([]int64, error) {
	var ids []int64
	params := river.NewJobListParams().States(rivertype.JobStateRunning).First(1000)
	for {
		res, err := l.client.JobList(ctx, params)
		if err != nil {
			return nil, fmt.Errorf("list running jobs: %w", err)
		}
		for _, j := range res.Jobs {
			if n := len(j.AttemptedBy); n > 0 && j.AttemptedBy[n-1] == l.client.ID() {
				ids = append(ids, j.ID)
			}
		}
		if len(res.Jobs) < 1000 {
			return ids, nil
		}
		params = params.After(res.LastCursor)
	}
}

// tellUploads puts the uploads of stage jobs handed back to the queue back
// to queued, or fails them, and the page the job read, when the job was
// given up.
func (l *liveness) tellUploads(ctx context.Context, q *db.Queries, handedBack []db.HandedBackJob) error {
	for _, j := range handedBack {
		target, ok := stageTarget(j)
		if !ok {
			continue
		}
		var err error
		if j.Retried {
			err = q.RequeueUpload(ctx, target.UploadID)
		} else {
			err = q.FailUpload(ctx, target.UploadID, target.Page, snapnote.Failure{Code: snapnote.ErrWorkerLost, Message: fmt.Sprintf(
				"The worker reading this upload stopped %d times in a row (it may have run out of memory). "+
					"Please retry later, or upload a smaller photo.", j.Attempt)})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// stageTarget returns the upload, and page, a handed-back stage job works
// on; other jobs have none.
func stageTarget(j db.HandedBackJob) (queue.StageArgs, bool) {
	if _, ok := queue.StageOfKind(j.Kind); !ok {
		return queue.StageArgs{}, false
	}
	var args queue.StageArgs
	if err := json.Unmarshal(j.Args, &args); err != nil || args.UploadID == uuid.Nil {
		return queue.StageArgs{}, false
	}
	return args, true
}
