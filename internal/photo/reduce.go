package photo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"

	"github.com/disintegration/imaging"
)

// ScalesJPEG is true when this binary decodes a JPEG at a reduced scale (libjpeg's scaled
// inverse DCT, through leptonica, in a build with cgo). Without it DecodeReduced always
// fails with ErrNotReduced and photos are decoded at full size.
const ScalesJPEG = scalesJPEG

// ErrNotReduced is wrapped by the error of DecodeReduced when it cannot decode the image at
// the scale asked: not a JPEG, a binary without cgo, or a JPEG libjpeg warns about. Decode
// then reads it at full size and says whether it is damaged.
var ErrNotReduced = errors.New("image cannot be decoded at a reduced scale")

// minReducedSide is the shortest long side, in pixels, a photo is decoded at when reduced:
// below it a page has too few pixels for its text whatever its size.
const minReducedSide = 1000

// firstReduction is how much a large JPEG is reduced in each direction on a first read. At
// half size a phone photo of a whole page keeps characters of 20 pixels or more, which is
// what Tesseract reads best; a quarter would halve them again.
const firstReduction = 2

// BytesAt is the memory reading the image takes, at most, when it is decoded at 1/reduction
// of its width and height by DecodeReduced: the decoded image (one byte a pixel for a gray
// JPEG, four for colour), a gray copy to measure its text, a copy to turn it upright if it
// needs one, and the working copies of OCR. A reduction of 1 or less is Bytes.
func (p Plan) BytesAt(reduction int) int64 {
	if reduction <= 1 {
		return p.Bytes()
	}
	decoded := 4.0
	if p.DecodedBytesPerPixel == 1 {
		decoded = 1
	}
	perPixel := decoded + 1 + workingBytesPerPixel
	if p.Rotates {
		perPixel += 4
	}
	w, h := (p.Width+reduction-1)/reduction, (p.Height+reduction-1)/reduction
	return int64(float64(w) * float64(h) * perPixel)
}

// DecodeReduced decodes a JPEG at 1/reduction of its width and height (2, 4 or 8) with
// libjpeg's scaled inverse DCT, which never makes the full-size image, and turns it upright
// by its EXIF orientation as Decode does. It returns an *image.Gray for a gray JPEG and an
// 8-bit colour image otherwise. Anything it cannot decode so returns an error wrapping
// ErrNotReduced: read it with Decode.
func DecodeReduced(data []byte, reduction int) (image.Image, error) {
	if reduction != 2 && reduction != 4 && reduction != 8 {
		return nil, fmt.Errorf("decode image at 1/%d: %w: libjpeg scales by 1/2, 1/4 or 1/8", reduction, ErrNotReduced)
	}
	if ct, _ := Sniff(data); ct != "image/jpeg" {
		return nil, fmt.Errorf("decode image at 1/%d: %w: not a jpeg", reduction, ErrNotReduced)
	}
	img, err := decodeJPEGReduced(data, reduction)
	if err != nil {
		return nil, fmt.Errorf("decode image at 1/%d: %w: %w", reduction, ErrNotReduced, err)
	}
	return orient(img, jpegOrientation(data)), nil
}

// orient applies an EXIF orientation, 1 to 8, the way imaging.AutoOrientation does.
func orient(img image.Image, orientation int) image.Image {
	switch orientation {
	case 2:
		return imaging.FlipH(img)
	case 3:
		return imaging.Rotate180(img)
	case 4:
		return imaging.FlipV(img)
	case 5:
		return imaging.Transpose(img)
	case 6:
		return imaging.Rotate270(img)
	case 7:
		return imaging.Transverse(img)
	case 8:
		return imaging.Rotate90(img)
	}
	return img
}

// ReducedDecoder decodes photos for OCR: a large JPEG at a reduced scale first, kept when
// its text is large enough there, else the whole photo at full size. Either way memory is
// reserved before decoding, as PlanDecode plans it. The zero value decodes at full size.
type ReducedDecoder struct {
	// Accept reports whether img, the photo decoded at 1/reduction of its width and height,
	// can be read as it is. Nil decodes every photo at full size.
	Accept func(img image.Image, reduction int) bool
	// Reserve, when set, is called before each decode with the bytes it will take, and
	// returns what gives them back; its error is returned as it is. Nil reserves nothing.
	Reserve func(ctx context.Context, bytes int64) (release func(), err error)
}

// Decode decodes data, holding what Reserve gave for it until the caller calls release.
// It returns the errors of PlanDecode and Decode, or Reserve's.
func (d *ReducedDecoder) Decode(ctx context.Context, data []byte) (img image.Image, release func(), err error) {
	plan, err := PlanDecode(data)
	if err != nil {
		return nil, nil, err
	}
	reserve := func(n int64) (func(), error) {
		if d.Reserve == nil {
			return func() {}, nil
		}
		return d.Reserve(ctx, n+int64(len(data)))
	}
	if r := plan.Reduction(); r > 1 && d.Accept != nil {
		release, err := reserve(plan.BytesAt(r))
		if err != nil {
			return nil, nil, err
		}
		img, err := DecodeReduced(data, r)
		if err == nil && d.Accept(img, r) {
			return img, release, nil
		}
		release()
	}
	release, err = reserve(plan.Bytes())
	if err != nil {
		return nil, nil, err
	}
	img, err = Decode(bytes.NewReader(data))
	if err != nil {
		release()
		return nil, nil, err
	}
	return img, release, nil
}

// Reduction is how much ReducedDecoder first reduces the image in each direction: 2 for a
// JPEG twice minReducedSide or more on its long side when this binary scales JPEGs, 1
// otherwise.
func (p Plan) Reduction() int {
	if !ScalesJPEG || p.ContentType != "image/jpeg" || max(p.Width, p.Height) < firstReduction*minReducedSide {
		return 1
	}
	return firstReduction
}
