package preprocess

import (
	"image"
	"math"
)

// Deskew search: angles up to maxSkew degrees either way, first in coarse steps, then in fine
// steps around the best coarse one.
const (
	maxSkew    = 10.0
	coarseSkew = 1.0
	fineSkew   = 0.25
	// minSkew is the smallest angle worth correcting: resampling blurs a little, and Tesseract
	// copes with lines that drift by less than a pixel or two.
	minSkew = 0.4
	// minSkewGlyphs is how many characters a page needs for its angle to be judged.
	minSkewGlyphs = 20
)

// skewAngle returns the angle in degrees, counter-clockwise positive, by which the lines of
// text made of gs are turned from horizontal, 0 when there are too few glyphs to judge. It
// uses projection profiles: for each candidate angle the bottom centre of every glyph is
// projected onto the direction across the lines, and the angle whose profile is most peaked
// (the largest sum of squared bin counts) is the one at which the glyphs of each line fall
// together. Glyphs, not ink pixels, are projected so that the dark surroundings of a
// photographed page do not count, and so that it is cheap. A page whose glyphs line up better
// near 90 degrees, a sideways page whose orientation was not detected, is left at 0.
func skewAngle(gs []glyph) float64 { return measureSkew(gs, true) }

// uprightSkewAngle is skewAngle for a page whose lines are known to run across it (its
// orientation was found): it looks for no lines running up and down, which a column of specks
// along a photographed sheet's edge, a few degrees from upright, can fake.
func uprightSkewAngle(gs []glyph) float64 { return measureSkew(gs, false) }

// measureSkew is skewAngle; a page whose glyphs line up better near 90 degrees is left at 0
// only when it may lie sideways.
func measureSkew(gs []glyph, sideways bool) float64 {
	if len(gs) < minSkewGlyphs {
		return 0
	}
	bin := float64(max(1, medianHeight(gs)/4))
	xs := make([]float64, len(gs))
	ys := make([]float64, len(gs))
	var x0, y0, x1, y1 float64 = math.MaxFloat64, math.MaxFloat64, 0, 0
	for i, g := range gs {
		xs[i], ys[i] = float64(g.x0+g.x1)/2, float64(g.y1)
		x0, y0 = min(x0, xs[i]), min(y0, ys[i])
		x1, y1 = max(x1, xs[i]), max(y1, ys[i])
	}
	cx, cy := (x0+x1)/2, (y0+y1)/2
	for i := range xs {
		xs[i], ys[i] = (xs[i]-cx)/bin, (ys[i]-cy)/bin
	}

	bins := make([]int, int(math.Hypot(x1-x0, y1-y0)/bin)+3)
	offset := float64(len(bins)) / 2
	score := func(deg float64) int {
		clear(bins)
		sin, cos := math.Sincos(deg * math.Pi / 180)
		for k, x := range xs {
			bins[int(x*sin+ys[k]*cos+offset)]++
		}
		s := 0
		for _, n := range bins {
			s += n * n
		}
		return s
	}
	search := func(from, to, step float64) (best float64, bestScore int) {
		for deg := from; deg <= to+1e-9; deg += step {
			if s := score(deg); s > bestScore {
				best, bestScore = deg, s
			}
		}
		return best, bestScore
	}
	coarse, coarseScore := search(-maxSkew, maxSkew, coarseSkew)
	// Lines of text running up and down (a sideways page whose orientation was not detected)
	// leave a peaked profile only near 90 degrees; whatever angle near 0 scored best is noise.
	if sideways {
		if _, across := search(90-maxSkew, 90+maxSkew, coarseSkew); across > coarseScore {
			return 0
		}
	}
	best, _ := search(coarse-coarseSkew+fineSkew, coarse+coarseSkew-fineSkew, fineSkew)
	return best
}

// rotate turns img by deg degrees, counter-clockwise positive, about its centre onto a canvas
// grown to hold all of it, with bilinear interpolation; the corners it uncovers get fill.
func rotate(img *image.Gray, deg float64, fill uint8) *image.Gray {
	sw, sh := img.Rect.Dx(), img.Rect.Dy()
	sin, cos := math.Sincos(deg * math.Pi / 180)
	w := int(math.Ceil(float64(sw)*math.Abs(cos) + float64(sh)*math.Abs(sin)))
	h := int(math.Ceil(float64(sw)*math.Abs(sin) + float64(sh)*math.Abs(cos)))
	dst := image.NewGray(image.Rect(0, 0, w, h))

	// Source position, in 1/256 pixel, of output pixel (x, y): it moves by (cos, sin) per step
	// right and (-sin, cos) per step down.
	const one = 256
	dxx, dxy := int(math.Round(cos*one)), int(math.Round(sin*one))
	for y := range h {
		fy := float64(y) + 0.5 - float64(h)/2
		fx := 0.5 - float64(w)/2
		sx := int(math.Round((fx*cos - fy*sin + float64(sw)/2 - 0.5) * one))
		sy := int(math.Round((fx*sin + fy*cos + float64(sh)/2 - 0.5) * one))
		out := dst.Pix[y*dst.Stride:][:w]
		for x := range out {
			ix, iy := sx>>8, sy>>8
			if ix < 0 || iy < 0 || ix >= sw || iy >= sh {
				out[x] = fill
			} else {
				// The last column and row have no neighbour after them: use their own value.
				fx, fy := sx&(one-1), sy&(one-1)
				right, down := min(1, sw-1-ix), min(1, sh-1-iy)*img.Stride
				p := img.Pix[iy*img.Stride+ix:]
				top := int(p[0])*(one-fx) + int(p[right])*fx
				bottom := int(p[down])*(one-fx) + int(p[down+right])*fx
				out[x] = uint8((top*(one-fy) + bottom*fy + one*one/2) >> 16)
			}
			sx += dxx
			sy += dxy
		}
	}
	return dst
}
