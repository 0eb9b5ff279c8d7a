package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/notes"
	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/pdf"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/internal/telemetry"
	"github.com/snapnote/snapnote/storage"
)

// Pipeline is what the stages share.
type Pipeline struct {
	Pool       *pgxpool.Pool
	Blobs      storage.Store
	OCR        ocr.Engine
	Formatter  notes.Formatter
	OCRTimeout time.Duration
	// Memory is the worker's budget for reading pages, in bytes
	// (OCR_MEMORY): each OCR job takes what its page needs, planned from
	// the image's header, and waits while others hold it. Nil: unbounded.
	Memory *Budget
	// PDF reads pages uploaded as PDF files; nil reads them with the
	// defaults of pdf.Reader.
	PDF    *pdf.Reader
	Logger *slog.Logger

	// LLMMaxSnoozes is how many times the format stage waits for a busy or
	// failing LLM before it fails the upload with llm_unavailable. Default
	// DefaultLLMMaxSnoozes.
	LLMMaxSnoozes int
	// LLMBackoff is the first wait when the LLM names none (no Retry-After);
	// it doubles with each snooze, up to MaxLLMBackoff. Default DefaultLLMBackoff.
	LLMBackoff time.Duration

	// Metrics records pages read and uploads failed; nil records nothing.
	Metrics *telemetry.PipelineMetrics
}

// Failure is a stage error with what to tell the user: an entry of the
// failure catalogue (snapnote.Failure), or one built with its code.
// Permanent failures end the upload at once; others are retried and end it
// only when River runs out of attempts.
type Failure struct {
	snapnote.Failure
	Err error
}

func (f *Failure) Error() string { return f.Code + ": " + f.Err.Error() }
func (f *Failure) Unwrap() error { return f.Err }

// begin loads the upload for a stage's job and records the attempt River
// is on. ok is false when there is nothing to do: the stage finished
// already (a duplicate job) or the upload ended.
func begin[T queue.StageJob](ctx context.Context, p *Pipeline, job *river.Job[T]) (u db.Upload, stage queue.Stage, ok bool, err error) {
	stage, _ = queue.StageOfKind(job.Kind)
	id := job.Args.Target().UploadID
	q := db.New(p.Pool)
	u, err = q.UploadForWork(ctx, id)
	if errors.Is(err, db.ErrNotFound) {
		// Deleted with its course while queued: nothing left to work on.
		return u, stage, false, nil
	}
	if err != nil {
		return u, stage, false, fmt.Errorf("load upload %s: %w", id, err)
	}
	// The pages of an upload that another page failed are still read, so
	// that its failures show at once and a retry reads only those pages.
	live := u.Status == snapnote.UploadQueued || u.Status == snapnote.UploadProcessing ||
		(stage.PerPage && u.Status == snapnote.UploadFailed)
	if u.Stage != stage.Name || !live {
		p.Logger.InfoContext(ctx, "stage already settled; skipping", slog.String("upload_id", id.String()),
			slog.String("stage", stage.Name), slog.String("upload_stage", u.Stage), slog.String("status", u.Status))
		return u, stage, false, nil
	}
	if err := q.StartStage(ctx, id, stage.Name, job.Attempt); err != nil {
		return u, stage, false, err
	}
	return u, stage, true, nil
}

// advance commits a stage's work, all in one transaction: save its result;
// when save says the stage is done with the upload (for a stage run per
// page, once its last page is), hand the upload over to the next stage
// (queue.HandOverTx); complete this job. After the last stage, save
// finishes the upload itself. pages is the upload's page count.
func advance[T queue.StageJob](ctx context.Context, p *Pipeline, job *river.Job[T], stage queue.Stage, pages int,
	save func(*db.Queries) (done bool, err error)) error {
	return pgx.BeginFunc(ctx, p.Pool, func(tx pgx.Tx) error {
		done, err := save(db.New(tx))
		if err != nil {
			return err
		}
		if done {
			if _, _, err := queue.HandOverTx(ctx, tx, river.ClientFromContext[pgx.Tx](ctx), stage, job.Args.Target().UploadID, pages); err != nil {
				return err
			}
		}
		if _, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job); err != nil {
			return fmt.Errorf("complete job %d: %w", job.ID, err)
		}
		return nil
	})
}

// fail decides what a stage error means for the upload. A permanent failure,
// or a transient one on the job's last attempt, fails the upload, and the
// job's page for a stage run per page, with a readable message; the error is
// returned for River to cancel or retry.
func fail[T queue.StageJob](ctx context.Context, p *Pipeline, job *river.Job[T], f *Failure) error {
	target := job.Args.Target()
	log := p.Logger.With(slog.String("upload_id", target.UploadID.String()), slog.Int64("job_id", job.ID),
		slog.String("kind", job.Kind), slog.Int("attempt", job.Attempt), slog.String("code", f.Code))
	last := job.Attempt >= job.MaxAttempts
	if !f.Permanent && !last {
		log.WarnContext(ctx, "stage failed; will retry", slog.Any("error", f.Err))
		return f
	}
	level := slog.LevelError
	if snapnote.IsUserError(f.Code) {
		level = slog.LevelInfo
	}
	log.Log(ctx, level, "stage failed for good", slog.Any("error", f.Err))
	p.Metrics.UploadFailed(f.Code)
	// The job's context may be the one that timed out; recording the outcome
	// must not depend on it.
	recordCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := db.New(p.Pool).FailUpload(recordCtx, target.UploadID, target.Page, f.Failure); err != nil {
		return errors.Join(f, err)
	}
	if f.Permanent {
		return river.JobCancel(f)
	}
	return f
}

// stageFailure returns the generic failure of a stage, wrapping err: what
// the upload says when the stage fails in a way it did not name itself.
func stageFailure(stage queue.Stage, err error) *Failure {
	return &Failure{Failure: stage.Fail, Err: err}
}
