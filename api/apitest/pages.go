package apitest

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
)

// LectureLines are the lines of the lecture page LecturePNG renders.
var LectureLines = []string{
	"Thermodynamics Lecture Three",
	"",
	"The first law states that energy is conserved.",
	"Heat added to a system equals the change in its",
	"internal energy plus the work done by the system.",
	"",
	"Entropy of an isolated system never decreases.",
}

// LecturePNG renders LectureLines as a 1700×1100 PNG, 40 px text.
func LecturePNG(t testing.TB) []byte {
	return PNGBytes(t, ocrtest.RenderText(LectureLines, 1700, 1100, 40))
}

// PageOf renders a page of lecture text whose lines name it.
func PageOf(t testing.TB, title string, lines ...string) []byte {
	t.Helper()
	return PNGBytes(t, ocrtest.RenderText(append([]string{title, ""}, lines...), 1500, 700, 40))
}

// DeepPNG is a w×h PNG of 16-bit RGBA: small on the wire, eight bytes a
// pixel once decoded.
func DeepPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA64(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA64{R: 65535, A: 30000})
	var buf bytes.Buffer
	require.NoError(t, (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img))
	return buf.Bytes()
}
