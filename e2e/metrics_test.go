package e2e_test

import (
	"image"
	"image/color"
	"image/draw"
	"net/http"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
	"github.com/snapnote/snapnote/internal/telemetry"
	"github.com/snapnote/snapnote/jobs"
)

// TestWorkerMetrics: the pipeline counts pages read, times each job by
// kind and outcome, and counts failures by code; served with the API's
// when the worker shares its process (dev).
func TestWorkerMetrics(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	b := setup(t,
		withAPI(func(_ *apitest.Bundle, cfg *api.Config) { cfg.WorkerMetrics = reg }),
		withPipeline(func(p *jobs.Pipeline) { p.Metrics = telemetry.NewPipelineMetrics(reg, func() float64 { return 0 }) }))
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	blank := image.NewRGBA(image.Rect(0, 0, 800, 600))
	draw.Draw(blank, blank.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	for _, page := range [][]byte{apitest.LecturePNG(t), apitest.PNGBytes(t, blank)} {
		res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "p.png", File: page})
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
