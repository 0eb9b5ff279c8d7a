package ocr

import "image"

// ReducedReader is implemented by an Engine that can read a photo decoded at a reduced scale
// (photo.ReducedDecoder) when its text is large enough there, which spares decoding,
// measuring and shrinking the full-size photo. An engine without it is given photos at full
// size.
type ReducedReader interface {
	// ReadsReduced reports whether img, a photo decoded at 1/reduction of its width and
	// height, can be read as it is.
	ReadsReduced(img image.Image, reduction int) bool
}

// PhotoAcceptor returns e's ReadsReduced, or nil when e does not implement ReducedReader:
// the Accept of a photo.ReducedDecoder that reads photos for e.
func PhotoAcceptor(e Engine) func(img image.Image, reduction int) bool {
	if r, ok := e.(ReducedReader); ok {
		return r.ReadsReduced
	}
	return nil
}
