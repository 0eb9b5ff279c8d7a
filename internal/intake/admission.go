package intake

import (
	"fmt"
	"net/http"
	"sync"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
)

// Admission bounds the uploads being received, in all and per user. A body
// is received before any shared slot is taken (it is spooled to disk), so
// a slow client only ever holds its own place: at most PerUser of them per
// user, and Total in the process, each for at most the read timeout.
type Admission struct {
	PerUser int
	Total   int
	// Receiving, when set, counts the uploads admitted, for /metrics.
	Receiving prometheus.Gauge

	mu     sync.Mutex
	byUser map[uuid.UUID]int
	all    int
}

// Admit takes a place for one of user's uploads, or answers why not: 429
// when the user has PerUser uploads in flight, 503 when the process has
// Total. Call release when the upload is answered.
func (a *Admission) Admit(user uuid.UUID) (release func(), err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.byUser[user] >= max(a.PerUser, 1) {
		return nil, &Error{Status: http.StatusTooManyRequests, RetryAfter: 1,
			Message: fmt.Sprintf("at most %d uploads of one user are received at once: wait for one to finish", max(a.PerUser, 1))}
	}
	if a.all >= max(a.Total, 1) {
		return nil, &Error{Status: http.StatusServiceUnavailable, RetryAfter: 2,
			Message: "the server is receiving as many uploads as it can: retry shortly"}
	}
	if a.byUser == nil {
		a.byUser = map[uuid.UUID]int{}
	}
	a.byUser[user]++
	a.all++
	a.gauge(1)
	var once sync.Once
	return func() {
		once.Do(func() {
			a.mu.Lock()
			defer a.mu.Unlock()
			if a.byUser[user]--; a.byUser[user] == 0 {
				delete(a.byUser, user)
			}
			a.all--
			a.gauge(-1)
		})
	}, nil
}

func (a *Admission) gauge(delta float64) {
	if a.Receiving != nil {
		a.Receiving.Add(delta)
	}
}
