package telemetry

import (
	"github.com/prometheus/client_golang/prometheus"
)

// PipelineMetrics are the worker's Prometheus metrics: how long each
// stage's jobs take, why uploads fail, pages read and OCR engines
// replaced or recycled. Counters are totals; PromQL's rate() makes them per second. A
// nil *PipelineMetrics records nothing, so tests and tools need none.
type PipelineMetrics struct {
	jobSeconds     *prometheus.HistogramVec
	failures       *prometheus.CounterVec
	pages          prometheus.Counter
	engineRestarts prometheus.Counter
	engineRecycles *prometheus.CounterVec
}

// NewPipelineMetrics registers the pipeline's metrics on reg; inUse, when
// set, reports the OCR memory budget (OCR_MEMORY) taken by pages being read.
func NewPipelineMetrics(reg prometheus.Registerer, inUse func() float64) *PipelineMetrics {
	m := &PipelineMetrics{
		jobSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "snapnote_job_duration_seconds",
			Help: "Time to work one job, by kind (a stage: ocr, format, extract; or maintenance) and outcome " +
				"(ok, retry, failed).",
			Buckets: []float64{.01, .05, .1, .25, .5, 1, 2, 5, 10, 30, 60, 120, 300},
		}, []string{"kind", "outcome"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "snapnote_upload_failures_total",
			Help: "Uploads failed for good, by error code (no_text, ocr_timeout, …).",
		}, []string{"code"}),
		pages: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "snapnote_pages_read_total",
			Help: "Pages whose text the OCR stage read.",
		}),
		engineRestarts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "snapnote_ocr_engine_restarts_total",
			Help: "OCR engines killed or dead and started again (a page too slow, a crash).",
		}),
	}
	m.engineRecycles = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "snapnote_ocr_engine_recycles_total",
		Help: "Healthy OCR engines retired between pages and started afresh, by reason: pages " +
			"(OCR_RECYCLE_PAGES read) or rss (resident memory above OCR_RECYCLE_RSS).",
	}, []string{"reason"})
	reg.MustRegister(m.jobSeconds, m.failures, m.pages, m.engineRestarts, m.engineRecycles)
	if inUse != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "snapnote_ocr_memory_in_use_bytes",
			Help: "OCR memory budget (OCR_MEMORY) taken by the pages being read now.",
		}, inUse))
	}
	return m
}

// Job outcomes of ObserveJob.
const (
	OutcomeOK     = "ok"
	OutcomeRetry  = "retry"
	OutcomeFailed = "failed"
)

// ObserveJob records that a job of kind took seconds and ended so.
func (m *PipelineMetrics) ObserveJob(kind, outcome string, seconds float64) {
	if m != nil {
		m.jobSeconds.WithLabelValues(kind, outcome).Observe(seconds)
	}
}

// UploadFailed counts an upload failed for good with code.
func (m *PipelineMetrics) UploadFailed(code string) {
	if m != nil {
		m.failures.WithLabelValues(code).Inc()
	}
}

// PageRead counts a page whose text was read.
func (m *PipelineMetrics) PageRead() {
	if m != nil {
		m.pages.Inc()
	}
}

// EngineRecycled counts an OCR engine retired between pages, for reason.
func (m *PipelineMetrics) EngineRecycled(reason string) {
	if m != nil {
		m.engineRecycles.WithLabelValues(reason).Inc()
	}
}

// EngineRestarted counts an OCR engine started again.
func (m *PipelineMetrics) EngineRestarted() {
	if m != nil {
		m.engineRestarts.Inc()
	}
}
