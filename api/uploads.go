package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/google/uuid"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/intake"
)

// Upload is an uploaded image and where its pipeline stands.
type Upload struct {
	ID            uuid.UUID        `json:"id"`
	CourseID      uuid.UUID        `json:"courseId"`
	Status        string           `json:"status" enum:"queued,processing,done,failed"`
	Stage         string           `json:"stage" enum:"ocr,format,extract" doc:"the stage running, or where it failed or finished"`
	Title         string           `json:"title,omitempty"`
	Filename      string           `json:"filename,omitempty" example:"IMG_2041.jpg"`
	ContentType   string           `json:"contentType" example:"image/jpeg"`
	ByteSize      int64            `json:"byteSize" example:"2483120"`
	Width         int              `json:"width" example:"3024" doc:"in pixels; 0 for a PDF"`
	Height        int              `json:"height" example:"4032" doc:"in pixels; 0 for a PDF"`
	OCRConfidence *float64         `json:"ocrConfidence,omitempty" example:"0.93" doc:"mean word confidence, 0–1"`
	OCRSteps      []string         `json:"ocrSteps,omitempty" example:"[\"rotate:180\",\"deskew:-2.25\"]" doc:"preprocessing applied to the photo before OCR"`
	Error         *UploadError     `json:"error,omitempty"`
	Attempts      map[string]int   `json:"attempts" doc:"attempts per stage"`
	TimingsMS     map[string]int64 `json:"timingsMs" doc:"milliseconds of work per stage"`
	DocumentID    *uuid.UUID       `json:"documentId,omitempty"`
	AddsTo        *uuid.UUID       `json:"addsTo,omitempty" doc:"the note these pages are added to, for pages added to a note that exists"`
	Rereads       *uuid.UUID       `json:"rereads,omitempty" doc:"the note whose pages this upload reads again (POST /api/documents/{id}/reread)"`
	Pages         []UploadPage     `json:"pages" doc:"the pages, in the order sent: each read on its own"`
	PagesDone     int              `json:"pagesDone" example:"2" doc:"pages read so far"`
	PagesTotal    int              `json:"pagesTotal" example:"3"`
	CreatedAt     time.Time        `json:"createdAt"`
	UpdatedAt     time.Time        `json:"updatedAt"`
	FinishedAt    *time.Time       `json:"finishedAt,omitempty"`
}

// UploadError says why an upload failed.
type UploadError struct {
	Code    string `json:"code" example:"no_text"`
	Message string `json:"message" example:"No text was found in the photo."`
	// Retryable is false where a retry would fail the same way (the file
	// itself is the cause); the app offers "Retry" only where it is true.
	Retryable bool `json:"retryable" doc:"whether POST /api/uploads/{id}/retry can succeed: false when the file itself is the cause"`
}

func newUploadError(code, message string) *UploadError {
	return &UploadError{Code: code, Message: message, Retryable: snapnote.Retryable(code)}
}

// UploadPage is where reading one page of an upload stands.
type UploadPage struct {
	N             int          `json:"n" example:"1" doc:"1-based, in the order sent"`
	Status        string       `json:"status" enum:"queued,processing,done,failed"`
	ContentType   string       `json:"contentType" example:"image/jpeg"`
	Width         int          `json:"width" example:"3024" doc:"in pixels; 0 for a PDF"`
	Height        int          `json:"height" example:"4032" doc:"in pixels; 0 for a PDF"`
	OCRConfidence *float64     `json:"ocrConfidence,omitempty" example:"0.93" doc:"mean word confidence, 0–1"`
	Error         *UploadError `json:"error,omitempty"`
}

func newUpload(u db.Upload, pages []db.Page) Upload {
	out := Upload{ID: u.ID, CourseID: u.CourseID, Status: u.Status, Stage: u.Stage, Title: u.Title,
		Filename: u.OriginalFilename, ContentType: u.ContentType, ByteSize: u.ByteSize, Width: u.ImageWidth,
		Height: u.ImageHeight, OCRConfidence: u.OCRConfidence, OCRSteps: u.OCRSteps, Attempts: u.Attempts, TimingsMS: u.TimingsMS,
		DocumentID: u.DocumentID, AddsTo: u.IntoDocumentID, Pages: make([]UploadPage, 0, len(pages)),
		PagesTotal: u.PageCount, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, FinishedAt: u.FinishedAt}
	if u.Rereads {
		out.AddsTo, out.Rereads = nil, u.IntoDocumentID
	}
	if u.ErrorCode != "" {
		out.Error = newUploadError(u.ErrorCode, u.ErrorMessage)
	}
	for _, p := range pages {
		page := UploadPage{N: p.N, Status: p.Status, ContentType: p.ContentType, Width: p.ImageWidth,
			Height: p.ImageHeight, OCRConfidence: p.OCRConfidence}
		if p.ErrorCode != "" {
			page.Error = newUploadError(p.ErrorCode, p.ErrorMessage)
		}
		if p.Status == snapnote.UploadDone {
			out.PagesDone++
		}
		out.Pages = append(out.Pages, page)
	}
	return out
}

