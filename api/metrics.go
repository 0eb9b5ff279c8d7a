package api

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/httpx"
	"github.com/snapnote/snapnote/internal/queue"
)

// metrics are the API's Prometheus metrics, on a registry of its own so
// that two servers in one process (tests) do not collide.
type metrics struct {
	registry  *prometheus.Registry
	gatherer  prometheus.Gatherer
	responses *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	receiving prometheus.Gauge
	uploads   prometheus.Counter
}

// newMetrics makes the API's metrics; /metrics serves them with extra's
// (the worker's, when it runs in the same process) when extra is set.
func newMetrics(database *db.DB, logger *slog.Logger, extra prometheus.Gatherer) *metrics {
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
		uploads: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "snapnote_uploads_accepted_total",
			Help: "Uploads accepted (202) and queued for the pipeline.",
		}),
	}
	m.registry.MustRegister(m.responses, m.duration, m.receiving, m.uploads,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&queueCollector{db: database, logger: logger})
	m.gatherer = m.registry
	if extra != nil {
		m.gatherer = prometheus.Gatherers{m.registry, extra}
	}
	return m
}

// observe is a Huma middleware timing each operation. A streamed response
// (export, images, events) writes its status past Huma, so it is read from
// the access log's recorder; nothing written at all is net/http's 200.
func (m *metrics) observe(ctx huma.Context, next func(huma.Context)) {
	start := time.Now()
	next(ctx)
	status := ctx.Status()
	_, w := humago.Unwrap(ctx)
	if rec := httpx.FindRecorder(w); rec != nil && rec.Status != 0 {
		status = rec.Status
	}
	if status == 0 {
		status = http.StatusOK
	}
	m.duration.WithLabelValues(ctx.Operation().OperationID, strconv.Itoa(status)).Observe(time.Since(start).Seconds())
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.gatherer, promhttp.HandlerOpts{})
}

// queueCollector reports the pipeline from the database on each scrape,
// whichever process works it: jobs waiting or running per queue and state,
// how long the oldest available job of each queue has waited (every known
// queue and state has a series, zero when empty, so alerts see an empty
// queue rather than no data), and the workers' heartbeats.
type queueCollector struct {
	db     *db.DB
	logger *slog.Logger
}

var (
	queueJobsDesc = prometheus.NewDesc("snapnote_queue_jobs",
		"River jobs not yet finished, by queue and state.", []string{"queue", "state"}, nil)
	queueOldestDesc = prometheus.NewDesc("snapnote_queue_oldest_available_seconds",
		"How long the oldest job available to a worker on the queue has been due (0: none waiting).", []string{"queue"}, nil)
	workersDesc = prometheus.NewDesc("snapnote_workers",
		"Workers with a heartbeat on record (a dead one's is removed within WORKER_DEAD_AFTER).", nil, nil)
	heartbeatAgeDesc = prometheus.NewDesc("snapnote_worker_heartbeat_age_seconds",
		"Seconds since the newest worker heartbeat (only while a worker is on record).", nil, nil)
)

// queueStates are the states of a job not yet finished.
var queueStates = []string{"available", "running", "retryable", "scheduled"}

// knownQueues are the queues that always have series.
var knownQueues = []string{queue.OCR, queue.LLM, queue.Default, queue.Maintenance}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueJobsDesc
	ch <- queueOldestDesc
	ch <- workersDesc
	ch <- heartbeatAgeDesc
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	depths, err := c.db.QueueDepths(ctx)
	if err != nil {
		c.logger.WarnContext(ctx, "collect queue metrics", slog.Any("error", err))
		return
	}
	jobs := map[[2]string]int{}
	queues := slices.Clone(knownQueues)
	for _, d := range depths {
		jobs[[2]string{d.Queue, d.State}] = d.Jobs
		if !slices.Contains(queues, d.Queue) {
			queues = append(queues, d.Queue)
		}
	}
	for _, q := range queues {
		for _, st := range queueStates {
			ch <- prometheus.MustNewConstMetric(queueJobsDesc, prometheus.GaugeValue, float64(jobs[[2]string{q, st}]), q, st)
		}
	}
	oldest, err := c.db.OldestAvailable(ctx)
	if err != nil {
		c.logger.WarnContext(ctx, "collect queue metrics", slog.Any("error", err))
		return
	}
	for _, q := range queues {
		ch <- prometheus.MustNewConstMetric(queueOldestDesc, prometheus.GaugeValue, oldest[q].Seconds(), q)
	}
	workers, newest, err := c.db.WorkerPulse(ctx)
	if err != nil {
		c.logger.WarnContext(ctx, "collect worker metrics", slog.Any("error", err))
		return
	}
	ch <- prometheus.MustNewConstMetric(workersDesc, prometheus.GaugeValue, float64(workers))
	if workers > 0 {
		ch <- prometheus.MustNewConstMetric(heartbeatAgeDesc, prometheus.GaugeValue, newest.Seconds())
	}
}
