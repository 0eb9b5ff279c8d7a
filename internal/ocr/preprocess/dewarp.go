package preprocess

import (
	"image"
	"math"
	"slices"
	"strconv"

	"github.com/snapnote/snapnote/internal/raster"
)

// Dewarping: a page is left alone unless at least minDewarpLines lines of text were found and
// the baselines of most of them (the quantile dewarpQuantile) stray from straight, parallel
// lines by more than minBend character heights; Tesseract reads lines that drift less than that
// as well as straight ones, and every resampling blurs a little.
const (
	minDewarpLines  = 4
	dewarpQuantile  = 0.75
	minBend         = 0.15
	dewarpCellRatio = 1.0 // cell of the displacement grid, in character heights
)

// straightenLines finds the lines of text among the glyphs gs of img, an upright and deskewed
// page, and straightens them: dewarp, then keystone. It returns the image and the steps applied
// ("dewarp:lines=23", "keystone:0.12"), none when the lines were straight and upright already.
func straightenLines(img *image.Gray, gs []glyph) (*image.Gray, []string) {
	var steps []string
	height := medianHeight(gs)
	lines := textLines(gs, height)
	if out, ok := dewarp(img, lines, height); ok {
		img = out
		steps = append(steps, "dewarp:lines="+strconv.Itoa(len(lines)))
	}
	if out, amount, ok := keystone(img, lines, height); ok {
		img = out
		steps = append(steps, "keystone:"+strconv.FormatFloat(amount, 'f', 2, 64))
	}
	return img, steps
}

// lineBend returns how far the baselines of lines stray from straight lines parallel to each
// other, in pixels: the dewarpQuantile quantile over the lines of their bend from the median
// slope.
func lineBend(lines []textLine) float64 {
	if len(lines) == 0 {
		return 0
	}
	slopes := make([]float64, len(lines))
	for i := range lines {
		slopes[i] = lines[i].slope()
	}
	slices.Sort(slopes)
	slope := slopes[len(slopes)/2]
	bends := make([]float64, len(lines))
	for i := range lines {
		bends[i] = lines[i].bend(slope)
	}
	slices.Sort(bends)
	return bends[int(dewarpQuantile*float64(len(bends)-1))]
}

