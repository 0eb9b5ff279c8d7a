package api

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/google/uuid"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/httpx"
	"github.com/snapnote/snapnote/internal/notes"
	"github.com/snapnote/snapnote/storage"
)

// Document is a finished note, with the seed design's fields.
type Document struct {
	ID             uuid.UUID      `json:"id" example:"0193a1c4-2b9d-7e61-8f0a-3c4d5e6f7a8b"`
	CourseID       uuid.UUID      `json:"courseId" example:"0193a1c2-7f1e-7c3a-9d2b-5e8f4a6b1c2d"`
	UploadID       *uuid.UUID     `json:"uploadId,omitempty"`
	Title          string         `json:"title" example:"The First Law of Thermodynamics"`
	OriginalText   string         `json:"originalText" doc:"the text as OCR read it" example:"The First Law of Thermodynamics\nEnergy is conserved..."`
	FormattedNote  string         `json:"formattedNote" doc:"the note as Markdown" example:"# The First Law of Thermodynamics\n\nEnergy is conserved: ΔU = Q − W."`
	Excerpt        string         `json:"excerpt" example:"Energy is conserved: the change in internal energy equals heat added minus work done…"`
	Status         string         `json:"status" enum:"active,trash" example:"active"`
	ProcessingTime float64        `json:"processingTime" example:"1.42" doc:"seconds of pipeline work"`
	Metadata       map[string]any `json:"metadata" doc:"imageSize, ocrConfidence, context, wordCount, language, processingTime per stage (ms), …"`
	CreatedAt      time.Time      `json:"createdAt" example:"2026-10-02T16:05:12Z"`
	UpdatedAt      time.Time      `json:"updatedAt" example:"2026-10-02T16:05:12Z"`
	DeletedAt      *time.Time     `json:"deletedAt,omitempty" doc:"when it was moved to trash"`
}

func newDocument(d db.Document) Document {
	return Document{ID: d.ID, CourseID: d.CourseID, UploadID: d.UploadID, Title: d.Title,
		OriginalText: d.OriginalText, FormattedNote: d.FormattedNote, Excerpt: d.Excerpt, Status: d.Status,
		ProcessingTime: d.ProcessingTime, Metadata: d.Metadata, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
		DeletedAt: d.DeletedAt}
}

// documentPatch changes only the fields sent.
type documentPatch struct {
	Title         *string    `json:"title,omitempty" minLength:"1" maxLength:"500" example:"The First Law, revised" doc:"1–500 characters after trimming"`
	FormattedNote *string    `json:"formattedNote,omitempty" maxLength:"1000000" doc:"the note as Markdown"`
	CourseID      *uuid.UUID `json:"courseId,omitempty" format:"uuid" doc:"moves the note to another of the caller's active courses"`
}

// Resolve trims the title and refuses a blank one.
func (p *documentPatch) Resolve(huma.Context) []error {
	if p.Title == nil {
		return nil
	}
	*p.Title = strings.TrimSpace(*p.Title)
	if *p.Title == "" {
		return []error{&huma.ErrorDetail{Location: "body.title", Message: "must not be blank"}}
	}
	return nil
}

type documentListInput struct {
	Paging
	CourseID uuid.UUID `query:"courseId" format:"uuid" doc:"only this course's documents"`
	Status   string    `query:"status" enum:"active,trash" default:"active" doc:"active: notes in active courses; trash: notes moved to trash on their own"`
}

type documentListOutput struct {
	Body struct {
		Items      []Document `json:"items"`
		NextCursor string     `json:"nextCursor,omitempty" doc:"pass as cursor for the next page; absent on the last"`
	}
}

