package db

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// uploadChannel is the Postgres channel the trigger on uploads (migration
// 001_initial_schema) notifies with the upload's id on every insert and update; a test
// of UploadChanges holds the two names together.
const uploadChannel = "upload_changed"

// uploadWatch fans one LISTEN connection out to every open event stream of
// this process. It listens only while someone watches, so an idle API holds
// no extra connection.
type uploadWatch struct {
	pool   *pgxpool.Pool
	logger *slog.Logger
	// pollEvery, when set, replaces LISTEN: every watcher is woken this
	// often to read its upload again.
	pollEvery time.Duration

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
	if w.pollEvery > 0 {
		w.poll(ctx)
		return
	}
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

// poll wakes every watcher each pollEvery until ctx ends.
func (w *uploadWatch) poll(ctx context.Context) {
	tick := time.NewTicker(w.pollEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			w.notify(nil)
		}
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
		return interpretError(err)
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

// UploadChanges returns a channel that receives a value whenever the upload
// id may have changed (coalesced: one pending value at most), and a func to
// stop watching. One LISTEN connection serves every watcher of the process,
// and only while someone watches.
func (d *DB) UploadChanges(id uuid.UUID) (<-chan struct{}, func()) {
	return d.watch.subscribe(id)
}
