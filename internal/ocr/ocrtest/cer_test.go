package ocrtest

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCER(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name      string
		got, want string
		cer       float64
	}{
		{"identical", "the first law", "the first law", 0},
		{"whitespace differs", "the first\n\n  law ", "the first law", 0},
		{"one substitution", "the flrst law", "the first law", 1.0 / 13},
		{"one insertion", "the firstt law", "the first law", 1.0 / 13},
		{"one deletion", "the frst law", "the first law", 1.0 / 13},
		{"runes not bytes", "Größe", "Grösse", 2.0 / 6},
		{"nothing read", "", "abcd", 1},
		{"longer than truth", "abcdefgh", "abcd", 1},
		{"both empty", " \n", "", 0},
		{"empty truth", "x", "", math.Inf(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			require.InDelta(t, tt.cer, CER(tt.got, tt.want), 1e-9)
		})
	}
}

func TestWER(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name      string
		got, want string
		wer       float64
	}{
		{"identical", "the first law", "the first law", 0},
		{"line breaks", "the first\nlaw", "the first law", 0},
		{"one word wrong", "the flrst law", "the first law", 1.0 / 3},
		{"split word", "the fir st law", "the first law", 2.0 / 3},
		{"word missing", "the law", "the first law", 1.0 / 3},
		{"nothing read", "", "the first law", 1},
		{"both empty", "", " ", 0},
		{"empty truth", "x", "", math.Inf(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			require.InDelta(t, tt.wer, WER(tt.got, tt.want), 1e-9)
		})
	}
}

func TestRenderText(t *testing.T) {
	t.Parallel()

	img := RenderText([]string{"Hello", "", "World"}, 400, 300, 36)
	require.Equal(t, 400, img.Bounds().Dx())
	require.Equal(t, 300, img.Bounds().Dy())

	// rowInk counts dark pixels in each row.
	rowInk := make([]int, 300)
	for y := range 300 {
		for x := range 400 {
			if img.RGBAAt(x, y).R < 128 {
				rowInk[y]++
			}
		}
	}
	require.Equal(t, 0, rowInk[0], "top margin")
	require.Equal(t, 0, rowInk[299], "bottom of the canvas")
	// Two inked bands (the two lines) with a gap wider than a line between them.
	var bands []int
	for y := 1; y < 300; y++ {
		if rowInk[y] > 0 && rowInk[y-1] == 0 {
			bands = append(bands, y)
		}
	}
	require.Len(t, bands, 2)
	require.Greater(t, bands[1]-bands[0], 2*36)
}