// uploadViews returns the uploads as the API shows them, with their pages,
// read in one query.
func (s *Server) uploadViews(ctx context.Context, uploads ...db.Upload) ([]Upload, error) {
	ids := make([]uuid.UUID, len(uploads))
	for i, u := range uploads {
		ids[i] = u.ID
	}
	pages, err := s.cfg.DB.PagesOfUploads(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Upload, len(uploads))
	for i, u := range uploads {
		out[i] = newUpload(u, pages[u.ID])
	}
	return out, nil
}

// uploadView returns one upload as the API shows it.
func (s *Server) uploadView(ctx context.Context, u db.Upload) (Upload, error) {
	views, err := s.uploadViews(ctx, u)
	if err != nil {
		return Upload{}, s.fail(ctx, "upload", err)
	}
	return views[0], nil
}

type uploadOutput struct {
	Location string `header:"Location"`
	Body     Upload
}

type uploadListInput struct {
	Paging
	CourseID uuid.UUID `query:"courseId" format:"uuid" doc:"only this course's uploads"`
	Status   string    `query:"status" enum:"active,failed,done" doc:"active: queued or processing; default: every status"`
}

// uploadStatuses are the statuses each value of the list's status filter names.
var uploadStatuses = map[string][]string{
	"active": {snapnote.UploadQueued, snapnote.UploadProcessing},
	"failed": {snapnote.UploadFailed},
	"done":   {snapnote.UploadDone},
}

type uploadListOutput struct {
	Body struct {
		Items      []Upload `json:"items"`
		NextCursor string   `json:"nextCursor,omitempty"`
	}
}

