// Package snapnote is SnapNote's vocabulary: the statuses a row can have,
// the pipeline's stage names, the error codes a failed upload carries, where
// blobs are kept, and the limits the API and the jobs agree on.
//
// It imports nothing of the application, so every part (api, jobs, backup,
// db) can name these things without depending on one another.
package snapnote

import (
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

// Limits on what a note and an upload carry, in characters.
const (
	// ExcerptMax bounds a document's excerpt.
	ExcerptMax = 200
	// TitleMax bounds a title given at upload.
	TitleMax = 500
	// ContextMax bounds the hint for the formatter given at upload.
	ContextMax = 2000
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
// succeed. The failures of the file itself (nothing to read, damaged, too
// large, gone from storage, a PDF over the limits) fail again the same way;
// those of a service (storage, OCR, the model, a lost worker) may not.
func Retryable(code string) bool {
	switch code {
	case ErrImageMissing, ErrUnreadableImage, ErrImageTooLarge, ErrNoText,
		ErrPDFTooManyPages, ErrPDFPageTooLarge, ErrUnreadablePDF:
		return false
	}
	return true
}
