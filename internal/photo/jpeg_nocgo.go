//go:build !cgo

package photo

import (
	"errors"
	"image"
)

// scalesJPEG: without cgo there is no libjpeg, and image/jpeg decodes at full size only.
const scalesJPEG = false

var errScaledJPEG = errors.New("this binary was built without cgo: no scaled jpeg decoding")

func decodeJPEGReduced([]byte, int) (image.Image, error) { return nil, errScaledJPEG }
