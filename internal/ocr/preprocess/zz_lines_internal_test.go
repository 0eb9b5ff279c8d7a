package preprocess

import (
	"context"
	"image/png"
	"os"
	"testing"
)

func TestZZLines(t *testing.T) {
	in := os.Getenv("LINES_IN")
	if in == "" {
		t.Skip()
	}
	f, _ := os.Open(in)
	src, _ := png.Decode(f)
	img := Prepare(src, 0)
	p := &Pipeline{Skip: []string{StepDewarp, StepFractions, StepOrient}}
	out, steps, _ := p.Run(context.Background(), img, 0)
	gs := glyphs(out, otsu(histogram(out))/2)
	h := medianHeight(gs)
	lines := textLines(gs, h)
	t.Log(steps, out.Rect, "height", h, "lines", len(lines), "bend", lineBend(lines))
	for _, l := range lines {
		t.Logf("x %5.0f-%5.0f  y %6.1f slope %+.4f glyphs %d bend %.1f", l.x0, l.x1, l.meanY(), l.slope(), l.glyphs, l.bend(l.slope()))
	}
}
