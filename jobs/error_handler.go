package jobs

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
)

// stageFailures is what an upload says when a stage fails in a way the stage
// did not name itself: keyed by the stage job's kind.
var stageFailures = map[string]Failure{
	OCRArgs{}.Kind():     {Code: snapnote.ErrOCRFailed, Message: "Text recognition failed. Please retry later."},
	FormatArgs{}.Kind():  {Code: snapnote.ErrFormatFailed, Message: "Formatting the note failed. Please retry later."},
	ExtractArgs{}.Kind(): {Code: snapnote.ErrExtractFailed, Message: "Saving the finished note failed. Please retry later."},
}

// stageFailure returns the generic failure of the stage job kind, wrapping err.
func stageFailure(kind string, err error) *Failure {
	f := stageFailures[kind]
	f.Err = err
	return &f
}

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
	f, ok := stageFailures[job.Kind]
	if !ok || job.Attempt < job.MaxAttempts {
		return
	}
	var args struct {
		UploadID uuid.UUID `json:"upload_id"`
	}
	if err := json.Unmarshal(job.EncodedArgs, &args); err != nil {
		h.Pipeline.Logger.ErrorContext(ctx, "read stage job args", slog.Int64("job_id", job.ID), slog.Any("error", err))
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	// A no-op when the stage already failed the upload with its own reason.
	if err := db.New(h.Pipeline.Pool).FailUpload(ctx, args.UploadID, f.Code, f.Message); err != nil {
		h.Pipeline.Logger.ErrorContext(ctx, "mark upload failed", slog.String("upload_id", args.UploadID.String()),
			slog.Any("error", err))
	}
}
