package api

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/snapnote/snapnote/internal/httpx"
	"github.com/snapnote/snapnote/storage"
)

const (
	// readinessTTL is how long a readiness answer is reused: however many
	// probes and load balancers ask, the dependencies are asked about once
	// in this time.
	readinessTTL = time.Second
	// readinessTimeout bounds each dependency's check.
	readinessTimeout = 2 * time.Second
)

// readiness remembers the last check of every dependency.
type readiness struct {
	mu      sync.Mutex
	checked time.Time
	down    []string // dependencies that failed, in a fixed order
}

// dependencies lists what readiness checks, in the order it reports them.
var dependencies = []string{"database", "storage"}

// checkReadiness returns the dependencies that are down, asking them at most once a
// readinessTTL. Callers that come while a check runs wait for it and share
// its answer. The check is detached from the caller, so a probe that hangs
// up does not make the next ones see a failure.
func (s *Server) checkReadiness(ctx context.Context) []string {
	r := &s.ready
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.checked) < readinessTTL {
		return r.down
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readinessTimeout)
	defer cancel()
	errs := make([]error, len(dependencies))
	var wg sync.WaitGroup
	wg.Go(func() { errs[0] = s.cfg.DB.Ping(ctx) })
	wg.Go(func() { errs[1] = storage.Check(ctx, s.cfg.Blobs) })
	wg.Wait()
	r.down = nil
	for i, err := range errs {
		if err != nil {
			s.logger.WarnContext(ctx, "readiness: dependency down", "dependency", dependencies[i], "error", err)
			r.down = append(r.down, dependencies[i])
		}
	}
	r.checked = time.Now()
	return r.down
}

// notReady is the 503 of a readiness check: the dependencies that are down,
// each named in the problem's errors, and Retry-After.
func notReady(down []string) error {
	details := make([]error, 0, len(down))
	detail := "not ready:"
	for i, dep := range down {
		if i > 0 {
			detail += ","
		}
		detail += " " + dep + " unreachable"
		details = append(details, &huma.ErrorDetail{Location: dep, Message: "unreachable"})
	}
	return huma.ErrorWithHeaders(huma.NewError(http.StatusServiceUnavailable, detail, details...),
		http.Header{"Retry-After": {strconv.Itoa(httpx.RetryAfterOutage)}})
}