// dewarp straightens the lines of text of img, whose baselines are lines and whose characters
// are height pixels tall: every column moves up or down so that each baseline, the pieces of
// one line chained into one (chainLines), runs level (see levels). Between two baselines the shift is interpolated; above the
// first and below the last it is theirs; where no line passes, it is the nearest column's.
// It reports false, and returns img, when there are too few lines to judge or they are
// already straight.
func dewarp(img *image.Gray, lines []textLine, height int) (*image.Gray, bool) {
	if len(lines) < minDewarpLines || height <= 0 || lineBend(lines) < minBend*float64(height) {
		return img, false
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	cell := max(4, int(dewarpCellRatio*float64(height)))
	gw, gh := w/cell+2, h/cell+2

	// Whether the page bends is judged on the pieces of lines as found, the warp fitted to whole
	// lines: a row of table cells chained into one line has small steps that are not a bend.
	shift := shiftGrid(chainLines(lines, float64(height)), gw, gh, cell, height)
	if math.IsNaN(shift[0]) {
		return img, false
	}
	shift = smoothGrid(shift, gw, gh, 2)

	fcell := float64(cell)
	out := raster.Warp(img, w, h, paperLevel(img), func(x, y float64) (float64, float64) {
		gx, gy := x/fcell, y/fcell
		ix, iy := min(int(gx), gw-2), min(int(gy), gh-2)
		fx, fy := gx-float64(ix), gy-float64(iy)
		s := shift[iy*gw+ix:]
		t := shift[(iy+1)*gw+ix:]
		d := (s[0]*(1-fx)+s[1]*fx)*(1-fy) + (t[0]*(1-fx)+t[1]*fx)*fy
		return x, y + d
	})
	return out, true
}

// lineReach is how far, in character heights, a line of text is taken to run on beyond its
// ends.
const lineReach = 4

// shiftGrid returns, for each point (gx·cell, gy·cell) of a gw×gh grid, how far down in the
// image to look for the output pixel there so that each line of text runs level (see levels).
// Columns no line passes take the nearest column's shifts; all are NaN when no line passes any.
func shiftGrid(lines []textLine, gw, gh, cell, height int) []float64 {
	targets := levels(lines)
	order := make([]int, len(lines))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		switch {
		case targets[a] < targets[b]:
			return -1
		case targets[a] > targets[b]:
			return 1
		}
		return 0
	})

	shift := make([]float64, gw*gh)
	// A line runs on straight for a few characters beyond its ends: the last word of a line
	// set apart by a wide space, or a label before it, moves with it.
	margin := lineReach * float64(height)
	var knots []knot
	for gx := range gw {
		x := float64(gx * cell)
		knots = knots[:0]
		for _, i := range order {
			l := &lines[i]
			if x < l.x0-margin || x > l.x1+margin {
				continue
			}
			y := l.beyond(x)
			// Lines must keep their order: one that crosses the line above here is wrong.
			if n := len(knots); n > 0 && y <= knots[n-1].at+knots[n-1].by+float64(height)/2 {
				continue
			}
			knots = append(knots, knot{targets[i], y - targets[i]})
		}
		for gy := range gh {
			v := math.NaN()
			if len(knots) > 0 {
				v = interpolateKnots(knots, float64(gy*cell))
			}
			shift[gy*gw+gx] = v
		}
	}
	// Columns no line passes take the nearest column's shifts.
	for gx := range gw {
		if !math.IsNaN(shift[gx]) {
			continue
		}
		for d := 1; d < gw; d++ {
			src := -1
			if gx-d >= 0 && !math.IsNaN(shift[gx-d]) {
				src = gx - d
			} else if gx+d < gw && !math.IsNaN(shift[gx+d]) {
				src = gx + d
			}
			if src >= 0 {
				for gy := range gh {
					shift[gy*gw+gx] = shift[gy*gw+src]
				}
				break
			}
		}
	}
	return shift
}

// levels returns the height at which each of lines runs once straightened. A line that passes
// the reference column, the one most lines pass (the body of the page), runs at its mean
// height. A line that does not reach it takes the shift that the lines passing both that
// column and its own nearer end take at that end: interpolated between the nearest above and
// below it there, following their trend down the page where they all lie on one side of it,
// and at its own mean height where no such line runs. Where lines converge (a page
// photographed at an angle), a short line levelled at its own mean height would move by less
// than the long line above it does there, and the two would run into each other.
func levels(lines []textLine) []float64 {
	out := make([]float64, len(lines))
	if len(lines) == 0 {
		return out
	}
	ref := referenceColumn(lines)
	passes := func(l *textLine, x float64) bool { return l.x0 <= x && x <= l.x1 }
	for i := range lines {
		out[i] = lines[i].meanY()
	}
	for i := range lines {
		l := &lines[i]
		if passes(l, ref) {
			continue
		}
		end := l.x0
		if l.x1 < ref {
			end = l.x1
		}
		y := l.at(end)
		above, below := -1, -1
		var anchors []int
		for j := range lines {
			m := &lines[j]
			if !passes(m, ref) || !passes(m, end) {
				continue
			}
			anchors = append(anchors, j)
			switch yj := m.at(end); {
			case yj <= y && (above < 0 || yj > lines[above].at(end)):
				above = j
			case yj > y && (below < 0 || yj < lines[below].at(end)):
				below = j
			}
		}
		shift := func(j int) float64 { return lines[j].at(end) - out[j] }
		switch {
		case above >= 0 && below >= 0:
			ya, yb := lines[above].at(end), lines[below].at(end)
			t := (y - ya) / (yb - ya)
			out[i] = y - shift(above)*(1-t) - shift(below)*t
		case len(anchors) > 0:
			// Beyond the last of them, the shift follows their trend down the page: where
			// lines converge, it grows steadily from line to line.
			ys, shifts := make([]float64, len(anchors)), make([]float64, len(anchors))
			for k, j := range anchors {
				ys[k], shifts[k] = lines[j].at(end), shift(j)
			}
			out[i] = y - trendAt(ys, shifts, y)
		}
	}
	return out
}

