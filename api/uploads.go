package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
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
	"github.com/snapnote/snapnote/internal/photo"
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
	Width         int              `json:"width" example:"3024"`
	Height        int              `json:"height" example:"4032"`
	OCRConfidence *float64         `json:"ocrConfidence,omitempty" example:"0.93" doc:"mean word confidence, 0–1"`
	OCRSteps      []string         `json:"ocrSteps,omitempty" example:"[\"rotate:180\",\"deskew:-2.25\"]" doc:"preprocessing applied to the photo before OCR"`
	Error         *UploadError     `json:"error,omitempty"`
	Attempts      map[string]int   `json:"attempts" doc:"attempts per stage"`
	TimingsMS     map[string]int64 `json:"timingsMs" doc:"milliseconds of work per stage"`
	DocumentID    *uuid.UUID       `json:"documentId,omitempty"`
	CreatedAt     time.Time        `json:"createdAt"`
	UpdatedAt     time.Time        `json:"updatedAt"`
	FinishedAt    *time.Time       `json:"finishedAt,omitempty"`
}

// UploadError says why an upload failed.
type UploadError struct {
	Code    string `json:"code" example:"no_text"`
	Message string `json:"message" example:"No text was found in the photo."`
}

func newUpload(u db.Upload) Upload {
	out := Upload{ID: u.ID, CourseID: u.CourseID, Status: u.Status, Stage: u.Stage, Title: u.Title,
		Filename: u.OriginalFilename, ContentType: u.ContentType, ByteSize: u.ByteSize, Width: u.ImageWidth,
		Height: u.ImageHeight, OCRConfidence: u.OCRConfidence, OCRSteps: u.OCRSteps, Attempts: u.Attempts, TimingsMS: u.TimingsMS,
		DocumentID: u.DocumentID, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, FinishedAt: u.FinishedAt}
	if u.ErrorCode != "" {
		out.Error = &UploadError{Code: u.ErrorCode, Message: u.ErrorMessage}
	}
	return out
}

type uploadOutput struct {
	Location string `header:"Location"`
	Body     Upload
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
			"Poll `GET /api/uploads/{id}` until `status` is `done` (then `documentId` is set) or `failed`.",
		Tags:          []string{"uploads"},
		DefaultStatus: http.StatusAccepted,
		Errors:        []int{http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity},
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
	}), func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id"`
	}) (*uploadOutput, error) {
		u, err := s.cfg.DB.Queries.UploadByID(ctx, userFrom(ctx).ID, in.ID)
		if err != nil {
			return nil, s.fail(ctx, "upload", err)
		}
		return &uploadOutput{Body: newUpload(u)}, nil
	})

	huma.Register(api, secured(huma.Operation{
		OperationID: "list-uploads",
		Method:      http.MethodGet,
		Path:        "/api/uploads",
		Summary:     "The caller's recent uploads",
		Tags:        []string{"uploads"},
	}), func(ctx context.Context, in *pageInput) (*uploadListOutput, error) {
		after, err := in.cursor()
		if err != nil {
			return nil, err
		}
		uploads, err := s.cfg.DB.Queries.ListUploads(ctx, userFrom(ctx).ID, after, in.Limit+1)
		if err != nil {
			return nil, s.fail(ctx, "uploads", err)
		}
		out := &uploadListOutput{}
		uploads, out.Body.NextCursor = page(uploads, in.Limit, func(u db.Upload) db.Cursor {
			return db.Cursor{CreatedAt: u.CreatedAt, ID: u.ID}
		})
		out.Body.Items = make([]Upload, 0, len(uploads))
		for _, u := range uploads {
			out.Body.Items = append(out.Body.Items, newUpload(u))
		}
		return out, nil
	})

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
			"file":     {Type: "string", Format: "binary", Description: "JPEG, PNG, WebP, TIFF, GIF or BMP; recognised by content, not name"},
			"courseId": {Type: "string", Format: "uuid", Description: "one of the caller's active courses"},
			"title":    {Type: "string", MaxLength: ptr(snapnote.TitleMax), Description: "optional; inferred from the note when absent"},
			"context":  {Type: "string", MaxLength: ptr(snapnote.ContextMax), Description: "optional hint for the formatter, e.g. the lecture topic"},
		},
	}}},
}

