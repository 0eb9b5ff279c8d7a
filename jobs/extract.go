package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/notes"
	"github.com/snapnote/snapnote/internal/queue"
)

// ExtractWorker writes the document and marks the upload done.
type ExtractWorker struct {
	river.WorkerDefaults[queue.ExtractArgs]
	Pipeline *Pipeline
}

// Work runs the stage.
func (w *ExtractWorker) Work(ctx context.Context, job *river.Job[queue.ExtractArgs]) error {
	p := w.Pipeline
	u, stage, ok, err := begin(ctx, p, job)
	if err != nil || !ok {
		return err
	}
	start := time.Now()
	err = advance(ctx, p, job, stage, func(q *db.Queries) error {
		took := time.Since(start)
		id, err := q.InsertDocument(ctx, NewDocument(u, took))
		if err != nil {
			return err
		}
		return q.FinishUpload(ctx, u.ID, stage.Name, id, took)
	})
	if err != nil {
		return fail(ctx, p, job, stageFailure(stage, err))
	}
	return nil
}

// NewDocument derives the document from a formatted upload: the title given
// at upload or inferred, a plain-text excerpt, and metadata. Its processing
// time is the work of the three stages, without time spent queued.
func NewDocument(u db.Upload, extractTook time.Duration) db.NewDocument {
	title := notes.Title(u.FormattedNote, u.Title)
	plain := notes.PlainText(u.FormattedNote)
	timings := map[string]int64{snapnote.StageExtract: extractTook.Milliseconds()}
	var totalMS int64
	for stage, ms := range u.TimingsMS {
		timings[stage] = ms
	}
	for _, ms := range timings {
		totalMS += ms
	}
	meta := map[string]any{
		"imageSize":      u.ByteSize,
		"imageWidth":     u.ImageWidth,
		"imageHeight":    u.ImageHeight,
		"contentType":    u.ContentType,
		"wordCount":      notes.WordCount(plain),
		"language":       notes.DetectLanguage(plain),
		"formatEngine":   u.FormatEngine,
		"processingTime": timings,
	}
	if u.OCRConfidence != nil {
		meta["ocrConfidence"] = *u.OCRConfidence
	}
	if u.Context != "" {
		meta["context"] = u.Context
	}
	if len(u.OCRSteps) > 0 {
		meta["ocrSteps"] = u.OCRSteps
	}
	if u.OCREngine != "" {
		meta["ocrEngine"] = u.OCREngine
	}
	if u.LLMUsage != nil {
		meta["llmUsage"] = u.LLMUsage
	}
	if u.FormatGuard != "" {
		meta["formatGuard"] = u.FormatGuard
	}
	return db.NewDocument{
		UserID:         u.UserID,
		CourseID:       u.CourseID,
		UploadID:       u.ID,
		Title:          title,
		OriginalText:   u.OCRText,
		FormattedNote:  u.FormattedNote,
		Excerpt:        notes.Excerpt(u.FormattedNote, title, snapnote.ExcerptMax),
		ImagePath:      u.BlobKey,
		ProcessingTime: float64(totalMS) / 1000,
		Metadata:       meta,
	}
}
