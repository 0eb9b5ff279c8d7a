package httpx

import (
	"net/http"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestClientAddr(t *testing.T) {
	t.Parallel()
	l := NewClientLimiter(1, 1, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")})
	for _, tc := range []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"untrusted peer: its header is ignored", "203.0.113.7:1234", []string{"198.51.100.1"}, "203.0.113.7"},
		{"trusted peer, one hop", "10.0.0.2:1234", []string{"198.51.100.1"}, "198.51.100.1"},
		{"the client cannot pick its address by prepending one", "10.0.0.2:1234", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1"},
		{"trusted hops are skipped from the right", "10.0.0.2:1234", []string{"198.51.100.1, 10.0.0.9", "10.0.0.3"}, "198.51.100.1"},
		{"no header: the proxy itself", "10.0.0.2:1234", nil, "10.0.0.2"},
		{"garbage stops the walk at the last good hop", "10.0.0.2:1234", []string{"not-an-ip, 10.0.0.9"}, "10.0.0.9"},
		{"IPv6 peer", "[::1]:1234", []string{"2001:db8::7"}, "2001:db8::7"},
		{"IPv4-mapped peer", "[::ffff:10.0.0.2]:1", []string{"198.51.100.1"}, "198.51.100.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &http.Request{RemoteAddr: tc.peer, Header: http.Header{}}
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			require.Equal(t, tc.want, l.ClientAddr(r).String())
		})
	}
}

func TestClientLimiterBuckets(t *testing.T) {
	t.Parallel()
	l := NewClientLimiter(2, 3, nil)
	now := time.Now()
	a, b := netip.MustParseAddr("203.0.113.7"), netip.MustParseAddr("198.51.100.1")
	for range 3 {
		ok, _, _ := l.Allow(a, now)
		require.True(t, ok)
	}
	ok, wait, log := l.Allow(a, now)
	require.False(t, ok)
	require.True(t, log, "the first refusal is logged")
	require.InDelta(t, 500*time.Millisecond, wait, float64(time.Millisecond))
	_, _, log = l.Allow(a, now)
	require.False(t, log, "a flood is logged once a minute, not once a request")
	ok, _, _ = l.Allow(b, now)
	require.True(t, ok, "each address has its own bucket")
	ok, _, _ = l.Allow(a, now.Add(500*time.Millisecond))
	require.True(t, ok, "the bucket refills at the rate")

	// Addresses in one IPv6 /64 share a bucket.
	v6 := NewClientLimiter(1, 1, nil)
	ok, _, _ = v6.Allow(netip.MustParseAddr("2001:db8::1"), now)
	require.True(t, ok)
	ok, _, _ = v6.Allow(netip.MustParseAddr("2001:db8::ffff"), now)
	require.False(t, ok)

	// Idle buckets are dropped when their shard is next used.
	later := now.Add(l.idleAfter + time.Second)
	for i := range 4096 {
		l.Allow(netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}), now)
	}
	l.Allow(a, later)
	total := 0
	for i := range l.shards {
		sh := &l.shards[i]
		l.Allow(netip.AddrFrom4([4]byte{10, byte(i), 0, 1}), later) // touch a fresh address in most shards
		total += len(sh.buckets)
	}
	require.Less(t, total, 300, "idle buckets were swept")
	require.Nil(t, NewClientLimiter(0, 10, nil), "a zero rate turns the limit off")
}
