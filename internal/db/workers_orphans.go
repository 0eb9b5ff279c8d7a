package db

import (
	"context"
	"time"
)

// RunningJobsOf returns the ids of the jobs River's table shows running on
// worker id (the last in attempted_by) since more than startedBefore ago.
func (q *Queries) RunningJobsOf(ctx context.Context, id string, startedBefore time.Duration) ([]int64, error) {
	return list(ctx, q.db, "running jobs of worker "+id, func(r scanner) (int64, error) {
		var jobID int64
		return jobID, r.Scan(&jobID)
	}, `
		SELECT id FROM river_job
		WHERE state = 'running' AND attempted_by[array_length(attempted_by, 1)] = $1
		  AND attempted_at < now() - make_interval(secs => $2::float8)
		ORDER BY id`, id, startedBefore.Seconds())
}

// HandBackJobs hands the jobs ids, still running on worker id, back to
// River as ReapDeadWorkers does, with reason as the attempt's error: for a
// job the worker no longer runs but whose end it could not record (River
// gives up completing a job after a few failed tries while the database is
// unreachable, and only its own rescuer, an hour later, would take it back).
func (q *Queries) HandBackJobs(ctx context.Context, id string, ids []int64, reason string) ([]ReapedJob, error) {
	return list(ctx, q.db, "hand back jobs of worker "+id, func(r scanner) (ReapedJob, error) {
		var j ReapedJob
		return j, r.Scan(&j.ID, &j.Kind, &j.Args, &j.Attempt, &j.Retried, &j.DeadID, &j.UploadID)
	}, `
		UPDATE river_job j SET
			state        = CASE WHEN j.attempt < j.max_attempts THEN 'available' ELSE 'discarded' END::river_job_state,
			scheduled_at = now(),
			finalized_at = CASE WHEN j.attempt < j.max_attempts THEN NULL ELSE now() END,
			errors       = array_append(j.errors, jsonb_build_object(
				'at', now(), 'attempt', j.attempt, 'trace', '', 'error', $3::text)),
			metadata     = j.metadata || jsonb_build_object('snapnote:handed_back_by', $1::text)
		WHERE j.id = ANY($2) AND j.state = 'running' AND j.attempted_by[array_length(j.attempted_by, 1)] = $1
		RETURNING j.id, j.kind, j.args, j.attempt, j.state = 'available', $1::text,
			(j.args->>'upload_id')::uuid`, id, ids, reason)
}