func (s *Server) createUpload(ctx context.Context, in *createUploadInput) (*uploadOutput, error) {
	user := userFrom(ctx)
	if in.IdempotencyKey != "" {
		if u, err := s.cfg.DB.Queries.UploadByIdempotencyKey(ctx, user.ID, in.IdempotencyKey); err == nil {
			return s.uploadAccepted(u), nil
		} else if !errors.Is(err, db.ErrNotFound) {
			return nil, s.fail(ctx, "upload", err)
		}
	}

	// Each upload is read into memory whole: bound how many at once.
	select {
	case s.uploadSlots <- struct{}{}:
		defer func() { <-s.uploadSlots }()
	case <-ctx.Done():
		return nil, s.fail(ctx, "upload", ctx.Err())
	}
	form, err := s.readUploadForm(in.w, in.req)
	if err != nil {
		return nil, err
	}
	course, err := s.cfg.DB.Queries.CourseByID(ctx, user.ID, form.courseID)
	if errors.Is(err, db.ErrNotFound) || (err == nil && course.Status != snapnote.StatusActive) {
		return nil, huma.Error404NotFound("course not found")
	}
	if err != nil {
		return nil, s.fail(ctx, "course", err)
	}

	sum := sha256.Sum256(form.data)
	id := uuid.New()
	key := snapnote.UploadBlobKey(user.ID, id, photo.Extension(form.contentType))
	if _, err := s.cfg.Blobs.Put(ctx, key, bytes.NewReader(form.data), form.contentType); err != nil {
		return nil, s.fail(ctx, "upload", fmt.Errorf("store image: %w", err))
	}

	u, err := s.cfg.Queue.CreateUpload(ctx, db.NewUpload{
		ID: id, UserID: user.ID, CourseID: course.ID, BlobKey: key, ContentType: form.contentType,
		ByteSize: int64(len(form.data)), SHA256: hex.EncodeToString(sum[:]), ImageWidth: form.width,
		ImageHeight: form.height, OriginalFilename: form.filename, Title: form.title, Context: form.context,
		IdempotencyKey: in.IdempotencyKey,
	}, actor(ctx))
	if err != nil {
		s.deleteBlob(ctx, key)
		if errors.Is(err, db.ErrConflict) && in.IdempotencyKey != "" {
			// A concurrent request with the same key won the race.
			if first, err := s.cfg.DB.Queries.UploadByIdempotencyKey(ctx, user.ID, in.IdempotencyKey); err == nil {
				return s.uploadAccepted(first), nil
			}
		}
		return nil, s.fail(ctx, "upload", err)
	}
	s.logger.InfoContext(ctx, "upload accepted", slog.String("upload_id", id.String()),
		slog.String("user_id", user.ID.String()), slog.Int("bytes", len(form.data)))
	return s.uploadAccepted(u), nil
}

func (s *Server) uploadAccepted(u db.Upload) *uploadOutput {
	return &uploadOutput{Location: "/api/uploads/" + u.ID.String(), Body: newUpload(u)}
}

// deleteBlob removes a blob whose row never committed. A failure here only
// leaves an orphan for the sweep job, so it is logged, not returned.
func (s *Server) deleteBlob(ctx context.Context, key string) {
	if err := s.cfg.Blobs.Delete(context.WithoutCancel(ctx), key); err != nil {
		s.logger.WarnContext(ctx, "delete uncommitted blob", slog.String("key", key), slog.Any("error", err))
	}
}

func (s *Server) retryUpload(ctx context.Context, in *struct {
	ID uuid.UUID `path:"id"`
}) (*uploadOutput, error) {
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
	return s.uploadAccepted(u), nil
}

func ptr[T any](v T) *T { return &v }
