package preprocess

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/corpus"
	"github.com/snapnote/snapnote/internal/photo"
)

// Slightly out-of-focus photos are sharpened, their ink edges narrowed; sharp photos and the
// blur class, which Tesseract reads as it is, are left alone.
func TestBlurredPagesAreSharpened(t *testing.T) {
	t.Parallel()
	want := map[string]bool{corpus.ClassMildBlur: true, corpus.ClassClean: false, corpus.ClassBlur: false,
		corpus.ClassPhone: false, corpus.ClassPaleHeadings: false}
	for _, page := range corpus.Pages(2) {
		for class, sharpened := range want {
			s, err := corpus.Variant(page, class)
			require.NoError(t, err)
			img, err := photo.Decode(bytes.NewReader(s.Encoded))
			require.NoError(t, err)
			gray := Prepare(img, maxSide)
			quad, warped := pageQuad(gray)
			if warped {
				gray = unwarp(gray, quad)
			}
			gray = normalize(gray, !warped)
			r, ok := blurred(gray, medianHeight(glyphs(gray, otsu(histogram(gray))/2)))
			require.Equal(t, sharpened, ok, "%s: edges %.1f pixels", s.Name, edgeWidth(gray))
			if ok {
				require.Less(t, edgeWidth(sharpen(gray, r)), edgeWidth(gray)/2, s.Name)
			}
		}
	}
}
