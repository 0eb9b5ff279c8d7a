package httpx

import (
	"hash/maphash"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// ClientLimiter gives each client address a token bucket, before anything
// else runs: a flood of garbage from one address is refused for the cost of
// a map lookup, without parsing its token or touching the database.
//
// The buckets are spread over shards, each with its own lock, so requests
// from different addresses rarely wait for each other. A shard drops the
// buckets of addresses that went quiet when it is next used after idleAfter,
// so memory stays bounded by the addresses seen recently. An IPv6 client is
// limited by its /64, the block one subscriber is usually given.
type ClientLimiter struct {
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

func NewClientLimiter(limit float64, burst int, trusted []netip.Prefix) *ClientLimiter {
	if limit <= 0 {
		return nil
	}
	l := &ClientLimiter{rate: limit, burst: float64(max(burst, 1)), trusted: trusted, seed: maphash.MakeSeed()}
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
func (l *ClientLimiter) Allow(addr netip.Addr, now time.Time) (bool, time.Duration, bool) {
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
func (l *ClientLimiter) ClientAddr(r *http.Request) netip.Addr {
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

func (l *ClientLimiter) isTrusted(addr netip.Addr) bool {
	return inPrefixes(addr, l.trusted)
}

// TrustedPeer reports whether the TCP peer remoteAddr ("ip:port") is one of
// the trusted proxies.
func TrustedPeer(remoteAddr string, trusted []netip.Prefix) bool {
	ap, err := netip.ParseAddrPort(remoteAddr)
	return err == nil && inPrefixes(ap.Addr().Unmap(), trusted)
}

func inPrefixes(addr netip.Addr, prefixes []netip.Prefix) bool {
	for _, p := range prefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
