package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/google/uuid"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
)

// streamKeepAlive keeps proxies from closing a quiet stream.
const streamKeepAlive = 15 * time.Second

func (s *Server) registerUploadEvents(api huma.API) {
	huma.Register(api, secured(huma.Operation{
		OperationID: "upload-events",
		Method:      http.MethodGet,
		Path:        "/api/uploads/{id}/events",
		Summary:     "Stream an upload's status",
		Description: "Server-Sent Events: a `status` event carrying the upload now and after every change, " +
			"until it is done or failed; then the stream ends.",
		Tags: []string{"uploads"},
		Responses: map[string]*huma.Response{"200": {
			Description: "text/event-stream of `status` events whose data is an Upload",
			Content:     map[string]*huma.MediaType{"text/event-stream": {Schema: &huma.Schema{Type: "string"}}},
		}},
	}), func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id"`
	}) (*huma.StreamResponse, error) {
		user := userFrom(ctx)
		// Subscribe before the first read, so no change falls between them.
		changed, leave := s.cfg.DB.UploadChanges(in.ID)
		u, err := s.cfg.DB.Queries.UploadByID(ctx, user.ID, in.ID)
		if err != nil {
			leave()
			return nil, s.fail(ctx, "upload", err)
		}
		return &huma.StreamResponse{Body: func(hctx huma.Context) {
			defer leave()
			s.streamUpload(hctx, user.ID, u, changed)
		}}, nil
	})
}

func (s *Server) streamUpload(hctx huma.Context, userID uuid.UUID, u db.Upload, changed <-chan struct{}) {
	ctx := hctx.Context()
	hctx.SetHeader("Content-Type", "text/event-stream")
	hctx.SetHeader("Cache-Control", "no-store")
	hctx.SetHeader("X-Accel-Buffering", "no")
	_, rw := humago.Unwrap(hctx)
	w := hctx.BodyWriter()
	// Through ResponseController, so wrapping writers (the access log's) that
	// keep Unwrap still flush.
	rc := http.NewResponseController(rw)
	flush := func() { _ = rc.Flush() }
	keepAlive := time.NewTicker(streamKeepAlive)
	defer keepAlive.Stop()
	last := time.Time{}
	for {
		if !u.UpdatedAt.Equal(last) {
			view, err := s.uploadViews(ctx, u)
			if err != nil {
				return
			}
			data, err := json.Marshal(view[0])
			if err != nil {
				return
			}
			if _, err := fmt.Fprintf(w, "event: status\ndata: %s\n\n", data); err != nil {
				return
			}
			flush()
			last = u.UpdatedAt
		}
		if u.Status == snapnote.UploadDone || u.Status == snapnote.UploadFailed {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-keepAlive.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
			flush()
		case <-changed:
			next, err := s.cfg.DB.Queries.UploadByID(ctx, userID, u.ID)
			if err != nil {
				return
			}
			u = next
		}
	}
}
