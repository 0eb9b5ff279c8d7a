package layout

import (
	"image"
	"math/bits"
	"slices"

	"github.com/snapnote/snapnote/internal/bitmap"
)

// Rule is a ruled line on the page: a thin, long run of ink, horizontal or vertical.
type Rule struct {
	// Box is the line's extent; a horizontal rule is much wider than tall.
	Box image.Rectangle
	// Slant is how far across the line moves from its start to its end (left to right for a
	// rule across, top to bottom for one down), in pixels: 0 for a straight rule, which fills
	// its box. A rule drawn on a page photographed at a slight angle runs from one corner of
	// its box to the other, as thick as the box less |Slant|.
	Slant int
}

// Horizontal reports whether r runs across the page.
func (r Rule) Horizontal() bool { return r.Box.Dx() > r.Box.Dy() }

// InkLevel is the gray level under which a pixel of a preprocessed page (paper near white) is
// ink.
const InkLevel = 128

// FindRules returns the ruled lines of page that draw tables, page being a preprocessed page
// (paper near white, ink dark, straightened). A rule is a run of ink at least a twentieth of
// the page's width (horizontal) or a thirtieth of its height (vertical) long, and at most a
// hundred and fiftieth of the page's width thick, thinner than a filled shape; it may be tilted
// by up to maxRuleTilt, as on a page photographed a little askew, and then has a Slant. Runs
// along the image's edge do not count. Of those, only the ones that draw a table are kept (see
// ruleGroups and drawsTable): the stem of a large bold letter or a line in a drawing is left
// alone.
func FindRules(page *image.Gray) []Rule {
	b := page.Rect
	if b.Dx() < 20 || b.Dy() < 20 {
		return nil
	}
	thick := max(3, b.Dx()/150)
	dark := bitmap.Dark(page, InkLevel)
	rules := runs(b, dark, true, max(40, b.Dx()/20), thick)
	rules = append(rules, runs(b, dark, false, max(40, b.Dy()/30), thick)...)
	// A run along the image's edge is the edge of the page or of the desk around it.
	inner := b.Inset(max(2, b.Dx()/100))
	rules = slices.DeleteFunc(rules, func(r Rule) bool {
		share, _ := paperAlong(page, r)
		return !r.Box.In(inner) || share < minPaperSide
	})
	var out []Rule
	for _, g := range ruleGroups(rules) {
		if drawsTable(g) {
			out = append(out, g...)
		}
	}
	return out
}

// minPaperSide is the least share of paper along each side of a rule.
const minPaperSide = 0.6

// ruleEdge is how many pixels past its box a rule's soft edge reaches, on a page photographed
// a little askew or blurred.
const ruleEdge = 2

// paperSide is how wide a strip along each side of a rule paperAlong looks at: wider than the
// gap between the lines of a double rule and the second line together.
const paperSide = 8

// paperAlong returns the share of paper (pixels at least InkLevel) along the side of r that
// has less of it, in strips of paperSide pixels past r's soft edge, and the median level of
// that paper on both sides (255 with none). A rule is drawn on the page, with paper on both
// sides (a double rule's second line takes a little of one); the edge of the sheet against a
// dark desk has the desk on one side, and streaks in the grain of a dark desk have more of it
// on both.
func paperAlong(page *image.Gray, r Rule) (share float64, level uint8) {
	box, d, w := r.Box, ruleEdge, paperSide
	sides := [2]image.Rectangle{
		image.Rect(box.Min.X, box.Min.Y-d-w, box.Max.X, box.Min.Y-d),
		image.Rect(box.Min.X, box.Max.Y+d, box.Max.X, box.Max.Y+d+w),
	}
	if !r.Horizontal() {
		sides = [2]image.Rectangle{
			image.Rect(box.Min.X-d-w, box.Min.Y, box.Min.X-d, box.Max.Y),
			image.Rect(box.Max.X+d, box.Min.Y, box.Max.X+d+w, box.Max.Y),
		}
	}
	var hist [256]int
	share = 1
	for _, side := range sides {
		side = side.Intersect(page.Rect)
		light := 0
		for y := side.Min.Y; y < side.Max.Y; y++ {
			for _, v := range page.Pix[page.PixOffset(side.Min.X, y):page.PixOffset(side.Max.X, y)] {
				if v >= InkLevel {
					light++
					hist[v]++
				}
			}
		}
		if n := side.Dx() * side.Dy(); n == 0 {
			share = 0
		} else {
			share = min(share, float64(light)/float64(n))
		}
	}
	return share, medianOf(hist)
}

