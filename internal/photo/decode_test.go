package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"math/rand/v2"
	"runtime"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

func TestDecodeConfig(t *testing.T) {
	t.Parallel()

	enc := encodeAll(t)
	tests := []struct {
		name         string
		file         []byte
		wantW, wantH int
	}{
		{"jpeg", enc.jpeg, 6, 4},
		{"png", enc.png, 6, 4},
		{"webp", tinyWebP, 3, 2},
		{"tiff", enc.tiff, 6, 4},
		{"gif", enc.gif, 6, 4},
		{"bmp", enc.bmp, 6, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			w, h, err := DecodeConfig(bytes.NewReader(tt.file))
			require.NoError(t, err)
			require.Equal(t, tt.wantW, w)
			require.Equal(t, tt.wantH, h)
		})
	}
}

// pngHeader returns a PNG signature and IHDR chunk claiming a w×h 8-bit RGBA image, and no
// pixel data.
func pngHeader(w, h uint32) []byte {
	ihdr := []byte("IHDR")
	ihdr = binary.BigEndian.AppendUint32(ihdr, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // bit depth, colour type RGBA, compression, filter, interlace

	file := []byte("\x89PNG\r\n\x1A\n")
	file = binary.BigEndian.AppendUint32(file, uint32(len(ihdr)-4))
	file = append(file, ihdr...)
	return binary.BigEndian.AppendUint32(file, crc32.ChecksumIEEE(ihdr))
}

// Not parallel: it measures the bytes allocated by the whole process.
func TestDecodeConfigHugeClaim(t *testing.T) {
	file := pngHeader(30000, 30000)

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	w, h, err := DecodeConfig(bytes.NewReader(file))
	runtime.ReadMemStats(&after)

	require.NoError(t, err)
	require.Equal(t, 30000, w)
	require.Equal(t, 30000, h)
	// A decoded 30000×30000 RGBA image would take 3.6 GB.
	require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20))
}

func TestDecodeConfigCorrupt(t *testing.T) {
	t.Parallel()

	for name, file := range map[string][]byte{
		"empty":          nil,
		"text":           []byte("not an image at all"),
		"short png":      pngHeader(10, 10)[:12],
		"zero width png": pngHeader(0, 10),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()

			_, _, err := DecodeConfig(bytes.NewReader(file))
			require.ErrorIs(t, err, ErrCorrupt)
		})
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()

	enc := encodeAll(t)
	want := testImage(6, 4)
	tests := []struct {
		name string
		file []byte
		tol  int // JPEG is lossy; GIF maps colours to the Plan 9 palette
	}{
		{"jpeg", enc.jpeg, 40},
		{"png", enc.png, 0},
		{"tiff", enc.tiff, 0},
		{"gif", enc.gif, 64},
		{"bmp", enc.bmp, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			img, err := Decode(bytes.NewReader(tt.file))
			require.NoError(t, err)
			requireSameImage(t, want, img, 1, tt.tol)
		})
	}

	t.Run("webp", func(t *testing.T) {
		t.Parallel()

		img, err := Decode(bytes.NewReader(tinyWebP))
		require.NoError(t, err)
		wantWebP := image.NewRGBA(image.Rect(0, 0, 3, 2))
		for i, c := range []color.RGBA{
			{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255},
			{255, 255, 255, 255}, {0, 0, 0, 255}, {255, 255, 0, 255},
		} {
			wantWebP.SetRGBA(i%3, i/3, c)
		}
		requireSameImage(t, wantWebP, img, 1, 0)
	})
}

// noise returns PNG and JPEG encodings of a random image, which compress badly and so fill
// many bytes after their headers.
func noise(t *testing.T) (pngFile, jpegFile []byte) {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 200, 200))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.UintN(256))
	}
	var p, j bytes.Buffer
	require.NoError(t, png.Encode(&p, img))
	require.NoError(t, jpeg.Encode(&j, img, nil))
	return p.Bytes(), j.Bytes()
}

