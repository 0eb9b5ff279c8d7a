package warm

import (
	"context"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// recycleBundle is a pool that recycles its children, and the reasons it gave.
type recycleBundle struct {
	pool    *Pool
	mu      sync.Mutex
	reasons []string
}

func (b *recycleBundle) recycled() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.reasons)
}

// setupRecycling starts a pool of one child with cfg's recycling limits.
func setupRecycling(t *testing.T, cfg PoolConfig) *recycleBundle {
	t.Helper()
	requireTesseract(t)
	b := &recycleBundle{}
	cfg.Size = 1
	cfg.OnRecycle = func(reason string) {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.reasons = append(b.reasons, reason)
	}
	pool, err := NewPool(t.Context(), &cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, pool.Close()) })
	b.pool = pool
	return b
}

// readPages reads n pages one after the other, each of them whole, and returns the pid of
// the child that was running after each.
func (b *recycleBundle) readPages(t *testing.T, n int) []int {
	t.Helper()
	var seen []int
	for i := range n {
		words, err := b.pool.Recognize(t.Context(), testPage(), psmAuto)
		require.NoError(t, err, "page %d", i+1)
		var text strings.Builder
		for _, w := range words {
			text.WriteString(strings.ToLower(w.Text) + " ")
		}
		require.Contains(t, text.String(), "thermodynamics", "page %d: read whole", i+1)
		// Wait for the slot to be back with a running child: a recycled one is replaced
		// in the background.
		require.Eventually(t, func() bool { return len(b.pool.idle) == 1 && len(b.pool.pids()) == 1 }, time.Minute, 5*time.Millisecond)
		seen = append(seen, b.pool.pids()[0])
	}
	return seen
}

func TestPoolRecyclesAChildAfterRecyclePages(t *testing.T) {
	t.Parallel()
	b := setupRecycling(t, PoolConfig{RecyclePages: 2})
	first := b.pool.pids()[0]

	// Orientation detection is part of a page, not a page of its own.
	_, _, _, err := b.pool.Orient(t.Context(), testPage())
	require.NoError(t, err)
	pids := b.readPages(t, 5)

	require.Equal(t, []string{RecyclePages, RecyclePages}, b.recycled(), "retired after pages 2 and 4")
	require.Equal(t, first, pids[0], "page 1: the first child still")
	require.NotEqual(t, first, pids[1], "page 2 was its last")
	require.Equal(t, pids[1], pids[2])
	require.NotEqual(t, pids[2], pids[3])
	require.Equal(t, pids[3], pids[4])
	for _, pid := range []int{first, pids[1]} {
		require.Eventually(t, func() bool { return gone(pid) }, time.Minute, 10*time.Millisecond, "a retired child exits")
	}
}

func TestPoolRecyclesAChildAboveRecycleRSS(t *testing.T) {
	t.Parallel()
	// Any engine holds more than a kilobyte: every page is its child's last.
	b := setupRecycling(t, PoolConfig{RecycleRSS: 1 << 10})
	first := b.pool.pids()[0]

	pids := b.readPages(t, 2)

	require.Equal(t, []string{RecycleRSS, RecycleRSS}, b.recycled())
	require.NotContains(t, pids, first)
	require.NotEqual(t, pids[0], pids[1])
}

func TestPoolKeepsChildrenWithinItsLimits(t *testing.T) {
	t.Parallel()
	b := setupRecycling(t, PoolConfig{RecyclePages: 10, RecycleRSS: 4 << 30})
	first := b.pool.pids()[0]

	pids := b.readPages(t, 2)

	require.Empty(t, b.recycled())
	require.Equal(t, []int{first, first}, pids)
}

func TestPoolRecyclingAfterCloseStopsTheChild(t *testing.T) {
	t.Parallel()
	b := setupRecycling(t, PoolConfig{RecyclePages: 1})
	s, err := b.pool.checkout(t.Context(), anyLang)
	require.NoError(t, err)
	pid := s.proc.cmd.Process.Pid
	require.NoError(t, b.pool.Close())

	// A page that ends as the pool closes: its child is stopped, nothing new starts.
	b.pool.recycle(s, RecyclePages)
	require.True(t, gone(pid))
	require.Empty(t, b.pool.pids())
	_, err = b.pool.Recognize(context.Background(), testPage(), psmAuto)
	require.ErrorIs(t, err, ErrPoolClosed)
}

func TestResidentBytes(t *testing.T) {
	t.Parallel()
	rss, ok := residentBytes(os.Getpid())
	if _, err := os.Stat("/proc/self/status"); err != nil {
		require.False(t, ok, "no /proc: no figure")
		return
	}
	require.True(t, ok)
	require.Greater(t, rss, int64(1<<20), "a Go test binary holds more than a megabyte")
	_, ok = residentBytes(-1)
	require.False(t, ok)
}
