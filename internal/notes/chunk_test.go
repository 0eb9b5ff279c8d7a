package notes

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSplitChunksKeepsEveryWordInOrder(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("word ", 50)                // one line of 250 runes
	lines := strings.Repeat("a short line here\n", 20) // one paragraph of 360 runes
	huge := strings.Repeat("x", 130)                   // one word longer than a part
	text := "First paragraph.\n\n" + long + "\n\n" + lines + "\n \n" + huge + "\n\nLast one."
	parts := splitChunks(text, 100)
	for _, p := range parts {
		require.LessOrEqual(t, len([]rune(p)), 100, "%q", p)
		require.Equal(t, strings.TrimSpace(p), p)
	}
	joined := strings.Join(parts, "\n\n")
	require.Equal(t, strings.Join(strings.Fields(text), ""), strings.Join(strings.Fields(joined), ""))
	require.Equal(t, []string{"First paragraph."}, parts[:1], "a paragraph that fits is not cut")
	require.True(t, strings.HasSuffix(parts[len(parts)-1], "\n\nLast one."), "the rest of a cut word shares a part")

	require.Equal(t, []string{"one\n\ntwo"}, splitChunks("one\r\n\r\ntwo", 100), "short paragraphs share a part")
	require.Empty(t, splitChunks(" \n\n ", 100))
}