func (s *Server) registerDocuments(api huma.API) {
	huma.Register(api, secured(huma.Operation{
		OperationID: "list-documents",
		Method:      http.MethodGet,
		Path:        "/api/documents",
		Summary:     "List the caller's notes",
		Description: "Newest first, keyset-paginated: notes created while you page appear on a new first page, " +
			"never in a later one, and none is skipped.",
		Tags:   []string{"documents"},
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}), s.listDocuments)

	huma.Register(api, secured(huma.Operation{
		OperationID: "get-document",
		Method:      http.MethodGet,
		Path:        "/api/documents/{id}",
		Summary:     "Get a note",
		Tags:        []string{"documents"},
	}), s.getDocument)

	huma.Register(api, secured(huma.Operation{
		OperationID: "update-document",
		Method:      http.MethodPatch,
		Path:        "/api/documents/{id}",
		Summary:     "Edit a note or move it to another course",
		Description: "Changes only the fields sent. The excerpt is recomputed from the note and title, " +
			"and search follows at once. A changed title or note keeps the text it replaces as a version " +
			"(`GET /api/documents/{id}/versions`, the newest " + strconv.Itoa(snapnote.VersionsKept) + " kept).",
		Tags:   []string{"documents"},
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}), s.updateDocument)

	statusRoute(s, api, huma.Operation{
		OperationID: "trash-document",
		Method:      http.MethodDelete,
		Path:        "/api/documents/{id}",
		Summary:     "Move a note to trash",
		Description: "Sets `deletedAt` and answers with the note.",
	}, db.EntityDocument, snapnote.StatusTrash, (*db.Queries).SetDocumentStatus, newDocument)

	statusRoute(s, api, huma.Operation{
		OperationID: "restore-document",
		Method:      http.MethodPost,
		Path:        "/api/documents/{id}/restore",
		Summary:     "Restore a note from trash",
		Description: "Answers 409 when the note's course is in trash: restore the course first.",
		Errors:      []int{http.StatusConflict},
	}, db.EntityDocument, snapnote.StatusActive, (*db.Queries).SetDocumentStatus, newDocument)

	huma.Register(api, secured(huma.Operation{
		OperationID: "get-document-image",
		Method:      http.MethodGet,
		Path:        "/api/documents/{id}/image",
		Summary:     "The note's original photo",
		Description: "Streams the image with its content type and an ETag; honours Range and If-None-Match.",
		Tags:        []string{"documents"},
		Responses:   imageResponses(),
		Errors:      []int{http.StatusNotFound},
	}), s.getDocumentImage)
}

