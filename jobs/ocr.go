package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/riverqueue/river"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/llm"
	"github.com/snapnote/snapnote/internal/notes"
	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/pdffile"
	"github.com/snapnote/snapnote/internal/photo"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/storage"
)

// OCRWorker loads the image, turns it upright and reads its text, and stores
// the figures cut from it.
type OCRWorker struct {
	river.WorkerDefaults[queue.OCRArgs]
	Pipeline *Pipeline
}

// Timeout leaves room for OCR_TIMEOUT plus loading and decoding the image;
// River's default of one minute is too short for a large page. A PDF's
// pages are each bounded on their own, so for a PDF the job may take as
// long as all of them together: the arguments do not say which a job reads,
// so the larger bound holds for both, as a backstop behind the bounds of
// each step.
func (w *OCRWorker) Timeout(*river.Job[queue.OCRArgs]) time.Duration {
	return max(w.Pipeline.OCRTimeout, w.Pipeline.pdfReader().Budget(w.Pipeline.OCRTimeout)) + time.Minute
}

// Work reads one page. The job that reads an upload's last page joins the
// pages' text on the upload and hands it to the next stage.
func (w *OCRWorker) Work(ctx context.Context, job *river.Job[queue.OCRArgs]) error {
	p := w.Pipeline
	u, stage, ok, err := begin(ctx, p, job)
	if err != nil || !ok {
		return err
	}
	n := max(job.Args.Page, 1) // a job queued before uploads had pages reads the one page
	q := db.New(p.Pool)
	page, err := q.PageForWork(ctx, u.ID, n)
	if err != nil {
		return fmt.Errorf("load page %d of upload %s: %w", n, u.ID, err)
	}
	if page.Status != snapnote.UploadQueued && page.Status != snapnote.UploadProcessing {
		return nil // read already: a duplicate job
	}
	// The page is read in its course's language, which the course may have changed since
	// the upload: a page is read in what the course says when it is read.
	lang, err := q.UploadLanguage(ctx, u.ID)
	if err != nil {
		return err
	}
	if err := q.StartPage(ctx, u.ID, n, job.Attempt); err != nil {
		return err
	}
	start := time.Now()
	res, f := w.recognize(ctx, page.BlobKey, page.ContentType, ocr.Options{Lang: lang}, stage)
	if f != nil {
		return fail(ctx, p, job, f)
	}
	figures, f := w.storeFigures(ctx, u, n, res.Figures)
	if f != nil {
		return fail(ctx, p, job, f)
	}
	// The text with the page's structure where the engine found it: the format stage's
	// formatters read Markdown headings, lists, tables and figures (see notes.Builtin).
	saved := db.OCRResult{Text: notes.PageFigures(cmp.Or(res.Markdown, res.Text), n, len(figures)),
		Engine: cmp.Or(res.Engine, ocr.EngineName(p.OCR)), Steps: res.Steps}
	if res.Confidence > 0 { // 0: the engine scores no words (a vision model)
		saved.Confidence = &res.Confidence
	}
	took := time.Since(start)
	err = advance(ctx, p, job, stage, u.PageCount, func(q *db.Queries) (bool, error) {
		locked, err := q.LockUploadForWork(ctx, u.ID)
		if err != nil {
			return false, err
		}
		if err := q.SavePageOCR(ctx, u.ID, n, saved, took); err != nil {
			return false, err
		}
		if err := q.SavePageFigures(ctx, u.ID, n, figures); err != nil {
			return false, err
		}
		if locked.Status != snapnote.UploadProcessing || locked.Stage != stage.Name {
			return false, nil // another page failed the upload meanwhile: keep this one's text for a retry
		}
		left, err := q.PagesLeft(ctx, u.ID)
		if err != nil || left > 0 {
			return false, err
		}
		return true, q.CombinePages(ctx, u.ID, stage.Name)
	})
	if err != nil {
		return fail(ctx, p, job, stageFailure(stage, err))
	}
	p.Metrics.PageRead()
	return nil
}

