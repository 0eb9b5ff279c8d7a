package intake_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/intake"
)

// A body that stops arriving answers 408 wherever it stalls: in a file's
// bytes, or before a part's headers have ended.
func TestReceiveTimesOutWhereverTheBodyStalls(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		form, err := intake.Receive(w, r, intake.Limits{MaxBytes: 1 << 20, MaxPages: 1, ReadTimeout: 500 * time.Millisecond}, true)
		if refused, ok := errors.AsType[*intake.Error](err); ok {
			http.Error(w, refused.Message, refused.Status)
			return
		}
		require.NoError(t, err)
		form.Close()
	}))
	t.Cleanup(srv.Close)

	for name, sent := range map[string]string{
		"in a file":             "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nabc",
		"in a part's headers":   "--x\r\nContent-Disposition: form-data; na",
		"before a part's first": "--x\r\naaaa",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
			require.NoError(t, err)
			t.Cleanup(func() { _ = c.Close() })
			_, err = fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=x\r\n"+
				"Content-Length: 100000\r\n\r\n%s", sent)
			require.NoError(t, err)
			res, err := http.ReadResponse(bufio.NewReader(c), nil)
			require.NoError(t, err)
			body, _ := io.ReadAll(res.Body)
			require.Equal(t, http.StatusRequestTimeout, res.StatusCode, "%s", body)
		})
	}
}
