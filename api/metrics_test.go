package api_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/snapnote/snapnote/api/apitest"
	"github.com/stretchr/testify/require"
)

func TestMetrics(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	alice := b.User("alice")
	alice.CreateCourse("Physics")
	apitest.RequireProblem(t, b.Request(http.MethodGet, "/api/courses", nil, nil), http.StatusUnauthorized)

	res, err := http.Get(b.Server.URL + "/metrics")
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

// TestPipelineMetrics: every queue has its series when empty (zero), an
// accepted upload counts and waits on the ocr queue, and the stream routes
// record the status they sent, not 0.
func TestPipelineMetrics(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	for _, q := range []string{"ocr", "llm", "default", "maintenance"} {
		require.Zero(t, b.Metric(`snapnote_queue_jobs{queue="`+q+`",state="available"}`), q)
		require.Zero(t, b.Metric(`snapnote_queue_oldest_available_seconds{queue="`+q+`"}`), q)
	}
	require.Zero(t, b.Metric("snapnote_workers"))
	require.Zero(t, b.Metric("snapnote_uploads_accepted_total"))

	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "p.png", File: apitest.LecturePNG(t)})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	require.Equal(t, 1.0, b.Metric("snapnote_uploads_accepted_total"))
	require.Equal(t, 1.0, b.Metric(`snapnote_queue_jobs{queue="ocr",state="available"}`))
	require.GreaterOrEqual(t, b.Metric(`snapnote_queue_oldest_available_seconds{queue="ocr"}`), 0.0)
	_, err := b.Pool.Exec(context.Background(), `UPDATE river_job SET scheduled_at = now() - interval '1 hour' WHERE queue = 'ocr'`)
	require.NoError(t, err)
	require.InDelta(t, 3600, b.Metric(`snapnote_queue_oldest_available_seconds{queue="ocr"}`), 60)

	apitest.ReadZip(t, alice, "/api/export")
	require.Equal(t, 1.0, b.Metric(`snapnote_http_request_duration_seconds_count{code="200",operation="export-all"}`))
}