// recognize reads the page stored under blobKey, in the language opts names.
func (w *OCRWorker) recognize(ctx context.Context, blobKey, contentType string, opts ocr.Options, stage queue.Stage) (ocr.Result, *Failure) {
	blob, _, err := w.Pipeline.Blobs.Get(ctx, blobKey)
	if errors.Is(err, storage.ErrNotFound) {
		return ocr.Result{}, &Failure{Failure: snapnote.FailImageMissing, Err: err}
	}
	if err != nil {
		return ocr.Result{}, &Failure{Failure: snapnote.FailStorageUnavailable, Err: err}
	}
	if contentType == pdffile.ContentType {
		defer blob.Close()
		// Pages are rendered one at a time, each taking from the budget
		// what it needs (readPDF).
		return w.readPDF(ctx, blobKey, blob, opts, stage)
	}
	data, err := io.ReadAll(blob)
	_ = blob.Close() // read-only: nothing to lose on close
	if err != nil {
		return ocr.Result{}, &Failure{Failure: snapnote.FailStorageUnavailable, Err: fmt.Errorf("read image: %w", err)}
	}
	decoder := &photo.ReducedDecoder{Accept: ocr.PhotoAcceptor(w.Pipeline.OCR), Reserve: w.takeMemory}
	img, release, err := decoder.Decode(ctx, data)
	if f, ok := errors.AsType[*Failure](err); ok {
		return ocr.Result{}, f
	}
	if err != nil {
		if errors.Is(err, photo.ErrCorrupt) {
			return ocr.Result{}, &Failure{Failure: snapnote.FailUnreadableImage, Err: err}
		}
		return ocr.Result{}, &Failure{Failure: snapnote.FailStorageUnavailable, Err: fmt.Errorf("read image: %w", err)}
	}
	defer release()
	ocrCtx, cancel := context.WithTimeout(ctx, w.Pipeline.OCRTimeout)
	defer cancel()
	res, err := w.Pipeline.OCR.Recognize(ocrCtx, img, opts)
	return res, engineFailure(err, stage)
}

// engineFailure says what an OCR engine's error means for the upload; nil
// for no error.
func engineFailure(err error, stage queue.Stage) *Failure {
	var refused *llm.RejectedError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &refused):
		return &Failure{Err: err, Failure: snapnote.Failure{Code: snapnote.ErrLLMRejected, Permanent: true,
			Message: fmt.Sprintf("The vision model that reads photos refused the request (HTTP %d). "+
				"Its settings need checking; then retry the upload.", refused.StatusCode)}}
	case errors.Is(err, ocr.ErrNoText):
		return &Failure{Failure: snapnote.FailNoText, Err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &Failure{Failure: snapnote.FailOCRTimeout, Err: err}
	}
	return stageFailure(stage, err)
}

// takeMemory takes need bytes, what decoding a page will hold as
// photo.PlanDecode plans it, from the worker's budget, waiting while other
// pages hold it. A page that cannot fit even alone fails for good. Its
// errors are *Failure.
func (w *OCRWorker) takeMemory(ctx context.Context, need int64) (release func(), err error) {
	if b := w.Pipeline.Memory; b != nil && need > b.Size() {
		return nil, &Failure{Err: fmt.Errorf("page needs %d bytes, budget is %d", need, b.Size()), Failure: snapnote.Failure{Code: snapnote.ErrImageTooLarge, Permanent: true,
			Message: fmt.Sprintf("The photo needs about %d MB to read, more than this service reads at once (%d MB). "+
				"Upload a smaller photo, or one with 8-bit colour.", need>>20, b.Size()>>20)}}
	}
	release, err = w.Pipeline.Memory.take(ctx, need)
	if err != nil {
		return nil, &Failure{Failure: snapnote.FailOCRTimeout, Err: err}
	}
	return release, nil
}
