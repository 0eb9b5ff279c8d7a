package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/snapnote/snapnote/internal/db"
)

// FigureRef is the path of one figure of one of the caller's notes.
type FigureRef struct {
	ByID
	N int `path:"n" minimum:"1" doc:"the figure's number in the note, as its Markdown links it" example:"1"`
}

func (s *Server) registerFigures(api huma.API) {
	huma.Register(api, secured(huma.Operation{
		OperationID: "get-document-figure",
		Method:      http.MethodGet,
		Path:        "/api/documents/{id}/figures/{n}",
		Summary:     "One figure of a note",
		Description: "Streams a drawing, diagram or photo cut from one of the note's pages, as `GET /api/documents/{id}/image` " +
			"streams a page (PNG, gray, straightened as the page was read). The note's `formattedNote` links its figures " +
			"here as `![Figure N](/api/documents/{id}/figures/N)`.",
		Tags:      []string{"documents"},
		Responses: imageResponses(),
		Errors:    []int{http.StatusNotFound},
	}), func(ctx context.Context, in *FigureRef) (*huma.StreamResponse, error) {
		f, err := s.cfg.DB.DocumentFigure(ctx, userFrom(ctx).ID, in.ID, in.N)
		if errors.Is(err, db.ErrNotFound) {
			return nil, huma.Error404NotFound("no such figure")
		}
		if err != nil {
			return nil, s.fail(ctx, "figure", err)
		}
		return &huma.StreamResponse{Body: func(hctx huma.Context) {
			r, w := humago.Unwrap(hctx)
			s.serveImage(ctx, w, r, f.BlobKey)
		}}, nil
	})
}
