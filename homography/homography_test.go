package homography

import (
	"math"
	"testing"
)

func TestBetweenTakesCornersOntoCorners(t *testing.T) {
	t.Parallel()
	square := [4][2]float64{{0, 0}, {100, 0}, {100, 140}, {0, 140}}
	tilted := [4][2]float64{{12, 8}, {90, 5}, {97, 138}, {3, 131}}
	m := Between(square, tilted)
	for i, p := range square {
		x, y := m.Apply(p[0], p[1])
		if math.Hypot(x-tilted[i][0], y-tilted[i][1]) > 1e-9 {
			t.Errorf("corner %d: got (%.6f, %.6f), want %v", i, x, y, tilted[i])
		}
	}
	back := Between(tilted, square)
	x, y := back.Apply(m.Apply(50, 70))
	if math.Hypot(x-50, y-70) > 1e-9 {
		t.Errorf("round trip of the centre: got (%.6f, %.6f)", x, y)
	}
}