func (s *Server) listDocuments(ctx context.Context, in *documentListInput) (*documentListOutput, error) {
	after, err := in.cursor()
	if err != nil {
		return nil, err
	}
	q := s.cfg.DB.Queries
	if err := s.checkCourseFilter(ctx, q, in.CourseID); err != nil {
		return nil, err
	}
	out := &documentListOutput{}
	out.Body.Items, out.Body.NextCursor, err = s.documentPage(ctx, q, db.DocumentFilter{
		Status: in.Status, CourseID: in.CourseID, After: after, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkCourseFilter answers 404 when a list or search is narrowed to a
// course that is not the caller's, as every route does for another's id.
// uuid.Nil (no filter) passes.
func (s *Server) checkCourseFilter(ctx context.Context, q *db.Queries, courseID uuid.UUID) error {
	if courseID == uuid.Nil {
		return nil
	}
	if _, err := q.CourseByID(ctx, userFrom(ctx).ID, courseID); err != nil {
		return s.fail(ctx, "course", err)
	}
	return nil
}

// documentPage reads one page of the caller's documents and the cursor of
// the next, for every list of documents.
func (s *Server) documentPage(ctx context.Context, q *db.Queries, f db.DocumentFilter) ([]Document, string, error) {
	limit := f.Limit
	f.Limit++
	docs, err := q.ListDocuments(ctx, userFrom(ctx).ID, f)
	if err != nil {
		return nil, "", s.fail(ctx, "documents", err)
	}
	docs, next := page(docs, limit, func(d db.Document) db.Cursor { return db.Cursor{CreatedAt: d.CreatedAt, ID: d.ID} })
	items := make([]Document, 0, len(docs))
	for _, d := range docs {
		items = append(items, newDocument(d))
	}
	return items, next, nil
}

func (s *Server) updateDocument(ctx context.Context, in *struct {
	ByID
	Body documentPatch
}) (*output[Document], error) {
	userID := userFrom(ctx).ID
	var d db.Document
	err := s.inTx(ctx, "document", func(q *db.Queries) error {
		var err error
		if d, err = q.LockDocument(ctx, userID, in.ID); err != nil {
			return err
		}
		changes := map[string]any{}
		patchField(changes, "title", &d.Title, in.Body.Title)
		patchField(changes, "formattedNote", &d.FormattedNote, in.Body.FormattedNote)
		if len(changes) > 0 {
			d.Excerpt = notes.Excerpt(d.FormattedNote, d.Title, snapnote.ExcerptMax)
		}
		if to := in.Body.CourseID; to != nil && *to != d.CourseID {
			c, err := q.LockCourse(ctx, userID, *to)
			if errors.Is(err, db.ErrNotFound) || (err == nil && c.Status != snapnote.StatusActive) {
				return huma.Error404NotFound("course not found",
					&huma.ErrorDetail{Location: "body.courseId", Message: "not one of your active courses", Value: *to})
			}
			if err != nil {
				return err
			}
			changes["courseId"] = map[string]any{"from": d.CourseID, "to": *to}
			d.CourseID = *to
		}
		if len(changes) == 0 {
			return nil
		}
		_, retitled := changes["title"]
		if _, rewritten := changes["formattedNote"]; retitled || rewritten {
			if _, err := q.KeepVersion(ctx, d.ID, snapnote.ReplacedByEdit); err != nil {
				return err
			}
		}
		if d, err = q.UpdateDocument(ctx, d); err != nil {
			return err
		}
		return audit(ctx, q, db.AuditUpdate, db.EntityDocument, d.ID, changes)
	})
	if err != nil {
		return nil, err
	}
	return &output[Document]{Body: newDocument(d)}, nil
}

// serveImage answers r with the image stored under key: its content type, a
// strong ETag, and conditional and range requests. Errors are written as
// problems, since the response is already the handler's to write.
func (s *Server) serveImage(ctx context.Context, w http.ResponseWriter, r *http.Request, key string) {
	// A store that can presign (S3) serves the bytes itself: the API only
	// redirects to a short-lived URL, which no cache may keep.
	if p, ok := s.cfg.Blobs.(storage.Presigner); ok {
		url, err := p.PresignGet(ctx, key, s.cfg.PresignTTL)
		if err != nil {
			s.logger.ErrorContext(ctx, "presign document image", slog.String("key", key), slog.Any("error", err))
			httpx.WriteProblem(w, http.StatusInternalServerError, "internal error")
			return
		}
		w.Header().Set("Cache-Control", "private, no-store")
		http.Redirect(w, r, url, http.StatusTemporaryRedirect)
		return
	}
	blob, info, err := s.cfg.Blobs.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		s.logger.WarnContext(ctx, "document image missing from storage", slog.String("key", key))
		httpx.WriteProblem(w, http.StatusNotFound, "the image is no longer stored")
		return
	}
	if errors.Is(err, storage.ErrUnavailable) {
		s.logger.WarnContext(ctx, "open document image", slog.String("key", key), slog.Any("error", err))
		httpx.WriteUnavailable(w, "storage")
		return
	}
	if err != nil {
		s.logger.ErrorContext(ctx, "open document image", slog.String("key", key), slog.Any("error", err))
		httpx.WriteProblem(w, http.StatusInternalServerError, "internal error")
		return
	}
	defer func() { _ = blob.Close() }() // read-only: nothing to lose on close

	h := w.Header()
	if info.ContentType != "" {
		h.Set("Content-Type", info.ContentType)
	}
	h.Set("X-Content-Type-Options", "nosniff")
	// Keys are never rewritten, so a cached copy stays right; private
	// because the image is the caller's.
	h.Set("Cache-Control", "private, max-age=86400")
	etag := ""
	if info.ETag != "" {
		etag = `"` + info.ETag + `"`
		h.Set("ETag", etag)
	}
	if rs, ok := blob.(io.ReadSeeker); ok {
		if !dropEmptySuffixRanges(r) {
			h.Set("Content-Range", "bytes */"+strconv.FormatInt(info.Size, 10))
			// Plain text, as http.ServeContent answers its own 416s.
			http.Error(w, "invalid range: a suffix range must be at least one byte long", http.StatusRequestedRangeNotSatisfiable)
			return
		}
		http.ServeContent(w, r, "", info.ModTime, rs)
		return
	}
	if etag != "" && etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.FormatInt(info.Size, 10))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	if _, err := io.Copy(w, blob); err != nil {
		s.logger.WarnContext(ctx, "stream document image", slog.String("key", key), slog.Any("error", err))
	}
}

// etagMatches reports whether an If-None-Match header names etag, compared
// weakly as RFC 9110 says for that header.
func etagMatches(header, etag string) bool {
	for tag := range strings.SplitSeq(header, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || tag == etag {
			return true
		}
	}
	return false
}

// imageResponses documents what serveImage answers besides problems; a new
// map each time, as Huma fills in each operation's own.
func imageResponses() map[string]*huma.Response {
	return map[string]*huma.Response{
		"200": {Description: "The image", Content: map[string]*huma.MediaType{
			"image/*": {Schema: &huma.Schema{Type: "string", Format: "binary"}}}},
		"206": {Description: "The requested byte range of the image"},
		"304": {Description: "The image is unchanged since the ETag sent in If-None-Match"},
		"307": {Description: "With S3 storage: the image is at a presigned URL, in Location",
			Headers: map[string]*huma.Param{"Location": {Schema: &huma.Schema{Type: "string", Format: "uri"}}}},
		"416": {Description: "The Range asks for bytes the image does not have (plain text)"},
	}
}

// dropEmptySuffixRanges removes the ranges of r's Range header that ask for
// the last zero bytes ("-0"), which can never be served (RFC 9110 §14.1.1)
// and which http.ServeContent answers 206 with nothing. It reports false
// when no range is left, which is to be answered 416.
func dropEmptySuffixRanges(r *http.Request) bool {
	spec, ok := strings.CutPrefix(r.Header.Get("Range"), "bytes=")
	if !ok {
		return true
	}
	var kept []string
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		if digits, ok := strings.CutPrefix(part, "-"); ok && digits != "" && strings.Trim(digits, "0") == "" {
			continue
		}
		kept = append(kept, part)
	}
	if len(kept) == 0 {
		return false
	}
	r.Header.Set("Range", "bytes="+strings.Join(kept, ","))
	return true
}

func (s *Server) getDocument(ctx context.Context, in *ByID) (*output[Document], error) {
	d, err := s.cfg.DB.DocumentByID(ctx, userFrom(ctx).ID, in.ID)
	if err != nil {
		return nil, s.fail(ctx, "document", err)
	}
	return &output[Document]{Body: newDocument(d)}, nil
}

func (s *Server) getDocumentImage(ctx context.Context, in *ByID) (*huma.StreamResponse, error) {
	d, err := s.cfg.DB.DocumentByID(ctx, userFrom(ctx).ID, in.ID)
	if err != nil {
		return nil, s.fail(ctx, "document", err)
	}
	if d.ImagePath == "" {
		return nil, huma.Error404NotFound("this note has no image")
	}
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		r, w := humago.Unwrap(hctx)
		s.serveImage(ctx, w, r, d.ImagePath)
	}}, nil
}
