package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDeployDefaults(t *testing.T) {
	t.Parallel()
	c, err := parse(env(nil))
	require.NoError(t, err)
	require.Empty(t, c.BindAddr, "each command picks its own default interface")
	require.Empty(t, c.MetricsAddr, "/metrics on the API port")
	require.Equal(t, 500*time.Millisecond, c.SlowQuery)

	c, err = parse(env(map[string]string{"SLOW_QUERY": "0", "BIND_ADDR": "::", "METRICS_ADDR": ":9090"}))
	require.NoError(t, err)
	require.Zero(t, c.SlowQuery)
	require.Equal(t, "::", c.BindAddr)
	require.Equal(t, ":9090", c.MetricsAddr)
}

func TestBadDeployValuesNameTheVariable(t *testing.T) {
	t.Parallel()
	for name, value := range map[string]string{
		"BIND_ADDR":    "127.0.0.1:8080",
		"METRICS_ADDR": "9090",
		"SLOW_QUERY":   "-1s",
	} {
		_, err := parse(env(map[string]string{name: value}))
		require.ErrorContains(t, err, name+":", name)
		require.ErrorContains(t, err, value, name)
	}
}