// trendAt returns the value at x of the least-squares line through the points (xs[i], ys[i]),
// their mean when they all share one x.
func trendAt(xs, ys []float64, x float64) float64 {
	var n, sx, sy, sxx, sxy float64
	for i := range xs {
		n, sx, sy, sxx, sxy = n+1, sx+xs[i], sy+ys[i], sxx+xs[i]*xs[i], sxy+xs[i]*ys[i]
	}
	d := n*sxx - sx*sx
	if d <= 1e-9*n*sxx {
		return sy / n
	}
	b := (n*sxy - sx*sy) / d
	return (sy-b*sx)/n + b*x
}

// referenceColumn returns the column of the page that the most lines pass, the middle of the
// widest run of such columns.
func referenceColumn(lines []textLine) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range lines {
		lo, hi = min(lo, lines[i].x0), max(hi, lines[i].x1)
	}
	const samples = 64
	var count [samples + 1]int
	for k := range count {
		x := lo + (hi-lo)*float64(k)/samples
		for i := range lines {
			if lines[i].x0 <= x && x <= lines[i].x1 {
				count[k]++
			}
		}
	}
	most := slices.Max(count[:])
	from, to := 0, -1
	for k := 0; k <= samples; {
		if count[k] != most {
			k++
			continue
		}
		run := k
		for k <= samples && count[k] == most {
			k++
		}
		if k-run > to-from+1 {
			from, to = run, k-1
		}
	}
	return lo + (hi-lo)*float64(from+to)/(2*samples)
}

// knot is where a baseline passes a column of the output: at its height, shifted by.
type knot struct{ at, by float64 }

// interpolateKnots returns the shift at output height y from knots sorted by height:
// linear between two knots, the nearest knot's beyond them.
func interpolateKnots(knots []knot, y float64) float64 {
	if y <= knots[0].at {
		return knots[0].by
	}
	for k := 1; k < len(knots); k++ {
		if y <= knots[k].at {
			a, b := knots[k-1], knots[k]
			t := (y - a.at) / (b.at - a.at)
			return a.by*(1-t) + b.by*t
		}
	}
	return knots[len(knots)-1].by
}

// smoothGrid box-blurs a gw×gh grid with radius r, clamping at the edges, so the map has no
// kinks where a line ends.
func smoothGrid(grid []float64, gw, gh, r int) []float64 {
	tmp := make([]float64, len(grid))
	out := make([]float64, len(grid))
	for y := range gh {
		for x := range gw {
			sum := 0.0
			for d := -r; d <= r; d++ {
				sum += grid[y*gw+min(max(x+d, 0), gw-1)]
			}
			tmp[y*gw+x] = sum / float64(2*r+1)
		}
	}
	for y := range gh {
		for x := range gw {
			sum := 0.0
			for d := -r; d <= r; d++ {
				sum += tmp[min(max(y+d, 0), gh-1)*gw+x]
			}
			out[y*gw+x] = sum / float64(2*r+1)
		}
	}
	return out
}

// rotateGlyphs returns where the glyphs gs of a sw×sh image are after rotate(img, deg, …):
// each box keeps its size and moves with its centre.
func rotateGlyphs(gs []glyph, deg float64, sw, sh int) []glyph {
	sin, cos := math.Sincos(deg * math.Pi / 180)
	w := math.Ceil(float64(sw)*math.Abs(cos) + float64(sh)*math.Abs(sin))
	h := math.Ceil(float64(sw)*math.Abs(sin) + float64(sh)*math.Abs(cos))
	out := make([]glyph, len(gs))
	for i, g := range gs {
		dx := float64(g.x0+g.x1)/2 - float64(sw)/2
		dy := float64(g.y0+g.y1)/2 - float64(sh)/2
		cx := dx*cos + dy*sin + w/2
		cy := -dx*sin + dy*cos + h/2
		hw, hh := float64(g.x1-g.x0)/2, float64(g.y1-g.y0)/2
		out[i] = glyph{int(math.Round(cx - hw)), int(math.Round(cy - hh)), int(math.Round(cx + hw)), int(math.Round(cy + hh))}
	}
	return out
}
