package db

import (
	"context"
)

// QueueDepth is how many of River's jobs on a queue are in a state.
type QueueDepth struct {
	Queue string
	State string
	Jobs  int
}

// QueueDepths returns the jobs not yet finished, by queue and state: the
// pipeline's backlog, read from River's table.
func (q *Queries) QueueDepths(ctx context.Context) ([]QueueDepth, error) {
	return list(ctx, q.db, "read queue depths", func(r scanner) (QueueDepth, error) {
		var d QueueDepth
		return d, r.Scan(&d.Queue, &d.State, &d.Jobs)
	}, `
		SELECT queue, state::text, count(*) FROM river_job
		WHERE state IN ('available', 'running', 'retryable', 'scheduled')
		GROUP BY queue, state`)
}
