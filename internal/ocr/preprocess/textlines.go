package preprocess

import (
	"cmp"
	"math"
	"slices"
)

// Text line finding: glyphs join into a line when they overlap vertically by at least
// lineOverlap of the smaller one and the gap between them is at most lineGap character
// heights. The character height is the median glyph's at half the ink threshold, where the
// thin strokes of printed serif type break: on a photographed book page it measured 15 pixels
// against 27 for whole letters, and a word space was up to two of those. The gap between two
// columns is several. A line needs minLineGlyphs glyphs spanning minLineSpan character heights
// for its baseline to be fitted.
const (
	lineOverlap   = 0.3
	lineGap       = 2.5
	minLineGlyphs = 8
	minLineSpan   = 6
)

// textLine is one line of text on a page: where it runs and its baseline, fitted through the
// bottoms of its characters (descenders left out) twice: as the cubic
// y = c[0] + c[1]·u + c[2]·u² + c[3]·u³ with u = (x-mid)/half, smooth enough to judge whether
// the line bends, and as a smoothed polyline with a knot every few characters, which follows a
// sharper bend (a book's gutter) to straighten it.
type textLine struct {
	x0, x1    float64
	mid, half float64
	c         [4]float64
	knots     []float64 // the polyline's heights at x0, x0+step, …
	step      float64
	glyphs    int
	members   []glyph // the characters it was fitted through
}

// y returns the height of the line's baseline at column x.
func (l *textLine) y(x float64) float64 {
	u := (x - l.mid) / l.half
	return l.c[0] + u*(l.c[1]+u*(l.c[2]+u*l.c[3]))
}

// bend returns how far the line's baseline strays, at its worst, from the straight line through
// its middle at slope: 0 for a straight line at that slope.
func (l *textLine) bend(slope float64) float64 {
	ym := l.y(l.mid)
	worst := 0.0
	for k := range 9 {
		x := l.x0 + (l.x1-l.x0)*float64(k)/8
		worst = max(worst, math.Abs(l.y(x)-ym-slope*(x-l.mid)))
	}
	return worst
}

// at returns the height of the line's polyline baseline at column x, its end's beyond it.
func (l *textLine) at(x float64) float64 {
	if len(l.knots) == 0 {
		return l.y(x)
	}
	f := min(max((x-l.x0)/l.step, 0), float64(len(l.knots)-1))
	k := min(int(f), len(l.knots)-2)
	if k < 0 {
		return l.knots[0]
	}
	t := f - float64(k)
	return l.knots[k]*(1-t) + l.knots[k+1]*t
}

// beyond returns the height of the line's baseline at column x, running on straight beyond
// its ends at its mean slope.
func (l *textLine) beyond(x float64) float64 {
	switch {
	case x < l.x0:
		return l.at(l.x0) + l.slope()*(x-l.x0)
	case x > l.x1:
		return l.at(l.x1) + l.slope()*(x-l.x1)
	}
	return l.at(x)
}

// meanY returns the mean height of the line's baseline along its run: where it lies once
// straightened.
func (l *textLine) meanY() float64 {
	sum := 0.0
	for k := range 9 {
		sum += l.at(l.x0 + (l.x1-l.x0)*float64(k)/8)
	}
	return sum / 9
}

// slope returns the line's mean slope from end to end, in pixels down per pixel right.
func (l *textLine) slope() float64 { return (l.y(l.x1) - l.y(l.x0)) / (l.x1 - l.x0) }

