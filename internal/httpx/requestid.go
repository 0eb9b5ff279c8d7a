package httpx

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/snapnote/snapnote"
)

// RequestIDHeader names a request in both directions: a caller (or a proxy)
// may send one, and every answer carries the id its logs and jobs use.
const RequestIDHeader = "X-Request-Id"

// RequestID gives each request an id: the caller's X-Request-Id when it
// is a sensible one, else a new UUID. It is echoed in the answer, put in the
// context, so every log line made with it says request_id (see
// telemetry.LogHandler), and written into the metadata of the jobs the
// request queues (queue.Propagation), so their logs say it too.
func RequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if !validRequestID(id) {
			id = uuid.NewString()
		}
		w.Header().Set(RequestIDHeader, id)
		next.ServeHTTP(w, r.WithContext(snapnote.WithRequestID(r.Context(), id)))
	})
}

// validRequestID accepts 1 to 128 letters, digits and . _ : - (a UUID, a
// hex trace id, a load balancer's id) and nothing that could forge a log
// line or a header.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, c := range []byte(id) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '_' || c == ':' || c == '-'
		if !ok {
			return false
		}
	}
	return true
}
