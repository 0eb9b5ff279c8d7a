package pdf

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os/exec"
	"strconv"
	"time"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/layout"
)

// Defaults of a Reader's zero fields.
const (
	DefaultMaxPages    = 50
	DefaultDPI         = 300
	DefaultPageTimeout = time.Minute
	DefaultMemoryLimit = 1 << 30 // address space of one poppler process
	DefaultMaxPixels   = 60_000_000
	// MinDPI is the lowest resolution a page is rendered at to fit
	// MaxPixels and MaxPageBytes; a page that needs less is too large to read.
	MinDPI = 150
	// PageBytesPerPixel is the memory reading a rendered page takes per
	// pixel, in the worker and its OCR engine together: the gray rendering
	// (1 byte), OCR's working copies of it (3, as for a photo) and the
	// engine's own (about 11: an engine read a 59 Mpx page in 643 MB).
	PageBytesPerPixel = 15
)

// Errors Read returns, for the caller to tell the user; all are permanent:
// the same file gives the same answer.
var (
	// ErrDamaged: poppler cannot read the file as a PDF.
	ErrDamaged = errors.New("the PDF is damaged")
	// ErrEncrypted: the PDF needs a password to be opened.
	ErrEncrypted = errors.New("the PDF is encrypted")
	// ErrTooManyPages is wrapped by a *TooManyPagesError.
	ErrTooManyPages = errors.New("the PDF has too many pages")
	// ErrPageTooLarge: a page is too large to render at a readable
	// resolution, or needs more memory or time to render than allowed.
	ErrPageTooLarge = errors.New("a page of the PDF is too large to render")
)

// TooManyPagesError is a PDF with more pages than Reader.MaxPages.
type TooManyPagesError struct{ Pages, Max int }

func (e *TooManyPagesError) Error() string {
	return fmt.Sprintf("the PDF has %d pages; at most %d are read", e.Pages, e.Max)
}

func (e *TooManyPagesError) Unwrap() error { return ErrTooManyPages }

// PageTooLargeError is a page that cannot be rendered at MinDPI within
// MaxPixels and MaxPageBytes: its size, and what reading it would take.
// It wraps ErrPageTooLarge.
type PageTooLargeError struct {
	// WidthMM and HeightMM are the page's size.
	WidthMM, HeightMM float64
	// Bytes is the memory reading it at MinDPI would take, and MaxBytes
	// what one page may take (0 when MaxPixels refused it).
	Bytes, MaxBytes int64
}

func (e *PageTooLargeError) Error() string {
	if e.MaxBytes > 0 && e.Bytes > e.MaxBytes {
		return fmt.Sprintf("%s: %.0f×%.0f mm, which would need %d MB to read at %d dpi, more than the %d MB one page may take",
			ErrPageTooLarge, e.WidthMM, e.HeightMM, e.Bytes>>20, MinDPI, e.MaxBytes>>20)
	}
	return fmt.Sprintf("%s: %.0f×%.0f mm", ErrPageTooLarge, e.WidthMM, e.HeightMM)
}

func (e *PageTooLargeError) Unwrap() error { return ErrPageTooLarge }

// PageError says which page of the PDF an error is about (from 1).
type PageError struct {
	Page int
	Err  error
}

func (e *PageError) Error() string { return "page " + strconv.Itoa(e.Page) + ": " + e.Err.Error() }
func (e *PageError) Unwrap() error { return e.Err }

// Reader reads PDFs with poppler-utils under limits. The zero value uses the
// defaults above; a Reader is safe for concurrent use.
type Reader struct {
	// MaxPages is the most pages a PDF may have; a longer one is refused
	// whole (TooManyPagesError) before any page is read.
	MaxPages int
	// DPI is the resolution a page without a text layer is rendered at.
	DPI int
	// PageTimeout bounds each poppler command: reading the page count, one
	// page's text layer, or rendering one page.
	PageTimeout time.Duration
	// MemoryLimit is the address space, in bytes, each poppler process may use
	// (prlimit --as): a page that needs more fails with ErrPageTooLarge.
	MemoryLimit int64
	// MaxPixels bounds a rendered page, width × height. A larger page is
	// rendered at a lower resolution, down to MinDPI, below which it is
	// refused with ErrPageTooLarge.
	MaxPixels int64
	// MaxPageBytes bounds the memory reading one rendered page may take,
	// planned at PageBytesPerPixel from the page's size before it is
	// rendered. A larger page is rendered at a lower resolution, down to
	// MinDPI, below which it is refused with a *PageTooLargeError. Zero: only
	// MaxPixels bounds a page.
	MaxPageBytes int64
	// Reserve, if set, is given a page's planned memory before the page is
	// rendered, and returns once it is free (a worker's budget, shared with
	// the other pages being read) or ctx's error; release is called when
	// the page has been read.
	Reserve func(ctx context.Context, bytes int64) (release func(), err error)
	// Prlimit is the prlimit program (util-linux); default "prlimit" from PATH.
	Prlimit string
	// Logger, if set, receives a line per page read.
	Logger *slog.Logger
}