// medianOf is the median level of a histogram of gray levels, 255 for an empty one.
func medianOf(hist [256]int) uint8 {
	n := 0
	for _, c := range hist {
		n += c
	}
	seen := 0
	for v, c := range hist {
		if seen += c; n > 0 && 2*seen >= n {
			return uint8(v)
		}
	}
	return 255
}

// drawsTable reports whether a group of rules draws a table: at least two rules across and
// at least two down (a grid), or at least three across and none down (the rules over, under
// and between a table's rows). Two rules across alone frame a block, such as a code example
// or a note, whose lines are no table's rows.
func drawsTable(group []Rule) bool {
	across := 0
	for _, r := range group {
		if r.Horizontal() {
			across++
		}
	}
	down := len(group) - across
	return across >= 2 && down >= 2 || across >= 3 && down == 0
}

// ruleGroups returns the rules in groups of those that touch, within a few pixels, and of
// rules across that line up with one another (the same left and right ends, one rule's width
// apart at most), as the rules of a table without lines down do. A grid, rules that touch with
// some of them down, is a table of its own: a rule across that only lines up with it (the rule
// over a page's footer, as wide as the table above) stays out, or the text between them would
// be read as the grid's cells.
func ruleGroups(rules []Rule) [][]Rule {
	group := make([]int, len(rules))
	for i := range group {
		group[i] = i
	}
	find := func(i int) int {
		for group[i] != i {
			i = group[i]
		}
		return i
	}
	for i := range rules {
		for j := i + 1; j < len(rules); j++ {
			if rules[i].Box.Inset(-4).Overlaps(rules[j].Box.Inset(-4)) {
				group[find(i)] = find(j)
			}
		}
	}
	grid := make(map[int]bool) // the roots of groups with rules down
	for i, r := range rules {
		if !r.Horizontal() {
			grid[find(i)] = true
		}
	}
	aligned := func(a, b Rule) bool {
		tol := max(8, a.Box.Dx()/50)
		return abs(a.Box.Min.X-b.Box.Min.X) <= tol && abs(a.Box.Max.X-b.Box.Max.X) <= tol &&
			abs(a.Box.Min.Y-b.Box.Min.Y) <= a.Box.Dx()
	}
	for i := range rules {
		for j := i + 1; j < len(rules); j++ {
			if !grid[find(i)] && !grid[find(j)] && rules[i].Horizontal() && rules[j].Horizontal() && aligned(rules[i], rules[j]) {
				group[find(i)] = find(j)
			}
		}
	}
	byRoot := make(map[int][]Rule)
	var roots []int
	for i, r := range rules {
		root := find(i)
		if _, ok := byRoot[root]; !ok {
			roots = append(roots, root)
		}
		byRoot[root] = append(byRoot[root], r)
	}
	out := make([][]Rule, len(roots))
	for i, root := range roots {
		out[i] = byRoot[root]
	}
	return out
}

// maxRuleGap is the widest gap, in pixels, along a rule that it runs on across: a renderer
// may leave a pixel of paper where another rule crosses it.
const maxRuleGap = 1

