package layout

import (
	"image"
)

// Strokes measures the stroke width of each word in page, the image the words were read
// from, and stores it in the word's Stroke: the mean length of the horizontal runs of ink in
// the word's box, leaving out runs longer than a third of the box's height (the bars of "T"
// and "e", which bold does not widen as much). Ink is what is darker than the midpoint between
// the box's darkest and lightest pixels. Words outside page keep Stroke 0.
func Strokes(page *image.Gray, words []Word) {
	for i := range words {
		words[i].Stroke = stroke(page, words[i].Box)
	}
}

func stroke(page *image.Gray, box image.Rectangle) float64 {
	box = box.Intersect(page.Rect)
	if box.Dx() < 2 || box.Dy() < 4 {
		return 0
	}
	lo, hi := uint8(255), uint8(0)
	for y := box.Min.Y; y < box.Max.Y; y++ {
		row := page.Pix[page.PixOffset(box.Min.X, y):page.PixOffset(box.Max.X, y)]
		for _, v := range row {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if int(hi)-int(lo) < 40 {
		return 0 // no contrast: nothing to measure
	}
	mid := uint8((int(lo) + int(hi)) / 2)
	longest := box.Dy() / 3
	ink, runs := 0, 0
	for y := box.Min.Y; y < box.Max.Y; y++ {
		row := page.Pix[page.PixOffset(box.Min.X, y):page.PixOffset(box.Max.X, y)]
		run := 0
		for x := 0; x <= len(row); x++ {
			if x < len(row) && row[x] < mid {
				run++
				continue
			}
			if run > 0 && run <= longest {
				ink += run
				runs++
			}
			run = 0
		}
	}
	if runs == 0 {
		return 0
	}
	return float64(ink) / float64(runs)
}
