package corpus_test

import (
	"bytes"
	"image"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/corpus"
	"github.com/snapnote/snapnote/internal/photo"
)

func TestPagesDeterministic(t *testing.T) {
	t.Parallel()

	a, b := corpus.Pages(2), corpus.Pages(2)
	require.Len(t, a, 2)
	for i := range a {
		require.Equal(t, i, a[i].Index)
		require.Equal(t, a[i].Truth, b[i].Truth)
		require.Equal(t, a[i].Image.Pix, b[i].Image.Pix)
		require.Equal(t, a[i].Truth, corpus.NewPage(i).Truth, "a page does not depend on how many are asked for")
	}
	require.NotEqual(t, a[0].Truth, a[1].Truth)

	for _, class := range []string{corpus.ClassSkew, corpus.ClassPhone, corpus.ClassEXIF} {
		x, err := corpus.Variant(a[1], class)
		require.NoError(t, err)
		y, err := corpus.Variant(b[1], class)
		require.NoError(t, err)
		require.Equal(t, x.Encoded, y.Encoded, class)
	}
}

func TestPageTruth(t *testing.T) {
	t.Parallel()

	for _, p := range corpus.Pages(3) {
		require.Equal(t, image.Rect(0, 0, corpus.PageWidth, corpus.PageHeight), p.Image.Bounds())
		lines := strings.Split(p.Truth, "\n")
		require.Greater(t, len(lines), 15, "page %d", p.Index)
		require.NotContains(t, p.Truth, "\n\n\n")
		require.Contains(t, p.Truth, "\n- ", "bullet list")
		require.Contains(t, p.Truth, "\n1. ", "numbered steps")
		for _, l := range lines {
			require.Equal(t, strings.TrimSpace(l), l, "no layout spaces in the truth")
		}
		// Something is drawn: the page is not blank paper.
		dark := 0
		for _, v := range p.Image.Pix {
			if v < 128 {
				dark++
			}
		}
		require.Greater(t, dark, len(p.Image.Pix)/100)
	}
}

func TestVariants(t *testing.T) {
	t.Parallel()

	page := corpus.NewPage(0)
	samples := corpus.Variants(page)
	require.Len(t, samples, len(corpus.Classes))
	for i, s := range samples {
		require.Equal(t, corpus.Classes[i], s.Class)
		require.Equal(t, "p000-"+s.Class, s.Name)
		require.Equal(t, page.Truth, s.Truth)
		typ, ok := photo.Sniff(s.Encoded)
		require.True(t, ok, s.Name)
		require.Equal(t, s.ContentType, typ, s.Name)

		img, err := photo.Decode(bytes.NewReader(s.Encoded))
		require.NoError(t, err, s.Name)
		b := img.Bounds()
		switch s.Class {
		case corpus.ClassRotate90, corpus.ClassRotate270:
			require.Equal(t, image.Rect(0, 0, corpus.PageHeight, corpus.PageWidth), b, s.Name)
		case corpus.ClassLowRes:
			require.Equal(t, image.Rect(0, 0, 385, 545), b, s.Name) // 35%
		case corpus.ClassAngleLowRes:
			require.Equal(t, image.Rect(0, 0, 550, 778), b, s.Name) // 50%
		case corpus.ClassSkew, corpus.ClassPhone:
			require.Greater(t, b.Dx(), corpus.PageWidth, s.Name)
		case corpus.ClassSteepSmall, corpus.ClassDeskSmall:
			require.Equal(t, image.Rect(0, 0, 1200, 1600), b, s.Name)
		default:
			require.Equal(t, page.Image.Bounds(), b, s.Name)
		}
	}

	_, err := corpus.Variant(page, "sepia")
	require.ErrorContains(t, err, `unknown corpus class "sepia"`)
}

func TestEXIFDecodesUpright(t *testing.T) {
	t.Parallel()

	// Pages 0, 1 and 2 carry orientations 6, 8 and 3: each is stored turned a different way.
	for _, page := range corpus.Pages(3) {
		s, err := corpus.Variant(page, corpus.ClassEXIF)
		require.NoError(t, err)
		w, h, err := photo.DecodeConfig(bytes.NewReader(s.Encoded))
		require.NoError(t, err)
		if page.Index < 2 {
			require.Equal(t, []int{corpus.PageHeight, corpus.PageWidth}, []int{w, h}, "stored sideways")
		}

		img, err := photo.Decode(bytes.NewReader(s.Encoded))
		require.NoError(t, err)
		require.Equal(t, page.Image.Bounds(), img.Bounds())
		// JPEG is lossy: compare the mean difference from the upright page.
		nrgba, ok := img.(*image.NRGBA) // what imaging returns for a turned image
		require.True(t, ok, "%T", img)
		var diff int
		for y := range corpus.PageHeight {
			for x := range corpus.PageWidth {
				diff += absDiff(int(nrgba.Pix[y*nrgba.Stride+4*x]), int(page.Image.Pix[y*page.Image.Stride+x]))
			}
		}
		require.Less(t, float64(diff)/float64(corpus.PageWidth*corpus.PageHeight), 3.0, "page %d", page.Index)
	}
}

func absDiff(a, b int) int {
	if a > b {
		return a - b
	}
	return b - a
}
