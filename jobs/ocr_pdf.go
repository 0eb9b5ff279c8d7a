package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/pdf"
	"github.com/snapnote/snapnote/internal/queue"
)

// pdfReader is the pipeline's PDF reader, or one with the defaults.
func (p *Pipeline) pdfReader() *pdf.Reader {
	if p.PDF == nil {
		return &pdf.Reader{Logger: p.Logger}
	}
	return p.PDF
}

// readPDF reads a page row that is a PDF file, stored under blobKey: poppler
// reads it from a temporary copy of the blob, page by page, the pages without
// a text layer through the pipeline's OCR engine in the language opts names.
// Then each page is rendered for the app to show (storeViews).
func (w *OCRWorker) readPDF(ctx context.Context, blobKey string, blob io.Reader, opts ocr.Options, stage queue.Stage) (ocr.Result, *Failure) {
	tmp, err := os.CreateTemp("", "snapnote-pdf-*.pdf")
	if err != nil {
		return ocr.Result{}, stageFailure(stage, fmt.Errorf("copy PDF: %w", err))
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	_, err = io.Copy(tmp, blob)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return ocr.Result{}, &Failure{Err: fmt.Errorf("copy PDF: %w", err), Failure: snapnote.Failure{Code: snapnote.ErrStorageUnavailable,
			Message: "The uploaded PDF could not be read from storage. Please retry later."}}
	}

	// Each page rendered takes what it needs from the worker's budget, as
	// planned from its size; one that cannot fit even alone, at the lowest
	// resolution, is refused before it is rendered.
	reader := *w.Pipeline.pdfReader()
	if b := w.Pipeline.Memory; b != nil {
		reader.MaxPageBytes, reader.Reserve = b.Size(), b.take
	}
	res, err := reader.Read(ctx, tmp.Name(), w.Pipeline.OCR, opts, w.Pipeline.OCRTimeout)
	if err == nil {
		steps, f := w.storeViews(ctx, &reader, tmp.Name(), blobKey, stage)
		res.Steps = append(res.Steps, steps...)
		return res, f
	}
	where := "A page of the PDF"
	if pe, ok := errors.AsType[*pdf.PageError](err); ok {
		where = fmt.Sprintf("Page %d of the PDF", pe.Page)
	}
	large, _ := errors.AsType[*pdf.PageTooLargeError](err)
	switch many, _ := errors.AsType[*pdf.TooManyPagesError](err); {
	case many != nil:
		return res, &Failure{Err: err, Failure: snapnote.Failure{Code: snapnote.ErrPDFTooManyPages, Permanent: true,
			Message: fmt.Sprintf("The PDF has %d pages; at most %d are read. Upload the pages of one note, or split the PDF.", many.Pages, many.Max)}}
	case errors.Is(err, pdf.ErrEncrypted):
		return res, &Failure{Err: err, Failure: snapnote.Failure{Code: snapnote.ErrUnreadablePDF, Permanent: true,
			Message: "The PDF is protected by a password. Export it again without one and upload that."}}
	case errors.Is(err, pdf.ErrDamaged):
		return res, &Failure{Err: err, Failure: snapnote.Failure{Code: snapnote.ErrUnreadablePDF, Permanent: true,
			Message: "The PDF is damaged and cannot be read. Export it again from the scanner app and upload that."}}
	case large != nil && large.MaxBytes > 0 && large.Bytes > large.MaxBytes:
		return res, &Failure{Err: err, Failure: snapnote.Failure{Code: snapnote.ErrPDFPageTooLarge, Permanent: true,
			Message: fmt.Sprintf("%s is %.0f×%.0f mm: reading it would need about %d MB, more than this service reads at once (%d MB). "+
				"Export the PDF again at a normal page size (A4 or Letter).", where, large.WidthMM, large.HeightMM, large.Bytes>>20, large.MaxBytes>>20)}}
	case errors.Is(err, pdf.ErrPageTooLarge):
		return res, &Failure{Err: err, Failure: snapnote.Failure{Code: snapnote.ErrPDFPageTooLarge, Permanent: true,
			Message: where + " is too large to read. Export the PDF again at a normal page size (A4 or Letter)."}}
	case errors.Is(err, ocr.ErrNoText):
		return res, &Failure{Err: err, Failure: snapnote.Failure{Code: snapnote.ErrNoText, Permanent: true,
			Message: "No text was found in the PDF. Make sure its pages are scans of the notes, in focus and well lit."}}
	case errors.Is(err, context.DeadlineExceeded):
		return res, &Failure{Err: err, Failure: snapnote.Failure{Code: snapnote.ErrOCRTimeout,
			Message: "Reading the text took too long. " + where + " may be too complex; try exporting it again."}}
	}
	return res, engineFailure(err, stage)
}

// viewContentType is how a PDF's pages are stored for the app to show.
const viewContentType = "image/png"

// storeViews renders each page of the PDF at path, which is stored under
// blobKey, as a PNG beside it (snapnote.PDFPageViewKey), so that the app
// shows the pages as images without a render per look. It returns a step
// per page, "pdf-view:WxH" or, for a page too large to render within the
// reader's limits, "pdf-view-refused", each prefixed "pdf-pK:" as Read
// prefixes its steps. A store that fails fails the page for a retry, which
// writes the same keys again.
func (w *OCRWorker) storeViews(ctx context.Context, reader *pdf.Reader, path, blobKey string, stage queue.Stage) ([]string, *Failure) {
	var steps []string
	err := reader.Views(ctx, path, func(v pdf.View) error {
		if v.Err != nil {
			w.Pipeline.Logger.WarnContext(ctx, "pdf page not rendered for viewing", slog.String("blob_key", blobKey),
				slog.Int("page", v.Page), slog.Any("error", v.Err))
			steps = append(steps, snapnote.StepPDFViewRefused)
			return nil
		}
		key := snapnote.PDFPageViewKey(blobKey, v.Page)
		if _, err := w.Pipeline.Blobs.Put(ctx, key, bytes.NewReader(v.PNG), viewContentType); err != nil {
			return &Failure{Failure: snapnote.FailStorageUnavailable, Err: fmt.Errorf("store view of page %d: %w", v.Page, err)}
		}
		steps = append(steps, fmt.Sprintf("%s:%dx%d", snapnote.StepPDFView, v.Width, v.Height))
		return nil
	})
	if f, ok := errors.AsType[*Failure](err); ok {
		return nil, f
	}
	if err != nil {
		return nil, stageFailure(stage, fmt.Errorf("render pages for viewing: %w", err))
	}
	if len(steps) > 1 {
		for i := range steps {
			steps[i] = snapnote.PDFPageStep(i+1, steps[i])
		}
	}
	return steps, nil
}
