package db

import (
	"context"
	"fmt"
	"time"
)

// OldestAvailable returns, per queue with jobs waiting for a worker, how
// long the oldest of them has been due: a queue no worker drains shows
// here first.
func (q *Queries) OldestAvailable(ctx context.Context) (map[string]time.Duration, error) {
	type age struct {
		queue   string
		seconds float64
	}
	rows, err := list(ctx, q.db, "read oldest available jobs", func(r scanner) (age, error) {
		var a age
		return a, r.Scan(&a.queue, &a.seconds)
	}, `
		SELECT queue, extract(epoch FROM now() - min(scheduled_at))::float8 FROM river_job
		WHERE state = 'available'
		GROUP BY queue`)
	if err != nil {
		return nil, err
	}
	out := make(map[string]time.Duration, len(rows))
	for _, a := range rows {
		out[a.queue] = time.Duration(max(a.seconds, 0) * float64(time.Second))
	}
	return out, nil
}

// WorkerPulse returns how many workers have a heartbeat on record and how
// long ago the newest one beat (zero when there is none).
func (q *Queries) WorkerPulse(ctx context.Context) (workers int, newest time.Duration, err error) {
	var seconds float64
	err = q.db.QueryRow(ctx, `
		SELECT count(*), coalesce(extract(epoch FROM now() - max(heartbeat_at))::float8, 0)
		FROM worker_heartbeats`).Scan(&workers, &seconds)
	if err != nil {
		return 0, 0, fmt.Errorf("read worker heartbeats: %w", err)
	}
	return workers, time.Duration(max(seconds, 0) * float64(time.Second)), nil
}
