-- Each running worker process beats here every few seconds. A worker whose
-- heartbeat stops (killed, out of memory, its machine gone) is dead: the
-- living hand its running jobs back to the queue at once, instead of
-- waiting for River's rescuer, which must wait out the longest job's
-- timeout (an hour) before it can tell a dead job from a slow one.
CREATE TABLE worker_heartbeats (
    id           TEXT PRIMARY KEY, -- the worker's River client id, as river_job.attempted_by names it
    host         TEXT NOT NULL,
    pid          INTEGER NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
