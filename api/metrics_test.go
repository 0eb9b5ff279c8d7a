package api_test

import (
	"context"
	"image"
	"image/color"
	"image/draw"
	"io"
	"net/http"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/internal/notes"
	"github.com/snapnote/snapnote/internal/telemetry"
)

func TestMetrics(t *testing.T) {
	t.Parallel()
	b := Setup(t)
	alice := b.User("alice")
	alice.CreateCourse("Physics")
	RequireProblem(t, b.Request(http.MethodGet, "/api/courses", nil, nil), http.StatusUnauthorized)

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
	b := Setup(t)
	for _, q := range []string{"ocr", "llm", "default", "maintenance"} {
		require.Zero(t, b.Metric(`snapnote_queue_jobs{queue="`+q+`",state="available"}`), q)
		require.Zero(t, b.Metric(`snapnote_queue_oldest_available_seconds{queue="`+q+`"}`), q)
	}
	require.Zero(t, b.Metric("snapnote_workers"))
	require.Zero(t, b.Metric("snapnote_uploads_accepted_total"))

	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	res := alice.Upload(Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "p.png", File: lecturePNG(t)})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	require.Equal(t, 1.0, b.Metric("snapnote_uploads_accepted_total"))
	require.Equal(t, 1.0, b.Metric(`snapnote_queue_jobs{queue="ocr",state="available"}`))
	require.GreaterOrEqual(t, b.Metric(`snapnote_queue_oldest_available_seconds{queue="ocr"}`), 0.0)
	_, err := b.Pool.Exec(context.Background(), `UPDATE river_job SET scheduled_at = now() - interval '1 hour' WHERE queue = 'ocr'`)
	require.NoError(t, err)
	require.InDelta(t, 3600, b.Metric(`snapnote_queue_oldest_available_seconds{queue="ocr"}`), 60)

	readZip(t, b, alice, "/api/export")
	require.Equal(t, 1.0, b.Metric(`snapnote_http_request_duration_seconds_count{code="200",operation="export-all"}`))
}

// TestWorkerMetrics: the pipeline counts pages read, times each job by
// kind and outcome, and counts failures by code; served with the API's
// when the worker shares its process (dev).
func TestWorkerMetrics(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	b := SetupBundle(t, func(b *Bundle, cfg *api.Config) {
		cfg.WorkerMetrics = reg
		b.pipelineMetrics = telemetry.NewPipelineMetrics(reg, func() float64 { return 0 })
	})
	b.startWorker(notes.Builtin{})
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	blank := image.NewRGBA(image.Rect(0, 0, 800, 600))
	draw.Draw(blank, blank.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	for _, page := range [][]byte{lecturePNG(t), PNGBytes(t, blank)} {
		res := alice.Upload(Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "p.png", File: page})
		require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
		var up api.Upload
		res.JSON(t, &up)
		alice.WaitSettled(up.ID)
	}
	require.Equal(t, 1.0, b.Metric("snapnote_pages_read_total"))
	require.Equal(t, 1.0, b.Metric(`snapnote_upload_failures_total{code="no_text"}`))
	require.Equal(t, 1.0, b.Metric(`snapnote_job_duration_seconds_count{kind="ocr",outcome="ok"}`))
	require.Equal(t, 1.0, b.Metric(`snapnote_job_duration_seconds_count{kind="ocr",outcome="failed"}`))
	require.Equal(t, 1.0, b.Metric(`snapnote_job_duration_seconds_count{kind="extract",outcome="ok"}`))
	require.Zero(t, b.Metric("snapnote_ocr_memory_in_use_bytes"))
	require.Equal(t, 2.0, b.Metric("snapnote_uploads_accepted_total"))
}
