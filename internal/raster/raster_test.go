package raster

import (
	"image"
	"math"
	"testing"
)

func TestProjectiveTakesCornersOntoCorners(t *testing.T) {
	t.Parallel()
	square := [4][2]float64{{0, 0}, {100, 0}, {100, 140}, {0, 140}}
	tilted := [4][2]float64{{12, 8}, {90, 5}, {97, 138}, {3, 131}}
	m := Projective(square, tilted)
	for i, p := range square {
		x, y := m.Apply(p[0], p[1])
		if math.Hypot(x-tilted[i][0], y-tilted[i][1]) > 1e-9 {
			t.Errorf("corner %d: got (%.6f, %.6f), want %v", i, x, y, tilted[i])
		}
	}
	back := Projective(tilted, square)
	x, y := back.Apply(m.Apply(50, 70))
	if math.Hypot(x-50, y-70) > 1e-9 {
		t.Errorf("round trip of the centre: got (%.6f, %.6f)", x, y)
	}
}

func TestTurn(t *testing.T) {
	t.Parallel()
	// A 3×2 image with distinct pixels: 0 1 2 / 3 4 5.
	img := &image.Gray{Pix: []uint8{0, 1, 2, 3, 4, 5}, Stride: 3, Rect: image.Rect(0, 0, 3, 2)}
	for deg, want := range map[int][]uint8{90: {3, 0, 4, 1, 5, 2}, 180: {5, 4, 3, 2, 1, 0}, 270: {2, 5, 1, 4, 0, 3}} {
		if got := Turn(img, deg).Pix; string(got) != string(want) {
			t.Errorf("Turn %d°: got %v, want %v", deg, got, want)
		}
	}
	if Turn(img, 0) != img {
		t.Error("Turn 0° must return the image itself")
	}
}

func TestWarpSamplesAndFills(t *testing.T) {
	t.Parallel()
	// 0 100 / 200 250, sampled halfway between all four pixels, and off the image.
	img := &image.Gray{Pix: []uint8{0, 100, 200, 250}, Stride: 2, Rect: image.Rect(0, 0, 2, 2)}
	out := Warp(img, 2, 1, 7, func(x, y float64) (float64, float64) { return x + 0.5, y + 0.5 })
	if out.Pix[0] != 138 {
		t.Errorf("bilinear centre: got %d, want 138", out.Pix[0])
	}
	if out.Pix[1] != 7 {
		t.Errorf("outside the source: got %d, want the fill 7", out.Pix[1])
	}
}