func (r *Reader) maxPages() int              { return cmp.Or(r.MaxPages, DefaultMaxPages) }
func (r *Reader) dpi() int                   { return cmp.Or(r.DPI, DefaultDPI) }
func (r *Reader) pageTimeout() time.Duration { return cmp.Or(r.PageTimeout, DefaultPageTimeout) }
func (r *Reader) memoryLimit() int64         { return cmp.Or(r.MemoryLimit, DefaultMemoryLimit) }
func (r *Reader) maxPixels() int64           { return cmp.Or(r.MaxPixels, DefaultMaxPixels) }
func (r *Reader) prlimit() string            { return cmp.Or(r.Prlimit, "prlimit") }

// Budget is the longest Read may take with ocrTimeout for each page's OCR:
// pdfinfo, then for each of MaxPages pages its text layer, its rendering and
// its OCR, each at its bound.
func (r *Reader) Budget(ocrTimeout time.Duration) time.Duration {
	return r.pageTimeout() + time.Duration(r.maxPages())*(2*r.pageTimeout()+ocrTimeout)
}

// CheckInstalled returns an error naming what is missing when poppler-utils
// or prlimit (util-linux) cannot be found.
func (r *Reader) CheckInstalled() error {
	for _, name := range []string{"pdfinfo", "pdftotext", "pdftoppm", r.prlimit()} {
		if _, err := exec.LookPath(name); err != nil {
			return fmt.Errorf("reading PDFs needs %s (Debian packages poppler-utils and util-linux): %w", name, err)
		}
	}
	return nil
}

// Step names recorded in ocr.Result.Steps.
const (
	// StepTextLayer: the page's own text layer was taken, without OCR.
	StepTextLayer = "pdf-text-layer"
	// StepRender is followed by ":<dpi>dpi": the page was rendered and read by OCR.
	StepRender = "pdf-render"
)

// Read returns the text of every page of the PDF file at path, in order,
// pages separated by a blank line, and in Markdown too: a text layer's
// headings, lists and tables from where its words stand and their size
// (package ocr/layout), the engine's Markdown of a page it read. A page with a usable text layer (see
// UsableText) is taken as it is; any other page is rendered and read by
// engine in opts, with ocrTimeout for each page. Figures are those the engine cut from the
// pages it read, in the order of the pages; the Markdown numbers them through the document
// (layout.ShiftFigures). Steps name what was done to each
// page ("pdf-text-layer", or "pdf-render:300dpi" then the engine's own
// steps), each prefixed "pdf-pN:" when the PDF has several pages.
// Confidence is the engine's, weighted by words, over the pages it read; 0
// when every page had a text layer.
//
// Read returns ErrEncrypted, ErrDamaged, a *TooManyPagesError, or a
// *PageError wrapping ErrPageTooLarge, context.DeadlineExceeded (a poppler
// command ran past PageTimeout, or the engine past ocrTimeout) or the
// engine's error. ocr.ErrNoText when no page holds any text.
func (r *Reader) Read(ctx context.Context, path string, engine ocr.Engine, opts ocr.Options, ocrTimeout time.Duration) (ocr.Result, error) {
	in, err := r.info(ctx, path, r.maxPages())
	if err != nil {
		return ocr.Result{}, r.classify(err)
	}
	if in.pages > r.maxPages() {
		return ocr.Result{}, &TooManyPagesError{Pages: in.pages, Max: r.maxPages()}
	}
	var res ocr.Result
	var texts, mds []string
	var scored, ocrWords float64
	for n := 1; n <= in.pages; n++ {
		page, err := r.readPage(ctx, path, n, in.sizes, engine, opts, ocrTimeout)
		if err != nil && !errors.Is(err, ocr.ErrNoText) { // a blank page among others is no failure
			return ocr.Result{}, &PageError{Page: n, Err: err}
		}
		if page.Text != "" {
			texts = append(texts, page.Text)
			mds = append(mds, layout.ShiftFigures(cmp.Or(page.Markdown, page.Text), len(res.Figures)))
		}
		res.Figures = append(res.Figures, page.Figures...)
		res.Words += page.Words
		if page.Confidence > 0 {
			scored += page.Confidence * float64(page.Words)
			ocrWords += float64(page.Words)
		}
		for _, step := range page.Steps {
			if in.pages > 1 {
				step = snapnote.PDFPageStep(n, step)
			}
			res.Steps = append(res.Steps, step)
		}
	}
	if len(texts) == 0 {
		return res, ocr.ErrNoText
	}
	res.Text = joinParagraphs(texts)
	res.Markdown = joinParagraphs(mds)
	if ocrWords > 0 {
		res.Confidence = scored / ocrWords
	}
	return res, nil
}

