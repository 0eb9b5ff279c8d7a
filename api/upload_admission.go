package api

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
)

// admission bounds the uploads being received, in all and per user. A body
// is received before any shared slot is taken (it is spooled to disk), so
// a slow client only ever holds its own place: at most perUser of them
// per user, and total in the process, each for at most UPLOAD_READ_TIMEOUT.
type admission struct {
	perUser int
	total   int
	// receiving counts the uploads admitted, for /metrics.
	receiving prometheus.Gauge

	mu     sync.Mutex
	byUser map[uuid.UUID]int
	all    int
}

// admit takes a place for one of user's uploads, or answers why not: 429
// when the user has perUser uploads in flight, 503 when the process has
// total. Call release when the upload is answered.
func (a *admission) admit(user uuid.UUID) (release func(), err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.byUser[user] >= a.perUser {
		return nil, huma.ErrorWithHeaders(
			huma.NewError(http.StatusTooManyRequests, fmt.Sprintf("at most %d uploads of one user are received at once: wait for one to finish", a.perUser)),
			http.Header{"Retry-After": {strconv.Itoa(1)}})
	}
	if a.all >= a.total {
		return nil, huma.ErrorWithHeaders(
			huma.Error503ServiceUnavailable("the server is receiving as many uploads as it can: retry shortly"),
			http.Header{"Retry-After": {strconv.Itoa(2)}})
	}
	if a.byUser == nil {
		a.byUser = map[uuid.UUID]int{}
	}
	a.byUser[user]++
	a.all++
	a.receiving.Inc()
	var once sync.Once
	return func() {
		once.Do(func() {
			a.mu.Lock()
			defer a.mu.Unlock()
			if a.byUser[user]--; a.byUser[user] == 0 {
				delete(a.byUser, user)
			}
			a.all--
			a.receiving.Dec()
		})
	}, nil
}
