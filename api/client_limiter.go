package api

import (
	"hash/maphash"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// clientLimiter gives each client address a token bucket, before anything
// else runs: a flood of garbage from one address is refused for the cost of
// a map lookup, without parsing its token or touching the database.
//
// The buckets are spread over shards, each with its own lock, so requests
// from different addresses rarely wait for each other. A shard drops the
// buckets of addresses that went quiet when it is next used after idleAfter,
// so memory stays bounded by the addresses seen recently. An IPv6 client is
// limited by its /64, the block one subscriber is usually given.
type clientLimiter struct {
	rate      float64 // tokens per second
	burst     float64
	idleAfter time.Duration
	trusted   []netip.Prefix
	seed      maphash.Seed
	shards    [clientShards]clientShard
}

const clientShards = 64

type clientShard struct {
	mu      sync.Mutex
	buckets map[netip.Addr]*clientBucket
	swept   time.Time
}

type clientBucket struct {
	tokens float64
	last   time.Time
	warned time.Time // when a refusal was last logged
}

func newClientLimiter(limit float64, burst int, trusted []netip.Prefix) *clientLimiter {
	if limit <= 0 {
		return nil
	}
	l := &clientLimiter{rate: limit, burst: float64(max(burst, 1)), trusted: trusted, seed: maphash.MakeSeed()}
	// By then a bucket is full again: dropping it changes nothing.
	l.idleAfter = time.Duration(l.burst/l.rate*float64(time.Second)) + time.Minute
	for i := range l.shards {
		l.shards[i].buckets = map[netip.Addr]*clientBucket{}
	}
	return l
}

// allow takes a token from addr's bucket. It reports whether addr may go
// on, how long it should wait if not, and whether to log the refusal: once
// a minute per address, so a flood does not become a flood of log lines.
func (l *clientLimiter) allow(addr netip.Addr, now time.Time) (bool, time.Duration, bool) {
	if addr.Is6() && !addr.Is4In6() {
		addr = netip.PrefixFrom(addr, 64).Masked().Addr()
	}
	key := addr.As16()
	sh := &l.shards[maphash.Bytes(l.seed, key[:])%clientShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if now.Sub(sh.swept) > l.idleAfter {
		for a, b := range sh.buckets {
			if now.Sub(b.last) > l.idleAfter {
				delete(sh.buckets, a)
			}
		}
		sh.swept = now
	}
	b := sh.buckets[addr]
	if b == nil {
		b = &clientBucket{tokens: l.burst, last: now}
		sh.buckets[addr] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0, false
	}
	log := now.Sub(b.warned) > time.Minute
	if log {
		b.warned = now
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second)), log
}

// clientAddr is the address the request came from. The TCP peer is it,
// unless the peer is a trusted proxy: then X-Forwarded-For is read from the
// right, skipping trusted proxies, and the first address that is not one
// wins. Anything left of it could have been written by the client.
func (l *clientLimiter) clientAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	addr := ap.Addr().Unmap()
	if !l.isTrusted(addr) {
		return addr
	}
	values := r.Header.Values("X-Forwarded-For")
	for i := len(values) - 1; i >= 0; i-- {
		hops := strings.Split(values[i], ",")
		for j := len(hops) - 1; j >= 0; j-- {
			hop, err := netip.ParseAddr(strings.TrimSpace(hops[j]))
			if err != nil {
				return addr // a hop a trusted proxy would not write: stop at the last good one
			}
			addr = hop.Unmap()
			if !l.isTrusted(addr) {
				return addr
			}
		}
	}
	return addr
}

func (l *clientLimiter) isTrusted(addr netip.Addr) bool {
	for _, p := range l.trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// limitClients refuses a client address that goes over its rate with 429
// and Retry-After, before the request is logged, authenticated or routed.
func (s *Server) limitClients(next http.Handler) http.Handler {
	l := newClientLimiter(s.cfg.RateLimitIP, s.cfg.RateBurstIP, s.cfg.TrustedProxies)
	if l == nil {
		return next
	}
	refused := s.metrics.responses.WithLabelValues("429")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := l.clientAddr(r)
		ok, wait, log := l.allow(addr, time.Now())
		if ok {
			next.ServeHTTP(w, r)
			return
		}
		refused.Inc()
		if log {
			s.logger.WarnContext(r.Context(), "client over its rate limit", slog.String("client", addr.String()),
				slog.String("path", r.URL.Path))
		}
		tooManyRequests(w, wait)
	})
}
