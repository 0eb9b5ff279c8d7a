package preprocess_test

import (
	"image"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/ocr/preprocess"
)

func TestReadableAsIs(t *testing.T) {
	t.Parallel()
	lines := []string{
		"Lecture 4: The first law of thermodynamics",
		"Energy is neither created nor destroyed in a closed system.",
		"The change in internal energy equals heat added minus work.",
	}
	page := func(sizePx int) *image.Gray {
		return preprocess.Prepare(ocrtest.RenderText(lines, 40*sizePx, 10*sizePx, sizePx), 0)
	}
	require.True(t, preprocess.ReadableAsIs(page(40)), "characters of about 20 pixels read as they are")
	require.False(t, preprocess.ReadableAsIs(page(18)), "characters of about 9 pixels need the full-size photo")
	require.False(t, preprocess.ReadableAsIs(preprocess.Prepare(ocrtest.RenderText(nil, 800, 600, 40), 0)),
		"no text to measure")
	require.False(t, preprocess.ReadableAsIs(preprocess.Prepare(ocrtest.RenderText(lines[:1], 1600, 400, 40), 0)),
		"too few characters to trust the measure")
}
