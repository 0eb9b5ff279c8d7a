package preprocess

import (
	"image"
	"image/color"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGrayscale(t *testing.T) {
	t.Parallel()

	// Each image is 2×1: a red pixel (a gray one of 60 in the gray image), then a fully
	// transparent one where it has alpha, or white.
	// Subimages check that a non-zero origin is handled.
	rgba := image.NewRGBA(image.Rect(0, 0, 3, 1))
	rgba.SetRGBA(1, 0, color.RGBA{R: 200, A: 255})
	nrgba := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	nrgba.SetNRGBA(0, 0, color.NRGBA{R: 200, A: 255})
	nrgba.SetNRGBA(1, 0, color.NRGBA{R: 200}) // invisible colour
	gray := image.NewGray(image.Rect(0, 0, 3, 1))
	gray.Pix = []uint8{0, 60, 255}
	ycbcr := image.NewYCbCr(image.Rect(0, 0, 2, 1), image.YCbCrSubsampleRatio444)
	ycbcr.Y[0], ycbcr.Cb[0], ycbcr.Cr[0] = 60, 94, 228 // (200, 0, 0) in JFIF's YCbCr
	ycbcr.Y[1], ycbcr.Cb[1], ycbcr.Cr[1] = 255, 128, 128
	paletted := image.NewPaletted(image.Rect(0, 0, 2, 1), color.Palette{color.RGBA{R: 200, A: 255}, color.Transparent})
	paletted.Pix = []uint8{0, 1}

	// The luma of (200, 0, 0) is 60 and its darkest channel 0: red ink comes out at 32, as dark
	// as its darkest channel but for the colour noise allowed.
	tests := []struct {
		name string
		img  image.Image
		want uint8
	}{
		{"rgba", rgba.SubImage(image.Rect(1, 0, 3, 1)), colourNoise},
		{"nrgba", nrgba, colourNoise},
		{"gray", gray.SubImage(image.Rect(1, 0, 3, 1)), 60},
		{"ycbcr", ycbcr, colourNoise},
		{"paletted", paletted, colourNoise},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			got := grayscale(tt.img)
			require.Equal(t, image.Rect(0, 0, 2, 1), got.Bounds())
			require.InDelta(t, tt.want, got.Pix[0], 1, "red")
			require.Equal(t, uint8(255), got.Pix[1], "transparent or white")
		})
	}
}

func TestPrepare(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name          string
		w, h, maxSide int
		wantW, wantH  int
	}{
		{"small enough", 170, 220, 400, 170, 220},
		{"exactly max", 400, 300, 400, 400, 300},
		{"landscape", 600, 400, 400, 400, 267},
		{"portrait", 3024, 4032, 400, 300, 400},
		{"thin strip", 9000, 1, 400, 400, 1},
		{"no limit", 500, 100, 0, 500, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			img := image.NewGray(image.Rect(0, 0, tt.w, tt.h))
			got := Prepare(img, tt.maxSide)
			require.Equal(t, tt.wantW, got.Bounds().Dx())
			require.Equal(t, tt.wantH, got.Bounds().Dy())
		})
	}
}

func TestShrink(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name         string
		w, h         int
		pix          []uint8
		wantW, wantH int
		want         []uint8
	}{
		{"halve", 4, 1, []uint8{0, 255, 0, 255}, 2, 1, []uint8{128, 128}},
		// Output pixel 0 covers source pixels 0 and half of 1: (0 + 90/2) / 1.5 = 30.
		{"two thirds", 3, 1, []uint8{0, 90, 180}, 2, 1, []uint8{30, 150}},
		{"checkerboard to one", 2, 2, []uint8{0, 255, 255, 0}, 1, 1, []uint8{128}},
		{"rows only", 1, 4, []uint8{10, 20, 30, 40}, 1, 2, []uint8{15, 35}},
		{"same size", 2, 1, []uint8{7, 9}, 2, 1, []uint8{7, 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			src := &image.Gray{Pix: tt.pix, Stride: tt.w, Rect: image.Rect(0, 0, tt.w, tt.h)}
			got := shrink(src, tt.wantW, tt.wantH)
			require.Equal(t, image.Rect(0, 0, tt.wantW, tt.wantH), got.Bounds())
			require.Equal(t, tt.want, got.Pix)
		})
	}
}

func TestShrinkUniform(t *testing.T) {
	t.Parallel()

	src := image.NewGray(image.Rect(0, 0, 1013, 777))
	for i := range src.Pix {
		src.Pix[i] = 200
	}
	for _, p := range shrink(src, 400, 307).Pix {
		require.Equal(t, uint8(200), p)
	}
}

// BenchmarkPrepare prepares a 12-megapixel phone photo as the JPEG decoder returns it.
func BenchmarkPrepare(b *testing.B) {
	img := image.NewYCbCr(image.Rect(0, 0, 4032, 3024), image.YCbCrSubsampleRatio420)
	for i := range img.Y {
		img.Y[i] = uint8(i * 7)
	}
	for b.Loop() {
		Prepare(img, 4000)
	}
}

// opaque hides an image's type, so grayscale takes its general path.
type opaque struct{ image.Image }

// The fast path of a JPEG's subsampled chroma finds each pixel's chroma as image.YCbCr does.
func TestGrayscaleSubsampledChroma(t *testing.T) {
	t.Parallel()

	for _, ratio := range []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio422,
		image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio440} {
		img := image.NewYCbCr(image.Rect(0, 0, 13, 9), ratio)
		for i := range img.Y {
			img.Y[i] = uint8(90 + i*37%110)
		}
		for i := range img.Cb {
			img.Cb[i], img.Cr[i] = uint8(100+i*53%56), uint8(100+i*71%56) // no channel clipped
		}
		sub := img.SubImage(image.Rect(3, 1, 12, 8))
		fast, general := grayscale(sub), grayscale(opaque{sub})
		for i := range fast.Pix {
			require.InDelta(t, general.Pix[i], fast.Pix[i], 2, "ratio %v, pixel %d", ratio, i)
		}
	}
}
