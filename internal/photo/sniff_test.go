package photo

import (
	"bytes"
	"encoding/hex"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// tinyWebP is a 3×2 lossless WebP (red, green, blue over white, black, yellow) written by
// libwebp's WebPEncodeLosslessRGB; golang.org/x/image has no WebP encoder.
var tinyWebP = mustHex("5249464632000000574542505650384c260000002f024000002f201048da1f7a8df9171014f93fdafc07b245c20605691bb0b87b4e16d1ffb816")

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// testImage returns a w×h image with a different colour in each corner, so that every flip and
// rotation of it differs.
func testImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{R: uint8(255 * x / w), G: uint8(255 * y / h), B: 128, A: 255})
		}
	}
	return img
}

// encoded holds testImage(6, 4) in each format that has an encoder.
type encoded struct {
	jpeg, png, gif, bmp, tiff []byte
}

func encodeAll(t testing.TB) encoded {
	t.Helper()
	img := testImage(6, 4)
	var e encoded
	for _, f := range []struct {
		dst    *[]byte
		encode func(*bytes.Buffer) error
	}{
		{&e.jpeg, func(b *bytes.Buffer) error { return jpeg.Encode(b, img, nil) }},
		{&e.png, func(b *bytes.Buffer) error { return png.Encode(b, img) }},
		{&e.gif, func(b *bytes.Buffer) error { return gif.Encode(b, img, nil) }},
		{&e.bmp, func(b *bytes.Buffer) error { return bmp.Encode(b, img) }},
		{&e.tiff, func(b *bytes.Buffer) error { return tiff.Encode(b, img, nil) }},
	} {
		var buf bytes.Buffer
		require.NoError(t, f.encode(&buf))
		*f.dst = buf.Bytes()
	}
	return e
}

func TestSniff(t *testing.T) {
	t.Parallel()

	enc := encodeAll(t)
	tests := []struct {
		name   string
		header []byte
		want   string
		wantOK bool
	}{
		{"jpeg", enc.jpeg, "image/jpeg", true},
		{"png", enc.png, "image/png", true},
		{"webp", tinyWebP, "image/webp", true},
		{"tiff little-endian", enc.tiff, "image/tiff", true},
		{"tiff big-endian", []byte("MM\x00*\x00\x00\x00\x08"), "image/tiff", true},
		{"gif", enc.gif, "image/gif", true},
		{"gif87a", []byte("GIF87a\x06\x00\x04\x00"), "image/gif", true},
		{"bmp", enc.bmp, "image/bmp", true},
		{"text", []byte("Lecture 3: Thermodynamics\nThe first law states...\n"), "", false},
		{"text starting with BM", []byte("BMW and Mercedes are car makers, not bitmaps.\n"), "", false},
		{"riff wave", []byte("RIFF\x24\x00\x00\x00WAVEfmt "), "", false},
		{"bigtiff", []byte("II+\x00\x08\x00\x00\x00"), "", false},
		{"empty", nil, "", false},
		{"short png", enc.png[:4], "", false},
		{"short webp", tinyWebP[:10], "", false},
		{"short bmp", enc.bmp[:10], "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			header := tt.header[:min(len(tt.header), 512)]
			got, ok := Sniff(header)
			require.Equal(t, tt.wantOK, ok)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestExtension(t *testing.T) {
	t.Parallel()

	for contentType, want := range map[string]string{
		"image/jpeg": ".jpg",
		"image/png":  ".png",
		"image/webp": ".webp",
		"image/tiff": ".tiff",
		"image/gif":  ".gif",
		"image/bmp":  ".bmp",
		"text/plain": "",
		"":           "",
	} {
		require.Equal(t, want, Extension(contentType), "content type %q", contentType)
	}
}
