package httpx

import (
	"net/http"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// CORS answers browsers from the configured origins, preflights included.
// It sits outside auth: a preflight carries no token.
func CORS(origins []string, next http.Handler) http.Handler {
	if len(origins) == 0 {
		return next
	}
	any := slices.Contains(origins, "*")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" || (!any && !slices.Contains(origins, origin)) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin")
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Expose-Headers", "Location, Retry-After, ETag, X-Request-Id")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key, If-None-Match, Range, X-Request-Id")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// UserLimiter gives each user a token bucket. Limits are per process: with
// several API processes a user gets the limit from each.
type UserLimiter struct {
	limit rate.Limit
	burst int

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

// NewUserLimiter returns a limiter of limit requests a second per user, in
// bursts of burst; limit <= 0 limits nothing.
func NewUserLimiter(limit float64, burst int) *UserLimiter {
	return &UserLimiter{limit: rate.Limit(limit), burst: burst}
}

type bucket struct {
	limiter *rate.Limiter
	seen    time.Time
}

// idleAfter is when an unused bucket is dropped; by then it is full again,
// so dropping it changes nothing for the user.
func (l *UserLimiter) idleAfter() time.Duration {
	return time.Duration(float64(l.burst)/float64(l.limit)*float64(time.Second)) + time.Minute
}

// allow reports whether the user may go on, and if not, how long to wait.
func (l *UserLimiter) Allow(user string) (bool, time.Duration) {
	if l == nil || l.limit <= 0 {
		return true, 0
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[string]*bucket{}
	}
	if now.Sub(l.swept) > l.idleAfter() {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > l.idleAfter() {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[user]
	if b == nil {
		b = &bucket{limiter: rate.NewLimiter(l.limit, l.burst)}
		l.buckets[user] = b
	}
	b.seen = now
	res := b.limiter.ReserveN(now, 1)
	if delay := res.DelayFrom(now); delay > 0 {
		res.CancelAt(now)
		return false, delay
	}
	return true, 0
}
