package tesseract_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/corpus"
	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/tesseract"
	"github.com/snapnote/snapnote/internal/photo"
)

// TestRecognizeRecoversLabels reads a worksheet whose exercise numbers stand apart from their
// sums: Tesseract's page segmentation reads them as a column of their own and drops most, and
// the engine reads them again, each number back at the start of its line.
func TestRecognizeRecoversLabels(t *testing.T) {
	t.Parallel()
	requireTesseract(t)

	res := readLayoutSample(t, 3, corpus.ClassFractions)

	require.Contains(t, strings.Join(res.Steps, " "), tesseract.StepLabels+":")
	lines := strings.Split(res.Text, "\n")
	for i := 1; i <= 5; i++ {
		number := fmt.Sprintf("%d. ", i)
		require.True(t, slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, number) }),
			"exercise %d numbered in:\n%s", i, res.Text)
	}
}

// TestRecognizeReadsNoLabelsWhereNoneAreMissing reads a page whose numbered steps Tesseract
// reads whole: no read goes again.
func TestRecognizeReadsNoLabelsWhereNoneAreMissing(t *testing.T) {
	t.Parallel()
	requireTesseract(t)

	res := readLayoutSample(t, 1, corpus.ClassLists)
	require.NotContains(t, strings.Join(res.Steps, " "), tesseract.StepLabels+":")
}

// readLayoutSample reads page index of a corpus layout class with a default engine.
func readLayoutSample(t *testing.T, index int, class string) ocr.Result {
	t.Helper()
	s, err := corpus.LayoutSample(index, class)
	require.NoError(t, err)
	return readSample(t, s)
}

// readSample reads a corpus sample as uploaded with a default engine.
func readSample(t *testing.T, s corpus.Sample) ocr.Result {
	t.Helper()
	img, err := photo.Decode(bytes.NewReader(s.Encoded))
	require.NoError(t, err)
	res, err := (&tesseract.Engine{}).Recognize(t.Context(), img, ocr.Options{})
	require.NoError(t, err)
	return res
}
