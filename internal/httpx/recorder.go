package httpx

import (
	"net/http"
	"strconv"
)

// StatusRecorder remembers the status written, for the access log and the
// metrics. It keeps Unwrap so http.ResponseController (read deadlines,
// flushing for SSE) still works.
type StatusRecorder struct {
	http.ResponseWriter
	// Status is the first status written; 0 until one is.
	Status int
}

// WriteHeader also gives every 503 a Retry-After, whoever wrote it (auth
// when the issuer's keys cannot be fetched, the user lookup, a handler).
func (r *StatusRecorder) WriteHeader(code int) {
	if r.Status == 0 {
		r.Status = code
	}
	if code == http.StatusServiceUnavailable && r.Header().Get("Retry-After") == "" {
		r.Header().Set("Retry-After", strconv.Itoa(RetryAfterOutage))
	}
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap returns the ResponseWriter under r.
func (r *StatusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// FindRecorder returns the StatusRecorder under w, or nil.
func FindRecorder(w http.ResponseWriter) *StatusRecorder {
	for w != nil {
		if rec, ok := w.(*StatusRecorder); ok {
			return rec
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return nil
		}
		w = u.Unwrap()
	}
	return nil
}
