package preprocess

import "image"

// Edges of ink on a normalized page: a pixel at or under edgeInk is ink, at or over edgePaper
// paper, and the pixels between them where a row passes from one to the other are the edge.
const (
	edgeInk   = 64
	edgePaper = 192
)

// edgeWidth returns the mean width, in pixels, of the edges of ink along the rows of img, a
// normalized page (paper white, ink dark): the run of gray pixels between paper and ink where
// a row crosses a stroke's side. Print photographed in focus crosses in one or two pixels;
// out of focus, in as many as the blur is wide. Every other row is enough to measure it, at
// half the cost. A page with no such crossing returns 0.
func edgeWidth(img *image.Gray) float64 {
	w := img.Rect.Dx()
	var total, edges int
	for y := 0; y < img.Rect.Dy(); y += 2 {
		row := img.Pix[y*img.Stride:][:w]
		// from is where the current run of gray began, after a pixel of ink (-1) or paper
		// (+1), or 0 when the last pixel was neither after a gray run not so begun.
		start, from := 0, 0
		for x, p := range row {
			switch {
			case p <= edgeInk:
				if from == 1 {
					total += x - start
					edges++
				}
				start, from = x+1, -1
			case p >= edgePaper:
				if from == -1 {
					total += x - start
					edges++
				}
				start, from = x+1, 1
			}
		}
	}
	if edges == 0 {
		return 0
	}
	return float64(total) / float64(edges)
}

// Blur that pays to sharpen: edges of ink at least minBlurEdge pixels wide and minBlurShare of
// the characters' height. Slightly out-of-focus photos (the mild-blur class) measured 6.7 to
// 8.3 pixels and 0.31 to 0.92 of their characters; the blur class, sharp photos and the real
// phone photos 3.5 pixels and 0.29 at most, and Tesseract reads those as they are. Photographed
// three-column pages reach 4 to 5 pixels, and sharpening them turns paper grain into ink, so
// the bar stands midway between those and the mild blur.
const (
	minBlurEdge  = 5.8
	minBlurShare = 0.3
	// sharpenAmount is how much of the difference from its blurred self is added to a pixel.
	sharpenAmount = 2
)

// blurred reports whether the ink edges of img, whose characters are height pixels tall,
// are wide enough to sharpen, and the radius to sharpen them with: half the edges' width.
func blurred(img *image.Gray, height int) (radius int, ok bool) {
	edge := edgeWidth(img)
	if edge < minBlurEdge || edge < minBlurShare*float64(height) {
		return 0, false
	}
	return int(edge/2 + 0.5), true
}

// sharpen returns img with an unsharp mask of radius r: each pixel moved away from the mean of
// the pixels around it (two box blurs of radius r, close to a Gaussian) by sharpenAmount times
// its difference from it, which narrows the blurred edges of strokes back towards a step.
func sharpen(img *image.Gray, r int) *image.Gray {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	plane := make([]uint8, w*h)
	for y := range h {
		copy(plane[y*w:][:w], img.Pix[y*img.Stride:][:w])
	}
	soft := boxBlur(boxBlur(plane, w, h, r), w, h, r)
	out := image.NewGray(image.Rect(0, 0, w, h))
	for i, p := range plane {
		v := int(p) + sharpenAmount*(int(p)-int(soft[i]))
		out.Pix[i] = uint8(min(255, max(0, v)))
	}
	return out
}
