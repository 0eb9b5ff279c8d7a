package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Heartbeat records that worker id (its River client id) is alive, on
// host with process id pid.
func (q *Queries) Heartbeat(ctx context.Context, id, host string, pid int) error {
	_, err := q.db.Exec(ctx, `
		INSERT INTO worker_heartbeats (id, host, pid) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()`, id, host, pid)
	if err != nil {
		return fmt.Errorf("heartbeat of worker %s: %w", id, err)
	}
	return nil
}

// ForgetWorker removes the heartbeat of a worker that stopped cleanly.
func (q *Queries) ForgetWorker(ctx context.Context, id string) error {
	if _, err := q.db.Exec(ctx, `DELETE FROM worker_heartbeats WHERE id = $1`, id); err != nil {
		return fmt.Errorf("forget worker %s: %w", id, err)
	}
	return nil
}

// ReapedJob is a running job of a dead worker, handed back to the queue
// (Retried) or, on its last attempt, given up (discarded).
type ReapedJob struct {
	ID       int64
	Kind     string
	Args     []byte
	Attempt  int
	Retried  bool
	DeadID   string
	UploadID *uuid.UUID // the upload a stage job works on, from its args
}

// ReapDeadWorkers forgets the workers whose last heartbeat is older than
// deadAfter, and hands their running jobs back to River much as its own
// rescuer would, with an error saying why: discarded on their last
// attempt, else available at once (not retryable, which waits for the
// leader's scheduler: the dead worker may have been the leader). Run it in a transaction with the uploads' updates; two
// reapers at once do not reap a job twice (the rows are locked, and the
// second finds the workers gone).
func (q *Queries) ReapDeadWorkers(ctx context.Context, deadAfter time.Duration) ([]ReapedJob, error) {
	return list(ctx, q.db, "reap jobs of dead workers", func(r scanner) (ReapedJob, error) {
		var j ReapedJob
		return j, r.Scan(&j.ID, &j.Kind, &j.Args, &j.Attempt, &j.Retried, &j.DeadID, &j.UploadID)
	}, `
		WITH dead AS (
			DELETE FROM worker_heartbeats
			WHERE heartbeat_at < now() - make_interval(secs => $1::float8)
			RETURNING id
		)
		UPDATE river_job j SET
			state        = CASE WHEN j.attempt < j.max_attempts THEN 'available' ELSE 'discarded' END::river_job_state,
			scheduled_at = now(),
			finalized_at = CASE WHEN j.attempt < j.max_attempts THEN NULL ELSE now() END,
			errors       = array_append(j.errors, jsonb_build_object(
				'at', now(), 'attempt', j.attempt, 'trace', '',
				'error', 'worker ' || dead.id || ' stopped beating while the job ran')),
			metadata     = j.metadata || jsonb_build_object('snapnote:reaped_from', dead.id)
		FROM dead
		WHERE j.state = 'running' AND j.attempted_by[array_length(j.attempted_by, 1)] = dead.id
		RETURNING j.id, j.kind, j.args, j.attempt, j.state = 'available', dead.id,
			(j.args->>'upload_id')::uuid`, deadAfter.Seconds())
}

// RequeueUpload puts an upload whose job was handed back to the queue back
// to queued at its stage, so its watchers see it wait for a worker again.
func (q *Queries) RequeueUpload(ctx context.Context, id uuid.UUID) error {
	_, err := q.db.Exec(ctx, `
		UPDATE uploads SET status = 'queued', updated_at = now()
		WHERE id = $1 AND status = 'processing'`, id)
	if err != nil {
		return fmt.Errorf("requeue upload %s: %w", id, err)
	}
	return nil
}
