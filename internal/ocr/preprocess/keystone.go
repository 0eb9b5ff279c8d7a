package preprocess

import (
	"image"
	"math"

	"github.com/snapnote/snapnote/internal/raster"
)

// Keystone from the left margin: it is corrected when the margin, found through at least
// minMarginLines line starts spread over minMarginSpread of the text's height, slants by at
// least minMarginSlant (pixels right per pixel down) and at most maxMarginSlant. At least
// minMarginShare of the rows of text between its first and last start must begin on it: a
// slanted line through a few starts of one block and a few of another far below (a flat page
// whose body is indented from its footer) passes rows that begin right of it all the way down.
// On the corpus's keystoned pages the share was 0.42 to 1; on such a flat page, 0.13.
const (
	minMarginLines  = 5
	minMarginSpread = 0.4
	minMarginSlant  = 0.015
	maxMarginSlant  = 0.3
	minMarginShare  = 1.0 / 3
)

// leftMargin finds the left margin of the text among lines of characters height pixels tall:
// the straight line x = a + b·y, with y the height level[i] line i runs at once levelled (see
// levels), through the most line starts with no line starting clearly left of it. It reports false
// when no such line passes through enough starts, spread far enough down the page, and
// starting enough of the rows of text between them.
func leftMargin(lines []textLine, level []float64, height int) (a, b float64, ok bool) {
	hf := float64(height)
	xs := make([]float64, len(lines))
	ys := make([]float64, len(lines))
	top, bottom := math.Inf(1), math.Inf(-1)
	for i := range lines {
		xs[i], ys[i] = lines[i].x0, level[i]
		top, bottom = min(top, ys[i]), max(bottom, ys[i])
	}
	// A row of text begins with the line that no other line within a character height of its
	// height starts left of: columns, table cells and words far apart are lines of one row.
	rowStart := make([]bool, len(lines))
	for i := range lines {
		rowStart[i] = true
		for j := range lines {
			if j != i && math.Abs(ys[j]-ys[i]) < hf && xs[j] < xs[i] {
				rowStart[i] = false
				break
			}
		}
	}
	onMargin := func(a, b float64, k int) bool { return math.Abs(xs[k]-(a+b*ys[k])) <= 0.4*hf }
	// startsRows reports whether enough of the rows between lo and hi begin on x = a + b·y.
	startsRows := func(a, b, lo, hi float64) bool {
		rows, on := 0, 0
		for k := range lines {
			if rowStart[k] && ys[k] >= lo && ys[k] <= hi {
				rows++
				if onMargin(a, b, k) {
					on++
				}
			}
		}
		return float64(on) >= minMarginShare*float64(rows)
	}
	best := 0
	for i := range lines {
		for j := i + 1; j < len(lines); j++ {
			if math.Abs(ys[j]-ys[i]) < 4*hf {
				continue
			}
			sb := (xs[j] - xs[i]) / (ys[j] - ys[i])
			if math.Abs(sb) > maxMarginSlant {
				continue
			}
			sa := xs[i] - sb*ys[i]
			inliers, left := 0, 0
			lo, hi := math.Inf(1), math.Inf(-1)
			for k := range lines {
				switch d := xs[k] - (sa + sb*ys[k]); {
				case onMargin(sa, sb, k):
					inliers++
					lo, hi = min(lo, ys[k]), max(hi, ys[k])
				case d < 0:
					left++
				}
			}
			if left > 0 || inliers < minMarginLines || hi-lo < minMarginSpread*(bottom-top) || inliers <= best ||
				!startsRows(sa, sb, lo, hi) {
				continue
			}
			best, a, b = inliers, sa, sb
		}
	}
	if best == 0 {
		return 0, 0, false
	}
	// Least squares through the starts on it.
	var n, sy, sx, syy, sxy float64
	for k := range lines {
		if onMargin(a, b, k) {
			n++
			sy += ys[k]
			sx += xs[k]
			syy += ys[k] * ys[k]
			sxy += xs[k] * ys[k]
		}
	}
	if d := n*syy - sy*sy; d > 0 {
		b = (n*sxy - sx*sy) / d
		a = (sx - b*sy) / n
	}
	return a, b, true
}

// keystone undoes the perspective of a page held at an angle, tilted towards or away from the
// camera at the top, whose lines of text are straight (see dewarp): the left margin slants, and
// the right one, assumed to mirror it about the middle of the photo, slants the other way. The
// trapezoid they make with the first and last lines of text is mapped onto a rectangle as wide
// as its wider end with raster.Projective, which also stretches the rows that were farther from
// the camera. It returns the image, how much shorter the narrower end was (0.12 for 12%), and
// false with img when the margin cannot be found or does not slant enough to matter.
func keystone(img *image.Gray, lines []textLine, height int) (*image.Gray, float64, bool) {
	level := levels(lines)
	a, b, ok := leftMargin(lines, level, height)
	if !ok || math.Abs(b) < minMarginSlant {
		return img, 0, false
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	top, bottom := math.Inf(1), math.Inf(-1)
	for _, y := range level {
		top, bottom = min(top, y), max(bottom, y)
	}
	mid := float64(w) / 2
	xt, xb := a+b*top, a+b*bottom // left margin at the first and last line
	if xt >= mid || xb >= mid {
		return img, 0, false
	}
	quad := [4][2]float64{{xt, top}, {2*mid - xt, top}, {2*mid - xb, bottom}, {xb, bottom}}
	x0 := min(xt, xb)
	rect := [4][2]float64{{x0, top}, {2*mid - x0, top}, {2*mid - x0, bottom}, {x0, bottom}}
	amount := math.Abs(xt-xb) / (mid - x0)
	return raster.Warp(img, w, h, paperLevel(img), raster.Projective(rect, quad).Apply), amount, true
}
