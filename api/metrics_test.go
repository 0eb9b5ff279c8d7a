package api_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMetrics(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice := b.user("alice")
	alice.createCourse("Physics")
	requireProblem(t, b.request(http.MethodGet, "/api/courses", nil, nil), http.StatusUnauthorized)

	res, err := http.Get(b.server.URL + "/metrics")
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, "metrics need no token, like health")
	data, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	body := string(data)
	require.Contains(t, body, `snapnote_http_request_duration_seconds_count{code="201",operation="create-course"} 1`)
	require.Contains(t, body, `snapnote_http_responses_total{code="401"} 1`)
	require.Contains(t, body, "go_goroutines")
}
