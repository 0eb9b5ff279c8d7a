package telemetry_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/telemetry"
)

// counters returns the value of each series of the counter named name in reg, by its labels.
func counters(t *testing.T, reg *prometheus.Registry, name string) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			key := ""
			for _, l := range m.GetLabel() {
				key += l.GetName() + "=" + l.GetValue()
			}
			out[key] = m.GetCounter().GetValue()
		}
	}
	return out
}

func TestEngineRecycledCountsByReason(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	m := telemetry.NewPipelineMetrics(reg, nil)
	m.EngineRecycled("pages")
	m.EngineRecycled("pages")
	m.EngineRecycled("rss")
	m.EngineRestarted()

	require.Equal(t, map[string]float64{"reason=pages": 2, "reason=rss": 1},
		counters(t, reg, "snapnote_ocr_engine_recycles_total"))
	require.Equal(t, map[string]float64{"": 1}, counters(t, reg, "snapnote_ocr_engine_restarts_total"),
		"a recycle is not a restart")

	var none *telemetry.PipelineMetrics
	none.EngineRecycled("pages") // records nothing, and does not panic
}
