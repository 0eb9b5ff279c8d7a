package llm

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryableError says the service is busy or failing: the same request may
// work later.
type RetryableError struct {
	// StatusCode is the HTTP status, 0 when no reply came (a timeout, a lost
	// connection).
	StatusCode int
	// After is how long the service asked the caller to wait (Retry-After or
	// retry-after-ms); 0 when it did not say.
	After time.Duration
	// Err is what happened.
	Err error
}

// Error says what happened and how long the service asked to wait.
func (e *RetryableError) Error() string {
	if e.After > 0 {
		return fmt.Sprintf("%v (retry after %s)", e.Err, e.After)
	}
	return e.Err.Error()
}

// Unwrap returns what happened.
func (e *RetryableError) Unwrap() error { return e.Err }

// RejectedError says the service refused the request (an HTTP 4xx other than
// 408, 409 and 429): a wrong key, an unknown model, a request too large. The
// same request will fail again.
type RejectedError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Detail is the service's message, shortened and without the API key.
	Detail string
}

// Error names the status and the service's message.
func (e *RejectedError) Error() string {
	return fmt.Sprintf("chat request rejected: HTTP %d: %s", e.StatusCode, e.Detail)
}

// maxRetryAfterMS bounds a wait read from a header, so that a huge value
// cannot overflow a Duration.
const maxRetryAfterMS = 24 * 60 * 60 * 1000

// retryAfter reads how long the service asked to wait: retry-after-ms (sent
// by OpenAI), else Retry-After in seconds or as an HTTP date. It returns 0
// when neither says, or the date has passed.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if ms, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After-Ms"))); err == nil && ms > 0 {
		return time.Duration(min(ms, maxRetryAfterMS)) * time.Millisecond
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		return time.Duration(min(max(s, 0), maxRetryAfterMS/1000)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, t.Sub(now).Round(time.Second))
	}
	return 0
}
