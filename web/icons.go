package web

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
)

// The app's icons, drawn from the same shapes as app/icon.svg (a white page
// with two lines on the accent colour) at the sizes an installed app needs.
// Drawing them here keeps binary files out of the repository and the PNGs in
// step with the SVG.
var (
	accent = color.RGBA{0x1d, 0x4e, 0xd8, 0xff}
	paper  = color.RGBA{0xff, 0xff, 0xff, 0xff}
)

// iconPNG draws the icon size×size. A maskable icon fills its square and
// keeps the page inside the central safe zone (a circle of 80% of the
// size), since launchers crop it to their own shape.
func iconPNG(size int, maskable bool) []byte {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	scale := float64(size) / 32 // the SVG's viewBox is 32×32
	offset := 0.0
	if maskable {
		scale *= 0.6
		offset = float64(size) * 0.2
	}
	radius := 7 * float64(size) / 32
	if maskable {
		radius = 0
	}
	at := func(v float64) float64 { return offset + v*scale }
	for y := range size {
		for x := range size {
			fx, fy := float64(x)+.5, float64(y)+.5
			if !insideRounded(fx, fy, float64(size), radius) {
				continue
			}
			c := accent
			// The page: M9 8h11l4 4v12H9z, its corner folded along x - y = 12.
			if fx >= at(9) && fx <= at(24) && fy >= at(8) && fy <= at(24) && (fx-at(20))-(fy-at(8)) <= 0 {
				c = paper
				// Two lines, 2 units thick, at y 15 and 19 from x 12 to 21.
				if fx >= at(12) && fx <= at(21) && (abs(fy-at(15)) <= scale || abs(fy-at(19)) <= scale) {
					c = accent
				}
			}
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic("web: encode icon: " + err.Error()) // encoding an in-memory RGBA cannot fail
	}
	return buf.Bytes()
}

func insideRounded(x, y, size, r float64) bool {
	cx := min(max(x, r), size-r)
	cy := min(max(y, r), size-r)
	return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
