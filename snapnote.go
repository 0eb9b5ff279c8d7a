// Package snapnote is SnapNote's vocabulary: the statuses a row can have,
// the pipeline's stage names, the error codes a failed upload carries, where
// blobs are kept, and the limits the API and the jobs agree on.
//
// It imports nothing of the application, so every part (api, jobs, backup,
// db) can name these things without depending on one another.
package snapnote

import (
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// Statuses of an upload: queued until a stage starts, processing while the
// pipeline runs, then done (with a document) or failed (with an error code).
const (
	UploadQueued     = "queued"
	UploadProcessing = "processing"
	UploadDone       = "done"
	UploadFailed     = "failed"
)

// Statuses of a course or a document.
const (
	StatusActive = "active"
	StatusTrash  = "trash"
)

// Names of the pipeline's stages, as an upload records them. Their order,
// and the job that runs each, is the stage table of the queue package.
const (
	StageOCR     = "ocr"
	StageFormat  = "format"
	StageExtract = "extract"
)

// Error codes a failed upload carries: stable, for programs to act on; the
// upload's message beside the code is for a person.
const (
	ErrImageMissing       = "image_missing"       // the image is gone from storage; upload again
	ErrStorageUnavailable = "storage_unavailable" // storage could not be read; retry later
	ErrUnreadableImage    = "unreadable_image"    // the file is damaged; take the photo again
	ErrImageTooLarge      = "image_too_large"     // decoding it needs more memory than OCR_MEMORY
	ErrNoText             = "no_text"             // OCR found nothing to read
	ErrOCRTimeout         = "ocr_timeout"         // OCR ran past OCR_TIMEOUT
	ErrOCRFailed          = "ocr_failed"          // the OCR stage failed for another reason
	ErrLLMRejected        = "llm_rejected"        // the model refused the request: its settings need checking
	ErrLLMUnavailable     = "llm_unavailable"     // the model stayed busy or down
	ErrFormatFailed       = "format_failed"       // the format stage failed for another reason
	ErrExtractFailed      = "extract_failed"      // saving the note failed
	ErrWorkerLost         = "worker_lost"         // the worker died on every attempt at the upload
	ErrPDFTooManyPages    = "pdf_too_many_pages"  // the PDF has more pages than PDF_MAX_PAGES
	ErrPDFPageTooLarge    = "pdf_page_too_large"  // a PDF page is too large to render within the limits
	ErrUnreadablePDF      = "unreadable_pdf"      // the PDF is damaged or encrypted; export it again
)

// UserErrorCodes are the codes of a failed upload that say the user sent
// something that cannot be read (a blank page, a damaged or oversized
// file): worth telling them, no fault of the service, so they are logged at
// INFO, not ERROR, and alerts on the failure rate leave them out
// (docs/monitoring/alerts.yaml, checked against this list by a test).
var UserErrorCodes = []string{ErrUnreadableImage, ErrImageTooLarge, ErrNoText, ErrPDFTooManyPages, ErrPDFPageTooLarge, ErrUnreadablePDF}

// IsUserError reports whether code is one of UserErrorCodes.
func IsUserError(code string) bool {
	return slices.Contains(UserErrorCodes, code)
}

// Failure is an entry of the failure catalogue: what a failed upload says.
// Code is stable, for programs to act on; Message is for a person;
// Permanent says that trying the same again gives the same answer, so the
// stage ends the upload at once instead of retrying.
type Failure struct {
	Code      string
	Message   string
	Permanent bool
}

// The failure catalogue: the failures whose message does not depend on the
// upload. Failures that name a number (pages, megabytes, an HTTP status)
// are built where they happen, with one of the codes above.
var (
	FailImageMissing = Failure{Code: ErrImageMissing, Permanent: true,
		Message: "The uploaded image could not be found in storage. Please upload it again."}
	FailStorageUnavailable = Failure{Code: ErrStorageUnavailable,
		Message: "The uploaded image could not be read from storage. Please retry later."}
	FailUnreadableImage = Failure{Code: ErrUnreadableImage, Permanent: true,
		Message: "The image file is damaged or incomplete and cannot be read. Please take the photo again."}
	FailNoText = Failure{Code: ErrNoText, Permanent: true,
		Message: "No text was found in the photo. Make sure the page fills the frame, is in focus and well lit."}
	FailOCRTimeout = Failure{Code: ErrOCRTimeout,
		Message: "Reading the text took too long. Try a sharper or smaller photo."}
	// The failures of a stage that failed in a way it did not name itself
	// (a panic, an error while committing).
	FailOCRFailed     = Failure{Code: ErrOCRFailed, Message: "Text recognition failed. Please retry later."}
	FailFormatFailed  = Failure{Code: ErrFormatFailed, Message: "Formatting the note failed. Please retry later."}
	FailExtractFailed = Failure{Code: ErrExtractFailed, Message: "Saving the finished note failed. Please retry later."}
)

// Where blobs are kept. Every key is made by the server, never taken from
// what a client sent.
const (
	// UploadBlobPrefix starts the key of every uploaded image; the orphan
	// sweep and backups find the images by it.
	UploadBlobPrefix = "uploads/"
	// BackupBlobPrefix starts the key of every backup's files.
	BackupBlobPrefix = "backups/"
)

// PageBlobKey is where page n (from 1) of an upload is stored: under the
// user, named by the upload's id, the page and the extension of its type.
func PageBlobKey(userID, uploadID uuid.UUID, n int, ext string) string {
	return UploadBlobPrefix + userID.String() + "/" + uploadID.String() + "-p" + strconv.Itoa(n) + ext
}

// FigureBlobKey is where figure k (from 1) of page n of an upload is stored:
// beside the page's image, under UploadBlobPrefix so that the orphan sweep
// and backups take it as they take the pages.
func FigureBlobKey(userID, uploadID uuid.UUID, n, k int, ext string) string {
	return UploadBlobPrefix + userID.String() + "/" + uploadID.String() + "-p" + strconv.Itoa(n) + "-f" + strconv.Itoa(k) + ext
}

// PDFPageViewKey is where page k (from 1) of the PDF stored under pageKey is
// kept as the PNG the app shows: beside the PDF, named after it, so that
// whatever keeps or deletes the PDF can find its pages (ViewedPageKey).
func PDFPageViewKey(pageKey string, k int) string {
	return pageKey + pdfViewInfix + strconv.Itoa(k) + ".png"
}

// PDFPageViewPrefix starts the key of every page view of the PDF stored
// under pageKey.
func PDFPageViewPrefix(pageKey string) string { return pageKey + pdfViewInfix }

const pdfViewInfix = ".page"

// ViewedPageKey returns the key of the PDF whose page view is stored under
// key, and false when key is no page view.
func ViewedPageKey(key string) (string, bool) {
	i := strings.LastIndex(key, pdfViewInfix)
	if i < 0 || !strings.HasSuffix(key, ".png") {
		return "", false
	}
	k, err := strconv.Atoi(key[i+len(pdfViewInfix) : len(key)-len(".png")])
	if err != nil || k < 1 {
		return "", false
	}
	return key[:i], true
}

// Steps the OCR stage records in a page's ocrSteps that the API reads back
// to show the page. A PDF's steps are each prefixed "pdf-pK:" with the page
// K they are about when the PDF has more than one page.
const (
	// StepTurn, followed by ":90", ":180" or ":270", is the clockwise quarter
	// turn that made the page upright before it was read.
	StepTurn = "rotate"
	// StepPDFView, followed by ":WxH", says a page of a PDF was rendered as a
	// W×H PNG for people to look at (PDFPageViewKey).
	StepPDFView = "pdf-view"
	// StepPDFViewRefused says a page of a PDF was too large to render for
	// people to look at within the worker's limits.
	StepPDFViewRefused = "pdf-view-refused"
)

// pdfPagePrefix starts a step about one page of a PDF of several pages.
const pdfPagePrefix = "pdf-p"

// PDFPageStep is step about page k of a PDF of several pages.
func PDFPageStep(k int, step string) string {
	return pdfPagePrefix + strconv.Itoa(k) + ":" + step
}

// SplitPDFPageStep is PDFPageStep undone: the page a step is about and the
// step itself. A step without the prefix is about page 1, as a PDF of one
// page records its steps.
func SplitPDFPageStep(s string) (k int, step string) {
	if rest, ok := strings.CutPrefix(s, pdfPagePrefix); ok {
		if num, step, ok := strings.Cut(rest, ":"); ok {
			if n, err := strconv.Atoi(num); err == nil && n >= 1 && n <= 10_000 {
				return n, step
			}
		}
	}
	return 1, s
}

// FigureURL is where the API serves figure n (from 1) of document id, the
// link of the figure in the note's Markdown.
func FigureURL(documentID uuid.UUID, n int) string {
	return "/api/documents/" + documentID.String() + "/figures/" + strconv.Itoa(n)
}

// Limits on what a note and an upload carry, in characters.
const (
	// ExcerptMax bounds a document's excerpt.
	ExcerptMax = 200
	// TitleMax bounds a title given at upload.
	TitleMax = 500
	// ContextMax bounds the hint for the formatter given at upload.
	ContextMax = 2000
)

// VersionsKept is how many earlier texts of a note are kept as its
// versions: keeping one more drops the oldest.
const VersionsKept = 50

// Why a note's text was replaced, as its version records it.
const (
	ReplacedByEdit    = "edit"    // the user edited the title or the note
	ReplacedByReread  = "reread"  // the note's pages were read again
	ReplacedByPages   = "pages"   // pages were added to the note
	ReplacedByRestore = "restore" // an older version was restored
)

// LanguageAuto is the course language that asks the pipeline to detect each
// page's language among the installed ones.
const LanguageAuto = "auto"

// LanguagePattern is what a course language looks like: Tesseract's codes
// joined by '+' (eng, fra, deu+eng, chi_sim), or LanguageAuto. The courses
// table checks the same pattern.
const LanguagePattern = `^(auto|[a-z]{3}(_[a-z]+)*(\+[a-z]{3}(_[a-z]+)*)*)$`

// LanguageCodes returns the Tesseract codes of a course language, in order;
// LanguageAuto has none.
func LanguageCodes(language string) []string {
	if language == LanguageAuto || language == "" {
		return nil
	}
	return strings.Split(language, "+")
}

// Retryable reports whether retrying an upload that failed with code can
// succeed. The user's own errors (UserErrorCodes) fail again the same way,
// and so does an image gone from storage; those of a service (storage, OCR,
// the model, a lost worker) may not.
func Retryable(code string) bool {
	return code != ErrImageMissing && !IsUserError(code)
}
