package photo_test

import (
	"bytes"
	"image"
	"image/color"
	"image/color/palette"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/photo"
)

// pixelBytes is what a decoded image's pixel buffers hold.
func pixelBytes(t *testing.T, img image.Image) int {
	t.Helper()
	switch m := img.(type) {
	case *image.YCbCr:
		return len(m.Y) + len(m.Cb) + len(m.Cr)
	case *image.Gray:
		return len(m.Pix)
	case *image.Gray16:
		return len(m.Pix)
	case *image.NRGBA:
		return len(m.Pix)
	case *image.NRGBA64:
		return len(m.Pix)
	case *image.RGBA:
		return len(m.Pix)
	case *image.RGBA64:
		return len(m.Pix)
	case *image.Paletted:
		return len(m.Pix)
	}
	t.Fatalf("unexpected image type %T", img)
	return 0
}

// withEXIFOrientation inserts an APP1 EXIF segment naming orientation o
// after a JPEG's start marker.
func withEXIFOrientation(jpg []byte, o byte) []byte {
	tiff := []byte{'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, o, 0, 0, 0, 0, 0, 0, 0, 0}
	payload := append([]byte("Exif\x00\x00"), tiff...)
	segment := append([]byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}, payload...)
	return append(append(append([]byte{}, jpg[:2]...), segment...), jpg[2:]...)
}

func TestPlanDecodeBoundsWhatDecodingAllocates(t *testing.T) {
	t.Parallel()
	const w, h = 300, 200
	encode := func(img image.Image, jpg bool) []byte {
		var buf bytes.Buffer
		if jpg {
			require.NoError(t, jpeg.Encode(&buf, img, nil))
		} else {
			require.NoError(t, png.Encode(&buf, img))
		}
		return buf.Bytes()
	}
	rect := image.Rect(0, 0, w, h)
	rgba64 := image.NewRGBA64(rect)
	rgba64.Set(1, 1, color.RGBA64{R: 65535, A: 30000}) // keeps the PNG encoder at 16 bits
	paletted := image.NewPaletted(rect, palette.Plan9)
	colour := image.NewRGBA(rect)
	colour.Set(3, 3, color.RGBA{R: 200, G: 10, B: 10, A: 255})
	cases := map[string]struct {
		data        []byte
		perPixel    float64
		rotates     bool
		contentType string
	}{
		"gray JPEG":       {encode(image.NewGray(rect), true), 1, false, "image/jpeg"},
		"colour JPEG":     {encode(colour, true), 1.5, false, "image/jpeg"},
		"turned JPEG":     {withEXIFOrientation(encode(colour, true), 6), 1.5, true, "image/jpeg"},
		"upright JPEG":    {withEXIFOrientation(encode(colour, true), 1), 1.5, false, "image/jpeg"},
		"gray PNG":        {encode(image.NewGray(rect), false), 1, false, "image/png"},
		"paletted PNG":    {encode(paletted, false), 1, false, "image/png"},
		"16-bit RGBA PNG": {encode(rgba64, false), 8, false, "image/png"},
		"colour PNG":      {encode(colour, false), 4, false, "image/png"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			plan, err := photo.PlanDecode(tc.data)
			require.NoError(t, err)
			require.Equal(t, tc.contentType, plan.ContentType)
			require.Equal(t, [2]int{w, h}, [2]int{plan.Width, plan.Height})
			require.InDelta(t, tc.perPixel, plan.DecodedBytesPerPixel, 0.01)
			require.Equal(t, tc.rotates, plan.Rotates)

			img, err := photo.Decode(bytes.NewReader(tc.data))
			require.NoError(t, err)
			decoded := pixelBytes(t, img)
			if tc.rotates {
				decoded += w * h * 4 // the decoder's own image, then the turned copy
			}
			require.LessOrEqual(t, int64(decoded), plan.Bytes(), "the plan bounds what decoding allocates")
		})
	}
	_, err := photo.PlanDecode([]byte("not an image"))
	require.ErrorIs(t, err, photo.ErrCorrupt)
}
