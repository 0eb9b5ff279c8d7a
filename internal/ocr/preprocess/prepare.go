package preprocess

import (
	"image"
	"math"
	"sync"
)

// Prepare returns img as an 8-bit grayscale image whose longest side is at most maxSide pixels
// (no limit when maxSide <= 0), the input Tesseract reads fastest. Transparent pixels become
// white, the colour of paper.
func Prepare(img image.Image, maxSide int) *image.Gray {
	// Grayscale first: a JPEG's luma is a copy, and shrinking then works on one channel.
	gray := grayscale(img)
	w, h := gray.Bounds().Dx(), gray.Bounds().Dy()
	longest := max(w, h)
	if maxSide <= 0 || longest <= maxSide {
		return gray
	}
	return shrink(gray,
		max(1, (w*maxSide+longest/2)/longest),
		max(1, (h*maxSide+longest/2)/longest))
}

// shrink scales src down to w×h pixels, which must not exceed its size, by area averaging:
// each output pixel is the mean of the source pixels under it, weighted by how much of each it
// covers. That is the exact box filter, free of aliasing when shrinking, and on one channel in
// integers it is several times faster than a Lanczos resize of RGBA. It keeps one row of
// sums, not a second image.
func shrink(src *image.Gray, w, h int) *image.Gray {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	cols, rows := spans(sw, w), spans(sh, h)
	// The weights of a row of output pixels sum to sw and those of a column to sh.
	div := uint64(sw) * uint64(sh)

	dst := image.NewGray(image.Rect(0, 0, w, h))
	acc := make([]uint32, sw) // up to 255·sh
	for y, row := range rows {
		clear(acc)
		for i, weight := range row.weights {
			line := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+row.first+i):][:sw]
			for x, p := range line {
				acc[x] += uint32(p) * weight
			}
		}
		out := dst.Pix[y*dst.Stride:][:w]
		for x, col := range cols {
			var sum uint64
			for i, weight := range col.weights {
				sum += uint64(acc[col.first+i]) * uint64(weight)
			}
			out[x] = uint8((sum + div/2) / div)
		}
	}
	return dst
}

// span lists the source pixels that one output pixel covers, from first on, with the length of
// each overlap.
type span struct {
	first   int
	weights []uint32
}

// spans maps n output pixels onto s source pixels. Lengths are in units of 1/n of a source
// pixel, where source pixel j spans [j·n, (j+1)·n) and output pixel i spans [i·s, (i+1)·s), so
// every overlap is a whole number and each output pixel's weights sum to s.
func spans(s, n int) []span {
	out := make([]span, n)
	for i := range out {
		lo, hi := i*s, (i+1)*s
		first, last := lo/n, (hi-1)/n
		weights := make([]uint32, last-first+1)
		for j := first; j <= last; j++ {
			weights[j-first] = uint32(min(hi, (j+1)*n) - max(lo, j*n))
		}
		out[i] = span{first: first, weights: weights}
	}
	return out
}

// grayscale converts img to gray, compositing it over white: its luma with the ITU-R BT.601
// weights of color.GrayModel, made darker where a pixel is clearly coloured, towards its
// darkest channel (the least of red, green and blue; see darken). Luma alone loses the headings
// printed in colour on worksheets (yellow has a luma of 182 against 242 for the paper, so
// Tesseract's threshold drops it), while their darkest channel is as dark as black ink
// (yellow's blue, red's green), and paper, bright in every channel, stays bright. The common
// decoder outputs have fast paths.
func grayscale(img image.Image) *image.Gray {
	b := img.Bounds()
	dst := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	switch src := img.(type) {
	case *image.Gray:
		for y := range b.Dy() {
			copy(dst.Pix[y*dst.Stride:], src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):][:b.Dx()])
		}
	case *image.YCbCr:
		offsets := darkOffsets()
		// Chroma is subsampled across by 1<<shift: the index of pixel x's chroma in its row.
		shift := map[image.YCbCrSubsampleRatio]int{image.YCbCrSubsampleRatio422: 1, image.YCbCrSubsampleRatio420: 1,
			image.YCbCrSubsampleRatio411: 2, image.YCbCrSubsampleRatio410: 2}[src.SubsampleRatio]
		for y := range b.Dy() {
			luma := src.Y[src.YOffset(b.Min.X, b.Min.Y+y):][:b.Dx()]
			c := src.COffset(b.Min.X, b.Min.Y+y)
			cb, cr := src.Cb[c:], src.Cr[c:]
			out := dst.Pix[y*dst.Stride:][:b.Dx()]
			for x, l := range luma {
				i := (b.Min.X+x)>>shift - b.Min.X>>shift
				out[x] = uint8(max(0, int(l)+int(offsets[int(cb[i])<<8|int(cr[i])])))
			}
		}
	case *image.RGBA: // premultiplied alpha
		for y := range b.Dy() {
			row := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):][:4*b.Dx()]
			out := dst.Pix[y*dst.Stride:][:b.Dx()]
			for x := range out {
				p := row[4*x : 4*x+4]
				white := 255 - uint32(p[3])
				r, g, b := uint32(p[0])+white, uint32(p[1])+white, uint32(p[2])+white
				out[x] = darken(luma(r, g, b), min(r, g, b))
			}
		}
	case *image.NRGBA:
		for y := range b.Dy() {
			row := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):][:4*b.Dx()]
			out := dst.Pix[y*dst.Stride:][:b.Dx()]
			for x := range out {
				p := row[4*x : 4*x+4]
				a := uint32(p[3])
				white := 255 * (255 - a)
				r := (uint32(p[0])*a + white + 127) / 255
				g := (uint32(p[1])*a + white + 127) / 255
				b := (uint32(p[2])*a + white + 127) / 255
				out[x] = darken(luma(r, g, b), min(r, g, b))
			}
		}
	default:
		for y := range b.Dy() {
			out := dst.Pix[y*dst.Stride:][:b.Dx()]
			for x := range out {
				r, g, bl, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA() // 16-bit, premultiplied
				white := 0xFFFF - a
				r, g, bl = (r+white)>>8, (g+white)>>8, (bl+white)>>8
				out[x] = darken(luma(r, g, bl), min(r, g, bl))
			}
		}
	}
	return dst
}

// colourNoise is how much darker than its luma a pixel's darkest channel may be before the
// pixel counts as coloured: the colour noise of a phone photo's gray paper and black ink, read
// in its noisiest channel, cost more characters on real photos than coloured headings gained.
const colourNoise = 32

// darken returns the gray of a pixel of luma l whose darkest channel is d: l, less what d
// lies more than colourNoise below it.
func darken(l uint8, d uint32) uint8 {
	return uint8(max(0, int(l)+min(0, int(d)-int(l)+colourNoise)))
}

// luma returns the BT.601 luma of 8-bit red, green and blue.
func luma(r, g, b uint32) uint8 {
	return uint8((19595*r + 38470*g + 7471*b + 1<<15) >> 16)
}

// darkOffsets returns, for each blue-difference and red-difference chroma of a JPEG (Cb<<8|Cr),
// how much darker than the luma darken makes a pixel: its darkest channel, of the JFIF
// conversion, less the luma, less colourNoise, at most 0.
var darkOffsets = sync.OnceValue(func() []int16 {
	offsets := make([]int16, 1<<16)
	for cb := range 256 {
		for cr := range 256 {
			b, r := float64(cb-128), float64(cr-128)
			d := min(0, 1.402*r+colourNoise, -0.344136*b-0.714136*r+colourNoise, 1.772*b+colourNoise)
			offsets[cb<<8|cr] = int16(math.Round(d))
		}
	}
	return offsets
})
