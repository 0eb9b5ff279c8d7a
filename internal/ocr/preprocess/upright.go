package preprocess

import "math"

// Thresholds of plainlyUpright, from the corpus: glyph bottoms of upright
// pages lined up 1.3 to 1.65 times better than their tops (upside-down
// pages 0.64 to 0.70), and lines across 3.8 to 11 times better than down
// columns (pages turned a quarter: 0.1). Blurred and phone photos fall
// below at times, and are judged by orientation detection as before.
const (
	minBaselineRatio = 1.25
	minAcrossRatio   = 3
)

// plainlyUpright reports whether the glyphs of a page read as upright lines
// of Latin text without a doubt: lines across the page, whose glyphs stand
// on a common baseline (bottoms line up better than tops, which ascenders
// scatter). Such a page needs no orientation detection, the costliest step
// of a page after recognition itself.
func plainlyUpright(gs []glyph) bool {
	bottoms, tops, sideways := lineCues(gs, skewAngle(gs))
	return bottoms >= minBaselineRatio*tops && max(bottoms, tops) >= minAcrossRatio*sideways
}

// profile returns how peaked the projection of points (x, y) onto the
// direction across lines turned deg degrees from horizontal is: the sum of
// squared bin counts over the squared count, 1 when every point falls in
// one bin, small when they spread evenly.
func profile(xs, ys []float64, deg, bin float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sin, cos := math.Sincos(deg * math.Pi / 180)
	counts := map[int]int{}
	for i, x := range xs {
		counts[int(math.Floor((x*sin+ys[i]*cos)/bin))]++
	}
	var s float64
	for _, n := range counts {
		s += float64(n * n)
	}
	return s / float64(len(xs)*len(xs))
}

// lineCues measures, on the glyphs of a page, how well their bottoms line
// up across the lines (at the page's skew), how well their tops do, and
// how well their left and right edges line up down columns, as if the page
// were turned a quarter.
func lineCues(gs []glyph, skew float64) (bottoms, tops, sideways float64) {
	bin := float64(max(1, medianHeight(gs)/4))
	n := len(gs)
	xs, y0s, y1s := make([]float64, n), make([]float64, n), make([]float64, n)
	x0s, x1s, ys := make([]float64, n), make([]float64, n), make([]float64, n)
	for i, g := range gs {
		xs[i], y0s[i], y1s[i] = float64(g.x0+g.x1)/2, float64(g.y0), float64(g.y1)
		x0s[i], x1s[i], ys[i] = float64(g.x0), float64(g.x1), float64(g.y0+g.y1)/2
	}
	bottoms = profile(xs, y1s, skew, bin)
	tops = profile(xs, y0s, skew, bin)
	sideways = max(profile(ys, x0s, -skew, bin), profile(ys, x1s, -skew, bin))
	return bottoms, tops, sideways
}
