package preprocess

import (
	"image"
	"slices"
)

// Thresholds of clearSurroundings. A cell of the paper grid is off the page when its brightest
// pixel is under deskShare of the lit paper's (on the real photos the desk measured 0.4 to 0.6 of
// the paper, paper in the dim corner of a photo 0.75 or more) and its darkest pixel over
// plainShare of its brightest (no ink: a dark cell holding text is shadowed page). A dark region
// is the desk only where it meets the page at a step, its brightness rising by edgeStep or more
// from one cell to the next along at least minStepShare of its border: a shadow on the page fades
// out over several cells, and a blank shadowed margin borders text of its own brightness.
const (
	deskShare    = 0.8
	plainShare   = 0.6
	edgeStep     = 1.3
	minStepShare = 0.5
)

// clearSurroundings paints white, in dst, the desk around a page that the photo shows beside
// it: the dark, plain regions of grid (img's paper grid, gw×gh cells of cell pixels) that
// touch the photo's edge and meet the page at a step, and the cells next to them, which hold
// the page's edge. Left on the page, the desk's edge and grain read as a figure or as letters.
// A page without such surroundings is left as it is, at the cost of one pass over the grid.
func clearSurroundings(dst, img *image.Gray, grid []uint8, gw, gh, cell int) bool {
	sorted := slices.Clone(grid)
	slices.Sort(sorted)
	lit := float64(sorted[len(sorted)*9/10])
	dark := func(c int) bool { return float64(grid[c]) < deskShare*lit }
	// Is a cell plain: is its darkest pixel near its brightest? Measured only for the dark
	// cells a flood from the edge reaches.
	plain := func(c int) bool {
		x0, y0 := (c%gw)*cell, (c/gw)*cell
		x1, y1 := min(x0+cell, img.Rect.Dx()), min(y0+cell, img.Rect.Dy())
		lo := grid[c]
		for y := y0; y < y1; y++ {
			for _, p := range img.Pix[y*img.Stride+x0 : y*img.Stride+x1] {
				lo = min(lo, p)
			}
		}
		return float64(lo) >= plainShare*float64(grid[c])
	}

	// state: 0 not looked at, offPage when dark and plain, onPage otherwise.
	const offPage, onPage = 1, 2
	state := make([]uint8, len(grid))
	look := func(c int) uint8 {
		if state[c] == 0 {
			state[c] = onPage
			if dark(c) && plain(c) {
				state[c] = offPage
			}
		}
		return state[c]
	}
	member := make([]bool, len(grid))
	var clear []int
	for start := range grid {
		x, y := start%gw, start/gw
		if member[start] || (x != 0 && y != 0 && x != gw-1 && y != gh-1) || look(start) != offPage {
			continue
		}
		region := []int{start}
		member[start] = true
		steps, border := 0, 0
		for i := 0; i < len(region); i++ {
			c := region[i]
			cx, cy := c%gw, c/gw
			for _, n := range [4][2]int{{cx - 1, cy}, {cx + 1, cy}, {cx, cy - 1}, {cx, cy + 1}} {
				if n[0] < 0 || n[1] < 0 || n[0] >= gw || n[1] >= gh {
					continue
				}
				j := n[1]*gw + n[0]
				switch {
				case member[j]:
				case look(j) == offPage:
					member[j] = true
					region = append(region, j)
				default:
					border++
					if float64(grid[j]) >= edgeStep*float64(grid[c]) {
						steps++
					}
				}
			}
		}
		if border > 0 && float64(steps) >= minStepShare*float64(border) {
			clear = append(clear, region...)
		}
	}
	if len(clear) == 0 {
		return false
	}
	off := make([]bool, len(grid))
	for _, c := range clear {
		cx, cy := c%gw, c/gw
		for ny := max(0, cy-1); ny <= min(gh-1, cy+1); ny++ {
			for nx := max(0, cx-1); nx <= min(gw-1, cx+1); nx++ {
				off[ny*gw+nx] = true
			}
		}
	}
	w, h := dst.Rect.Dx(), dst.Rect.Dy()
	for y := range h {
		row := dst.Pix[y*dst.Stride:][:w]
		flags := off[(y/cell)*gw:][:gw]
		for c, o := range flags {
			if o {
				fill := row[c*cell : min(w, (c+1)*cell)]
				for i := range fill {
					fill[i] = 255
				}
			}
		}
	}
	return true
}
