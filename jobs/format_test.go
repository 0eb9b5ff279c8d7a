package jobs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBackoffDoublesUpToTheCap(t *testing.T) {
	t.Parallel()
	for n, want := range []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second} {
		got := backoff(DefaultLLMBackoff, n)
		require.GreaterOrEqual(t, got, want, "snooze %d", n)
		require.LessOrEqual(t, got, want+want/4, "snooze %d: at most a quarter of jitter", n)
	}
	for _, n := range []int{7, 40, 1000} {
		got := backoff(DefaultLLMBackoff, n)
		require.GreaterOrEqual(t, got, MaxLLMBackoff)
		require.LessOrEqual(t, got, MaxLLMBackoff+MaxLLMBackoff/4)
	}
}

func TestSnoozesReadsRiversCount(t *testing.T) {
	t.Parallel()
	require.Zero(t, snoozes([]byte(`{}`)))
	require.Zero(t, snoozes(nil))
	require.Equal(t, 3, snoozes([]byte(`{"snoozes": 3, "other": true}`)))
}
