package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"testing"

	"github.com/stretchr/testify/require"
)

// Test BMPs are written here, byte by byte, in each encoding the decoder reads: no Go encoder writes RLE or
// bit fields.

const (
	bmpTestW = 13 // odd, so that rows need padding in every bit depth
	bmpTestH = 5
)

// bmpTestPalette has 16 distinct colours, enough for RLE4.
var bmpTestPalette = func() []color.RGBA {
	p := make([]color.RGBA, 16)
	for i := range p {
		p[i] = color.RGBA{R: uint8(i * 16), G: uint8(255 - i*16), B: uint8(i * 7), A: 0xFF}
	}
	return p
}()

// bmpTestIndex is the palette index of pixel (x, y), y from the top: a run, a stretch of differing values and
// another run on each row, so that an RLE encoder uses both of its modes.
func bmpTestIndex(x, y int) byte {
	switch {
	case x < 5:
		return byte(y)
	case x < 10:
		return byte((x*3 + y) % 16)
	default:
		return 15
	}
}

// bmpTestColor is the colour of pixel (x, y) in the true-colour test images.
func bmpTestColor(x, y int) color.RGBA {
	return color.RGBA{R: uint8(x * 19), G: uint8(y * 50), B: uint8(255 - x*19), A: 0xFF}
}

type bmpFile struct {
	infoLen     int // 40, 52, 56, 108 or 124
	bpp         int
	compression uint32
	topDown     bool
	masks       []uint32 // after a 40-byte header, else inside the header
	palette     []color.RGBA
	gap         int // bytes between the headers and the pixels
	pixels      []byte
}

func (f bmpFile) encode() []byte {
	le := binary.LittleEndian
	info := make([]byte, f.infoLen)
	le.PutUint32(info[0:], uint32(f.infoLen))
	le.PutUint32(info[4:], bmpTestW)
	height := int32(bmpTestH)
	if f.topDown {
		height = -height
	}
	le.PutUint32(info[8:], uint32(height))
	le.PutUint16(info[12:], 1)
	le.PutUint16(info[14:], uint16(f.bpp))
	le.PutUint32(info[16:], f.compression)
	le.PutUint32(info[20:], uint32(len(f.pixels)))
	le.PutUint32(info[32:], uint32(len(f.palette)))
	var after []byte
	for i, m := range f.masks {
		if f.infoLen == 40 {
			after = le.AppendUint32(after, m)
		} else {
			le.PutUint32(info[40+4*i:], m)
		}
	}
	for _, c := range f.palette {
		after = append(after, c.B, c.G, c.R, 0)
	}
	offset := bmpFileHeaderLen + len(info) + len(after) + f.gap
	file := []byte("BM")
	file = le.AppendUint32(file, uint32(offset+len(f.pixels)))
	file = le.AppendUint32(file, 0)
	file = le.AppendUint32(file, uint32(offset))
	file = append(file, info...)
	file = append(file, after...)
	file = append(file, make([]byte, f.gap)...)
	return append(file, f.pixels...)
}

// packedRows writes the rows bottom-up (or top-down), each padded to four bytes, with pixel(x, y) giving the
// bytes of one pixel (bpp ≥ 8) or its index (bpp < 8).
func packedRows(bpp int, topDown bool, pixel func(x, y int) []byte) []byte {
	stride := (bmpTestW*bpp + 31) / 32 * 4
	var out []byte
	for i := range bmpTestH {
		y := bmpTestH - 1 - i
		if topDown {
			y = i
		}
		row := make([]byte, stride)
		for x := range bmpTestW {
			p := pixel(x, y)
			if bpp >= 8 {
				copy(row[x*bpp/8:], p)
				continue
			}
			perByte := 8 / bpp
			row[x/perByte] |= p[0] << ((perByte - 1 - x%perByte) * bpp)
		}
		out = append(out, row...)
	}
	return out
}

// rleRows encodes the indexed test image as RLE8 or RLE4 (nibbles): runs of two or more as encoded runs,
// other stretches of three or more as absolute runs, lone pixels as runs of one.
func rleRows(nibbles bool) []byte {
	var out []byte
	for row := range bmpTestH {
		y := bmpTestH - 1 - row
		line := make([]byte, bmpTestW)
		for x := range line {
			line[x] = bmpTestIndex(x, y)
		}
		for i := 0; i < len(line); {
			run := 1
			for i+run < len(line) && line[i+run] == line[i] {
				run++
			}
			if run >= 2 {
				v := line[i]
				if nibbles {
					v = v<<4 | v
				}
				out = append(out, byte(run), v)
				i += run
				continue
			}
			lit := 1
			for i+lit < len(line) && (i+lit+1 >= len(line) || line[i+lit] != line[i+lit+1]) {
				lit++
			}
			if lit < 3 {
				for _, v := range line[i : i+lit] {
					if nibbles {
						v = v<<4 | v
					}
					out = append(out, 1, v)
				}
				i += lit
				continue
			}
			out = append(out, 0, byte(lit))
			var abs []byte
			for k, v := range line[i : i+lit] {
				if !nibbles {
					abs = append(abs, v)
				} else if k%2 == 0 {
					abs = append(abs, v<<4)
				} else {
					abs[len(abs)-1] |= v
				}
			}
			if len(abs)%2 == 1 {
				abs = append(abs, 0)
			}
			out = append(out, abs...)
			i += lit
		}
		out = append(out, 0, 0) // end of line
	}
	return append(out, 0, 1) // end of bitmap
}

