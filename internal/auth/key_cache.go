package auth

import (
	"context"
	"sync"
	"time"

	josev2 "gopkg.in/go-jose/go-jose.v2"
)

// keyCache holds an issuer's JWKS for the validator. It fetches the set on first use and again, synchronously,
// once ttl has passed. A token whose kid the set lacks makes it refetch early, so a key the issuer has just
// published is accepted on the first token signed with it; such refetches start at most once per
// refetchInterval, so tokens with made-up kids cannot drive traffic to the issuer (and into its rate limit).
// Concurrent callers that need a fetch share the one in flight. It is safe for concurrent use.
type keyCache struct {
	fetch           func(context.Context) (*josev2.JSONWebKeySet, error)
	ttl             time.Duration
	refetchInterval time.Duration

	mu          sync.Mutex
	keys        *josev2.JSONWebKeySet // nil until a fetch has succeeded
	expiresAt   time.Time
	lastRefetch time.Time // when the last refetch for an unknown kid started
	inflight    *keyFetch
}

// keyFetch is one fetch that any number of callers wait for.
type keyFetch struct {
	done chan struct{}
	keys *josev2.JSONWebKeySet
	err  error
}

// keysFor returns the key set to verify a token whose header names kid (empty when it names none). The set
// may still lack kid: the refetch was rate-limited, or the issuer does not publish that key. Returns the fetch
// error when the set had to be fetched and could not be, or ctx's error when ctx ends while waiting for a fetch.
func (c *keyCache) keysFor(ctx context.Context, kid string) (*josev2.JSONWebKeySet, error) {
	c.mu.Lock()
	now := time.Now()
	fresh := c.keys != nil && now.Before(c.expiresAt)
	known := kid == "" || (c.keys != nil && len(c.keys.Key(kid)) > 0)
	switch {
	case fresh && known:
		keys := c.keys
		c.mu.Unlock()
		return keys, nil
	case c.inflight != nil:
		// Join the fetch under way, whatever started it.
	case !fresh:
		c.startFetch(ctx)
	case now.Sub(c.lastRefetch) >= c.refetchInterval:
		c.lastRefetch = now
		c.startFetch(ctx)
	default:
		keys := c.keys
		c.mu.Unlock()
		return keys, nil
	}
	call := c.inflight
	c.mu.Unlock()

	select {
	case <-call.done:
		return call.keys, call.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// startFetch begins a fetch shared by every caller until it ends; c.mu must be held. The fetch does not end
// with the request that started it, as others may be waiting for it; the HTTP client's timeout bounds it.
func (c *keyCache) startFetch(ctx context.Context) {
	call := &keyFetch{done: make(chan struct{})}
	c.inflight = call
	go func() {
		keys, err := c.fetch(context.WithoutCancel(ctx))
		c.mu.Lock()
		if err == nil {
			c.keys = keys
			c.expiresAt = time.Now().Add(c.ttl)
		}
		c.inflight = nil
		c.mu.Unlock()
		call.keys, call.err = keys, err
		close(call.done)
	}()
}