func TestDecodeCorrupt(t *testing.T) {
	t.Parallel()

	pngFile, jpegFile := noise(t)
	flipped := bytes.Clone(pngFile)
	flipped[len(flipped)/2] ^= 0xFF // breaks the zlib stream or a chunk CRC

	for name, file := range map[string][]byte{
		"empty":          nil,
		"text":           []byte("not an image at all"),
		"truncated png":  pngFile[:len(pngFile)/2],
		"truncated jpeg": jpegFile[:len(jpegFile)/2],
		"damaged png":    flipped,
		"webp header":    tinyWebP[:30],
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()

			img, err := Decode(bytes.NewReader(file))
			require.ErrorIs(t, err, ErrCorrupt)
			require.Nil(t, img)
		})
	}
}

func TestDecodeReaderError(t *testing.T) {
	t.Parallel()

	pngFile, _ := noise(t)
	errConn := errors.New("connection reset")
	newReader := func() io.Reader {
		return io.MultiReader(bytes.NewReader(pngFile[:len(pngFile)/2]), iotest.ErrReader(errConn))
	}

	_, err := Decode(newReader())
	require.ErrorIs(t, err, errConn)
	require.NotErrorIs(t, err, ErrCorrupt)

	_, _, err = DecodeConfig(io.MultiReader(bytes.NewReader(pngFile[:10]), iotest.ErrReader(errConn)))
	require.ErrorIs(t, err, errConn)
	require.NotErrorIs(t, err, ErrCorrupt)
}

// orientationImage returns a 64×32 upright image made of eight 16×16 blocks of distinct colours,
// large and flat enough for JPEG to keep each block's colour at its centre.
func orientationImage() *image.RGBA {
	colors := []color.RGBA{
		{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}, {255, 255, 0, 255},
		{0, 255, 255, 255}, {255, 0, 255, 255}, {0, 0, 0, 255}, {255, 255, 255, 255},
	}
	img := image.NewRGBA(image.Rect(0, 0, 64, 32))
	for y := range 32 {
		for x := range 64 {
			img.SetRGBA(x, y, colors[y/16*4+x/16])
		}
	}
	return img
}

// storedPixel maps a pixel (x, y) of the upright w×h image to where a camera stores it in a file
// tagged with EXIF orientation o. Each case follows the tag's definition of what row 0 and
// column 0 of the stored image show: 6 ("right-top") stores the upright image's right column as
// row 0, top end first.
func storedPixel(o, x, y, w, h int) (sx, sy int) {
	switch o {
	case 2:
		return w - 1 - x, y
	case 3:
		return w - 1 - x, h - 1 - y
	case 4:
		return x, h - 1 - y
	case 5:
		return y, x
	case 6:
		return y, w - 1 - x
	case 7:
		return h - 1 - y, w - 1 - x
	case 8:
		return h - 1 - y, x
	}
	return x, y
}

// exifSegment returns a JPEG APP1 segment with a TIFF header in the given byte order and IFD0
// holding a Make tag (to be skipped) and the Orientation tag o.
func exifSegment(o uint16, order binary.AppendByteOrder) []byte {
	tiff := []byte("II")
	if order == binary.BigEndian {
		tiff = []byte("MM")
	}
	tiff = order.AppendUint16(tiff, 42)
	tiff = order.AppendUint32(tiff, 8) // offset of IFD0
	tiff = order.AppendUint16(tiff, 2) // entries
	// Make, ASCII, 3 bytes "Go\0", stored in the value field itself.
	tiff = order.AppendUint16(tiff, 0x010F)
	tiff = order.AppendUint16(tiff, 2)
	tiff = order.AppendUint32(tiff, 3)
	tiff = append(tiff, 'G', 'o', 0, 0)
	// Orientation, SHORT, 1 value, left-justified in the 4-byte value field.
	tiff = order.AppendUint16(tiff, 0x0112)
	tiff = order.AppendUint16(tiff, 3)
	tiff = order.AppendUint32(tiff, 1)
	tiff = order.AppendUint16(tiff, o)
	tiff = order.AppendUint16(tiff, 0)
	tiff = order.AppendUint32(tiff, 0) // no IFD1

	payload := append([]byte("Exif\x00\x00"), tiff...)
	segment := []byte{0xFF, 0xE1}
	segment = binary.BigEndian.AppendUint16(segment, uint16(2+len(payload)))
	return append(segment, payload...)
}