// createUploadInput reads its own body (upload_form.go): Huma's multipart
// support trusts the declared part type and ignores Operation.MaxBodyBytes,
// and an image must be checked by its bytes under a hard size limit.
type createUploadInput struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"a retried request with the same key returns the first upload instead of a second one"`
	req            *http.Request
	w              http.ResponseWriter
}

func (in *createUploadInput) Resolve(ctx huma.Context) []error {
	in.req, in.w = humago.Unwrap(ctx)
	return nil
}

func (s *Server) registerUploads(api huma.API) {
	huma.Register(api, secured(huma.Operation{
		OperationID: "create-upload",
		Method:      http.MethodPost,
		Path:        "/api/uploads",
		Summary:     "Upload a photo of notes",
		Description: "Stores the image and queues it for OCR, formatting and extraction; answers at once. " +
			"Follow it with `GET /api/uploads/{id}/events`, a Server-Sent Events stream of its status that " +
			"ends when `status` is `done` (then `documentId` is set) or `failed`; or poll `GET /api/uploads/{id}`. " +
			"Send several `file` parts for a note of several pages (at most UPLOAD_MAX_PAGES).",
		Tags:          []string{"uploads"},
		DefaultStatus: http.StatusAccepted,
		Errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusRequestTimeout, http.StatusRequestEntityTooLarge,
			http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity},
	}), s.createUpload)
	// Documented after registering: declared at registration, Huma would
	// parse the body itself (see createUploadInput).
	api.OpenAPI().Paths["/api/uploads"].Post.RequestBody = uploadRequestBody

	huma.Register(api, secured(huma.Operation{
		OperationID: "get-upload",
		Method:      http.MethodGet,
		Path:        "/api/uploads/{id}",
		Summary:     "An upload's status",
		Tags:        []string{"uploads"},
	}), s.getUpload)

	huma.Register(api, secured(huma.Operation{
		OperationID: "list-uploads",
		Method:      http.MethodGet,
		Path:        "/api/uploads",
		Summary:     "The caller's recent uploads",
		Description: "Newest first; `courseId` and `status` narrow it (the app shows a course's uploads in progress and failed).",
		Tags:        []string{"uploads"},
	}), s.listUploads)

	huma.Register(api, secured(huma.Operation{
		OperationID:   "retry-upload",
		Method:        http.MethodPost,
		Path:          "/api/uploads/{id}/retry",
		Summary:       "Re-run a failed upload",
		Description:   "Starts again from the stage that failed; finished stages are not redone.",
		Tags:          []string{"uploads"},
		DefaultStatus: http.StatusAccepted,
		Errors:        []int{http.StatusNotFound, http.StatusConflict},
	}), s.retryUpload)
}

var uploadRequestBody = &huma.RequestBody{
	Required: true,
	Content: map[string]*huma.MediaType{"multipart/form-data": {Schema: &huma.Schema{
		Type:     "object",
		Required: []string{"file", "courseId"},
		Properties: map[string]*huma.Schema{
			"file": {Type: "array", MinItems: ptr(1), Description: "the pages of one note, in order: one part per page, each a JPEG, PNG, WebP, TIFF, GIF, BMP or PDF (a scanner app's, of one or more pages); recognised by content, not name",
				Items: &huma.Schema{Type: "string", Format: "binary"}},
			"courseId": {Type: "string", Format: "uuid", Description: "one of the caller's active courses"},
			"title":    {Type: "string", MaxLength: ptr(snapnote.TitleMax), Description: "optional; inferred from the note when absent"},
			"context":  {Type: "string", MaxLength: ptr(snapnote.ContextMax), Description: "optional hint for the formatter, e.g. the lecture topic"},
		},
	}}},
}

func (s *Server) createUpload(ctx context.Context, in *createUploadInput) (*uploadOutput, error) {
	user := userFrom(ctx)
	if out, ok, err := s.uploadByIdempotencyKey(ctx, in.IdempotencyKey, nil, false); ok || err != nil {
		return out, err
	}
	form, release, err := s.receive(user.ID, in.w, in.req, true)
	if err != nil {
		return nil, err
	}
	defer release()
	course, err := s.cfg.DB.CourseByID(ctx, user.ID, form.CourseID)
	if errors.Is(err, db.ErrNotFound) || (err == nil && course.Status != snapnote.StatusActive) {
		return nil, huma.Error404NotFound("course not found")
	}
	if err != nil {
		return nil, s.fail(ctx, "course", err)
	}
	return s.storeUpload(ctx, form, db.NewUpload{CourseID: course.ID, Title: form.Title, Context: form.Context,
		IdempotencyKey: in.IdempotencyKey})
}

// uploadByIdempotencyKey returns the caller's upload made with key; ok is
// false when there is none (or no key). A key names one request on one
// route: into is the note the request adds pages to or (rereads) reads
// again, nil for a new note. The key of an upload made on another route,
// or for another note, is refused with 422 (as the IETF's Idempotency-Key
// draft says for a key reused with another request) rather than taken for
// a retry.
func (s *Server) uploadByIdempotencyKey(ctx context.Context, key string, into *uuid.UUID, rereads bool) (out *uploadOutput, ok bool, err error) {
	if key == "" {
		return nil, false, nil
	}
	u, err := s.cfg.DB.UploadByIdempotencyKey(ctx, userFrom(ctx).ID, key)
	if errors.Is(err, db.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, s.fail(ctx, "upload", err)
	}
	if !sameNote(u.IntoDocumentID, into) || u.Rereads != rereads {
		used := "to make a new note"
		switch {
		case u.Rereads:
			used = "to read a note again"
		case u.IntoDocumentID != nil:
			used = "to add pages to a note"
		}
		return nil, false, huma.Error422UnprocessableEntity("Idempotency-Key already used by another request", &huma.ErrorDetail{
			Location: "header.Idempotency-Key", Message: "this key was used " + used + ": send a new key for a new request"})
	}
	out, err = s.uploadAccepted(ctx, u)
	return out, true, err
}

// sameNote reports whether a and b name the same note, or both none.
func sameNote(a, b *uuid.UUID) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// storeUpload checks the received pages by their bytes, stores them, and
// records the upload in (its course, title, context, the note it adds to)
// with its first job. Checking holds one page in memory, so a slot bounds
// how many uploads do it at once; receiving held none.
func (s *Server) storeUpload(ctx context.Context, form *intake.Form, in db.NewUpload) (*uploadOutput, error) {
	select {
	case s.uploadSlots <- struct{}{}:
		defer func() { <-s.uploadSlots }()
	case <-ctx.Done():
		return nil, s.fail(ctx, "upload", ctx.Err())
	}
	if err := form.Check(s.intakeLimits()); err != nil {
		if _, refused := errors.AsType[*intake.Error](err); refused {
			return nil, intakeProblem(err)
		}
		return nil, s.fail(ctx, "upload", err)
	}
	user := userFrom(ctx)
	in.ID, in.UserID, in.OriginalFilename = uuid.New(), user.ID, form.Pages[0].Filename
	var stored []string
	var size int64
	for i, p := range form.Pages {
		key := snapnote.PageBlobKey(user.ID, in.ID, i+1, intake.Extension(p.ContentType))
		body, err := p.Reader()
		if err != nil {
			return nil, s.fail(ctx, "upload", err)
		}
		if _, err := s.cfg.Blobs.Put(ctx, key, body, p.ContentType); err != nil {
			s.deleteBlobs(ctx, stored)
			return nil, s.fail(ctx, "upload", fmt.Errorf("store page %d: %w", i+1, err))
		}
		stored = append(stored, key)
		size += p.Size
		in.Pages = append(in.Pages, db.NewPage{BlobKey: key, ContentType: p.ContentType, ByteSize: p.Size,
			SHA256: p.SHA256, ImageWidth: p.Width, ImageHeight: p.Height})
	}
	u, err := s.cfg.Queue.CreateUpload(ctx, in, actor(ctx))
	if err != nil {
		s.deleteBlobs(ctx, stored)
		if errors.Is(err, db.ErrConflict) && in.IdempotencyKey != "" {
			// A concurrent request with the same key won the race.
			if out, ok, err := s.uploadByIdempotencyKey(ctx, in.IdempotencyKey, in.IntoDocumentID, false); ok || err != nil {
				return out, err
			}
		}
		return nil, s.fail(ctx, "upload", err)
	}
	s.metrics.uploads.Inc()
	s.logger.InfoContext(ctx, "upload accepted", slog.String("upload_id", u.ID.String()),
		slog.String("user_id", user.ID.String()), slog.Int("pages", len(form.Pages)), slog.Int64("bytes", size))
	return s.uploadAccepted(ctx, u)
}

func (s *Server) uploadAccepted(ctx context.Context, u db.Upload) (*uploadOutput, error) {
	view, err := s.uploadView(ctx, u)
	if err != nil {
		return nil, err
	}
	return &uploadOutput{Location: "/api/uploads/" + u.ID.String(), Body: view}, nil
}

// deleteBlobs removes blobs whose rows never committed. A failure here only
// leaves orphans for the sweep job, so it is logged, not returned.
func (s *Server) deleteBlobs(ctx context.Context, keys []string) {
	for _, key := range keys {
		if err := s.cfg.Blobs.Delete(context.WithoutCancel(ctx), key); err != nil {
			s.logger.WarnContext(ctx, "delete uncommitted blob", slog.String("key", key), slog.Any("error", err))
		}
	}
}

func (s *Server) retryUpload(ctx context.Context, in *ByID) (*uploadOutput, error) {
	u, err := s.cfg.Queue.RetryUpload(ctx, in.ID, actor(ctx))
	if errors.Is(err, db.ErrNotFailed) {
		return nil, huma.Error409Conflict("only a failed upload can be retried")
	}
	if errors.Is(err, db.ErrCourseInTrash) {
		return nil, huma.Error409Conflict("the upload's course is in trash: restore the course first")
	}
	if err != nil {
		return nil, s.fail(ctx, "upload", err)
	}
	return s.uploadAccepted(ctx, u)
}

func ptr[T any](v T) *T { return &v }

func (s *Server) getUpload(ctx context.Context, in *ByID) (*uploadOutput, error) {
	u, err := s.cfg.DB.UploadByID(ctx, userFrom(ctx).ID, in.ID)
	if err != nil {
		return nil, s.fail(ctx, "upload", err)
	}
	view, err := s.uploadView(ctx, u)
	if err != nil {
		return nil, err
	}
	return &uploadOutput{Body: view}, nil
}

func (s *Server) listUploads(ctx context.Context, in *uploadListInput) (*uploadListOutput, error) {
	after, err := in.cursor()
	if err != nil {
		return nil, err
	}
	uploads, err := s.cfg.DB.ListUploads(ctx, userFrom(ctx).ID, db.UploadFilter{
		CourseID: in.CourseID, Statuses: uploadStatuses[in.Status], After: after, Limit: in.Limit + 1})
	if err != nil {
		return nil, s.fail(ctx, "uploads", err)
	}
	out := &uploadListOutput{}
	uploads, out.Body.NextCursor = page(uploads, in.Limit, func(u db.Upload) db.Cursor {
		return db.Cursor{CreatedAt: u.CreatedAt, ID: u.ID}
	})
	if out.Body.Items, err = s.uploadViews(ctx, uploads...); err != nil {
		return nil, s.fail(ctx, "uploads", err)
	}
	return out, nil
}
