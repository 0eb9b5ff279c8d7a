package preprocess

import (
	"math"
	"slices"
)

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

// plainTurn returns the clockwise turn, 90, 180 or 270 degrees, after which the glyphs gs of
// a w×h page are plainly upright (see plainlyUpright), and true when exactly one turn makes
// them so: a page turned a quarter or upside down whose lines show it without a doubt, which
// then needs no orientation detection. A quarter turn moves each glyph exactly, so the test
// is as sure of a turned page as of an upright one.
func plainTurn(gs []glyph, w, h int) (int, bool) {
	found, n := 0, 0
	for _, deg := range []int{90, 180, 270} {
		turned := slices.Clone(gs)
		turnGlyphs(turned, deg, w, h)
		if plainlyUpright(turned) {
			found, n = deg, n+1
		}
	}
	return found, n == 1
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

// minSideRatio is how much better the baselines of a page lying on its side must line up,
// against its top lines, after one quarter turn than after the other for sidewaysTurn to
// choose by them: the right turn of the real worksheets scored 1.55 to 2.3 times the wrong
// one, a shadowed one 1.4 the wrong way.
const minSideRatio = 1.5

// sidewaysTurn returns the clockwise turn that makes upright a page whose orientation
// detection was unsure (osdTurn, with a low confidence, or 0 when it could not judge): 0
// unless the glyphs gs of the w×h page, turned a quarter, line up across lines minAcrossRatio
// times better than as they lie, as on a page lying on its side. Orientation detection is
// unsure on a page of a few lines (a heading and some sums: confidence 0.15 to 1.1 on real
// worksheets, naming the wrong side of one of them); an upright page's glyphs line up across
// 3.8 to 11 times better than down, so it is never turned. Of the two quarter turns, the one
// after which the baselines line up clearly better than the top lines (minSideRatio) is
// taken, else the quarter turn detection named.
func sidewaysTurn(gs []glyph, osdTurn, w, h int) int {
	bottoms, tops, _ := lineCues(gs, skewAngle(gs))
	var across, ratio [2]float64
	for i, deg := range []int{90, 270} {
		turned := slices.Clone(gs)
		turnGlyphs(turned, deg, w, h)
		b, t, _ := lineCues(turned, skewAngle(turned))
		across[i], ratio[i] = max(b, t), b/max(t, 1e-9)
	}
	switch {
	case min(across[0], across[1]) < minAcrossRatio*max(bottoms, tops):
		return 0
	case ratio[0] >= minSideRatio*ratio[1]:
		return 90
	case ratio[1] >= minSideRatio*ratio[0]:
		return 270
	case osdTurn == 90 || osdTurn == 270:
		return osdTurn
	}
	return 0
}