// textLines groups the glyphs gs of a page with characters of height pixels (medianHeight)
// into lines of text and fits each line's baseline; lines too short to fit are left out. The
// lines come top to bottom by their middle's height.
func textLines(gs []glyph, height int) []textLine {
	if height <= 0 {
		return nil
	}
	hf := float64(height)
	// Characters only: no dots, commas or dashes, whose bottoms are not on the baseline, and
	// no pictures or rules. Up to 3.5 times the median height: a page in two sizes of type,
	// small lines above a paragraph set large, has its median in the small type, and the large
	// paragraph's letters still count.
	var cs []glyph
	for _, g := range gs {
		if h := g.y1 - g.y0; float64(h) >= 0.5*hf && float64(h) <= 3.5*hf && float64(g.x1-g.x0) <= 3*hf {
			cs = append(cs, g)
		}
	}
	slices.SortFunc(cs, func(a, b glyph) int {
		return cmp.Or(cmp.Compare(a.x0, b.x0), cmp.Compare(a.y0, b.y0), cmp.Compare(a.x1, b.x1), cmp.Compare(a.y1, b.y1))
	})

	// Bands of rows a character height tall, each sorted by x, to find neighbours quickly.
	bands := make(map[int][]int)
	for i, g := range cs {
		b := g.y1 / height
		bands[b] = append(bands[b], i)
	}
	parent := make([]int, len(cs))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	// Each character joins the nearest one to its right on the same line.
	for i, a := range cs {
		best, bestGap := -1, math.MaxInt
		for b := a.y1/height - 2; b <= a.y1/height+2; b++ {
			for _, j := range bands[b] {
				c := cs[j]
				if j == i || c.x0 < a.x0 || (c.x0 == a.x0 && j < i) {
					continue
				}
				gap := c.x0 - a.x1
				if float64(gap) > lineGap*hf || float64(gap) < -0.5*hf {
					continue
				}
				overlap := min(a.y1, c.y1) - max(a.y0, c.y0)
				if float64(overlap) < lineOverlap*float64(min(a.y1-a.y0, c.y1-c.y0)) {
					continue
				}
				if gap < bestGap {
					best, bestGap = j, gap
				}
			}
		}
		if best >= 0 {
			if ra, rb := find(i), find(best); ra != rb {
				parent[rb] = ra
			}
		}
	}
	groups := make(map[int][]glyph)
	for i, g := range cs {
		r := find(i)
		groups[r] = append(groups[r], g)
	}

	var lines []textLine
	for _, g := range groups {
		if l, ok := fitLine(g, hf); ok {
			lines = append(lines, l)
		}
	}
	sortLines(lines)
	return lines
}

// sortLines sorts lines top to bottom by their middle's height, then left to right.
func sortLines(lines []textLine) {
	slices.SortFunc(lines, func(a, b textLine) int {
		return cmp.Or(cmp.Compare(a.y(a.mid), b.y(b.mid)), cmp.Compare(a.x0, b.x0))
	})
}

// Chaining: two lines of text are pieces of one when the gap between them is at most chainGap
// character heights and each, running on straight, meets the other's baseline within
// chainTolerance of a character height: the last words of a line set apart by a wide space,
// or rows of two columns set on one baseline.
const (
	chainGap       = 8
	chainTolerance = 0.35
)

// chainLines joins the lines, of characters hf pixels tall, that are pieces of one (see
// chainGap) and refits each joined line through the characters of its pieces, keeping the
// pieces apart when their characters fit no one baseline. The lines come top to bottom as
// textLines returns them.
func chainLines(lines []textLine, hf float64) []textLine {
	order := make([]int, len(lines))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(lines[a].x0, lines[b].x0) })
	next := make([]int, len(lines))
	joined := make([]bool, len(lines))
	for i := range next {
		next[i] = -1
	}
	for _, a := range order {
		l := &lines[a]
		for _, b := range order {
			m := &lines[b]
			if joined[b] || m.x0 <= l.x1 || m.x0-l.x1 > chainGap*hf {
				continue
			}
			if math.Abs(l.beyond(m.x0)-m.at(m.x0)) <= chainTolerance*hf &&
				math.Abs(m.beyond(l.x1)-l.at(l.x1)) <= chainTolerance*hf {
				next[a], joined[b] = b, true
				break
			}
		}
	}
	var out []textLine
	for _, a := range order {
		if joined[a] {
			continue
		}
		if next[a] < 0 {
			out = append(out, lines[a])
			continue
		}
		var gs []glyph
		var pieces []textLine
		for i := a; i >= 0; i = next[i] {
			gs = append(gs, lines[i].members...)
			pieces = append(pieces, lines[i])
		}
		if l, ok := fitLine(gs, hf); ok {
			out = append(out, l)
		} else {
			out = append(out, pieces...)
		}
	}
	sortLines(out)
	return out
}

