package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/google/uuid"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/pdffile"
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
	Image         string    `json:"image" example:"/api/documents/0193a1c2-7f1e-7c3a-9d2b-5e8f4a6b1c2d/pages/1/image" doc:"where its file is served as it was sent: a photo, or a PDF"`
	Views         []View    `json:"views" doc:"what to show of the page, in order: the photo, or each page of a PDF as an image"`
}

// View is one image of a page as people look at it: a photo, or one page of
// a PDF rendered when the note was read.
type View struct {
	Image string `json:"image,omitempty" example:"/api/documents/0193a1c2-7f1e-7c3a-9d2b-5e8f4a6b1c2d/pages/1/pdf-pages/2" doc:"where the image is served; absent when there is none (problem says why)"`
	Turn  int    `json:"turn" example:"90" doc:"the clockwise turn, in degrees (0, 90, 180 or 270), that shows the image upright, as the page was read"`
	Width int    `json:"width,omitempty" example:"1131" doc:"in pixels, when known: a PDF page's image"`
	// Height is the image's, as Width.
	Height  int    `json:"height,omitempty" example:"1600" doc:"in pixels, when known: a PDF page's image"`
	Problem string `json:"problem,omitempty" example:"Page 2 of the PDF is too large to show as an image." doc:"why there is no image"`
}

func newPage(documentID uuid.UUID, p db.Page) Page {
	n := *p.Position
	path := "/api/documents/" + documentID.String() + "/pages/" + strconv.Itoa(n)
	page := Page{N: n, UploadID: p.UploadID, ContentType: p.ContentType, ByteSize: p.ByteSize, Width: p.ImageWidth,
		Height: p.ImageHeight, OCRConfidence: p.OCRConfidence, OCRSteps: p.OCRSteps, Image: path + "/image"}
	if p.ContentType != pdffile.ContentType {
		page.Views = []View{{Image: page.Image, Turn: turnOf(p.OCRSteps)}}
		return page
	}
	page.Views = []View{}
	for k, steps := range pdfPageSteps(p.OCRSteps) {
		v := View{Turn: turnOf(steps)}
		if rendered, problem := pdfView(k+1, steps); problem != "" {
			v.Problem = problem
		} else {
			v.Image = path + "/pdf-pages/" + strconv.Itoa(k+1)
			v.Width, v.Height = rendered[0], rendered[1]
		}
		page.Views = append(page.Views, v)
	}
	return page
}

// turnOf is the quarter turn the OCR stage recorded in a page's steps.
func turnOf(steps []string) int {
	turn := 0
	for _, s := range steps {
		if deg, ok := strings.CutPrefix(s, snapnote.StepTurn+":"); ok {
			turn, _ = strconv.Atoi(deg)
		}
	}
	return turn
}

// pdfPageSteps splits the steps of a PDF page row by the page of the PDF
// they are about: "pdf-pK:" names page K of several; a PDF of one page has
// its steps unprefixed.
func pdfPageSteps(steps []string) [][]string {
	var pages [][]string
	for _, s := range steps {
		k, step := snapnote.SplitPDFPageStep(s)
		for len(pages) < k {
			pages = append(pages, nil)
		}
		pages[k-1] = append(pages[k-1], step)
	}
	return pages
}

// pdfView reads what the OCR stage recorded of the image of page k of a
// PDF: its size, or why there is none.
func pdfView(k int, steps []string) (size [2]int, problem string) {
	for _, s := range steps {
		if s == snapnote.StepPDFViewRefused {
			return size, fmt.Sprintf("Page %d of the PDF is too large to show as an image.", k)
		}
		if dims, ok := strings.CutPrefix(s, snapnote.StepPDFView+":"); ok {
			if _, err := fmt.Sscanf(dims, "%dx%d", &size[0], &size[1]); err == nil {
				return size, ""
			}
		}
	}
	return size, fmt.Sprintf("Page %d of the PDF has no image yet: it was read before pages were shown. Read the note again to make one.", k)
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
		Summary:     "One page's file",
		Description: "Streams the page's file as it was sent, as `GET /api/documents/{id}/image` does the first page's: " +
			"a photo, or a PDF (its pages as images are at `.../pdf-pages/{k}`, listed in the page's `views`).",
		Tags:      []string{"documents"},
		Responses: imageResponses(),
		Errors:    []int{http.StatusNotFound},
	}), s.getDocumentPageImage)

	huma.Register(api, secured(huma.Operation{
		OperationID: "get-document-pdf-page-image",
		Method:      http.MethodGet,
		Path:        "/api/documents/{id}/pages/{n}/pdf-pages/{k}",
		Summary:     "One page of a PDF page, as an image",
		Description: "Streams page k of the PDF that is the note's page n as the PNG rendered when the note was read " +
			"(at most 1600 pixels on its longer side), as `GET /api/documents/{id}/pages/{n}/image` streams a photo. " +
			"422 when the page was too large to render within the worker's limits, with the reason.",
		Tags:      []string{"documents"},
		Responses: imageResponses(),
		Errors:    []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}), s.getDocumentPDFPageImage)

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

// PDFPageRef is the path of one page of a PDF that is a page of one of the
// caller's notes.
type PDFPageRef struct {
	PageRef
	K int `path:"k" minimum:"1" doc:"the page's 1-based place in the PDF" example:"2"`
}

func (s *Server) getDocumentPDFPageImage(ctx context.Context, in *PDFPageRef) (*huma.StreamResponse, error) {
	p, err := s.cfg.DB.DocumentPage(ctx, userFrom(ctx).ID, in.ID, in.N)
	if errors.Is(err, db.ErrNotFound) {
		return nil, huma.Error404NotFound("no such page")
	}
	if err != nil {
		return nil, s.fail(ctx, "page", err)
	}
	if p.ContentType != pdffile.ContentType {
		return nil, huma.Error404NotFound("the page is a photo, not a PDF: its image is at " +
			"/api/documents/" + in.ID.String() + "/pages/" + strconv.Itoa(in.N) + "/image")
	}
	pages := pdfPageSteps(p.OCRSteps)
	if in.K > len(pages) {
		return nil, huma.Error404NotFound(fmt.Sprintf("the PDF has %d pages", len(pages)))
	}
	if _, problem := pdfView(in.K, pages[in.K-1]); problem != "" {
		if slices.Contains(pages[in.K-1], snapnote.StepPDFViewRefused) {
			return nil, huma.Error422UnprocessableEntity(problem)
		}
		return nil, huma.Error404NotFound(problem)
	}
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		r, w := humago.Unwrap(hctx)
		s.serveImage(ctx, w, r, snapnote.PDFPageViewKey(p.BlobKey, in.K))
	}}, nil
}
