// Package raster transforms grayscale images geometrically: quarter turns,
// and warps through any point map, a projective one (a page photographed at
// an angle) among them. The OCR stage uses them to straighten photos, the
// corpus to make them crooked.
package raster

import (
	"image"
	"math"
)

// Map is a projective map of the plane: the first eight entries of its 3×3
// matrix, row by row (the ninth is 1).
type Map [8]float64

// Projective returns the projective map that takes the four points from onto to. Corners
// of a degenerate quadrilateral (three on a line) give a map of no use, not
// a panic.
func Projective(from, to [4][2]float64) Map {
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

// Turn rotates img clockwise by deg: 90, 180 or 270; any other value returns img itself.
func Turn(img *image.Gray, deg int) *image.Gray {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	switch deg {
	case 90:
		dst := image.NewGray(image.Rect(0, 0, h, w))
		for y := range w {
			row := dst.Pix[y*dst.Stride:][:h]
			for x := range row {
				row[x] = img.Pix[(h-1-x)*img.Stride+y]
			}
		}
		return dst
	case 180:
		dst := image.NewGray(image.Rect(0, 0, w, h))
		for y := range h {
			row := dst.Pix[y*dst.Stride:][:w]
			src := img.Pix[(h-1-y)*img.Stride:][:w]
			for x := range row {
				row[x] = src[w-1-x]
			}
		}
		return dst
	case 270:
		dst := image.NewGray(image.Rect(0, 0, h, w))
		for y := range w {
			row := dst.Pix[y*dst.Stride:][:h]
			for x := range row {
				row[x] = img.Pix[x*img.Stride+w-1-y]
			}
		}
		return dst
	}
	return img
}

// Warp returns a w×h image whose pixel (x, y) samples src bilinearly at from(x, y); points
// outside src get fill.
func Warp(src *image.Gray, w, h int, fill uint8, from func(x, y float64) (float64, float64)) *image.Gray {
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	dst := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		row := dst.Pix[y*dst.Stride:][:w]
		for x := range row {
			sx, sy := from(float64(x)+0.5, float64(y)+0.5)
			sx, sy = sx-0.5, sy-0.5
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			if x0 < 0 || y0 < 0 || x0+1 >= sw || y0+1 >= sh {
				row[x] = fill
				continue
			}
			fx, fy := sx-float64(x0), sy-float64(y0)
			p := src.Pix[y0*src.Stride+x0:]
			q := src.Pix[(y0+1)*src.Stride+x0:]
			top := float64(p[0])*(1-fx) + float64(p[1])*fx
			bottom := float64(q[0])*(1-fx) + float64(q[1])*fx
			row[x] = uint8(top*(1-fy) + bottom*fy + 0.5)
		}
	}
	return dst
}