func indexPixel(x, y int) []byte { return []byte{bmpTestIndex(x, y)} }

// bmpTestFiles are the test image in each encoding, with whether its pixels are the indexed image.
func bmpTestFiles() map[string]struct {
	file    bmpFile
	indexed bool
} {
	type entry = struct {
		file    bmpFile
		indexed bool
	}
	le := binary.LittleEndian
	bgr := func(x, y int) []byte { c := bmpTestColor(x, y); return []byte{c.B, c.G, c.R} }
	bgrx := func(x, y int) []byte { c := bmpTestColor(x, y); return []byte{c.B, c.G, c.R, 0} }
	rgb565 := func(x, y int) []byte {
		c := bmpTestColor(x, y)
		return le.AppendUint16(nil, uint16(c.R>>3)<<11|uint16(c.G>>2)<<5|uint16(c.B>>3))
	}
	rgb555 := func(x, y int) []byte {
		c := bmpTestColor(x, y)
		return le.AppendUint16(nil, uint16(c.R>>3)<<10|uint16(c.G>>3)<<5|uint16(c.B>>3))
	}
	rgba := func(x, y int) []byte { // RGBA order, alpha zero: ignored
		c := bmpTestColor(x, y)
		return le.AppendUint32(nil, uint32(c.R)<<24|uint32(c.G)<<16|uint32(c.B)<<8)
	}
	twoColour := func(x, y int) []byte { return []byte{bmpTestIndex(x, y) % 2} }
	fourColour := func(x, y int) []byte { return []byte{bmpTestIndex(x, y) % 4} }
	rgbMasks := []uint32{0xFF000000, 0xFF0000, 0xFF00}
	return map[string]entry{
		"RGB 1-bit":              {bmpFile{infoLen: 40, bpp: 1, palette: bmpTestPalette[:2], pixels: packedRows(1, false, twoColour)}, true},
		"RGB 2-bit":              {bmpFile{infoLen: 40, bpp: 2, palette: bmpTestPalette[:4], pixels: packedRows(2, false, fourColour)}, true},
		"RGB 4-bit":              {bmpFile{infoLen: 40, bpp: 4, palette: bmpTestPalette, pixels: packedRows(4, false, indexPixel)}, true},
		"RGB 8-bit":              {bmpFile{infoLen: 40, bpp: 8, palette: bmpTestPalette, pixels: packedRows(8, false, indexPixel)}, true},
		"RGB 8-bit gap":          {bmpFile{infoLen: 124, bpp: 8, palette: bmpTestPalette, gap: 6, pixels: packedRows(8, false, indexPixel)}, true},
		"RGB 8-bit top-down":     {bmpFile{infoLen: 40, bpp: 8, topDown: true, palette: bmpTestPalette, pixels: packedRows(8, true, indexPixel)}, true},
		"RLE8":                   {bmpFile{infoLen: 40, bpp: 8, compression: biRLE8, palette: bmpTestPalette, pixels: rleRows(false)}, true},
		"RLE8 V5 header":         {bmpFile{infoLen: 124, bpp: 8, compression: biRLE8, palette: bmpTestPalette, pixels: rleRows(false)}, true},
		"RLE4":                   {bmpFile{infoLen: 40, bpp: 4, compression: biRLE4, palette: bmpTestPalette, pixels: rleRows(true)}, true},
		"RGB 16-bit":             {bmpFile{infoLen: 40, bpp: 16, pixels: packedRows(16, false, rgb555)}, false},
		"RGB 24-bit":             {bmpFile{infoLen: 40, bpp: 24, pixels: packedRows(24, false, bgr)}, false},
		"RGB 24-bit top-down":    {bmpFile{infoLen: 108, bpp: 24, topDown: true, pixels: packedRows(24, true, bgr)}, false},
		"RGB 32-bit":             {bmpFile{infoLen: 40, bpp: 32, pixels: packedRows(32, false, bgrx)}, false},
		"bitfields 16-bit 565":   {bmpFile{infoLen: 40, bpp: 16, compression: biBitfields, masks: []uint32{0xF800, 0x07E0, 0x001F}, pixels: packedRows(16, false, rgb565)}, false},
		"bitfields 32-bit V4":    {bmpFile{infoLen: 108, bpp: 32, compression: biBitfields, masks: append(rgbMasks, 0xFF), pixels: packedRows(32, false, rgba)}, false},
		"bitfields 32-bit V2":    {bmpFile{infoLen: 52, bpp: 32, compression: biBitfields, masks: rgbMasks, pixels: packedRows(32, false, rgba)}, false},
		"alpha bitfields 32-bit": {bmpFile{infoLen: 40, bpp: 32, compression: biAlphaBitfields, masks: append(rgbMasks, 0xFF), pixels: packedRows(32, false, rgba)}, false},
	}
}

