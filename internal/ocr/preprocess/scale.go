package preprocess

import (
	"image"
	"slices"

	"github.com/snapnote/snapnote/internal/bitmap"
)

// glyph is the bounding box of a character-like shape: columns x0 to x1 and rows y0 to y1,
// the ends excluded.
type glyph struct{ x0, y0, x1, y1 int }

// glyphs finds the characters on a page: the connected groups of dark pixels (at or below
// threshold, 8-connected) shaped like a character or part of one. Specks, rules, pictures and
// the dark surroundings of a photographed page are left out by their size and shape.
func glyphs(img *image.Gray, threshold uint8) []glyph {
	boxes := inkBoxes(img, threshold)
	// The same shapes pass whichever way the page is turned.
	out := boxes[:0]
	maxSize := max(max(img.Rect.Dx(), img.Rect.Dy())/10, 8)
	for _, b := range boxes {
		long, short := max(b.x1-b.x0, b.y1-b.y0), min(b.x1-b.x0, b.y1-b.y0)
		if long < 3 || long > maxSize || long > 6*short {
			continue
		}
		out = append(out, b)
	}
	return out
}

// inkBoxes returns the bounding box of every connected group of dark pixels (at or below
// threshold, 8-connected) on img, whatever its size and shape.
func inkBoxes(img *image.Gray, threshold uint8) []glyph {
	h := img.Rect.Dy()

	// Runs of dark pixels, row by row, joined into components with union-find.
	type run struct{ x0, x1, y, label int }
	var (
		runs   []run
		parent []int
	)
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	dark := bitmap.Dark(img, int(threshold)+1)
	prevStart := 0
	for y := range h {
		start := len(runs)
		for x0, x1 := range bitmap.Runs(dark.Row(y)) {
			label := len(parent)
			parent = append(parent, label)
			runs = append(runs, run{x0, x1, y, label})
		}
		// Join each new run to the runs of the row above that touch it, diagonals included.
		p := prevStart
		for i := start; i < len(runs); i++ {
			r := runs[i]
			for p < start && runs[p].x1 < r.x0 {
				p++
			}
			for q := p; q < start && runs[q].x0 <= r.x1; q++ {
				if a, b := find(runs[q].label), find(r.label); a != b {
					parent[b] = a
				}
			}
		}
		prevStart = start
	}

	// Each component's box, in the order its first run was found: top to bottom.
	at := make([]int32, len(parent)) // a root's index in out, plus one
	var out []glyph
	for _, r := range runs {
		root := find(r.label)
		if at[root] == 0 {
			out = append(out, glyph{r.x0, r.y, r.x1, r.y + 1})
			at[root] = int32(len(out))
			continue
		}
		b := &out[at[root]-1]
		b.x0, b.x1 = min(b.x0, r.x0), max(b.x1, r.x1)
		b.y1 = r.y + 1
	}
	return out
}

// medianHeight returns the median of the larger side of each box in gs, 0 for none: a size
// between the x-height and the cap height of the text. The larger side is the height of most
// characters whichever way the page is turned, so it can be measured before orientation is
// known.
func medianHeight(gs []glyph) int {
	if len(gs) == 0 {
		return 0
	}
	sizes := make([]int, len(gs))
	for i, g := range gs {
		sizes[i] = max(g.x1-g.x0, g.y1-g.y0)
	}
	slices.Sort(sizes)
	return sizes[len(sizes)/2]
}

// enlarge scales img up to w×h pixels, at least its size, with bilinear interpolation.
func enlarge(img *image.Gray, w, h int) *image.Gray {
	sw, sh := img.Rect.Dx(), img.Rect.Dy()
	// Source position of each output column and row: the pixel before it and the weight of the
	// pixel after it, in 1/256.
	type tap struct{ i, f int }
	taps := func(n, s int) []tap {
		t := make([]tap, n)
		for x := range t {
			pos := max(0, ((2*x+1)*s*128)/n-128)
			t[x] = tap{min(pos>>8, s-1), pos & 255}
			if t[x].i == s-1 {
				t[x].f = 0
			}
		}
		return t
	}
	cols, rows := taps(w, sw), taps(h, sh)
	dst := image.NewGray(image.Rect(0, 0, w, h))
	line := make([]int, sw)
	for y, r := range rows {
		a := img.Pix[r.i*img.Stride:][:sw]
		b := a
		if r.f > 0 {
			b = img.Pix[(r.i+1)*img.Stride:][:sw]
		}
		for x := range line {
			line[x] = int(a[x])*(256-r.f) + int(b[x])*r.f
		}
		out := dst.Pix[y*dst.Stride:][:w]
		for x, c := range cols {
			next := line[min(c.i+1, sw-1)]
			out[x] = uint8((line[c.i]*(256-c.f) + next*c.f + 1<<15) >> 16)
		}
	}
	return dst
}
