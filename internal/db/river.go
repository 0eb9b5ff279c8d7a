package db

import (
	"context"
	"time"
)

// This file holds every statement on River's own table, river_job. River's
// client does the rest (insert, fetch, complete, rescue, list); what is
// here is what its API has no call for: counting jobs by state, and taking
// back a running job whose worker is gone (River's rescuer can only do that
// after the longest job's timeout, and its driver's JobRescueMany is not
// for use outside River).

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

// HandedBackJob is a running job taken from the worker that ran it: back in
// the queue (Retried), or given up on its last attempt (discarded).
type HandedBackJob struct {
	ID      int64
	Kind    string
	Args    []byte // as River stored them; the job's kind says how to read them
	Attempt int
	Retried bool
	Worker  string // the River client id the job ran under
}

// HandBackJobsOfDeadWorkers hands back every job running for more than
// deadAfter under a River client id with no heartbeat in the last deadAfter
// (none at all: a worker killed before its first beat, or forgotten): each
// becomes available at once while attempts are left (not retryable, which
// waits for the leader's scheduler, and the dead worker may have been the
// leader), else discarded, with an attempt error saying why. Two callers at
// once do not hand a job back twice: the second finds it no longer running.
func (q *Queries) HandBackJobsOfDeadWorkers(ctx context.Context, deadAfter time.Duration) ([]HandedBackJob, error) {
	return list(ctx, q.db, "hand back jobs of dead workers", scanHandedBack, `
		UPDATE river_job j SET
			state        = CASE WHEN j.attempt < j.max_attempts THEN 'available' ELSE 'discarded' END::river_job_state,
			scheduled_at = now(),
			finalized_at = CASE WHEN j.attempt < j.max_attempts THEN NULL ELSE now() END,
			errors       = array_append(j.errors, jsonb_build_object(
				'at', now(), 'attempt', j.attempt, 'trace', '',
				'error', 'worker ' || coalesce(j.attempted_by[array_length(j.attempted_by, 1)], '(unknown)') ||
					' stopped beating while the job ran')),
			metadata     = j.metadata || jsonb_build_object('snapnote:handed_back_from',
				j.attempted_by[array_length(j.attempted_by, 1)])
		WHERE j.state = 'running'
		  AND j.attempted_at < now() - make_interval(secs => $1::float8)
		  AND NOT EXISTS (
			SELECT 1 FROM worker_heartbeats h
			WHERE h.id = j.attempted_by[array_length(j.attempted_by, 1)]
			  AND h.heartbeat_at >= now() - make_interval(secs => $1::float8))
		RETURNING j.id, j.kind, j.args, j.attempt, j.state = 'available',
			coalesce(j.attempted_by[array_length(j.attempted_by, 1)], '')`, deadAfter.Seconds())
}

// HandBackJobs hands the jobs ids back as HandBackJobsOfDeadWorkers does,
// with reason as the attempt's error, if they are still running under
// worker id and started more than startedBefore ago: for jobs a living
// worker no longer runs but whose end it could not record (River gives up
// completing a job after a few failed tries while the database is
// unreachable, and only its rescuer, an hour later, would take it back).
func (q *Queries) HandBackJobs(ctx context.Context, id string, ids []int64, startedBefore time.Duration, reason string) ([]HandedBackJob, error) {
	return list(ctx, q.db, "hand back jobs of worker "+id, scanHandedBack, `
		UPDATE river_job j SET
			state        = CASE WHEN j.attempt < j.max_attempts THEN 'available' ELSE 'discarded' END::river_job_state,
			scheduled_at = now(),
			finalized_at = CASE WHEN j.attempt < j.max_attempts THEN NULL ELSE now() END,
			errors       = array_append(j.errors, jsonb_build_object(
				'at', now(), 'attempt', j.attempt, 'trace', '', 'error', $4::text)),
			metadata     = j.metadata || jsonb_build_object('snapnote:handed_back_by', $1::text)
		WHERE j.id = ANY($2) AND j.state = 'running' AND j.attempted_by[array_length(j.attempted_by, 1)] = $1
		  AND j.attempted_at < now() - make_interval(secs => $3::float8)
		RETURNING j.id, j.kind, j.args, j.attempt, j.state = 'available', $1::text`,
		id, ids, startedBefore.Seconds(), reason)
}

func scanHandedBack(r scanner) (HandedBackJob, error) {
	var j HandedBackJob
	return j, r.Scan(&j.ID, &j.Kind, &j.Args, &j.Attempt, &j.Retried, &j.Worker)
}