// wantBMPColor is the colour the decoder must give pixel (x, y) of a test file.
func wantBMPColor(name string, indexed bool, x, y int) color.RGBA {
	c := bmpTestColor(x, y)
	scale := func(v uint8, bits uint) uint8 { return uint8(uint32(v>>(8-bits)) * 255 / (1<<bits - 1)) }
	switch {
	case name == "RGB 1-bit":
		return bmpTestPalette[bmpTestIndex(x, y)%2]
	case name == "RGB 2-bit":
		return bmpTestPalette[bmpTestIndex(x, y)%4]
	case indexed:
		return bmpTestPalette[bmpTestIndex(x, y)]
	case name == "RGB 16-bit":
		return color.RGBA{R: scale(c.R, 5), G: scale(c.G, 5), B: scale(c.B, 5), A: 0xFF}
	case name == "bitfields 16-bit 565":
		return color.RGBA{R: scale(c.R, 5), G: scale(c.G, 6), B: scale(c.B, 5), A: 0xFF}
	default:
		return c
	}
}

func TestBMPEncodings(t *testing.T) {
	t.Parallel()
	for name, tt := range bmpTestFiles() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data := tt.file.encode()

			typ, ok := Sniff(data)
			require.True(t, ok)
			require.Equal(t, typeBMP, typ)
			w, h, err := DecodeConfig(bytes.NewReader(data))
			require.NoError(t, err)
			require.Equal(t, [2]int{bmpTestW, bmpTestH}, [2]int{w, h})
			require.NoError(t, CheckComplete(data, typeBMP))

			img, err := Decode(bytes.NewReader(data))
			require.NoError(t, err)
			require.Equal(t, image.Rect(0, 0, bmpTestW, bmpTestH), img.Bounds())
			for y := range bmpTestH {
				for x := range bmpTestW {
					got := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
					require.Equal(t, wantBMPColor(name, tt.indexed, x, y), got, "pixel (%d, %d)", x, y)
				}
			}

			// Any cut into the pixel data is caught by the completeness check and fails the decode.
			for n := len(data) - len(tt.file.pixels); n < len(data); n++ {
				require.ErrorIs(t, CheckComplete(data[:n], typeBMP), ErrCorrupt, "cut to %d of %d bytes", n, len(data))
				_, err := Decode(bytes.NewReader(data[:n]))
				require.ErrorIs(t, err, ErrCorrupt, "cut to %d of %d bytes", n, len(data))
			}
		})
	}
}

