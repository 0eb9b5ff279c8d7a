package jobs

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

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
	err = advance(ctx, p, job, stage, u.PageCount, func(q *db.Queries) (bool, error) {
		return true, w.write(ctx, q, u, stage, start)
	})
	if err != nil {
		return fail(ctx, p, job, stageFailure(stage, err))
	}
	return nil
}

// write makes the upload's note, or rebuilds the note it adds pages to or
// reads again (keeping the text it replaces as a version), gives the
// upload's pages and figures their places in it, links the figures where
// they are served, and finishes the upload.
func (w *ExtractWorker) write(ctx context.Context, q *db.Queries, u db.Upload, stage queue.Stage, start time.Time) error {
	pages, err := q.PagesOfUploads(ctx, []uuid.UUID{u.ID})
	if err != nil {
		return err
	}
	var before []db.Page
	if u.IntoDocumentID != nil {
		// Locked first, as an edit locks it: versions are numbered one at a time.
		if _, err := q.LockDocument(ctx, u.UserID, *u.IntoDocumentID); err != nil {
			return err
		}
		if !u.Rereads {
			if before, err = q.DocumentPages(ctx, u.UserID, *u.IntoDocumentID); err != nil {
				return err
			}
		}
	}
	all := append(before, pages[u.ID]...)
	id := u.IntoDocumentID
	if id == nil {
		// The figures' links name the note, which has no id before it is written.
		created, err := q.InsertDocument(ctx, NewDocument(u, all, time.Since(start)))
		if err != nil {
			return err
		}
		id = &created
	}
	if u.Rereads {
		if err := q.ReplacePages(ctx, u.ID, *id); err != nil {
			return err
		}
	}
	if err := q.PlacePages(ctx, u.ID, *id); err != nil {
		return err
	}
	figures, err := q.NumberFigures(ctx, u.ID, *id)
	if err != nil {
		return err
	}
	u.OCRText, u.FormattedNote = linkFigures(u.OCRText, *id, figures), linkFigures(u.FormattedNote, *id, figures)
	switch {
	case u.IntoDocumentID != nil:
		replacedBy := snapnote.ReplacedByPages
		if u.Rereads {
			replacedBy = snapnote.ReplacedByReread
		}
		if _, err := q.KeepVersion(ctx, *id, replacedBy); err != nil {
			return err
		}
		err = q.RebuildDocument(ctx, *id, NewDocument(u, all, time.Since(start)))
	case len(figures) > 0:
		doc := NewDocument(u, all, time.Since(start))
		err = q.RelinkDocument(ctx, *id, doc.OriginalText, doc.FormattedNote, doc.Excerpt)
	}
	if err != nil {
		return err
	}
	return q.FinishUpload(ctx, u.ID, stage.Name, *id, time.Since(start))
}

// linkFigures points the upload's figures in markdown at where the API serves them as
// figures of document id; links to figures that were not kept are removed.
func linkFigures(markdown string, id uuid.UUID, figures []db.Figure) string {
	return notes.LinkFigures(markdown, func(p, k int) (int, string, bool) {
		i := slices.IndexFunc(figures, func(f db.Figure) bool { return f.Page == p && f.K == k && f.N != nil })
		if i < 0 {
			return 0, "", false
		}
		return *figures[i].N, snapnote.FigureURL(id, *figures[i].N), true
	})
}

// NewDocument derives the document from a formatted upload: the title given
// at upload or inferred, a plain-text excerpt, and metadata, pages among
// it: the note's pages in order (those it had, then the upload's). Its
// processing time is the work of the three stages, without time spent
// queued.
func NewDocument(u db.Upload, pages []db.Page, extractTook time.Duration) db.NewDocument {
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
	if len(pages) > 0 {
		meta["pages"] = pagesMetadata(pages)
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

// pagesMetadata describes each page of a note for its metadata.
func pagesMetadata(pages []db.Page) []map[string]any {
	out := make([]map[string]any, 0, len(pages))
	for i, p := range pages {
		m := map[string]any{"page": i + 1, "contentType": p.ContentType, "imageSize": p.ByteSize,
			"imageWidth": p.ImageWidth, "imageHeight": p.ImageHeight}
		if p.OCRConfidence != nil {
			m["ocrConfidence"] = *p.OCRConfidence
		}
		if len(p.OCRSteps) > 0 {
			m["ocrSteps"] = p.OCRSteps
		}
		out = append(out, m)
	}
	return out
}
