package tesseract

import (
	"image"

	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/preprocess"
)

var _ ocr.ReducedReader = (*Engine)(nil)

// ReadsReduced reports whether img, a photo decoded at 1/reduction of its width and height,
// has characters large enough to read as it is (preprocess.ReadableAsIs). Smaller ones are
// better read from the full-size photo, which Recognize then shrinks only as far as the text
// allows.
func (t *Engine) ReadsReduced(img image.Image, _ int) bool {
	return preprocess.ReadableAsIs(preprocess.Prepare(img, -1))
}
