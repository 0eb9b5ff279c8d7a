package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/snapnote/snapnote/api/apitest"
	"github.com/stretchr/testify/require"
)

// TestRequestIDs: a sensible X-Request-Id is kept, anything else replaced by
// a fresh id, and every answer carries one, errors and public routes too.
func TestRequestIDs(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	alice := b.User("alice")
	for _, tc := range []struct {
		sent string
		kept bool
	}{
		{"0193a1c2-7f1e-7c3a-9d2b-5e8f4a6b1c2d", true},
		{"lb:1700000000.42_abc", true},
		{"", false},
		{"two words", false},
		{"evil\" level=ERROR", false},
		{strings.Repeat("a", 129), false},
	} {
		res := alice.Call(http.MethodGet, "/api/courses", nil, map[string]string{"X-Request-Id": tc.sent})
		require.Equal(t, http.StatusOK, res.Status)
		got := res.Header.Get("X-Request-Id")
		if tc.kept {
			require.Equal(t, tc.sent, got)
		} else {
			require.Regexp(t, `^[0-9a-f-]{36}$`, got, "sent %q", tc.sent)
		}
	}
	require.NotEmpty(t, b.Request(http.MethodGet, "/api/health", nil, nil).Header.Get("X-Request-Id"))
	require.NotEmpty(t, b.Request(http.MethodGet, "/api/courses", nil, nil).Header.Get("X-Request-Id"), "a 401 carries one too")
}