// runs finds the rules in one direction on the page b whose dark pixels are dark: along each
// row (horizontal) or column, runs of ink, where a pixel counts as ink when it or both its
// neighbours across the run are dark, and a run goes on across gaps of at most maxRuleGap
// pixels; then runs of neighbouring rows make rules at least minLen long and thick across on
// average. The page is scanned row by row either way, which keeps to its memory order, 64
// pixels at a time: most of a page is paper outside any run.
func runs(b image.Rectangle, dark bitmap.Image, horizontal bool, minLen, thick int) []Rule {
	w, h := b.Dx(), b.Dy()
	var spans []span
	// run is the run of ink being followed along a row or column, from start to end; none
	// when start < 0. end ends r, a span of row or column c when long enough; follow moves r
	// on to position at of c, where there is ink or not.
	type run struct{ start, end int }
	minSpan := max(8, minLen/8)
	end := func(r *run, c int) {
		if r.start >= 0 && r.end-r.start >= minSpan {
			spans = append(spans, span{c, r.start, r.end})
		}
		r.start = -1
	}
	follow := func(r *run, c, at int, ink bool) {
		if ink {
			if r.start < 0 {
				r.start = at
			}
			r.end = at + 1
		} else if r.start >= 0 && at-r.end >= maxRuleGap {
			end(r, c)
		}
	}
	words, row := dark.Words, dark.Row
	ink := make([]uint64, words)
	if horizontal {
		for y := range h {
			copy(ink, row(y))
			if y > 0 && y+1 < h {
				above, below := row(y-1), row(y+1)
				for k := range ink {
					ink[k] |= above[k] & below[k]
				}
			}
			r := run{start: -1}
			for x0, x1 := range bitmap.Runs(ink) {
				if r.start >= 0 && x0-r.end > maxRuleGap {
					end(&r, y)
				}
				if r.start < 0 {
					r.start = x0
				}
				r.end = x1
			}
			end(&r, y)
		}
	} else {
		cols := make([]run, w)        // the run of ink going down each column
		open := make([]uint64, words) // the columns with a run
		for x := range cols {
			cols[x].start = -1
		}
		for y := range h {
			line := row(y)
			for k, d := range line {
				var before, after uint64 // the neighbours' pixels in the words beside
				if k > 0 {
					before = line[k-1] >> 63
				}
				if k+1 < words {
					after = line[k+1] << 63
				}
				ink[k] = d | (d<<1|before)&(d>>1|after)
			}
			for k, m := range ink {
				for todo := m | open[k]; todo != 0; todo &= todo - 1 {
					i := bits.TrailingZeros64(todo)
					x := k*64 + i
					follow(&cols[x], x, y, m>>i&1 == 1)
					if cols[x].start >= 0 {
						open[k] |= 1 << i
					} else {
						open[k] &^= 1 << i
					}
				}
			}
		}
		for x := range cols {
			end(&cols[x], x)
		}
		slices.SortFunc(spans, func(p, q span) int {
			if p.c != q.c {
				return p.c - q.c
			}
			return p.a0 - q.a0
		})
	}
	// A straight rule is made of runs at least minLen long in neighbouring rows (or columns)
	// that overlap along it. A tilted one steps from row to row, each run of it short; its runs
	// follow on from one another (touching counts), it is minLen long in all, and as thick on
	// average as a straight one; it stands in for the straight pieces of it.
	var long []span
	for _, sp := range spans {
		if sp.a1-sp.a0 >= minLen {
			long = append(long, sp)
		}
	}
	var out, tilted []Rule
	for _, ch := range chains(long, false) {
		if ch.c1-ch.c0 <= thick {
			out = append(out, ch.rule(b.Min, horizontal, 0))
		}
	}
	for _, ch := range chains(spans, true) {
		along, across := ch.a1-ch.a0, ch.c1-ch.c0
		if along >= minLen && across > thick && float64(across) <= float64(thick)+maxRuleTilt*float64(along) &&
			ch.ink <= thick*along {
			slant := max(0, across-(ch.ink+along-1)/along)
			if ch.endAt < ch.startAt {
				slant = -slant
			}
			tilted = append(tilted, ch.rule(b.Min, horizontal, slant))
		}
	}
	out = slices.DeleteFunc(out, func(r Rule) bool {
		return slices.ContainsFunc(tilted, func(t Rule) bool { return r.Box.In(t.Box) })
	})
	return append(out, tilted...)
}

// maxRuleTilt is how far across a rule may move per pixel along it: a rule on a page
// photographed at a slight angle, which deskewing leaves tilted (about 3 degrees).
const maxRuleTilt = 0.06

// span is a run of ink in one row (or column) c, from a0 to a1 along it, end excluded.
type span struct{ c, a0, a1 int }