// Delta escapes move the drawing position right and up; the pixels skipped keep colour 0, and a run past the
// right edge is clipped.
func TestBMPRLEDelta(t *testing.T) {
	t.Parallel()
	stream := []byte{
		2, 5, // row 0 (bottom): two pixels of 5
		0, 2, 1, 1, // delta: one right, one up (to x=3, row 1)
		1, 7, // one pixel of 7
		0, 0, // end of line: row 2
		20, 9, // twenty pixels of 9, clipped to the width
		0, 1, // end of bitmap
	}
	f := bmpFile{infoLen: 40, bpp: 8, compression: biRLE8, palette: bmpTestPalette, pixels: stream}
	data := f.encode()
	// The test file's header says 13×5; this stream paints only three rows of it.
	img, err := Decode(bytes.NewReader(data))
	require.NoError(t, err)
	p := img.(*image.Paletted)
	row := func(fromBottom int) []byte {
		y := bmpTestH - 1 - fromBottom
		return p.Pix[y*p.Stride : y*p.Stride+bmpTestW]
	}
	require.Equal(t, []byte{5, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, row(0))
	require.Equal(t, []byte{0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0}, row(1))
	require.Equal(t, bytes.Repeat([]byte{9}, bmpTestW), row(2))
	require.Equal(t, make([]byte, bmpTestW), row(3))
	require.NoError(t, CheckComplete(data, typeBMP))
}

func TestBMPUnsupported(t *testing.T) {
	t.Parallel()
	le := binary.LittleEndian
	pixels := packedRows(24, false, func(int, int) []byte { return []byte{1, 2, 3} })
	core := []byte("BM")
	core = le.AppendUint32(core, 26)
	core = le.AppendUint32(core, 0)
	core = le.AppendUint32(core, 26)
	core = le.AppendUint32(core, 12)
	core = le.AppendUint16(core, 1)
	core = le.AppendUint16(core, 1)
	core = le.AppendUint16(core, 1)
	core = le.AppendUint16(core, 24)
	core = append(core, 0, 0, 0, 0)
	os2v2 := bmpFile{infoLen: 40, bpp: 24, pixels: pixels}.encode()
	os2v2 = append(os2v2[:14:14], append(le.AppendUint32(nil, 64), append(os2v2[18:54], make([]byte, 24)...)...)...)
	le.PutUint32(os2v2[10:], uint32(len(os2v2)))

	for variant, data := range map[string][]byte{
		"JPEG-compressed BMP": bmpFile{infoLen: 40, bpp: 0, compression: biJPEG, pixels: []byte("\xFF\xD8\xFF")}.encode(),
		"PNG-compressed BMP":  bmpFile{infoLen: 124, bpp: 0, compression: biPNG, pixels: []byte("\x89PNG\r\n\x1A\n")}.encode(),
		"CMYK BMP":            bmpFile{infoLen: 40, bpp: 32, compression: biCMYK, pixels: pixels}.encode(),
		"OS/2 1.x BMP (12-byte BITMAPCOREHEADER)": core,
		"OS/2 2.x BMP": os2v2,
	} {
		t.Run(variant, func(t *testing.T) {
			t.Parallel()
			typ, ok := Sniff(data)
			require.True(t, ok)
			require.Equal(t, typeBMP, typ)

			_, _, err := DecodeConfig(bytes.NewReader(data))
			requireUnsupported(t, err, variant)
			_, err = Decode(bytes.NewReader(data))
			requireUnsupported(t, err, variant)
			requireUnsupported(t, CheckComplete(data, typeBMP), variant)
		})
	}
}

func requireUnsupported(t *testing.T, err error, variant string) {
	t.Helper()
	require.ErrorIs(t, err, ErrCorrupt)
	var unsupported *UnsupportedError
	require.ErrorAs(t, err, &unsupported)
	require.Equal(t, variant, unsupported.Variant)
	require.ErrorContains(t, err, variant+" is not supported")
}

func TestBMPDamaged(t *testing.T) {
	t.Parallel()
	good := bmpTestFiles()["RLE8"].file
	for name, f := range map[string]bmpFile{
		"RLE8 with 4 bits per pixel": {infoLen: 40, bpp: 4, compression: biRLE8, palette: bmpTestPalette, pixels: good.pixels},
		"RLE8 top-down":              {infoLen: 40, bpp: 8, compression: biRLE8, topDown: true, palette: bmpTestPalette, pixels: good.pixels},
		"bit fields at 24 bits":      {infoLen: 40, bpp: 24, compression: biBitfields, masks: []uint32{0xFF0000, 0xFF00, 0xFF}, pixels: good.pixels},
		"zero bit mask":              {infoLen: 40, bpp: 16, compression: biBitfields, masks: []uint32{0xF800, 0, 0x1F}, pixels: good.pixels},
		"unknown compression":        {infoLen: 40, bpp: 8, compression: 9, palette: bmpTestPalette, pixels: good.pixels},
		"7 bits per pixel":           {infoLen: 40, bpp: 7, pixels: good.pixels},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data := f.encode()
			_, _, err := DecodeConfig(bytes.NewReader(data))
			require.ErrorIs(t, err, ErrCorrupt)
			var unsupported *UnsupportedError
			require.False(t, errors.As(err, &unsupported), "%v", err)
			require.ErrorIs(t, CheckComplete(data, typeBMP), ErrCorrupt)
		})
	}
}

// A header claiming more pixels than the decoder could ever allocate is refused from its 54 bytes.
func TestBMPHugeClaim(t *testing.T) {
	t.Parallel()
	data := bmpFile{infoLen: 40, bpp: 24}.encode()
	binary.LittleEndian.PutUint32(data[18:], 1<<20)
	binary.LittleEndian.PutUint32(data[22:], 1<<20)
	_, _, err := DecodeConfig(bytes.NewReader(data))
	require.ErrorIs(t, err, ErrCorrupt)
	require.ErrorContains(t, err, fmt.Sprintf("size %dx%d out of range", 1<<20, 1<<20))
}
