package warm

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// langs returns the languages of the pool's children, sorted, and their process ids by
// language.
func langs(pool *Pool) ([]string, map[string]int) {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	var out []string
	pids := map[string]int{}
	for c := range pool.live {
		out = append(out, c.lang)
		pids[c.lang] = c.cmd.Process.Pid
	}
	slices.Sort(out)
	return out, pids
}

// readIn reads testPage in lang and returns its text.
func readIn(t *testing.T, pool *Pool, lang string) string {
	t.Helper()
	words, err := pool.RecognizeIn(t.Context(), testPage(), psmAuto, lang)
	require.NoError(t, err)
	var text []string
	for _, w := range words {
		text = append(text, w.Text)
	}
	return strings.Join(text, " ")
}

func TestPoolKeepsAChildPerLanguage(t *testing.T) {
	t.Parallel()
	requireTesseract(t)
	pool, err := NewPool(t.Context(), &PoolConfig{Size: 1, Lang: "eng", LangsPerSlot: 2})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, pool.Close()) })
	have, pids := langs(pool)
	require.Equal(t, []string{"eng"}, have)
	eng := pids["eng"]

	// A second language starts a child for it, beside the first.
	english := readIn(t, pool, "")
	require.Contains(t, english, "thermodynamics")
	require.Contains(t, readIn(t, pool, "fra"), "thermodynamics")
	have, pids = langs(pool)
	require.Equal(t, []string{"eng", "fra"}, have)
	fra := pids["fra"]

	// Both stay warm: reading in either again starts nothing.
	readIn(t, pool, "fra")
	require.Equal(t, english, readIn(t, pool, "eng"), "the default language's child reads as before")
	readIn(t, pool, "fra")
	_, _, _, err = pool.Orient(t.Context(), testPage())
	require.NoError(t, err, "orientation takes whichever child the slot has")
	have, pids = langs(pool)
	require.Equal(t, []string{"eng", "fra"}, have)
	require.Equal(t, map[string]int{"eng": eng, "fra": fra}, pids)

	// A third language stops the least recently used child: the bound holds.
	readIn(t, pool, "eng")
	readIn(t, pool, "deu")
	require.Eventually(t, func() bool { return gone(fra) }, time.Minute, 10*time.Millisecond, "the French child stopped")
	require.Eventually(t, func() bool {
		have, _ := langs(pool)
		return slices.Equal(have, []string{"deu", "eng"})
	}, time.Minute, 10*time.Millisecond)
	_, pids = langs(pool)
	require.Equal(t, eng, pids["eng"], "the recently used child stayed")

	// A language without data fails its page and leaves the slot's children serving.
	_, err = pool.RecognizeIn(t.Context(), testPage(), psmAuto, "xyz")
	require.ErrorContains(t, err, `"xyz"`)
	require.Equal(t, english, readIn(t, pool, "eng"))
	have, _ = langs(pool)
	require.Equal(t, []string{"deu", "eng"}, have)
}

func TestPoolPrefersASlotWithTheLanguageWarm(t *testing.T) {
	t.Parallel()
	requireTesseract(t)
	pool, err := NewPool(t.Context(), &PoolConfig{Size: 2, Lang: "eng", LangsPerSlot: 2})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, pool.Close()) })

	readIn(t, pool, "fra")
	for range 4 {
		readIn(t, pool, "fra")
		readIn(t, pool, "eng")
	}
	have, _ := langs(pool)
	require.Equal(t, []string{"eng", "eng", "fra"}, have, "one French child serves both slots' French pages")
}