// fitLine fits the baseline of the characters gs of one line, of height hf pixels: a least
// squares polynomial through their bottom centres, of degree 3 for a long line, less for a
// shorter one, refitted twice without the points far from it (descenders below, stray marks).
// It
// reports false for a line too short to judge.
func fitLine(gs []glyph, hf float64) (textLine, bool) {
	if len(gs) < minLineGlyphs {
		return textLine{}, false
	}
	l := textLine{x0: math.Inf(1), x1: math.Inf(-1), glyphs: len(gs), members: gs}
	for _, g := range gs {
		l.x0, l.x1 = min(l.x0, float64(g.x0)), max(l.x1, float64(g.x1))
	}
	if l.x1-l.x0 < minLineSpan*hf {
		return textLine{}, false
	}
	l.mid, l.half = (l.x0+l.x1)/2, (l.x1-l.x0)/2
	degree := 3
	switch span := (l.x1 - l.x0) / hf; {
	case span < 12:
		degree = 1
	case span < 24:
		degree = 2
	}
	us := make([]float64, len(gs))
	ys := make([]float64, len(gs))
	for i, g := range gs {
		us[i] = (float64(g.x0+g.x1)/2 - l.mid) / l.half
		ys[i] = float64(g.y1)
	}
	keep := make([]bool, len(gs))
	for i := range keep {
		keep[i] = true
	}
	tolerance := max(1.5, 0.15*hf)
	for pass := range 3 {
		c, ok := polyFit(us, ys, keep, degree)
		if !ok {
			return textLine{}, false
		}
		l.c = c
		if pass == 2 {
			break
		}
		kept := 0
		for i := range us {
			// Descenders lie below the baseline: a point far below the fit goes sooner than one
			// above it.
			r := ys[i] - l.y(us[i]*l.half+l.mid)
			keep[i] = r <= tolerance && r >= -tolerance*float64(3-pass)
			if keep[i] {
				kept++
			}
		}
		if kept < degree+4 {
			return textLine{}, false
		}
	}
	l.step = knotSpacing * hf
	xs := make([]float64, len(gs))
	for i, u := range us {
		xs[i] = u*l.half + l.mid
		keep[i] = true
	}
	for pass := range 3 {
		l.knots = splineFit(xs, ys, keep, l.x0, l.step, int(math.Ceil((l.x1-l.x0)/l.step))+1)
		if pass == 2 {
			break
		}
		for i := range xs {
			r := ys[i] - l.at(xs[i])
			keep[i] = r <= tolerance && r >= -tolerance*float64(3-pass)
		}
	}
	return l, true
}

// knotSpacing is the distance between the knots of a baseline's polyline, in character heights,
// and knotStiffness how strongly the polyline resists bending (against the pull of the four or
// so characters between two knots).
const (
	knotSpacing   = 3.0
	knotStiffness = 2.0
)

// splineFit returns the heights at n knots, at x0, x0+step, …, of the polyline that best fits
// the points (xs[i], ys[i]) with keep[i] set, in the least-squares sense with a penalty of
// knotStiffness on each knot's second difference, so knots with few points or none follow
// their neighbours.
func splineFit(xs, ys []float64, keep []bool, x0, step float64, n int) []float64 {
	a := make([][]float64, n)
	for i := range a {
		a[i] = make([]float64, n+1)
	}
	for i, x := range xs {
		if !keep[i] {
			continue
		}
		f := min(max((x-x0)/step, 0), float64(n-1))
		k := min(int(f), n-2)
		t := f - float64(k)
		w := [2]float64{1 - t, t}
		for p := range 2 {
			for q := range 2 {
				a[k+p][k+q] += w[p] * w[q]
			}
			a[k+p][n] += w[p] * ys[i]
		}
	}
	for k := 1; k+1 < n; k++ {
		d := [3]float64{1, -2, 1}
		for p := range 3 {
			for q := range 3 {
				a[k-1+p][k-1+q] += knotStiffness * d[p] * d[q]
			}
		}
	}
	// A tiny pull towards the mean keeps the system solvable with no points at all.
	mean, count := 0.0, 0.0
	for i := range ys {
		if keep[i] {
			mean += ys[i]
			count++
		}
	}
	if count > 0 {
		mean /= count
	}
	for k := range n {
		a[k][k] += 1e-6
		a[k][n] += 1e-6 * mean
	}
	// Gauss-Jordan elimination; the matrix is symmetric positive definite.
	for c := range n {
		for r := range n {
			if r == c {
				continue
			}
			f := a[r][c] / a[c][c]
			if f == 0 {
				continue
			}
			for k := c; k <= n; k++ {
				a[r][k] -= f * a[c][k]
			}
		}
	}
	out := make([]float64, n)
	for k := range out {
		out[k] = a[k][n] / a[k][k]
	}
	return out
}

// polyFit returns the least-squares polynomial of degree (at most 3) through the points (us[i],
// ys[i]) with keep[i] set, lowest power first; false when they do not determine one.
func polyFit(us, ys []float64, keep []bool, degree int) ([4]float64, bool) {
	n := degree + 1
	var a [4][5]float64
	for i, u := range us {
		if !keep[i] {
			continue
		}
		var p [4]float64
		p[0] = 1
		for k := 1; k < n; k++ {
			p[k] = p[k-1] * u
		}
		for r := range n {
			for c := range n {
				a[r][c] += p[r] * p[c]
			}
			a[r][n] += p[r] * ys[i]
		}
	}
	// Gauss-Jordan elimination with partial pivoting on the normal equations.
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		if math.Abs(a[c][c]) < 1e-9 {
			return [4]float64{}, false
		}
		for r := range n {
			if r == c {
				continue
			}
			f := a[r][c] / a[c][c]
			for k := c; k <= n; k++ {
				a[r][k] -= f * a[c][k]
			}
		}
	}
	var out [4]float64
	for i := range n {
		out[i] = a[i][n] / a[i][i]
	}
	return out, true
}
