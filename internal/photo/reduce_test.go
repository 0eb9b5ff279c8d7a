package photo_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/photo"
)

// pagePhoto is a w×h colour JPEG of dark bars on paper with a red square at the top left,
// so that a turn or a flip shows.
func pagePhoto(t testing.TB, w, h int, gray bool) []byte {
	t.Helper()
	var img interface {
		image.Image
		Set(x, y int, c color.Color)
	}
	if gray {
		img = image.NewGray(image.Rect(0, 0, w, h))
	} else {
		img = image.NewRGBA(image.Rect(0, 0, w, h))
	}
	for y := range h {
		for x := range w {
			c := color.Color(color.RGBA{240, 235, 225, 255})
			switch {
			case x < w/4 && y < h/4:
				c = color.RGBA{200, 30, 30, 255}
			case (y/16)%3 == 0 && (x/8)%4 != 0:
				c = color.RGBA{20, 20, 30, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}))
	return buf.Bytes()
}

// meanGrayDiff is the mean absolute difference of luma between a and b, the same size.
func meanGrayDiff(a, b image.Image) float64 {
	bounds := a.Bounds()
	var sum float64
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			ga := color.GrayModel.Convert(a.At(x, y)).(color.Gray).Y
			gb := color.GrayModel.Convert(b.At(x-bounds.Min.X+b.Bounds().Min.X, y-bounds.Min.Y+b.Bounds().Min.Y)).(color.Gray).Y
			sum += float64(max(ga, gb) - min(ga, gb))
		}
	}
	return sum / float64(bounds.Dx()*bounds.Dy())
}

// halve shrinks img to half its width and height by averaging 2×2 blocks.
func halve(img image.Image) *image.Gray {
	b := img.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dx()/2, b.Dy()/2))
	for y := range out.Rect.Dy() {
		for x := range out.Rect.Dx() {
			var sum int
			for _, d := range []image.Point{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
				sum += int(color.GrayModel.Convert(img.At(b.Min.X+2*x+d.X, b.Min.Y+2*y+d.Y)).(color.Gray).Y)
			}
			out.Pix[y*out.Stride+x] = uint8(sum / 4)
		}
	}
	return out
}

func TestDecodeReducedMatchesDecodeTurnedAndHalved(t *testing.T) {
	t.Parallel()
	const w, h = 160, 96
	base := pagePhoto(t, w, h, false)
	for orientation := byte(1); orientation <= 8; orientation++ {
		data := withEXIFOrientation(base, orientation)
		full, err := photo.Decode(bytes.NewReader(data))
		require.NoError(t, err)
		reduced, err := photo.DecodeReduced(data, 2)
		if !photo.ScalesJPEG {
			require.ErrorIs(t, err, photo.ErrNotReduced)
			continue
		}
		require.NoError(t, err, "orientation %d", orientation)
		want := halve(full)
		require.Equal(t, want.Bounds().Size(), reduced.Bounds().Size(), "orientation %d", orientation)
		require.Less(t, meanGrayDiff(want, reduced), 6.0, "orientation %d: the same picture, turned the same way", orientation)
	}
}

func TestDecodeReducedGrayAndScales(t *testing.T) {
	t.Parallel()
	data := pagePhoto(t, 320, 200, true)
	for _, r := range []int{2, 4, 8} {
		img, err := photo.DecodeReduced(data, r)
		if !photo.ScalesJPEG {
			require.ErrorIs(t, err, photo.ErrNotReduced)
			continue
		}
		require.NoError(t, err)
		require.IsType(t, &image.Gray{}, img, "a gray JPEG decodes to one byte a pixel")
		require.Equal(t, image.Pt(320/r, 200/r), img.Bounds().Size())
	}
}

func TestDecodeReducedRefusesWhatItCannotScale(t *testing.T) {
	t.Parallel()
	data := pagePhoto(t, 64, 48, false)
	var pngData bytes.Buffer
	require.NoError(t, png.Encode(&pngData, image.NewGray(image.Rect(0, 0, 64, 48))))
	for name, tc := range map[string]struct {
		data      []byte
		reduction int
	}{
		"truncated":     {data[:len(data)/2], 2},
		"png":           {pngData.Bytes(), 2},
		"not an image":  {[]byte("hello"), 2},
		"empty":         {nil, 2},
		"reduction 3":   {data, 3},
		"reduction one": {data, 1},
	} {
		_, err := photo.DecodeReduced(tc.data, tc.reduction)
		require.ErrorIs(t, err, photo.ErrNotReduced, name)
	}
}

