package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// The committed sample is what the generator makes: the README's
// before/after shows the note made from these very bytes.
func TestCommittedSampleIsGenerated(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "sample.jpg")
	require.NoError(t, write(0, "phone", out, ""))
	want, err := os.ReadFile(out)
	require.NoError(t, err)
	got, err := os.ReadFile("../../docs/sample-note.jpg")
	require.NoError(t, err)
	require.True(t, bytes.Equal(want, got), "docs/sample-note.jpg differs from the generator's output: run go generate ./cmd/snapnote-sample")
	require.Less(t, len(got), 300<<10, "small enough for the repository")
}
