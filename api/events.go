package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/danielgtaylor/huma/v2/sse"
	"github.com/google/uuid"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
)

// streamKeepAlive keeps proxies from closing a quiet stream.
const streamKeepAlive = 15 * time.Second

// uploadEvents names each event of an upload's stream and the type of its
// data; the OpenAPI document gets one schema per event from it.
var uploadEvents = map[string]any{
	"status": Upload{},
}

func (s *Server) registerUploadEvents(api huma.API) {
	sse.Register(api, secured(huma.Operation{
		OperationID: "upload-events",
		Method:      http.MethodGet,
		Path:        "/api/uploads/{id}/events",
		Summary:     "Stream an upload's status",
		Description: "Server-Sent Events: a `status` event carrying the upload now and after every change, " +
			"until it is done or failed; then the stream ends. A `: keep-alive` comment is sent when " +
			"nothing changed for 15 seconds.",
		Tags: []string{"uploads"},
		Responses: map[string]*huma.Response{"200": {
			Description: "text/event-stream of `status` events whose data is an Upload",
		}},
		Middlewares: huma.Middlewares{s.openUploadStream(api)},
	}), uploadEvents, s.streamUpload)
}

type uploadStreamKey struct{}

// uploadStream is what openUploadStream hands the stream: the upload as
// first read, its change notifications, and the Huma context whose writer
// carries keep-alive comments.
type uploadStream struct {
	upload  db.Upload
	changed <-chan struct{}
	hctx    huma.Context
}

// openUploadStream reads the caller's upload before the stream starts, so
// that a missing one (or another user's) answers 404 as a problem instead
// of an empty stream. An id that is no UUID goes on to Huma's validation
// (422).
func (s *Server) openUploadStream(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(hctx huma.Context, next func(huma.Context)) {
		id, err := uuid.Parse(hctx.Param("id"))
		if err != nil {
			next(hctx)
			return
		}
		ctx := hctx.Context()
		// Subscribe before the first read, so no change falls between them.
		changed, leave := s.cfg.DB.UploadChanges(id)
		defer leave()
		u, err := s.cfg.DB.UploadByID(ctx, userFrom(ctx).ID, id)
		if err != nil {
			writeStatusError(api, hctx, s.fail(ctx, "upload", err))
			return
		}
		hctx.SetHeader("Cache-Control", "no-store")
		hctx.SetHeader("X-Accel-Buffering", "no")
		next(huma.WithValue(hctx, uploadStreamKey{}, &uploadStream{upload: u, changed: changed, hctx: hctx}))
	}
}

// streamUpload sends the upload's status now and after every change until
// it is done or failed, with keep-alive comments in between.
func (s *Server) streamUpload(ctx context.Context, _ *ByID, send sse.Sender) {
	st := ctx.Value(uploadStreamKey{}).(*uploadStream)
	u := st.upload
	_, rw := humago.Unwrap(st.hctx)
	// Through ResponseController, so wrapping writers (the access log's) that
	// keep Unwrap still flush.
	rc := http.NewResponseController(rw)
	keepAlive := time.NewTicker(streamKeepAlive)
	defer keepAlive.Stop()
	last := time.Time{}
	for {
		if !u.UpdatedAt.Equal(last) {
			view, err := s.uploadViews(ctx, u)
			if err != nil {
				return
			}
			if err := send.Data(view[0]); err != nil {
				return
			}
			last = u.UpdatedAt
		}
		if u.Status == snapnote.UploadDone || u.Status == snapnote.UploadFailed {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-keepAlive.C:
			_ = rc.SetWriteDeadline(time.Now().Add(sse.WriteTimeout))
			if _, err := fmt.Fprint(st.hctx.BodyWriter(), ": keep-alive\n\n"); err != nil {
				return
			}
			_ = rc.Flush()
		case <-st.changed:
			next, err := s.cfg.DB.UploadByID(ctx, userFrom(ctx).ID, u.ID)
			if err != nil {
				return
			}
			u = next
		}
	}
}

// writeStatusError answers with err as Huma answers a handler's error.
func writeStatusError(api huma.API, hctx huma.Context, err error) {
	status, detail := http.StatusInternalServerError, "internal error"
	if se, ok := errors.AsType[huma.StatusError](err); ok {
		status, detail = se.GetStatus(), se.Error()
	}
	_ = huma.WriteErr(api, hctx, status, detail)
}
