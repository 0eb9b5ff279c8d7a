package ocrtest

import (
	"image"
	"image/draw"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// RenderText draws lines in black Go Regular at sizePx pixels (em size) on a white width×height
// canvas, one line per element, with a margin of twice the font size. An empty element leaves a
// blank line, which separates paragraphs. Nothing is wrapped: text beyond the canvas is cut off.
// At 200 dpi an A4 page is 1700×2200 and 12 pt text is about 33 px.
func RenderText(lines []string, width, height, sizePx int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)

	// An opentype face holds no resources: its Close does nothing, so it is not called.
	face := goRegular(sizePx)
	metrics := face.Metrics()
	lineHeight := metrics.Height.Ceil() + sizePx/4
	margin := 2 * sizePx

	d := font.Drawer{Dst: img, Src: image.Black, Face: face}
	baseline := margin + metrics.Ascent.Ceil()
	for _, line := range lines {
		d.Dot = fixed.P(margin, baseline)
		d.DrawString(line)
		baseline += lineHeight
	}
	return img
}

// goRegular returns a face of the embedded Go Regular font at sizePx pixels. It panics if the
// embedded font does not parse, which would be a bug in golang.org/x/image.
func goRegular(sizePx int) font.Face {
	f, err := opentype.Parse(goregular.TTF)
	if err != nil {
		panic("ocrtest: parse Go Regular: " + err.Error())
	}
	// At 72 dpi one point is one pixel.
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: float64(sizePx), DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		panic("ocrtest: Go Regular face: " + err.Error())
	}
	return face
}
