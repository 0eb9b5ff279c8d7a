package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/google/uuid"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
)

// Page is one page of a note.
type Page struct {
	N             int       `json:"n" example:"1" doc:"1-based place in the note"`
	UploadID      uuid.UUID `json:"uploadId" doc:"the upload that brought the page"`
	ContentType   string    `json:"contentType" example:"image/jpeg"`
	ByteSize      int64     `json:"byteSize" example:"2483120"`
	Width         int       `json:"width" example:"3024" doc:"in pixels; 0 for a PDF"`
	Height        int       `json:"height" example:"4032" doc:"in pixels; 0 for a PDF"`
	OCRConfidence *float64  `json:"ocrConfidence,omitempty" example:"0.93" doc:"mean word confidence, 0–1"`
	OCRSteps      []string  `json:"ocrSteps,omitempty" example:"[\"deskew:-2.25\"]" doc:"preprocessing applied to the photo before OCR"`
	Image         string    `json:"image" example:"/api/documents/0193a1c2-7f1e-7c3a-9d2b-5e8f4a6b1c2d/pages/1/image" doc:"where its image is served"`
}

func newPage(documentID uuid.UUID, p db.Page) Page {
	n := *p.Position
	return Page{N: n, UploadID: p.UploadID, ContentType: p.ContentType, ByteSize: p.ByteSize, Width: p.ImageWidth,
		Height: p.ImageHeight, OCRConfidence: p.OCRConfidence, OCRSteps: p.OCRSteps,
		Image: "/api/documents/" + documentID.String() + "/pages/" + strconv.Itoa(n) + "/image"}
}

// addPagesInput reads its own body, as createUploadInput does.
type addPagesInput struct {
	ByID
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"a retried request with the same key returns the first upload instead of a second one"`
	req            *http.Request
	w              http.ResponseWriter
}

func (in *addPagesInput) Resolve(ctx huma.Context) []error {
	in.req, in.w = humago.Unwrap(ctx)
	return nil
}

// PageRef is the path of one page of one of the caller's notes.
type PageRef struct {
	ByID
	N int `path:"n" minimum:"1" doc:"the page's 1-based place in the note" example:"1"`
}

func (s *Server) registerPages(api huma.API) {
	huma.Register(api, secured(huma.Operation{
		OperationID: "list-document-pages",
		Method:      http.MethodGet,
		Path:        "/api/documents/{id}/pages",
		Summary:     "A note's pages",
		Description: "The pages of the note in order, each with where its image is served.",
		Tags:        []string{"documents"},
		Errors:      []int{http.StatusNotFound},
	}), s.listDocumentPages)

	huma.Register(api, secured(huma.Operation{
		OperationID: "get-document-page-image",
		Method:      http.MethodGet,
		Path:        "/api/documents/{id}/pages/{n}/image",
		Summary:     "One page's photo",
		Description: "Streams the page's image as `GET /api/documents/{id}/image` does the first page's.",
		Tags:        []string{"documents"},
		Responses:   imageResponses(),
		Errors:      []int{http.StatusNotFound},
	}), s.getDocumentPageImage)

	huma.Register(api, secured(huma.Operation{
		OperationID: "add-document-pages",
		Method:      http.MethodPost,
		Path:        "/api/documents/{id}/pages",
		Summary:     "Add pages to a note",
		Description: "Multipart `file` parts, one or more, read like an upload's. Answers 202 with the upload; " +
			"when it is done the same note holds the new pages after its own, re-formatted, with its title, " +
			"excerpt and search updated (a title you edited is kept), and its previous text kept as a version. 409 while " +
			"the note is in trash or being read again.",
		Tags:          []string{"documents"},
		DefaultStatus: http.StatusAccepted,
		Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusRequestTimeout, http.StatusRequestEntityTooLarge,
			http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity},
	}), s.addPages)
	api.OpenAPI().Paths["/api/documents/{id}/pages"].Post.RequestBody = addPagesRequestBody
}

var addPagesRequestBody = &huma.RequestBody{
	Required: true,
	Content: map[string]*huma.MediaType{"multipart/form-data": {Schema: &huma.Schema{
		Type:     "object",
		Required: []string{"file"},
		Properties: map[string]*huma.Schema{
			"file": {Type: "array", Items: &huma.Schema{Type: "string", Format: "binary"},
				Description: "the new pages in order: JPEG, PNG, WebP, TIFF, GIF, BMP or PDF (a scanner app's, of one or more pages); recognised by content, not name"},
		},
	}}},
}

func (s *Server) addPages(ctx context.Context, in *addPagesInput) (*uploadOutput, error) {
	user := userFrom(ctx)
	if out, ok, err := s.uploadByIdempotencyKey(ctx, in.IdempotencyKey, &in.ID, false); ok || err != nil {
		return out, err
	}
	doc, err := s.cfg.DB.DocumentByID(ctx, user.ID, in.ID)
	if err != nil {
		return nil, s.fail(ctx, "document", err)
	}
	if doc.Status != snapnote.StatusActive {
		return nil, huma.Error409Conflict("the note is in trash: restore it first")
	}
	form, release, err := s.receive(user.ID, in.w, in.req, false)
	if err != nil {
		return nil, err
	}
	defer release()
	return s.storeUpload(ctx, form, db.NewUpload{CourseID: doc.CourseID, IntoDocumentID: &doc.ID,
		IdempotencyKey: in.IdempotencyKey})
}

func (s *Server) listDocumentPages(ctx context.Context, in *ByID) (*output[[]Page], error) {
	userID := userFrom(ctx).ID
	if _, err := s.cfg.DB.DocumentByID(ctx, userID, in.ID); err != nil {
		return nil, s.fail(ctx, "document", err)
	}
	pages, err := s.cfg.DB.DocumentPages(ctx, userID, in.ID)
	if err != nil {
		return nil, s.fail(ctx, "document", err)
	}
	out := &output[[]Page]{Body: make([]Page, 0, len(pages))}
	for _, p := range pages {
		out.Body = append(out.Body, newPage(in.ID, p))
	}
	return out, nil
}

func (s *Server) getDocumentPageImage(ctx context.Context, in *PageRef) (*huma.StreamResponse, error) {
	p, err := s.cfg.DB.DocumentPage(ctx, userFrom(ctx).ID, in.ID, in.N)
	if errors.Is(err, db.ErrNotFound) {
		return nil, huma.Error404NotFound("no such page")
	}
	if err != nil {
		return nil, s.fail(ctx, "page", err)
	}
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		r, w := humago.Unwrap(hctx)
		s.serveImage(ctx, w, r, p.BlobKey)
	}}, nil
}
