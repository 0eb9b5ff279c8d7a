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

// filled reports whether the table has words in at least two cells of each of two rows.
func (t *table) filled() bool {
	rows := 0
	for _, r := range t.rows {
		cells := 0
		for _, c := range r {
			if c != "" {
				cells++
			}
		}
		if cells >= 2 {
			rows++
		}
	}
	return rows >= minTableRows
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
	words, cells := 0, 0
	for _, r := range rs {
		for _, s := range r.segs {
			words += len(s.words)
			cells++
		}
	}
	if float64(words)/float64(cells) > maxCellWords {
		return nil
	}
	return gridOf(rs)
}

// gridOf returns the table that rows make with columns where their segments line up, or nil
// when they make only one column.
func gridOf(rs []row) *table {
	var spans [][2]int // column extents, merged where segments overlap
	for _, r := range rs {
		for _, s := range r.segs {
			spans = append(spans, [2]int{s.box.Min.X, s.box.Max.X})
		}
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

// ruledTables finds the tables that rules draw (see ruleGroups and drawsTable) around words. Cells are the spaces between the rules when at least
// two rules run down the table; with rules across it only (a header rule, a closing rule),
// rows and columns come from the words as for a table without rules. It returns the tables
// and the words outside them.
func ruledTables(words []Word, rules []Rule) (tables []*table, rest []Word) {
	taken := make([]bool, len(words))
	for _, group := range ruleGroups(rules) {
		var box image.Rectangle
		var across, down []int
		for _, r := range group {
			box = box.Union(r.Box)
			if r.Horizontal() {
				across = append(across, centerY(r.Box))
			} else {
				down = append(down, (r.Box.Min.X+r.Box.Max.X)/2)
			}
		}
		if !drawsTable(group) {
			continue
		}
		var inside []int
		for i, w := range words {
			if !taken[i] && image.Pt((w.Box.Min.X+w.Box.Max.X)/2, centerY(w.Box)).In(box) {
				inside = append(inside, i)
			}
		}
		if len(inside) == 0 {
			continue
		}
		var t *table
		if len(down) >= 2 {
			// The group's box closes the grid where its outer rules are missing: rules
			// down between some columns only leave the outer columns to it.
			t = gridByRules(words, inside, bounds(append(across, box.Min.Y, box.Max.Y)), bounds(append(down, box.Min.X, box.Max.X)))
		} else {
			ws := make([]Word, len(inside))
			for k, i := range inside {
				ws[k] = words[i]
			}
			segs := segments(ws)
			if rs := rows(segs); len(rs) >= minTableRows {
				t = gridOf(rs)
			}
		}
		if t == nil || !t.filled() {
			continue // a frame around text, or lines around a drawing: not a table
		}
		t.box = box
		tables = append(tables, t)
		for _, i := range inside {
			taken[i] = true
		}
	}
	for i, w := range words {
		if !taken[i] {
			rest = append(rest, w)
		}
	}
	return tables, rest
}

// bounds sorts positions and merges those within a few pixels: the lines between cells.
func bounds(ps []int) []int {
	slices.Sort(ps)
	var out []int
	for _, p := range ps {
		if len(out) == 0 || p-out[len(out)-1] > 4 {
			out = append(out, p)
		}
	}
	return out
}

// gridByRules places the words inside (indexes into words) in the cells between the rules at
// ys (across) and xs (down), each cell's words in reading order; rows and columns without
// words go, and so do bars ("|"), the engine's reading of what is left of a rule.
func gridByRules(words []Word, inside []int, ys, xs []int) *table {
	if len(ys) < 2 || len(xs) < 2 {
		return nil
	}
	cells := make([][][]Word, len(ys)-1)
	for r := range cells {
		cells[r] = make([][]Word, len(xs)-1)
	}
	for _, i := range inside {
		w := words[i]
		r, _ := slices.BinarySearch(ys, centerY(w.Box))
		c, _ := slices.BinarySearch(xs, (w.Box.Min.X+w.Box.Max.X)/2)
		if r == 0 || c == 0 || r == len(ys) || c == len(xs) {
			continue // outside the outer rules: the table's caption or its neighbours
		}
		if strings.Trim(w.Text, "|") == "" {
			continue // what erasing left of a rule, read as a bar
		}
		cells[r-1][c-1] = append(cells[r-1][c-1], w)
	}
	t := &table{}
	for _, row := range cells {
		texts := make([]string, len(row))
		empty := true
		for c, ws := range row {
			if len(ws) == 0 {
				continue
			}
			empty = false
			segs := segments(ws)
			slices.SortStableFunc(segs, func(a, b *segment) int { return centerY(a.box) - centerY(b.box) })
			parts := make([]string, len(segs))
			for k, s := range segs {
				parts[k] = s.text()
			}
			texts[c] = strings.Join(parts, " ")
		}
		if !empty {
			t.rows = append(t.rows, texts)
		}
	}
	if len(t.rows) == 0 {
		return nil
	}
	for c := len(t.rows[0]) - 1; c >= 0; c-- {
		if !slices.ContainsFunc(t.rows, func(row []string) bool { return row[c] != "" }) {
			for r := range t.rows {
				t.rows[r] = slices.Delete(t.rows[r], c, c+1)
			}
		}
	}
	return t
}
