// Package homography solves and applies projective maps between two
// quadrilaterals: the OCR stage uses one to straighten a page photographed at
// an angle, the corpus to tilt a rendered page as a phone would.
package homography

import "math"

// Map is a projective map of the plane: the first eight entries of its 3×3
// matrix, row by row (the ninth is 1).
type Map [8]float64

// Between returns the map that takes the four points from onto to. Corners
// of a degenerate quadrilateral (three on a line) give a map of no use, not
// a panic.
func Between(from, to [4][2]float64) Map {
	var a [8][9]float64
	for i := range 4 {
		x, y, u, v := from[i][0], from[i][1], to[i][0], to[i][1]
		a[2*i] = [9]float64{x, y, 1, 0, 0, 0, -u * x, -u * y, u}
		a[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -v * x, -v * y, v}
	}
	// Gauss-Jordan elimination with partial pivoting.
	for c := range 8 {
		p := c
		for r := c + 1; r < 8; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		for r := range 8 {
			if r == c || a[c][c] == 0 {
				continue
			}
			f := a[r][c] / a[c][c]
			for k := c; k < 9; k++ {
				a[r][k] -= f * a[c][k]
			}
		}
	}
	var m Map
	for i := range 8 {
		m[i] = a[i][8] / a[i][i]
	}
	return m
}

// Apply returns where m takes the point (x, y).
func (m Map) Apply(x, y float64) (float64, float64) {
	d := m[6]*x + m[7]*y + 1
	return (m[0]*x + m[1]*y + m[2]) / d, (m[3]*x + m[4]*y + m[5]) / d
}
