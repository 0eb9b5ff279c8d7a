package ocr

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestParseTSV(t *testing.T) {
	t.Parallel()

	// Shaped like Tesseract 5.3 output: two paragraphs in block 1, one in block 2, a blank
	// word, a word without a confidence, and a trailing newline.
	tsv := "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n" +
		"1\t1\t0\t0\t0\t0\t0\t0\t1700\t2200\t-1\t\n" +
		"2\t1\t1\t0\t0\t0\t72\t72\t900\t200\t-1\t\n" +
		"3\t1\t1\t1\t0\t0\t72\t72\t900\t100\t-1\t\n" +
		"4\t1\t1\t1\t1\t0\t72\t72\t900\t40\t-1\t\n" +
		"5\t1\t1\t1\t1\t1\t72\t72\t100\t40\t96.5\tThe\n" +
		"5\t1\t1\t1\t1\t2\t180\t72\t100\t40\t90\tfirst\n" +
		"4\t1\t1\t1\t2\t0\t72\t120\t900\t40\t-1\t\n" +
		"5\t1\t1\t1\t2\t1\t72\t120\t100\t40\t80\tlaw\n" +
		"5\t1\t1\t1\t2\t2\t180\t120\t100\t40\t95\t \n" +
		"3\t1\t1\t2\t0\t0\t72\t200\t900\t40\t-1\t\n" +
		"4\t1\t1\t2\t1\t0\t72\t200\t900\t40\t-1\t\n" +
		"5\t1\t1\t2\t1\t1\t72\t200\t100\t40\t-1\tEnergy\n" +
		"2\t1\t2\t0\t0\t0\t72\t400\t900\t40\t-1\t\n" +
		"3\t1\t2\t1\t0\t0\t72\t400\t900\t40\t-1\t\n" +
		"4\t1\t2\t1\t1\t0\t72\t400\t900\t40\t-1\t\n" +
		"5\t1\t2\t1\t1\t1\t72\t400\t100\t40\t85.5\tNext\n" +
		"5\t1\t2\t1\t1\t2\t180\t400\t100\t40\t88\tweek\n"

	res, err := ParseTSV([]byte(tsv))
	require.NoError(t, err)
	require.Equal(t, "The first\nlaw\n\nEnergy\n\nNext week", res.Text)
	require.Equal(t, 6, res.Words)
	require.InDelta(t, (0.965+0.90+0.80+0.855+0.88)/5, res.Confidence, 1e-9)
}

func TestParseTSVEmpty(t *testing.T) {
	t.Parallel()

	for name, tsv := range map[string]string{
		"nothing":     "",
		"header only": "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n",
		"page only":   "1\t1\t0\t0\t0\t0\t0\t0\t3\t1\t-1\t\n",
	} {
		res, err := ParseTSV([]byte(tsv))
		require.NoError(t, err, name)
		require.Zero(t, res, name)
	}
}

func TestParseTSVMalformed(t *testing.T) {
	t.Parallel()

	for name, tsv := range map[string]string{
		"short row":      "5\t1\t1\t1\t1\t1\t72\n",
		"bad confidence": "5\t1\t1\t1\t1\t1\t72\t72\t100\t40\thigh\tThe\n",
	} {
		_, err := ParseTSV([]byte(tsv))
		require.ErrorContains(t, err, "line 1", name)
	}
}

func TestSummarizeStderr(t *testing.T) {
	t.Parallel()

	stderr := "Error opening data file /usr/share/tesseract-ocr/5/tessdata/xxx.traineddata\n" +
		"Please make sure the TESSDATA_PREFIX environment variable is set to your \"tessdata\" directory.\n\n" +
		"Failed loading language 'xxx'\n"
	require.Equal(t, "Error opening data file /usr/share/tesseract-ocr/5/tessdata/xxx.traineddata; "+
		"Please make sure the TESSDATA_PREFIX environment variable is set to your \"tessdata\" directory.; "+
		"Failed loading language 'xxx'", SummarizeStderr(stderr))
	require.Empty(t, SummarizeStderr("\n  \n"))

	long := strings.Repeat("é", 500) + "\nCould not initialize tesseract.\n"
	got := SummarizeStderr(long)
	require.True(t, utf8.ValidString(got))
	require.True(t, strings.HasPrefix(got, "…"))
	require.True(t, strings.HasSuffix(got, "; Could not initialize tesseract."))
	require.LessOrEqual(t, len(got), maxStderr+len("…"))
}
