package jobs

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/llm"
	"github.com/snapnote/snapnote/internal/notes"
	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/queue"
)

// Waiting for a busy LLM. With the defaults the format stage waits about
// 5 s, 10 s, 20 s, … up to 5 min between tries, 25 minutes in all, before it
// gives up: long enough for a rate limit or a restart, short enough that a
// student does not wait all day for an error.
const (
	// DefaultLLMMaxSnoozes is Pipeline.LLMMaxSnoozes when it is zero.
	DefaultLLMMaxSnoozes = 10
	// DefaultLLMBackoff is Pipeline.LLMBackoff when it is zero.
	DefaultLLMBackoff = 5 * time.Second
	// MaxLLMBackoff bounds the doubling wait.
	MaxLLMBackoff = 5 * time.Minute
	// MaxLLMWait bounds a wait the service asks for in Retry-After.
	MaxLLMWait = 15 * time.Minute
)

// FormatWorker runs the configured formatter over the OCR text. A busy or
// failing LLM (429, 5xx, no reply) snoozes the job, which uses no attempt,
// for as long as the service asks in Retry-After, else with exponential
// backoff; after Pipeline.LLMMaxSnoozes snoozes the upload fails with
// llm_unavailable. A request the LLM refuses (another 4xx) fails it at once
// with llm_rejected.
type FormatWorker struct {
	river.WorkerDefaults[queue.FormatArgs]
	Pipeline *Pipeline
}

// Timeout bounds one formatting attempt.
func (w *FormatWorker) Timeout(*river.Job[queue.FormatArgs]) time.Duration { return 5 * time.Minute }

// Work runs the stage.
func (w *FormatWorker) Work(ctx context.Context, job *river.Job[queue.FormatArgs]) error {
	p := w.Pipeline
	u, stage, ok, err := begin(ctx, p, job)
	if err != nil || !ok {
		return err
	}
	start := time.Now()
	out, err := w.format(ctx, u)
	if err != nil {
		return w.failed(ctx, job, stage, err)
	}
	if out.Guard != "" {
		p.Logger.WarnContext(ctx, "LLM note rejected by the content guard; keeping the built-in note",
			slog.String("upload_id", u.ID.String()), slog.Int64("job_id", job.ID), slog.String("reason", out.Guard))
	}
	res := db.FormatResult{Markdown: out.Markdown, Engine: out.Engine, Guard: out.Guard}
	if out.Usage != nil {
		res.Usage = &db.TokenUsage{PromptTokens: out.Usage.PromptTokens,
			CompletionTokens: out.Usage.CompletionTokens, TotalTokens: out.Usage.TotalTokens}
	}
	err = advance(ctx, p, job, stage, u.PageCount, func(q *db.Queries) (bool, error) {
		return true, q.SaveStage(ctx, u.ID, res, time.Since(start))
	})
	if err != nil {
		return fail(ctx, p, job, stageFailure(stage, err))
	}
	return nil
}

// format makes the note. Text a vision model read is Markdown already: it
// is only tidied, since a second model pass could only lose words.
func (w *FormatWorker) format(ctx context.Context, u db.Upload) (notes.Output, error) {
	if u.OCREngine == ocr.EngineVision {
		return notes.Output{Markdown: notes.Tidy(u.OCRText), Engine: ocr.EngineVision}, nil
	}
	return w.Pipeline.Formatter.Format(ctx, notes.Input{Text: u.OCRText, Context: u.Context})
}

// failed decides what a formatter error means for the job and the upload.
func (w *FormatWorker) failed(ctx context.Context, job *river.Job[queue.FormatArgs], stage queue.Stage, err error) error {
	var busy *llm.RetryableError
	var refused *llm.RejectedError
	switch {
	case ctx.Err() == nil && errors.As(err, &busy):
		return w.snooze(ctx, job, busy)
	case errors.As(err, &refused):
		return fail(ctx, w.Pipeline, job, &Failure{Code: snapnote.ErrLLMRejected, Permanent: true, Err: err,
			Message: fmt.Sprintf("The language model that formats notes refused the request (HTTP %d). "+
				"Its settings need checking; then retry the upload.", refused.StatusCode)})
	}
	return fail(ctx, w.Pipeline, job, stageFailure(stage, err))
}

// snooze waits for a busy LLM without using one of the job's attempts, or
// fails the upload once the job has snoozed LLMMaxSnoozes times.
func (w *FormatWorker) snooze(ctx context.Context, job *river.Job[queue.FormatArgs], busy *llm.RetryableError) error {
	p := w.Pipeline
	n := snoozes(job.Metadata)
	if n >= cmp.Or(p.LLMMaxSnoozes, DefaultLLMMaxSnoozes) {
		return fail(ctx, p, job, &Failure{Code: snapnote.ErrLLMUnavailable, Permanent: true, Err: busy,
			Message: fmt.Sprintf("The language model that formats notes stayed busy or unavailable "+
				"(%d tries over %s). Please retry later.", n+1, roughly(time.Since(job.CreatedAt)))})
	}
	wait := busy.After
	if wait <= 0 {
		wait = backoff(cmp.Or(p.LLMBackoff, DefaultLLMBackoff), n)
	}
	wait = min(wait, MaxLLMWait)
	p.Logger.WarnContext(ctx, "LLM busy; snoozing the format job", slog.String("upload_id", job.Args.UploadID.String()),
		slog.Int64("job_id", job.ID), slog.Int("snoozes", n), slog.Duration("wait", wait),
		slog.Int("status", busy.StatusCode), slog.Any("error", busy))
	return river.JobSnooze(wait)
}

// snoozes returns how often River has snoozed the job: it counts them in
// the job's metadata as "snoozes". A retry of the upload is a new job, with
// a new count.
func snoozes(metadata []byte) int {
	var m struct {
		Snoozes int `json:"snoozes"`
	}
	if json.Unmarshal(metadata, &m) != nil {
		return 0
	}
	return m.Snoozes
}

// backoff returns base doubled n times, at most MaxLLMBackoff, plus up to a
// quarter more at random, so that jobs snoozed together do not all return
// to the service at the same moment.
func backoff(base time.Duration, n int) time.Duration {
	d := min(base, MaxLLMBackoff)
	for range n {
		d = min(2*d, MaxLLMBackoff)
	}
	return d + rand.N(d/4+1)
}

// roughly formats d for a person: "40s", "12m".
func roughly(d time.Duration) string {
	if d < time.Minute {
		return d.Round(time.Second).String()
	}
	return fmt.Sprintf("%dm", int(d.Round(time.Minute).Minutes()))
}
