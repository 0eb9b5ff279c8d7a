package preprocess

import (
	"bytes"
	"flag"
	"image"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/corpus"
	"github.com/snapnote/snapnote/internal/photo"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the README's before/after pictures in docs/")

// TestDocsPictures draws the README's pictures of straightened pages, a corpus page held at an
// angle and a curled one, each before and after the Go preprocessing, and checks that docs/
// holds them as drawn: run `go test ./internal/ocr/preprocess -run DocsPictures -update-docs` to redraw.
func TestDocsPictures(t *testing.T) {
	t.Parallel()

	for _, c := range []struct {
		file  string
		page  int
		class string
		step  string
	}{
		{"dewarp-angle.png", 2, corpus.ClassAngle, "keystone:"},
		{"dewarp-curl.png", 1, corpus.ClassCurl, "dewarp:"},
	} {
		s, err := corpus.Variant(corpus.NewPage(c.page), c.class)
		require.NoError(t, err)
		decoded, err := photo.Decode(bytes.NewReader(s.Encoded))
		require.NoError(t, err)
		before := grayscale(decoded)

		after := normalize(before, true)
		gs := glyphs(after, otsu(histogram(after))/2)
		if deg := skewAngle(gs); deg <= -minSkew || deg >= minSkew {
			gs = rotateGlyphs(gs, -deg, after.Rect.Dx(), after.Rect.Dy())
			after = rotate(after, -deg, paperLevel(after))
		}
		after, steps := straightenLines(after, gs)
		require.NotEmpty(t, steps)
		require.Contains(t, steps[len(steps)-1]+steps[0], c.step)

		var buf bytes.Buffer
		require.NoError(t, png.Encode(&buf, sideBySide(before, after)))
		path := filepath.Join("..", "..", "..", "docs", c.file)
		if *updateDocs {
			require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err, "draw it with -update-docs")
		require.Less(t, len(want), 150<<10, "small enough for the README")
		require.True(t, bytes.Equal(want, buf.Bytes()), "%s is out of date: redraw it with -update-docs", path)
	}
}

// sideBySide returns the text part of two pages (the top 55%) next to each other at 40% of
// their size, with a gray gap between them.
func sideBySide(a, b *image.Gray) *image.Gray {
	const scale, gap = 0.4, 12
	part := func(img *image.Gray) *image.Gray {
		w, h := img.Rect.Dx(), img.Rect.Dy()*55/100
		top := img.SubImage(image.Rect(0, 0, w, h)).(*image.Gray)
		return shrink(top, int(float64(w)*scale), int(float64(h)*scale))
	}
	pa, pb := part(a), part(b)
	out := image.NewGray(image.Rect(0, 0, pa.Rect.Dx()+gap+pb.Rect.Dx(), max(pa.Rect.Dy(), pb.Rect.Dy())))
	for i := range out.Pix {
		out.Pix[i] = 128
	}
	draw.Draw(out, pa.Rect, pa, image.Point{}, draw.Src)
	draw.Draw(out, pb.Rect.Add(image.Pt(pa.Rect.Dx()+gap, 0)), pb, image.Point{}, draw.Src)
	return out
}
