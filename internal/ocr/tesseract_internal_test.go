package ocr

import (
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestSummarize(t *testing.T) {
	t.Parallel()

	stderr := "Error opening data file /usr/share/tesseract-ocr/5/tessdata/xxx.traineddata\n" +
		"Please make sure the TESSDATA_PREFIX environment variable is set to your \"tessdata\" directory.\n\n" +
		"Failed loading language 'xxx'\n"
	require.Equal(t, "Error opening data file /usr/share/tesseract-ocr/5/tessdata/xxx.traineddata; "+
		"Please make sure the TESSDATA_PREFIX environment variable is set to your \"tessdata\" directory.; "+
		"Failed loading language 'xxx'", summarize(stderr))
	require.Empty(t, summarize("\n  \n"))

	long := strings.Repeat("é", 500) + "\nCould not initialize tesseract.\n"
	got := summarize(long)
	require.True(t, utf8.ValidString(got))
	require.True(t, strings.HasPrefix(got, "…"))
	require.True(t, strings.HasSuffix(got, "; Could not initialize tesseract."))
	require.LessOrEqual(t, len(got), maxStderr+len("…"))
}

// Not parallel: it points TMPDIR at a directory of its own to see what is left there.
func TestRecognizeRemovesTempFile(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	hang := filepath.Join(t.TempDir(), "hang")
	require.NoError(t, os.WriteFile(hang, []byte("#!/bin/sh\nexec sleep 30\n"), 0o755))

	img := image.NewGray(image.Rect(0, 0, 200, 100))
	for _, engine := range []*Tesseract{
		{},                // runs and finds no text
		{Binary: "false"}, // fails
		{Binary: hang, Timeout: 200 * time.Millisecond}, // is killed
	} {
		_, err := engine.Recognize(t.Context(), img)
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

	RemoveStaleTempFiles(10*time.Minute, nil)
	require.NoFileExists(t, stale)
	require.FileExists(t, live)
	require.FileExists(t, other)
}

// Not parallel: it points TMPDIR at a directory of its own to see what is left there.
func TestWarmEnginesWriteNoFiles(t *testing.T) {
	requireTesseract(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	pool, err := NewEnginePool(t.Context(), &EnginePoolConfig{Size: 1})
	require.NoError(t, err)
	defer pool.Close()

	_, err = (&Tesseract{Engines: pool}).Recognize(t.Context(), testPage())
	require.NoError(t, err)
	entries, err := os.ReadDir(tmp)
	require.NoError(t, err)
	require.Empty(t, entries)
}
