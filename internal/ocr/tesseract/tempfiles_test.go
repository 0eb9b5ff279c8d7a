package tesseract_test

import (
	"image"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/tesseract"
	"github.com/snapnote/snapnote/internal/ocr/warm"
)

// Not parallel: it points TMPDIR at a directory of its own to see what is left there.
func TestRecognizeRemovesTempFile(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	hang := filepath.Join(t.TempDir(), "hang")
	require.NoError(t, os.WriteFile(hang, []byte("#!/bin/sh\nexec sleep 30\n"), 0o755))

	img := image.NewGray(image.Rect(0, 0, 200, 100))
	for _, engine := range []*tesseract.Engine{
		{},                // runs and finds no text
		{Binary: "false"}, // fails
		{Binary: hang, Timeout: 200 * time.Millisecond}, // is killed
	} {
		_, err := engine.Recognize(t.Context(), img, ocr.Options{})
		require.Error(t, err)
		entries, err := os.ReadDir(tmp)
		require.NoError(t, err)
		require.Empty(t, entries, "binary %q", engine.Binary)
	}
}

// Not parallel: it points TMPDIR at a directory of its own.
func TestRemoveStaleTempFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	write := func(name string, age time.Duration) string {
		path := filepath.Join(tmp, name)
		require.NoError(t, os.WriteFile(path, []byte("png"), 0o600))
		require.NoError(t, os.Chtimes(path, time.Now().Add(-age), time.Now().Add(-age)))
		return path
	}
	stale := write("snapnote-ocr-1.png", time.Hour)
	live := write("snapnote-ocr-2.png", time.Second)
	other := write("other.png", time.Hour)

	tesseract.RemoveStaleTempFiles(10*time.Minute, nil)
	require.NoFileExists(t, stale)
	require.FileExists(t, live)
	require.FileExists(t, other)
}

// Not parallel: it points TMPDIR at a directory of its own to see what is left there.
func TestChildProcessesWriteNoFiles(t *testing.T) {
	requireTesseract(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	pool, err := warm.NewPool(t.Context(), &warm.PoolConfig{Size: 1})
	require.NoError(t, err)
	defer pool.Close()

	// Not a whole page: this test runs alone, and what it checks is the same for any read.
	_, err = (&tesseract.Engine{Pool: pool}).Recognize(t.Context(), shortPage(), ocr.Options{})
	require.NoError(t, err)
	entries, err := os.ReadDir(tmp)
	require.NoError(t, err)
	require.Empty(t, entries)
}
