package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// WorkerHeartbeat is a worker process's last sign of life.
type WorkerHeartbeat struct {
	ID          string // the worker's River client id
	Host        string
	PID         int
	StartedAt   time.Time
	HeartbeatAt time.Time
}

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

// WorkerHeartbeats returns every worker's last heartbeat, the oldest first.
func (q *Queries) WorkerHeartbeats(ctx context.Context) ([]WorkerHeartbeat, error) {
	return list(ctx, q.db, "list worker heartbeats", func(r scanner) (WorkerHeartbeat, error) {
		var h WorkerHeartbeat
		return h, r.Scan(&h.ID, &h.Host, &h.PID, &h.StartedAt, &h.HeartbeatAt)
	}, `SELECT id, host, pid, started_at, heartbeat_at FROM worker_heartbeats ORDER BY heartbeat_at, id`)
}

// ForgetWorker removes the heartbeat of a worker that stopped cleanly.
func (q *Queries) ForgetWorker(ctx context.Context, id string) error {
	if _, err := q.db.Exec(ctx, `DELETE FROM worker_heartbeats WHERE id = $1`, id); err != nil {
		return fmt.Errorf("forget worker %s: %w", id, err)
	}
	return nil
}

// ForgetDeadWorkers removes the heartbeats older than deadAfter and returns
// whose they were. A missing heartbeat counts as a stale one (see
// HandBackJobsOfDeadWorkers), so this only keeps the table to the living.
func (q *Queries) ForgetDeadWorkers(ctx context.Context, deadAfter time.Duration) ([]string, error) {
	return list(ctx, q.db, "forget dead workers", func(r scanner) (string, error) {
		var id string
		return id, r.Scan(&id)
	}, `
		DELETE FROM worker_heartbeats
		WHERE heartbeat_at < now() - make_interval(secs => $1::float8)
		RETURNING id`, deadAfter.Seconds())
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