// readPage reads page n of the document: its text layer if usable, else OCR
// of its rendering.
func (r *Reader) readPage(ctx context.Context, path string, n int, sizes [][2]float64, engine ocr.Engine, opts ocr.Options, ocrTimeout time.Duration) (ocr.Result, error) {
	start := time.Now()
	layer, err := r.text(ctx, path, n)
	if err != nil {
		return ocr.Result{}, r.classify(err)
	}
	if text, ok := UsableText(layer); ok {
		md, err := r.markdown(ctx, path, n)
		if err != nil {
			return ocr.Result{}, r.classify(err)
		}
		r.log(ctx, n, StepTextLayer, start)
		return ocr.Result{Text: text, Markdown: md, Words: countWords(text), Steps: []string{StepTextLayer}}, nil
	}
	if n > len(sizes) {
		return ocr.Result{}, fmt.Errorf("pdfinfo gave no size for page %d: %w", n, ErrDamaged)
	}
	dpi, ok := r.fitDPI(sizes[n-1])
	if !ok {
		size := sizes[n-1]
		return ocr.Result{}, &PageTooLargeError{WidthMM: size[0] / 72 * 25.4, HeightMM: size[1] / 72 * 25.4,
			Bytes: PageBytes(size, MinDPI), MaxBytes: r.MaxPageBytes}
	}
	if r.Reserve != nil {
		release, err := r.Reserve(ctx, PageBytes(sizes[n-1], dpi))
		if err != nil {
			return ocr.Result{}, err
		}
		defer release()
	}
	img, err := r.render(ctx, path, n, dpi, sizes[n-1])
	if err != nil {
		return ocr.Result{}, r.classify(err)
	}
	ocrCtx, cancel := context.WithTimeout(ctx, ocrTimeout)
	defer cancel()
	res, err := engine.Recognize(ocrCtx, img, opts)
	step := StepRender + ":" + strconv.Itoa(dpi) + "dpi"
	res.Steps = append([]string{step}, res.Steps...)
	r.log(ctx, n, step, start)
	return res, err
}

// fitDPI is the resolution page size is rendered at: DPI, or lower for a
// page that would exceed MaxPixels or need more than MaxPageBytes to read;
// ok is false below MinDPI.
func (r *Reader) fitDPI(size [2]float64) (int, bool) {
	dpi := r.dpi()
	inches := size[0] / 72 * size[1] / 72
	if inches <= 0 {
		return 0, false
	}
	maxPixels := r.maxPixels()
	if r.MaxPageBytes > 0 {
		maxPixels = min(maxPixels, r.MaxPageBytes/PageBytesPerPixel)
	}
	for dpi > 0 && renderedPixels(size, dpi) > maxPixels {
		dpi = min(dpi-1, int(math.Sqrt(float64(maxPixels)/inches)))
	}
	return dpi, dpi >= min(MinDPI, r.dpi())
}

// PageBytes is the memory reading a page of size (in points) rendered at
// dpi takes, as planned before it is rendered.
func PageBytes(size [2]float64, dpi int) int64 {
	return renderedPixels(size, dpi) * PageBytesPerPixel
}

// renderedPixels is the pixel count of a page of size (in points) at dpi,
// as pdftoppm rounds it.
func renderedPixels(size [2]float64, dpi int) int64 {
	return int64(pixels(size[0], dpi)) * int64(pixels(size[1], dpi))
}

// classify turns a poppler failure into the error Read documents.
func (r *Reader) classify(err error) error {
	var ce *commandError
	switch {
	case errors.Is(err, ErrEncrypted), errors.Is(err, ErrDamaged), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, context.Canceled):
		return err
	case outOfResources(err), errors.Is(err, errOutputTooLarge):
		return fmt.Errorf("%w: %w", ErrPageTooLarge, err)
	case errors.As(err, &ce):
		return fmt.Errorf("%w: %w", ErrDamaged, err)
	}
	return err
}

func (r *Reader) log(ctx context.Context, n int, step string, start time.Time) {
	if r.Logger != nil {
		r.Logger.DebugContext(ctx, "pdf page read", slog.Int("page", n), slog.String("step", step),
			slog.Duration("took", time.Since(start)))
	}
}