// jfifSegment is the APP0 segment many editors write before the EXIF one.
var jfifSegment = []byte("\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")

// spliceAfterSOI inserts segments between a JPEG's start-of-image marker and the rest of it.
func spliceAfterSOI(jpegFile []byte, segments ...[]byte) []byte {
	out := bytes.Clone(jpegFile[:2])
	for _, s := range segments {
		out = append(out, s...)
	}
	return append(out, jpegFile[2:]...)
}

func TestDecodeOrientation(t *testing.T) {
	t.Parallel()

	upright := orientationImage()
	w, h := upright.Bounds().Dx(), upright.Bounds().Dy()

	// storedJPEG encodes upright as a camera with orientation o stores it.
	storedJPEG := func(t *testing.T, o int) []byte {
		t.Helper()
		sw, sh := w, h
		if o >= 5 {
			sw, sh = h, w
		}
		stored := image.NewRGBA(image.Rect(0, 0, sw, sh))
		for y := range h {
			for x := range w {
				sx, sy := storedPixel(o, x, y, w, h)
				stored.SetRGBA(sx, sy, upright.RGBAAt(x, y))
			}
		}
		var buf bytes.Buffer
		require.NoError(t, jpeg.Encode(&buf, stored, &jpeg.Options{Quality: 95}))
		return buf.Bytes()
	}

	for o := 1; o <= 8; o++ {
		for _, order := range []binary.AppendByteOrder{binary.BigEndian, binary.LittleEndian} {
			t.Run(fmt.Sprintf("%d/%s", o, order), func(t *testing.T) {
				t.Parallel()

				file := spliceAfterSOI(storedJPEG(t, o), exifSegment(uint16(o), order))
				img, err := Decode(bytes.NewReader(file))
				require.NoError(t, err)
				requireSameImage(t, upright, img, 16, 40)
			})
		}
	}

	t.Run("after JFIF", func(t *testing.T) {
		t.Parallel()

		file := spliceAfterSOI(storedJPEG(t, 6), jfifSegment, exifSegment(6, binary.BigEndian))
		img, err := Decode(bytes.NewReader(file))
		require.NoError(t, err)
		requireSameImage(t, upright, img, 16, 40)
	})

	t.Run("no EXIF", func(t *testing.T) {
		t.Parallel()

		img, err := Decode(bytes.NewReader(storedJPEG(t, 1)))
		require.NoError(t, err)
		requireSameImage(t, upright, img, 16, 40)
	})
}

// requireSameImage compares got with want at the centre of every block×block square, allowing
// each 8-bit channel to differ by tol.
func requireSameImage(t *testing.T, want *image.RGBA, got image.Image, block, tol int) {
	t.Helper()
	wb, gb := want.Bounds(), got.Bounds()
	require.Equal(t, wb.Size(), gb.Size(), "image size")
	for y := block / 2; y < wb.Dy(); y += block {
		for x := block / 2; x < wb.Dx(); x += block {
			w := want.RGBAAt(x, y)
			g := color.RGBAModel.Convert(got.At(gb.Min.X+x, gb.Min.Y+y)).(color.RGBA)
			for _, d := range []int{
				int(w.R) - int(g.R), int(w.G) - int(g.G), int(w.B) - int(g.B), int(w.A) - int(g.A),
			} {
				require.LessOrEqual(t, max(d, -d), tol, "pixel (%d,%d): want %v, got %v", x, y, w, g)
			}
		}
	}
}
