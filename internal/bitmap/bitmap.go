// Package bitmap packs the dark pixels of a grayscale image into bits, one per pixel, and
// finds the runs of them along a row: page analysis (rules, glyphs) that looks at every pixel
// of a page then works on 64 of them at a time, and skips paper a word at a time.
package bitmap

import (
	"encoding/binary"
	"image"
	"iter"
	"math/bits"
)

// Image is a bit per pixel of a gray image, set where the pixel is dark.
type Image struct {
	// Words is the number of words of each row.
	Words int
	// Bits holds the rows one after the other: bit i of word k of a row is its column 64k+i.
	// The bits past a row's end are clear.
	Bits []uint64
}

// Row returns row y of m.
func (m Image) Row(y int) []uint64 { return m.Bits[y*m.Words:][:m.Words] }

// Dark returns the pixels of img darker than below (0 to 256) as an Image.
func Dark(img *image.Gray, below int) Image {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	m := Image{Words: (w + 63) / 64}
	m.Bits = make([]uint64, m.Words*h)
	for y := range h {
		line := img.Pix[y*img.Stride:][:w]
		dst := m.Row(y)
		x := 0
		if below <= 128 {
			for ; x+8 <= w; x += 8 {
				dst[x/64] |= uint64(darkBytes(binary.LittleEndian.Uint64(line[x:]), uint64(below))) << (x % 64)
			}
		}
		for ; x < w; x++ {
			if int(line[x]) < below {
				dst[x/64] |= 1 << (x % 64)
			}
		}
	}
	return m
}

// darkBytes returns a bit for each byte of v, the first byte's lowest, set where the byte is
// below below (at most 128). Adding 128-below to a byte's low seven bits carries into its top
// bit exactly when they reach below; with its own top bit, that is the byte at or above below,
// no carry leaving the byte. The top bits gathered by one multiplication land in the top byte
// in order: byte i's at bit 56+i, every other product elsewhere.
func darkBytes(v, below uint64) uint8 {
	const low, top, ones = 0x7f7f7f7f7f7f7f7f, 0x8080808080808080, 0x0101010101010101
	light := ((v & low) + (128-below)*ones | v) & top
	return uint8(((^light & top) >> 7) * 0x0102040810204080 >> 56)
}

// Runs yields the runs of set bits of row, each from its first column to past its last.
func Runs(row []uint64) iter.Seq2[int, int] {
	return func(yield func(x0, x1 int) bool) {
		n := len(row) * 64
		for x := 0; x < n; {
			set := row[x/64] >> (x % 64)
			if set == 0 {
				x = (x/64 + 1) * 64
				continue
			}
			x += bits.TrailingZeros64(set)
			x0 := x
			for x < n {
				// Clear bits, shifted down; the zeros shifted in stand for set bits of the
				// word, all of which are then set from x on.
				clear := ^row[x/64] >> (x % 64)
				if clear == 0 {
					x = (x/64 + 1) * 64
					continue
				}
				x += bits.TrailingZeros64(clear)
				break
			}
			if !yield(x0, x) {
				return
			}
		}
	}
}
