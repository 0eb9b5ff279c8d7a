package httpx

import (
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"
)

// connRefusal is what a connection over its address's limit is told before
// it is closed: a whole HTTP answer, so a client sees why.
var connRefusal = func() []byte {
	body := `{"title":"Too Many Requests","status":429,"detail":"too many open connections from this client address"}`
	return []byte("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/problem+json\r\nRetry-After: 1\r\n" +
		"Connection: close\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
}()

// LimitConnections returns ln with at most perAddr connections open from
// one client address at once: a further one is answered 429 and closed
// without being served. The rate limit counts requests, so without this
// an address could hold connections (each a descriptor) until the process
// runs out. An IPv6 client is counted by its /64, as the rate limit does.
// Peers in trusted (proxies in front of the API, whose connections carry
// many clients) are not limited. perAddr <= 0 returns ln as it is.
func LimitConnections(ln net.Listener, perAddr int, trusted []netip.Prefix) net.Listener {
	if perAddr <= 0 {
		return ln
	}
	return &connLimiter{Listener: ln, perAddr: perAddr, trusted: trusted, open: map[netip.Addr]int{}}
}

type connLimiter struct {
	net.Listener
	perAddr int
	trusted []netip.Prefix

	mu   sync.Mutex
	open map[netip.Addr]int
}

// Accept returns the next connection its address may open, answering and
// closing the ones it may not.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		addr, ok := l.key(c.RemoteAddr())
		if !ok {
			return c, nil
		}
		if l.take(addr) {
			return &countedConn{Conn: c, release: func() { l.release(addr) }}, nil
		}
		go refuseConn(c)
	}
}

// key is the address a connection is counted under; ok is false for a
// trusted proxy or a peer that is not an IP address.
func (l *connLimiter) key(a net.Addr) (netip.Addr, bool) {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return netip.Addr{}, false
	}
	addr, ok := netip.AddrFromSlice(tcp.IP)
	if !ok {
		return netip.Addr{}, false
	}
	addr = addr.Unmap()
	if inPrefixes(addr, l.trusted) {
		return netip.Addr{}, false
	}
	if addr.Is6() {
		addr = netip.PrefixFrom(addr, 64).Masked().Addr()
	}
	return addr, true
}

func (l *connLimiter) take(addr netip.Addr) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[addr] >= l.perAddr {
		return false
	}
	l.open[addr]++
	return true
}

func (l *connLimiter) release(addr netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[addr]--; l.open[addr] <= 0 {
		delete(l.open, addr)
	}
}

// refuseConn answers a connection over its limit and closes it, without
// waiting on the client for more than a second.
func refuseConn(c net.Conn) {
	_ = c.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = c.Write(connRefusal)
	_ = c.Close()
}

// countedConn gives its place back when it is closed.
type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}
