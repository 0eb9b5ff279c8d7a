package httpx

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"
)

// RetryAfterOutage is the Retry-After, in seconds, of every 503: long enough
// that a crowd of retrying phones does not keep a recovering database down,
// short enough that a blip costs the user little.
const RetryAfterOutage = 5

// WriteProblem answers from net/http middleware in the same RFC 9457 shape
// Huma uses for handler errors.
func WriteProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(huma.ErrorModel{
		Title:  http.StatusText(status),
		Status: status,
		Detail: detail,
	})
}

// WriteUnavailable answers 503 naming the dependency that is down, with
// Retry-After, for handlers that write their own response (image
// streaming) and for middleware.
func WriteUnavailable(w http.ResponseWriter, dependency string) {
	w.Header().Set("Retry-After", strconv.Itoa(RetryAfterOutage))
	WriteProblem(w, http.StatusServiceUnavailable, dependency+" unreachable; retry shortly")
}

// TooManyRequests answers 429 with the whole seconds to wait.
func TooManyRequests(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	WriteProblem(w, http.StatusTooManyRequests, "too many requests: wait Retry-After seconds, then retry")
}
