package layout

import (
	"image"
	"slices"
	"strings"
)

// table is a grid of cells found from aligned segments.
type table struct {
	rows [][]string
	box  image.Rectangle
}

// Limits of what counts as a table.
const (
	// maxCellWords is the most words a table's cells hold on average: lines of text set in
	// columns hold more.
	maxCellWords = 3.5
	// minTableRows is the fewest rows of a table.
	minTableRows = 2
	// rowGapEms is the most space between two rows of one table, in body ems.
	rowGapEms = 2.5
)

// row is segments that stand side by side: each overlaps the row's band vertically by at
// least half its height.
type row struct {
	segs []*segment
	box  image.Rectangle
}

// rows groups segments into rows, top to bottom, each row's segments left to right.
func rows(segs []*segment) []row {
	sorted := slices.Clone(segs)
	slices.SortStableFunc(sorted, func(a, b *segment) int { return centerY(a.box) - centerY(b.box) })
	var out []row
	for _, s := range sorted {
		if n := len(out); n > 0 {
			r := &out[n-1]
			overlap := min(r.box.Max.Y, s.box.Max.Y) - max(r.box.Min.Y, s.box.Min.Y)
			if 2*overlap >= min(r.box.Dy(), s.box.Dy()) {
				r.segs = append(r.segs, s)
				r.box = r.box.Union(s.box)
				continue
			}
		}
		out = append(out, row{segs: []*segment{s}, box: s.box})
	}
	for _, r := range out {
		slices.SortFunc(r.segs, func(a, b *segment) int { return a.box.Min.X - b.box.Min.X })
	}
	return out
}

// findTables finds runs of rows of several short segments whose columns line up, and returns
// them as tables with the segments left over.
func findTables(segs []*segment, body float64) (tables []*table, rest []*segment) {
	rs := rows(segs)
	used := make(map[*segment]bool)
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && len(rs[j].segs) >= 2 &&
			(j == i || float64(rs[j].box.Min.Y-rs[j-1].box.Max.Y) <= rowGapEms*body) {
			j++
		}
		if j-i >= minTableRows {
			if t := grid(rs[i:j]); t != nil {
				tables = append(tables, t)
				for _, r := range rs[i:j] {
					for _, s := range r.segs {
						used[s] = true
					}
				}
			}
		}
		i = max(j, i+1)
	}
	for _, s := range segs {
		if !used[s] {
			rest = append(rest, s)
		}
	}
	return tables, rest
}

// grid returns the table that rows make when their segments fall into common columns and
// hold few words each, or nil when they are rather lines of text set in columns.
func grid(rs []row) *table {
	var spans [][2]int // column extents, merged where segments overlap
	words, cells := 0, 0
	for _, r := range rs {
		for _, s := range r.segs {
			spans = append(spans, [2]int{s.box.Min.X, s.box.Max.X})
			words += len(s.words)
			cells++
		}
	}
	if float64(words)/float64(cells) > maxCellWords {
		return nil
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	cols := spans[:1]
	for _, sp := range spans[1:] {
		last := &cols[len(cols)-1]
		if sp[0] < last[1] {
			last[1] = max(last[1], sp[1])
			continue
		}
		cols = append(cols, sp)
	}
	if len(cols) < 2 {
		return nil
	}
	t := &table{}
	for _, r := range rs {
		cells := make([]string, len(cols))
		for _, s := range r.segs {
			c := slices.IndexFunc(cols, func(col [2]int) bool { return s.box.Min.X >= col[0] && s.box.Min.X < col[1] })
			cells[c] = strings.TrimSpace(cells[c] + " " + s.text())
		}
		t.rows = append(t.rows, cells)
		t.box = t.box.Union(r.box)
	}
	return t
}
