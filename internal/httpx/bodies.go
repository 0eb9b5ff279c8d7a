package httpx

import (
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// refusalGrace is how long a connection whose request was refused before
// its body arrived stays open after the answer is sent: long enough for a
// client that already sent its body to have it read (closing a socket with
// unread data resets the connection, and the client may lose the answer),
// short enough that a client that never finishes holds nothing.
const refusalGrace = 500 * time.Millisecond

// LimitBodies bounds how long any request's body may take to arrive, and
// lets no refusal wait for one.
//
// A request with a body gets a read deadline of timeout (a route that takes
// longer bodies, an upload, moves it further). Once the body has been read
// to its end the deadline is lifted, so a long answer (an export, an event
// stream) is not cut by it.
//
// An answer of 400 or more sent before the body was read to its end closes
// the connection: "Connection: close", and the read deadline moved to
// refusalGrace from now. Without that, net/http reads the rest of the body
// before it sends the answer's headers, so a refused client that never
// finishes its body never hears why, and holds its connection until it
// gives up.
func LimitBodies(timeout time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Now().Add(timeout))
		body := &watchedBody{ReadCloser: r.Body, rc: rc}
		r.Body = body
		next.ServeHTTP(&refusalCloser{ResponseWriter: w, rc: rc, body: body}, r)
	})
}

// watchedBody notes when a request body has been read to its end, and then
// lifts the connection's read deadline.
type watchedBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	done atomic.Bool
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.done.Swap(true) {
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// refusalCloser closes the connection after an answer of 400 or more to a
// request whose body is not read to its end.
type refusalCloser struct {
	http.ResponseWriter
	rc      *http.ResponseController
	body    *watchedBody
	started bool
}

func (w *refusalCloser) WriteHeader(code int) {
	if !w.started && code >= http.StatusBadRequest && !w.body.done.Load() {
		w.Header().Set("Connection", "close")
		_ = w.rc.SetReadDeadline(time.Now().Add(refusalGrace))
	}
	if code >= http.StatusOK {
		w.started = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *refusalCloser) Write(p []byte) (int, error) {
	w.started = true
	return w.ResponseWriter.Write(p)
}

// Unwrap keeps http.ResponseController (read deadlines, flushing) working
// through the wrapper.
func (w *refusalCloser) Unwrap() http.ResponseWriter { return w.ResponseWriter }
