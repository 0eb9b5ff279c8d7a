package ocr

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/corpus"
	"github.com/snapnote/snapnote/internal/photo"
)

// An upright page skips orientation detection; a page turned a quarter or
// upside down never does.
func TestPlainlyUpright(t *testing.T) {
	t.Parallel()
	want := map[string]bool{corpus.ClassClean: true, corpus.ClassSkew: true, corpus.ClassShadow: true,
		corpus.ClassRotate90: false, corpus.ClassRotate180: false, corpus.ClassRotate270: false}
	for _, page := range corpus.Pages(2) {
		for class, upright := range want {
			s, err := corpus.Variant(page, class)
			require.NoError(t, err)
			img, err := photo.Decode(bytes.NewReader(s.Encoded))
			require.NoError(t, err)
			gray := prepare(img, defaultMaxSide)
			require.Equal(t, upright, plainlyUpright(glyphs(gray, otsu(histogram(gray))/2)), s.Name)
		}
	}
}
