package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/llm"
	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/photo"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/storage"
)

// OCRWorker loads the image, turns it upright and reads its text.
type OCRWorker struct {
	river.WorkerDefaults[queue.OCRArgs]
	Pipeline *Pipeline
}

// Timeout leaves room for OCR_TIMEOUT plus loading and decoding the image;
// River's default of one minute is too short for a large page.
func (w *OCRWorker) Timeout(*river.Job[queue.OCRArgs]) time.Duration {
	return w.Pipeline.OCRTimeout + time.Minute
}

// Work runs the stage.
func (w *OCRWorker) Work(ctx context.Context, job *river.Job[queue.OCRArgs]) error {
	p := w.Pipeline
	u, stage, ok, err := begin(ctx, p, job)
	if err != nil || !ok {
		return err
	}
	start := time.Now()
	res, f := w.recognize(ctx, u, stage)
	if f != nil {
		return fail(ctx, p, job, f)
	}
	saved := db.OCRResult{Text: res.Text, Engine: cmp.Or(res.Engine, ocr.EngineName(p.OCR)), Steps: res.Steps}
	if res.Confidence > 0 { // 0: the engine scores no words (a vision model)
		saved.Confidence = &res.Confidence
	}
	err = advance(ctx, p, job, stage, func(q *db.Queries) error {
		return q.SaveOCR(ctx, u.ID, saved, time.Since(start))
	})
	if err != nil {
		return fail(ctx, p, job, stageFailure(stage, err))
	}
	return nil
}

func (w *OCRWorker) recognize(ctx context.Context, u db.Upload, stage queue.Stage) (ocr.Result, *Failure) {
	blob, _, err := w.Pipeline.Blobs.Get(ctx, u.BlobKey)
	if errors.Is(err, storage.ErrNotFound) {
		return ocr.Result{}, &Failure{Code: snapnote.ErrImageMissing, Permanent: true, Err: err,
			Message: "The uploaded image could not be found in storage. Please upload it again."}
	}
	if err != nil {
		return ocr.Result{}, &Failure{Code: snapnote.ErrStorageUnavailable, Err: err,
			Message: "The uploaded image could not be read from storage. Please retry later."}
	}
	defer blob.Close()

	img, err := photo.Decode(blob)
	if err != nil {
		if errors.Is(err, photo.ErrCorrupt) {
			return ocr.Result{}, &Failure{Code: snapnote.ErrUnreadableImage, Permanent: true, Err: err,
				Message: "The image file is damaged or incomplete and cannot be read. Please take the photo again."}
		}
		return ocr.Result{}, &Failure{Code: snapnote.ErrStorageUnavailable, Err: fmt.Errorf("read image: %w", err),
			Message: "The uploaded image could not be read from storage. Please retry later."}
	}
	ocrCtx, cancel := context.WithTimeout(ctx, w.Pipeline.OCRTimeout)
	defer cancel()
	res, err := w.Pipeline.OCR.Recognize(ocrCtx, img)
	var refused *llm.RejectedError
	switch {
	case errors.As(err, &refused):
		return res, &Failure{Code: snapnote.ErrLLMRejected, Permanent: true, Err: err,
			Message: fmt.Sprintf("The vision model that reads photos refused the request (HTTP %d). "+
				"Its settings need checking; then retry the upload.", refused.StatusCode)}
	case errors.Is(err, ocr.ErrNoText):
		return res, &Failure{Code: snapnote.ErrNoText, Permanent: true, Err: err,
			Message: "No text was found in the photo. Make sure the page fills the frame, is in focus and well lit."}
	case errors.Is(err, context.DeadlineExceeded):
		return res, &Failure{Code: snapnote.ErrOCRTimeout, Err: err,
			Message: "Reading the text took too long. Try a sharper or smaller photo."}
	case err != nil:
		return res, stageFailure(stage, err)
	}
	return res, nil
}
