package layout

import "image"

// unit is what reading order places: a segment, a whole table or a figure.
type unit struct {
	box    image.Rectangle
	seg    *segment
	table  *table
	figure bool
}

// minOverlap is how many pixels two boxes must share horizontally to count as one above the
// other: a letter's worth of touching is not overlap.
const minOverlap = 2

func xOverlap(a, b image.Rectangle) int {
	return min(a.Max.X, b.Max.X) - max(a.Min.X, b.Min.X)
}

func centerY(r image.Rectangle) int { return (r.Min.Y + r.Max.Y) / 2 }

// readingOrder sorts units as a reader takes them: a before b when they overlap horizontally
// and a is higher, or when a lies entirely left of b, the two stand in columns side by side
// (besideEachOther), and no unit between them vertically overlaps both (so the left column
// comes before the right, but a line spanning both columns ends the section). Among units
// free to come next, the highest goes first.
func readingOrder(units []unit) []unit {
	n := len(units)
	after := make([][]int, n) // after[a] lists the units that a comes before
	preds := make([]int, n)
	for a := range n {
		for b := range n {
			if a != b && before(units, a, b) {
				after[a] = append(after[a], b)
				preds[b]++
			}
		}
	}
	done := make([]bool, n)
	out := make([]unit, 0, n)
	for len(out) < n {
		next := -1
		for i := range n {
			if done[i] || preds[i] > 0 {
				continue
			}
			if next < 0 || higher(units[i].box, units[next].box) {
				next = i
			}
		}
		if next < 0 { // a cycle, which the rules should not make: break it at the highest unit
			for i := range n {
				if !done[i] && (next < 0 || higher(units[i].box, units[next].box)) {
					next = i
				}
			}
		}
		done[next] = true
		out = append(out, units[next])
		for _, b := range after[next] {
			preds[b]--
		}
	}
	return out
}

// higher reports whether a starts above b, or level with it and to its left.
func higher(a, b image.Rectangle) bool {
	if a.Min.Y != b.Min.Y {
		return a.Min.Y < b.Min.Y
	}
	return a.Min.X < b.Min.X
}

// before applies the two rules of readingOrder to units a and b.
func before(units []unit, a, b int) bool {
	ra, rb := units[a].box, units[b].box
	if xOverlap(ra, rb) >= minOverlap {
		return centerY(ra) < centerY(rb)
	}
	if ra.Max.X > rb.Min.X || !besideEachOther(units, a, b) {
		return false // not entirely to the left, or not in columns side by side
	}
	lo, hi := centerY(ra), centerY(rb)
	if lo > hi {
		lo, hi = hi, lo
	}
	for c := range units {
		if c == a || c == b {
			continue
		}
		rc := units[c].box
		if y := centerY(rc); y > lo && y < hi && xOverlap(rc, ra) >= minOverlap && xOverlap(rc, rb) >= minOverlap {
			return false
		}
	}
	return true
}

// besideEachOther reports whether units a and b, one left of the other, stand in columns side
// by side: their rows overlap, or a unit of text in the column of one has rows in common with
// the other (the paragraph above a, level with b). A heading at the left under a title centred
// above it shares rows with nothing beside it: it is read after the title, not before. A
// figure makes no column: the caption beside a drawing is read before the heading under the
// drawing.
func besideEachOther(units []unit, a, b int) bool {
	ra, rb := units[a].box, units[b].box
	if yOverlap(ra, rb) > 0 {
		return true
	}
	for c := range units {
		if c == a || c == b || units[c].figure {
			continue
		}
		rc := units[c].box
		if xOverlap(rc, ra) >= minOverlap && yOverlap(rc, rb) > 0 || xOverlap(rc, rb) >= minOverlap && yOverlap(rc, ra) > 0 {
			return true
		}
	}
	return false
}

func yOverlap(a, b image.Rectangle) int {
	return min(a.Max.Y, b.Max.Y) - max(a.Min.Y, b.Min.Y)
}