func TestPlanBytesAtBoundsAReducedDecodeOfA12MPPhoto(t *testing.T) {
	t.Parallel()
	const w, h = 4000, 3000
	data := withEXIFOrientation(pagePhoto(t, w, h, false), 6)
	plan, err := photo.PlanDecode(data)
	require.NoError(t, err)
	require.True(t, plan.Rotates)
	if !photo.ScalesJPEG {
		require.Equal(t, 1, plan.Reduction())
		return
	}
	require.Equal(t, 2, plan.Reduction())
	// Decoded whole, turned and read, such a photo is planned at 102 MB; at half size 36 MB.
	require.LessOrEqual(t, plan.BytesAt(2), int64(36<<20))
	require.Less(t, plan.BytesAt(2)*2, plan.Bytes())

	img, err := photo.DecodeReduced(data, 2)
	require.NoError(t, err)
	require.Equal(t, image.Pt(h/2, w/2), img.Bounds().Size(), "turned upright")
	decoded := pixelBytes(t, img) + w/2*h/2*4 // libjpeg's image, then the turned copy
	require.LessOrEqual(t, int64(decoded), plan.BytesAt(2), "the plan bounds what decoding allocates")
}

func TestReducedDecoder(t *testing.T) {
	t.Parallel()
	data := pagePhoto(t, 2400, 1600, false)
	plan, err := photo.PlanDecode(data)
	require.NoError(t, err)
	reduced := plan.Reduction() > 1

	type reservation struct {
		bytes    int64
		released bool
	}
	setup := func(accept bool) (*photo.ReducedDecoder, *[]*reservation) {
		var held []*reservation
		return &photo.ReducedDecoder{
			Accept: func(img image.Image, reduction int) bool {
				require.Equal(t, 2, reduction)
				require.Equal(t, image.Pt(1200, 800), img.Bounds().Size())
				return accept
			},
			Reserve: func(_ context.Context, n int64) (func(), error) {
				r := &reservation{bytes: n}
				held = append(held, r)
				return func() { require.False(t, r.released); r.released = true }, nil
			},
		}, &held
	}

	t.Run("accepted at half size", func(t *testing.T) {
		t.Parallel()
		d, held := setup(true)
		img, release, err := d.Decode(context.Background(), data)
		require.NoError(t, err)
		if !reduced {
			require.Equal(t, image.Pt(2400, 1600), img.Bounds().Size())
			require.Len(t, *held, 1)
			return
		}
		require.Equal(t, image.Pt(1200, 800), img.Bounds().Size())
		require.Len(t, *held, 1)
		require.Equal(t, plan.BytesAt(2)+int64(len(data)), (*held)[0].bytes)
		release()
		require.True(t, (*held)[0].released)
	})
	t.Run("text too small: decoded whole", func(t *testing.T) {
		t.Parallel()
		d, held := setup(false)
		img, release, err := d.Decode(context.Background(), data)
		require.NoError(t, err)
		require.Equal(t, image.Pt(2400, 1600), img.Bounds().Size())
		last := (*held)[len(*held)-1]
		require.Equal(t, plan.Bytes()+int64(len(data)), last.bytes)
		for _, r := range (*held)[:len(*held)-1] {
			require.True(t, r.released, "the reduced decode's memory is given back first")
		}
		release()
		require.True(t, last.released)
	})
	t.Run("reserve fails", func(t *testing.T) {
		t.Parallel()
		full := errors.New("budget closed")
		d := &photo.ReducedDecoder{
			Accept:  func(image.Image, int) bool { return true },
			Reserve: func(context.Context, int64) (func(), error) { return nil, full },
		}
		_, _, err := d.Decode(context.Background(), data)
		require.ErrorIs(t, err, full)
	})
	t.Run("corrupt", func(t *testing.T) {
		t.Parallel()
		_, _, err := (&photo.ReducedDecoder{}).Decode(context.Background(), data[:len(data)/3])
		require.ErrorIs(t, err, photo.ErrCorrupt)
	})
}

// BenchmarkDecode12MP compares decoding a 12-megapixel photo whole in Go with libjpeg's
// decoding at half size.
func BenchmarkDecode12MP(b *testing.B) {
	data := pagePhoto(b, 4000, 3000, false)
	b.Run("Decode", func(b *testing.B) {
		for b.Loop() {
			if _, err := photo.Decode(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
	if !photo.ScalesJPEG {
		return
	}
	for _, r := range []int{2, 4} {
		b.Run(fmt.Sprintf("DecodeReduced/%d", r), func(b *testing.B) {
			for b.Loop() {
				if _, err := photo.DecodeReduced(data, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
