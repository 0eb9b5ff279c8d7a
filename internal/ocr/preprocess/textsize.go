package preprocess

import "image"

// minReducedGlyph is the smallest median character height, in pixels, at which a photo
// decoded at a reduced scale is read as it is. The corpus pages, whose characters measure
// 14 to 16 pixels, read with a character error rate under 1% without enlarging; but on real
// phone photos of worksheets, a page measuring 16 at half size read worse there than whole
// (CER 0.25 → 0.47), while those of 19 to 23 read as well on average. A phone photo of a
// whole printed page (characters of 36 to 40 pixels at 12 megapixels) is read at half size.
const minReducedGlyph = 18

// ReadableAsIs reports whether the characters on img, a photo of a page decoded at a reduced
// scale, are large enough to read at that scale: measured as StepScale measures them, at
// least minReducedGlyph pixels. A page with too few character-like shapes to measure is
// not: its text may be too small to be found at all.
func ReadableAsIs(img *image.Gray) bool {
	gs := glyphs(img, otsu(histogram(img))/2)
	return len(gs) >= minOSDGlyphs && medianHeight(gs) >= minReducedGlyph
}
