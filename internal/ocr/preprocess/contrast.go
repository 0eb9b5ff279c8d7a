package preprocess

import "image"

// backgroundCells is the number of cells along the longest side of the grid on which normalize
// estimates the paper's brightness: coarse enough that a cell is larger than a stroke of text,
// fine enough to follow the edge of a shadow.
const backgroundCells = 128

// normalize flattens uneven lighting and stretches the contrast of a photographed page. It
// estimates the brightness of the paper around every pixel (the brightest pixel of each grid
// cell, spread to the neighbouring cells so that cells full of ink take their neighbours'
// paper, then smoothed) and divides by it, so paper becomes white in the light and in a
// shadow alike, and ink keeps its contrast to the paper around it. Tesseract binarises with
// one global threshold, which a shadow across the page defeats. With clearDesk, the desk beside
// the page is painted white (clearSurroundings). The contrast is then stretched so the darkest
// ink is black.
func normalize(img *image.Gray, clearDesk bool) *image.Gray {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	grid, gw, gh, cell := paperGrid(img)
	bg := boxBlur(boxBlur(maxFilter(grid, gw, gh, 1), gw, gh, 2), gw, gh, 2)

	// Bilinear interpolation of the grid at pixel centres: per column the two cells and the
	// weight of the second in 1/256, per row the same.
	type tap struct{ i, j, f int }
	taps := func(n int) []tap {
		t := make([]tap, n)
		last := (n + cell - 1) / cell
		for x := range t {
			pos := (2*x+1)*128/cell - 128 // (x+0.5)/cell - 0.5, in 1/256 of a cell
			i := max(0, pos>>8)
			f := pos - i<<8
			if pos < 0 {
				f = 0
			}
			t[x] = tap{min(i, last-1), min(i+1, last-1), f}
		}
		return t
	}
	cols, rows := taps(w), taps(h)

	dst := image.NewGray(image.Rect(0, 0, w, h))
	line := make([]int, gw) // background of this pixel row at each grid column, ×256
	var hist [256]int
	for y, r := range rows {
		a, b := bg[r.i*gw:][:gw], bg[r.j*gw:][:gw]
		for c := range line {
			line[c] = int(a[c])*(256-r.f) + int(b[c])*r.f
		}
		src := img.Pix[y*img.Stride:][:w]
		out := dst.Pix[y*dst.Stride:][:w]
		for x, c := range cols {
			paper := (line[c.i]*(256-c.f) + line[c.j]*c.f) >> 8 // ×256
			v := 255
			if paper > 0 {
				v = min(255, int(src[x])*255*256/paper)
			}
			out[x] = uint8(v)
			hist[v]++
		}
	}
	// The desk's dark pixels must not set the stretch of the page's.
	if clearDesk && clearSurroundings(dst, img, grid, gw, gh, cell) {
		hist = *histogram(dst)
	}
	stretch(dst, &hist)
	return dst
}

// stretch maps the gray level below which the darkest 0.5% of img's pixels lie to black,
// keeping white white. hist is img's histogram. A page with hardly any ink is left alone:
// its darkest pixels are paper, which must not turn black.
func stretch(img *image.Gray, hist *[256]int) {
	total := 0
	for _, n := range hist {
		total += n
	}
	lo, seen := 0, 0
	for v, n := range hist {
		if seen += n; seen*200 >= total {
			lo = v
			break
		}
	}
	if lo == 0 || lo > 128 {
		return
	}
	var lut [256]uint8
	for v := range lut {
		lut[v] = uint8(max(0, v-lo) * 255 / (255 - lo))
	}
	for i, p := range img.Pix {
		img.Pix[i] = lut[p]
	}
}

// maxFilter returns the w×h grid with each cell replaced by the largest value within r cells.
func maxFilter(grid []uint8, w, h, r int) []uint8 {
	tmp := make([]uint8, len(grid))
	out := make([]uint8, len(grid))
	for y := range h {
		for x := range w {
			m := uint8(0)
			for i := max(0, x-r); i <= min(w-1, x+r); i++ {
				m = max(m, grid[y*w+i])
			}
			tmp[y*w+x] = m
		}
	}
	for y := range h {
		for x := range w {
			m := uint8(0)
			for j := max(0, y-r); j <= min(h-1, y+r); j++ {
				m = max(m, tmp[j*w+x])
			}
			out[y*w+x] = m
		}
	}
	return out
}

// boxBlur returns the w×h grid with each cell replaced by the mean of the cells within r,
// clamping at the edges.
func boxBlur(grid []uint8, w, h, r int) []uint8 {
	tmp := make([]uint8, len(grid))
	out := make([]uint8, len(grid))
	n := 2*r + 1
	for y := range h {
		for x := range w {
			s := 0
			for i := x - r; i <= x+r; i++ {
				s += int(grid[y*w+min(max(i, 0), w-1)])
			}
			tmp[y*w+x] = uint8((s + n/2) / n)
		}
	}
	for y := range h {
		for x := range w {
			s := 0
			for j := y - r; j <= y+r; j++ {
				s += int(tmp[min(max(j, 0), h-1)*w+x])
			}
			out[y*w+x] = uint8((s + n/2) / n)
		}
	}
	return out
}

// otsu returns the threshold that best splits hist into two classes (ink at or below it,
// paper above), by Otsu's method: the largest between-class variance.
func otsu(hist *[256]int) uint8 {
	var total, sum float64
	for v, n := range hist {
		total += float64(n)
		sum += float64(v * n)
	}
	var (
		best      float64
		threshold uint8
		wb, sumB  float64
	)
	for v, n := range hist {
		wb += float64(n)
		if wb == 0 {
			continue
		}
		wf := total - wb
		if wf == 0 {
			break
		}
		sumB += float64(v * n)
		mb, mf := sumB/wb, (sum-sumB)/wf
		if between := wb * wf * (mb - mf) * (mb - mf); between > best {
			best, threshold = between, uint8(v)
		}
	}
	return threshold
}

// histogram counts the pixels of img at each gray level.
func histogram(img *image.Gray) *[256]int {
	var hist [256]int
	w := img.Rect.Dx()
	for y := range img.Rect.Dy() {
		for _, p := range img.Pix[y*img.Stride:][:w] {
			hist[p]++
		}
	}
	return &hist
}
