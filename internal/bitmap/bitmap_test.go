package bitmap

import (
	"image"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every pixel's bit says whether it is below the level, for every level, on images of any
// width (eight bytes at a time and the rest one by one) and on a sub-image.
func TestDarkMarksThePixelsBelowTheLevel(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		img := image.NewGray(image.Rect(0, 0, 1+r.IntN(200), 1+r.IntN(8)))
		for i := range img.Pix {
			img.Pix[i] = uint8(r.IntN(256))
		}
		sub := img.SubImage(image.Rect(r.IntN(img.Rect.Dx()), 0, img.Rect.Dx(), img.Rect.Dy())).(*image.Gray)
		for _, page := range []*image.Gray{img, sub} {
			for _, below := range []int{0, 1, 2, 64, 127, 128, 129, 200, 255, 256} {
				m := Dark(page, below)
				w, h := page.Rect.Dx(), page.Rect.Dy()
				require.Equal(t, (w+63)/64, m.Words)
				for y := range h {
					row := m.Row(y)
					for x := range m.Words * 64 {
						want := x < w && int(page.GrayAt(page.Rect.Min.X+x, page.Rect.Min.Y+y).Y) < below
						require.Equal(t, want, row[x/64]>>(x%64)&1 == 1, "below %d at %d,%d of %v", below, x, y, page.Rect)
					}
				}
			}
		}
	}
}

// Runs gives every run of set bits, across word boundaries and to the row's end.
func TestRunsGivesEveryRunOfSetBits(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	for range 500 {
		row := make([]uint64, 1+r.IntN(4))
		for k := range row {
			switch r.IntN(4) {
			case 0:
			case 1:
				row[k] = ^uint64(0)
			default:
				row[k] = r.Uint64() & r.Uint64()
			}
		}
		var want [][2]int
		for x := 0; x < len(row)*64; {
			if row[x/64]>>(x%64)&1 == 0 {
				x++
				continue
			}
			x0 := x
			for x < len(row)*64 && row[x/64]>>(x%64)&1 == 1 {
				x++
			}
			want = append(want, [2]int{x0, x})
		}
		var got [][2]int
		for x0, x1 := range Runs(row) {
			got = append(got, [2]int{x0, x1})
		}
		require.Equal(t, want, got, "%x", row)
	}
}
