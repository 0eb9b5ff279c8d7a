package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/queue"
)

// ErrorHandler settles uploads whose stage job River gives up on by a path
// the stage could not handle itself: a panic, or an error before or while
// committing the stage. Without it such an upload would stay "processing"
// for good, and could not be retried.
type ErrorHandler struct {
	Pipeline *Pipeline
}

// HandleError marks the upload failed when the job has used its last attempt.
func (h *ErrorHandler) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	h.settle(ctx, job)
	return nil
}

// HandlePanic logs the panic and marks the upload failed when the job has
// used its last attempt.
func (h *ErrorHandler) HandlePanic(ctx context.Context, job *rivertype.JobRow, panicVal any, trace string) *river.ErrorHandlerResult {
	h.Pipeline.Logger.ErrorContext(ctx, "job panicked", slog.Int64("job_id", job.ID), slog.String("kind", job.Kind),
		slog.Int("attempt", job.Attempt), slog.Any("panic", panicVal), slog.String("stack", trace))
	h.settle(ctx, job)
	return nil
}

func (h *ErrorHandler) settle(ctx context.Context, job *rivertype.JobRow) {
	stage, args, ok, err := queue.StageOfJob(job)
	if !ok || job.Attempt < job.MaxAttempts {
		return
	}
	if err != nil {
		h.Pipeline.Logger.ErrorContext(ctx, "read stage job args", slog.Int64("job_id", job.ID), slog.Any("error", err))
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	// A no-op when the stage already failed the upload with its own reason.
	if err := db.New(h.Pipeline.Pool).FailUpload(ctx, args.UploadID, args.Page, stage.Fail); err != nil {
		h.Pipeline.Logger.ErrorContext(ctx, "mark upload failed", slog.String("upload_id", args.UploadID.String()),
			slog.Any("error", err))
	}
}