// chain is a run of spans in rows (or columns) c0 to c1, end excluded, each overlapping the
// extent a0 to a1 of those before it: ink pixels in all, its first span's middle at startAt
// along, its last's at endAt.
type chain struct {
	c0, c1, a0, a1, ink int
	startAt, endAt      int
}

// chains joins spans, sorted by row and then along, into chains, each span to the first chain
// before it that ends in the row above and whose extent it overlaps. With loose, a span also
// joins when it only comes within a pixel of that extent, and further spans of the row a chain
// ends in join it too: the line of a tilted rule steps from row to row, and a faint stretch or
// a crossing rule breaks one row of it in two.
func chains(spans []span, loose bool) []chain {
	touch := 0
	if loose {
		touch = 1
	}
	var out []chain
	used := make([]bool, len(spans))
	for i, sp := range spans {
		if used[i] {
			continue
		}
		used[i] = true
		ch := chain{sp.c, sp.c + 1, sp.a0, sp.a1, sp.a1 - sp.a0, (sp.a0 + sp.a1) / 2, (sp.a0 + sp.a1) / 2}
		for j := i + 1; j < len(spans) && spans[j].c <= ch.c1; j++ {
			n := spans[j]
			if used[j] || n.c < ch.c1-1 || n.c == ch.c1-1 && !loose || n.a0 >= ch.a1+touch || n.a1+touch <= ch.a0 {
				continue
			}
			used[j] = true
			ch.a0, ch.a1, ch.c1 = min(ch.a0, n.a0), max(ch.a1, n.a1), n.c+1
			ch.ink += n.a1 - n.a0
			ch.endAt = (n.a0 + n.a1) / 2
		}
		out = append(out, ch)
	}
	return out
}

// rule is the chain as a rule of a page whose first pixel is at origin.
func (ch chain) rule(origin image.Point, horizontal bool, slant int) Rule {
	r := image.Rect(origin.X+ch.a0, origin.Y+ch.c0, origin.X+ch.a1, origin.Y+ch.c1)
	if !horizontal {
		r = image.Rect(origin.X+ch.c0, origin.Y+ch.a0, origin.X+ch.c1, origin.Y+ch.a1)
	}
	return Rule{Box: r, Slant: slant}
}

// EraseRules returns a copy of page with the ink of rules, and their soft edges, turned to the
// paper along them, so that an OCR engine reads the text between them rather than taking a
// ruled table for a picture, and sees no edge where they were. Without rules it returns page
// itself.
func EraseRules(page *image.Gray, rules []Rule) *image.Gray {
	if len(rules) == 0 {
		return page
	}
	out := &image.Gray{Pix: slices.Clone(page.Pix), Stride: page.Stride, Rect: page.Rect}
	for _, r := range rules {
		_, paper := paperAlong(page, r)
		for _, box := range r.inkBoxes() {
			box = box.Inset(-ruleEdge).Intersect(page.Rect)
			for y := box.Min.Y; y < box.Max.Y; y++ {
				row := out.Pix[out.PixOffset(box.Min.X, y):out.PixOffset(box.Max.X, y)]
				for i := range row {
					row[i] = paper
				}
			}
		}
	}
	return out
}

// inkBoxes returns boxes that hold the rule's ink and little else: its box when it is
// straight, else, for each row (column) along it, where the line crosses that row.
func (r Rule) inkBoxes() []image.Rectangle {
	if r.Slant == 0 {
		return []image.Rectangle{r.Box}
	}
	b := r.Box
	a0, a1, c0, c1 := b.Min.X, b.Max.X, b.Min.Y, b.Max.Y
	if !r.Horizontal() {
		a0, a1, c0, c1 = b.Min.Y, b.Max.Y, b.Min.X, b.Max.X
	}
	thick := c1 - c0 - abs(r.Slant)
	out := make([]image.Rectangle, 0, a1-a0)
	for a := a0; a < a1; a++ {
		lo := c0 + max(0, -r.Slant) + r.Slant*(a-a0)/(a1-a0)
		if r.Horizontal() {
			out = append(out, image.Rect(a, lo, a+1, lo+thick))
		} else {
			out = append(out, image.Rect(lo, a, lo+thick, a+1))
		}
	}
	return out
}
