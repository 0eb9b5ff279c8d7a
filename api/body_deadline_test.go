package api_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
	"github.com/snapnote/snapnote/internal/httpx"
)

// stalled is a request whose headers promise a 1,000-byte body of which one
// byte is sent, over a connection of its own to the real server.
type stalled struct {
	conn net.Conn
	br   *bufio.Reader
}

func sendStalled(t *testing.T, b *apitest.Bundle, method, path, authorization, contentType string) *stalled {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(b.Server.URL, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	head := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: snapnote\r\nContent-Type: %s\r\nContent-Length: 1000\r\n", method, path, contentType)
	if authorization != "" {
		head += "Authorization: " + authorization + "\r\n"
	}
	_, err = io.WriteString(conn, head+"\r\n{")
	require.NoError(t, err)
	// A guard against a hang, not a measure: the server's own limits in
	// these tests are far shorter, or far longer, than this.
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(30*time.Second)))
	return &stalled{conn: conn, br: bufio.NewReader(conn)}
}

// answer reads the answer, then requires the server to close the
// connection although the body never finished.
func (s *stalled) answer(t *testing.T) *http.Response {
	t.Helper()
	res, err := http.ReadResponse(s.br, nil)
	require.NoError(t, err, "an answer while the body is unfinished")
	_, err = io.ReadAll(res.Body)
	require.NoError(t, err)
	require.True(t, res.Close, "the answer says the connection closes")
	_, err = s.br.ReadByte()
	require.ErrorIs(t, err, io.EOF, "the server closed the connection")
	return res
}

// Refusals do not wait for a body that never comes: with no body deadline
// to end it (an hour), each is answered and its connection closed while the
// client still owes 999 bytes, signed in or not.
func TestRefusalsDoNotWaitForTheBody(t *testing.T) {
	t.Parallel()
	b := apitest.SetupWith(t, func(c *api.Config) {
		c.BodyReadTimeout, c.UploadTimeout, c.UploadsPerUser = time.Hour, time.Hour, 1
	})
	alice := b.User("alice")
	missing := "/api/documents/0193a1c2-7f1e-7c3a-9d2b-5e8f4a6b1c2d/pages"
	multipart := "multipart/form-data; boundary=x"
	for _, tc := range []struct {
		name, path, auth, contentType string
		status                        int
	}{
		{"courses, garbage token", "/api/courses", "Bearer garbage", "application/json", http.StatusUnauthorized},
		{"courses, no token", "/api/courses", "", "application/json", http.StatusUnauthorized},
		{"add pages, garbage token", missing, "Bearer garbage", multipart, http.StatusUnauthorized},
		{"add pages, no token", missing, "", multipart, http.StatusUnauthorized},
		{"add pages to a missing note", missing, "Bearer " + alice.Token, multipart, http.StatusNotFound},
		{"upload, garbage token", "/api/uploads", "Bearer garbage", multipart, http.StatusUnauthorized},
		{"upload, not multipart", "/api/uploads", "Bearer " + alice.Token, "image/png", http.StatusUnsupportedMediaType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := sendStalled(t, b, http.MethodPost, tc.path, tc.auth, tc.contentType).answer(t)
			require.Equal(t, tc.status, res.StatusCode)
		})
	}

	// Over UPLOADS_PER_USER: the first upload is being received (and
	// holds its place), the second is refused at once.
	first := sendStalled(t, b, http.MethodPost, "/api/uploads", "Bearer "+alice.Token, multipart)
	require.Eventually(t, func() bool { return b.Metric("snapnote_uploads_receiving") == 1 }, 10*time.Second, 10*time.Millisecond)
	res := sendStalled(t, b, http.MethodPost, "/api/uploads", "Bearer "+alice.Token, multipart).answer(t)
	require.Equal(t, http.StatusTooManyRequests, res.StatusCode)
	_ = first.conn.Close()
}

// A body that stops arriving is cut at the body deadline on a route that
// reads it (a course's JSON), and at UPLOAD_READ_TIMEOUT on an upload:
// each answers 408 and closes its connection.
func TestUnfinishedBodiesEndAtTheirDeadline(t *testing.T) {
	t.Parallel()
	b := apitest.SetupWith(t, func(c *api.Config) {
		c.BodyReadTimeout, c.UploadTimeout = 300*time.Millisecond, 600*time.Millisecond
	})
	alice := b.User("alice")
	for _, tc := range []struct{ name, path, contentType string }{
		{"courses", "/api/courses", "application/json"},
		{"upload", "/api/uploads", "multipart/form-data; boundary=x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := sendStalled(t, b, http.MethodPost, tc.path, "Bearer "+alice.Token, tc.contentType).answer(t)
			require.Equal(t, http.StatusRequestTimeout, res.StatusCode)
		})
	}
	// A body that does arrive is read as usual on the same server.
	require.Equal(t, "Physics", alice.CreateCourse("Physics").Name)
}

// One address holds at most its share of connections; the next is answered
// 429 and closed, and a place given back is taken again.
func TestConnectionsPerAddress(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.Listener = httpx.LimitConnections(srv.Listener, 3, nil)
	srv.Start()
	t.Cleanup(srv.Close)
	dial := func() (net.Conn, *bufio.Reader) {
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Close() })
		require.NoError(t, c.SetDeadline(time.Now().Add(30*time.Second)))
		return c, bufio.NewReader(c)
	}
	get := func(c net.Conn, br *bufio.Reader) int {
		_, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		res, err := http.ReadResponse(br, nil)
		require.NoError(t, err)
		return res.StatusCode
	}
	var held []net.Conn
	for range 3 {
		c, br := dial()
		require.Equal(t, http.StatusNoContent, get(c, br))
		held = append(held, c)
	}
	_, br := dial()
	res, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusTooManyRequests, res.StatusCode)
	require.Equal(t, "1", res.Header.Get("Retry-After"))

	require.NoError(t, held[0].Close())
	require.Eventually(t, func() bool {
		c, br := dial()
		defer c.Close()
		return get(c, br) == http.StatusNoContent
	}, 10*time.Second, 20*time.Millisecond, "the closed connection's place is free again")

}

// A trusted proxy's connections carry many clients: they are not counted.
func TestConnectionsOfTrustedProxies(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.Listener = httpx.LimitConnections(srv.Listener, 1, []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})
	srv.Start()
	t.Cleanup(srv.Close)
	for range 3 {
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Close() })
		require.NoError(t, c.SetDeadline(time.Now().Add(30*time.Second)))
		_, err = io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		require.NoError(t, err)
		require.Equal(t, http.StatusNoContent, res.StatusCode)
	}
}
