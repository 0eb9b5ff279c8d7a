package worker

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/telemetry"
	"github.com/snapnote/snapnote/jobs"
)

// jobLog logs each job worked, with its kind, attempt, outcome and time,
// through the job's context: behind queue.Propagation, the line names the
// request that queued the job (request_id) and its trace (trace_id).
type jobLog struct {
	river.MiddlewareDefaults
	logger  *slog.Logger
	metrics *telemetry.PipelineMetrics
}

func newJobLog(logger *slog.Logger, metrics *telemetry.PipelineMetrics) *jobLog {
	return &jobLog{logger: telemetry.Logger(logger), metrics: metrics}
}

func (m *jobLog) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	start := time.Now()
	err := doInner(ctx)
	attrs := []slog.Attr{slog.Int64("job_id", job.ID), slog.String("kind", job.Kind),
		slog.Int("attempt", job.Attempt), slog.Duration("took", time.Since(start))}
	level := slog.LevelInfo
	if err != nil {
		if f, ok := errors.AsType[*jobs.Failure](err); !ok || !snapnote.IsUserError(f.Code) {
			level = slog.LevelWarn
		}
		attrs = append(attrs, slog.Any("error", err))
	}
	m.logger.LogAttrs(ctx, level, "job worked", attrs...)
	m.metrics.ObserveJob(job.Kind, outcome(job, err), time.Since(start).Seconds())
	return err
}

// outcome is how a job attempt that returned err ends: ok, retry (River
// tries it again) or failed (cancelled, or its last attempt).
func outcome(job *rivertype.JobRow, err error) string {
	var cancel *river.JobCancelError
	switch {
	case err == nil:
		return telemetry.OutcomeOK
	case errors.As(err, &cancel) || job.Attempt >= job.MaxAttempts:
		return telemetry.OutcomeFailed
	}
	return telemetry.OutcomeRetry
}
