package preprocess

import (
	"image"
	"math"
	"slices"

	"github.com/snapnote/snapnote/internal/raster"
)

// Page detection: the page must stand out from its surroundings by this brightness ratio, the
// surroundings must cover this share of the photo, and at least minQuadFill of the cells inside
// the quadrilateral through the page's corners must be page, and of those outside surroundings,
// or the photo is left as it is. A shadow across a page makes a dark region too, but not one
// that leaves a four-cornered page.
const (
	minPageContrast = 1.8
	minSurround     = 0.03
	maxSurround     = 0.6
	minQuadFill     = 0.94
)

// pageQuad finds the page in a photo of a page lying on a darker surface: the corners of the
// bright four-sided region, top-left, top-right, bottom-right and bottom-left, in pixels. It
// reports false when the photo shows no such page: all paper, or a dark region shaped by
// something other than the page's edges.
func pageQuad(img *image.Gray) (quad [4][2]float64, ok bool) {
	grid, gw, gh, cell := paperGrid(img)
	var hist [256]int
	for _, v := range grid {
		hist[v]++
	}
	threshold := otsu(&hist)
	var dark, bright, darkSum, brightSum int
	for _, v := range grid {
		if v > threshold {
			bright++
			brightSum += int(v)
		} else {
			dark++
			darkSum += int(v)
		}
	}
	share := float64(dark) / float64(len(grid))
	if dark == 0 || bright == 0 || share < minSurround || share > maxSurround ||
		float64(brightSum)/float64(bright) < minPageContrast*float64(darkSum)/float64(dark) {
		return quad, false
	}

	// The largest 4-connected bright region is the page; its corners are the cells farthest
	// along the two diagonals, each way.
	best, inPage := largestBrightRegion(grid, gw, gh, threshold)
	corner := diagonalCorners(best, gw)
	if !fillsQuad(grid, gw, inPage, threshold, corner) {
		return quad, false
	}

	// The corner cells' outer corners, in pixels.
	out := [4][2]float64{{0, 0}, {1, 0}, {1, 1}, {0, 1}}
	w, h := float64(img.Rect.Dx()), float64(img.Rect.Dy())
	for k, c := range corner {
		x, y := float64(c%gw), float64(c/gw)
		quad[k] = [2]float64{
			min(w, (x+out[k][0])*float64(cell)),
			min(h, (y+out[k][1])*float64(cell)),
		}
	}
	return quad, true
}

// largestBrightRegion returns the cells of the largest 4-connected region of grid brighter
// than threshold, and which cells lie in any such region.
func largestBrightRegion(grid []uint8, gw, gh int, threshold uint8) (best []int, label []int32) {
	label = make([]int32, len(grid))
	for start := range grid {
		if grid[start] <= threshold || label[start] != 0 {
			continue
		}
		region := []int{start}
		label[start] = 1
		for i := 0; i < len(region); i++ {
			c := region[i]
			x, y := c%gw, c/gw
			for _, n := range [4][2]int{{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1}} {
				if n[0] < 0 || n[1] < 0 || n[0] >= gw || n[1] >= gh {
					continue
				}
				if j := n[1]*gw + n[0]; grid[j] > threshold && label[j] == 0 {
					label[j] = 1
					region = append(region, j)
				}
			}
		}
		if len(region) > len(best) {
			best = region
		}
	}
	return best, label
}

// diagonalCorners returns the cells of region farthest along the two diagonals, each way:
// top left, top right, bottom right, bottom left.
func diagonalCorners(region []int, gw int) [4]int {
	var corner [4]int
	score := func(c, k int) int {
		x, y := c%gw, c/gw
		switch k {
		case 0:
			return -x - y
		case 1:
			return x - y
		case 2:
			return x + y
		}
		return y - x
	}
	for k := range corner {
		corner[k] = region[0]
		for _, c := range region {
			if score(c, k) > score(corner[k], k) {
				corner[k] = c
			}
		}
	}
	return corner
}

// fillsQuad reports whether the page fills the quadrilateral through the corner cells, and
// the surroundings everything outside it: a shadow bites into the page instead.
func fillsQuad(grid []uint8, gw int, label []int32, threshold uint8, corner [4]int) bool {
	var q [4][2]float64 // corner cell centres, in cells
	for k, c := range corner {
		q[k] = [2]float64{float64(c%gw) + 0.5, float64(c/gw) + 0.5}
	}
	var inside, insideBright, outside, outsideDark int
	for c, v := range grid {
		// Cells on the page's edge hold some of each.
		switch d := quadDistance(q, float64(c%gw)+0.5, float64(c/gw)+0.5); {
		case math.Abs(d) < 1.5:
		case d > 0:
			inside++
			if label[c] != 0 && v > threshold {
				insideBright++
			}
		default:
			outside++
			if v <= threshold {
				outsideDark++
			}
		}
	}
	return inside > 0 && outside > 0 && float64(insideBright) >= minQuadFill*float64(inside) &&
		float64(outsideDark) >= minQuadFill*float64(outside)
}

// quadDistance returns how far (x, y) lies inside the convex quadrilateral q, whose corners run
// clockwise on the screen: the distance to its nearest edge, negative outside.
func quadDistance(q [4][2]float64, x, y float64) float64 {
	d := math.Inf(1)
	for k := range q {
		a, b := q[k], q[(k+1)%4]
		length := math.Hypot(b[0]-a[0], b[1]-a[1])
		if length == 0 {
			return math.Inf(-1)
		}
		d = min(d, ((b[0]-a[0])*(y-a[1])-(b[1]-a[1])*(x-a[0]))/length)
	}
	return d
}

// paperGrid divides img into square cells of cell pixels, backgroundCells along its longest
// side, and returns the brightest pixel of each, gw cells by gh: where there is paper in a cell,
// its brightness.
func paperGrid(img *image.Gray) (grid []uint8, gw, gh, cell int) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	cell = max(4, (max(w, h)+backgroundCells-1)/backgroundCells)
	gw, gh = (w+cell-1)/cell, (h+cell-1)/cell
	grid = make([]uint8, gw*gh)
	for y := range h {
		row := img.Pix[y*img.Stride:][:w]
		g := grid[(y/cell)*gw:][:gw]
		for c := range g {
			g[c] = max(g[c], slices.Max(row[c*cell:min((c+1)*cell, w)]))
		}
	}
	return grid, gw, gh, cell
}

// unwarp maps the four-sided region quad of img (corners top-left, top-right, bottom-right,
// bottom-left) onto an upright rectangle as wide as its longer horizontal edge and as tall as its
// longer vertical edge, undoing the perspective of a photo taken at an angle.
func unwarp(img *image.Gray, quad [4][2]float64) *image.Gray {
	dist := func(a, b [2]float64) float64 { return math.Hypot(a[0]-b[0], a[1]-b[1]) }
	w := int(math.Round(max(dist(quad[0], quad[1]), dist(quad[3], quad[2]))))
	h := int(math.Round(max(dist(quad[0], quad[3]), dist(quad[1], quad[2]))))
	rect := [4][2]float64{{0, 0}, {float64(w), 0}, {float64(w), float64(h)}, {0, float64(h)}}
	return raster.Warp(img, w, h, paperLevel(img), raster.Projective(rect, quad).Apply)
}
