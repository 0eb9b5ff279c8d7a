package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
)

// uploadChannel is the Postgres channel a trigger on uploads notifies with
// the upload's id on every insert and update.
const uploadChannel = "upload_changed"

// uploadWatch fans one LISTEN connection out to every open event stream of
// this process. It listens only while someone watches, so an idle API holds
// no extra connection.
type uploadWatch struct {
	pool   *pgxpool.Pool
	logger *slog.Logger

	mu     sync.Mutex
	subs   map[uuid.UUID]map[chan struct{}]struct{}
	cancel context.CancelFunc // stops the listener; nil when not listening
}

// subscribe returns a channel that receives a value whenever the upload may
// have changed (coalesced: one pending value at most), and a func to leave.
func (w *uploadWatch) subscribe(id uuid.UUID) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.subs == nil {
		w.subs = map[uuid.UUID]map[chan struct{}]struct{}{}
	}
	if w.subs[id] == nil {
		w.subs[id] = map[chan struct{}]struct{}{}
	}
	w.subs[id][ch] = struct{}{}
	if w.cancel == nil {
		ctx, cancel := context.WithCancel(context.Background())
		w.cancel = cancel
		go w.listen(ctx)
	}
	return ch, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(w.subs[id], ch)
		if len(w.subs[id]) == 0 {
			delete(w.subs, id)
		}
		if len(w.subs) == 0 && w.cancel != nil {
			w.cancel()
			w.cancel = nil
		}
	}
}

// notify wakes the watchers of id, or of every upload when id is nil (after
// a reconnect, when notifications may have been missed).
func (w *uploadWatch) notify(id *uuid.UUID) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for sid, set := range w.subs {
		if id != nil && sid != *id {
			continue
		}
		for ch := range set {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
}

func (w *uploadWatch) listen(ctx context.Context) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := w.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		w.logger.WarnContext(ctx, "upload listener lost; reconnecting", slog.Any("error", err))
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (w *uploadWatch) listenOnce(ctx context.Context) error {
	conn, err := w.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// A connection left in LISTEN state must not go back to the pool.
	listener := conn.Hijack()
	defer listener.Close(context.Background())
	if _, err := listener.Exec(ctx, "LISTEN "+uploadChannel); err != nil {
		return err
	}
	w.notify(nil)
	for {
		n, err := listener.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if id, err := uuid.Parse(n.Payload); err == nil {
			w.notify(&id)
		}
	}
}

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
		changed, leave := s.watch.subscribe(in.ID)
		u, err := db.New(s.cfg.Pool).UploadByID(ctx, user.ID, in.ID)
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
			data, err := json.Marshal(newUpload(u))
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
			next, err := db.New(s.cfg.Pool).UploadByID(ctx, userID, u.ID)
			if err != nil {
				return
			}
			u = next
		}
	}
}
