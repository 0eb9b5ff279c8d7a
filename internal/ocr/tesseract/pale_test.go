package tesseract_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/corpus"
	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/tesseract"
)

// TestRecognizeReadsPaleHeadings reads a page whose "Key points" heading is printed in light
// grey, which Tesseract's threshold turns into paper: the engine finds the pale ink no word
// covers and reads it again. Printed in black, the page reads whole with nothing read again.
func TestRecognizeReadsPaleHeadings(t *testing.T) {
	t.Parallel()
	requireTesseract(t)

	for class, again := range map[string]bool{corpus.ClassPaleHeadings: true, corpus.ClassClean: false} {
		res := readVariant(t, 0, class)
		require.Equal(t, again, strings.Contains(strings.Join(res.Steps, " "), tesseract.StepPale+":"), class)
		require.Contains(t, res.Text, "Key points", class)
	}
}

// readVariant reads page index of the corpus in the given variant class with a default engine.
func readVariant(t *testing.T, index int, class string) ocr.Result {
	t.Helper()
	s, err := corpus.Variant(corpus.NewPage(index), class)
	require.NoError(t, err)
	return readSample(t, s)
}
