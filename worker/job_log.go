package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/snapnote/snapnote/internal/telemetry"
)

// jobLog logs each job worked, with its kind, attempt, outcome and time,
// through the job's context: behind queue.Propagation, the line names the
// request that queued the job (request_id) and its trace (trace_id).
type jobLog struct {
	river.MiddlewareDefaults
	logger *slog.Logger
}

func newJobLog(logger *slog.Logger) *jobLog {
	return &jobLog{logger: telemetry.Logger(logger)}
}

func (m *jobLog) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	start := time.Now()
	err := doInner(ctx)
	attrs := []slog.Attr{slog.Int64("job_id", job.ID), slog.String("kind", job.Kind),
		slog.Int("attempt", job.Attempt), slog.Duration("took", time.Since(start))}
	level := slog.LevelInfo
	if err != nil {
		level = slog.LevelWarn
		attrs = append(attrs, slog.Any("error", err))
	}
	m.logger.LogAttrs(ctx, level, "job worked", attrs...)
	return err
}
