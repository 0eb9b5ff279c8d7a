package api

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/snapnote/snapnote/internal/db"
)

// metrics are the API's Prometheus metrics, on a registry of its own so
// that two servers in one process (tests) do not collide.
type metrics struct {
	registry  *prometheus.Registry
	responses *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	receiving prometheus.Gauge
}

func newMetrics(database *db.DB, logger *slog.Logger) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		responses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "snapnote_http_responses_total",
			Help: "HTTP responses by status code, rejected requests (401, 429) included.",
		}, []string{"code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "snapnote_http_request_duration_seconds",
			Help:    "Time to answer an API operation, by operation and status code.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"operation", "code"}),
		receiving: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "snapnote_uploads_receiving",
			Help: "Upload bodies being received now (bounded per user by UPLOADS_PER_USER, in all by UPLOADS_RECEIVING).",
		}),
	}
	m.registry.MustRegister(m.responses, m.duration, m.receiving,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&queueCollector{db: database, logger: logger})
	return m
}

// observe is a Huma middleware timing each operation.
func (m *metrics) observe(ctx huma.Context, next func(huma.Context)) {
	start := time.Now()
	next(ctx)
	m.duration.WithLabelValues(ctx.Operation().OperationID, strconv.Itoa(ctx.Status())).Observe(time.Since(start).Seconds())
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// queueCollector reports the pipeline's backlog from River's table on each
// scrape: jobs waiting or running per queue. The worker has no HTTP
// listener of its own; this is where its load shows.
type queueCollector struct {
	db     *db.DB
	logger *slog.Logger
}

var queueJobsDesc = prometheus.NewDesc("snapnote_queue_jobs",
	"River jobs not yet finished, by queue and state.", []string{"queue", "state"}, nil)

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- queueJobsDesc }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	depths, err := c.db.QueueDepths(ctx)
	if err != nil {
		c.logger.WarnContext(ctx, "collect queue metrics", slog.Any("error", err))
		return
	}
	for _, d := range depths {
		ch <- prometheus.MustNewConstMetric(queueJobsDesc, prometheus.GaugeValue, float64(d.Jobs), d.Queue, d.State)
	}
}
