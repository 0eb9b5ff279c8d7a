package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"math/bits"
)

// BMP compression methods (the biCompression field).
const (
	biRGB            = 0
	biRLE8           = 1
	biRLE4           = 2
	biBitfields      = 3
	biJPEG           = 4
	biPNG            = 5
	biAlphaBitfields = 6
	biCMYK           = 11
	biCMYKRLE8       = 12
	biCMYKRLE4       = 13
)

const (
	bmpFileHeaderLen = 14
	// bmpMaxPixels bounds the pixel count a header may claim, so that the decoder's allocation, four bytes a
	// pixel, cannot overflow. Callers enforce their own, much smaller, cap with DecodeConfig.
	bmpMaxPixels = 1 << 30
)

// UnsupportedError is wrapped, with ErrCorrupt, by the errors of DecodeConfig, Decode and CheckComplete for
// an image in one of the six formats but in a variant of it that this package does not read.
type UnsupportedError struct {
	// Variant names what is not supported, e.g. "JPEG-compressed BMP".
	Variant string
}

func (e *UnsupportedError) Error() string { return e.Variant + " is not supported" }

// The BMP decoder is this package's own: golang.org/x/image/bmp reads only uncompressed BMP with the common
// header sizes and its pixels right after the palette. Cameras never write BMP, but scanners and ImageMagick do
// (ImageMagick compresses a greyscale BMP with RLE8 by default), so it reads every Windows encoding: BI_RGB at
// 1, 2, 4, 8, 16, 24 and 32 bits, BI_RLE8, BI_RLE4, and BI_BITFIELDS / BI_ALPHABITFIELDS at 16 and 32 bits.
// Alpha is ignored: many writers leave zeros there, which would blank the page.

// bmpHeader is what the headers of a BMP file say about its pixels.
type bmpHeader struct {
	width, height int
	topDown       bool
	bpp           int
	compression   uint32
	masks         [3]uint32     // red, green, blue: for 16 and 32 bits per pixel
	palette       color.Palette // for up to 8 bits per pixel: 1<<bpp entries, padded with black
	dataOffset    int64
}

// stride is the length of one uncompressed row: rows are padded to four bytes.
func (h *bmpHeader) stride() int64 {
	return (int64(h.width)*int64(h.bpp) + 31) / 32 * 4
}

func (h *bmpHeader) rle() bool {
	return h.compression == biRLE8 || h.compression == biRLE4
}

// readBMPHeader reads the file header, the info header, any bit masks after it and the palette, and stops
// there. It reads at most about 1.2 KB whatever the file claims. Returns io.ErrUnexpectedEOF for a short header,
// an *UnsupportedError for a variant it does not read, and another error for an impossible header.
func readBMPHeader(r io.Reader) (*bmpHeader, error) {
	h, info, err := readBMPInfo(r)
	if err != nil {
		return nil, err
	}
	pos := int64(bmpFileHeaderLen + len(info))
	masks, err := h.readEncoding(r, info)
	if err != nil {
		return nil, err
	}
	pos += masks
	if h.bpp <= 8 {
		n, err := h.readPalette(r, int(binary.LittleEndian.Uint32(info[32:36])))
		if err != nil {
			return nil, err
		}
		pos += n
	}
	if h.dataOffset < pos {
		return nil, fmt.Errorf("bmp: pixel data at %d overlaps the headers, which end at %d", h.dataOffset, pos)
	}
	return h, nil
}

// readBMPInfo reads the file header and the info header, and returns what they say with the info header's
// bytes.
func readBMPInfo(r io.Reader) (*bmpHeader, []byte, error) {
	var buf [bmpFileHeaderLen + 124]byte
	if err := readFull(r, buf[:bmpFileHeaderLen+4]); err != nil {
		return nil, nil, err
	}
	if string(buf[:2]) != "BM" {
		return nil, nil, errors.New("bmp: no BM signature")
	}
	le := binary.LittleEndian
	infoLen := le.Uint32(buf[14:18])
	switch infoLen {
	case 40, 52, 56, 108, 124: // BITMAPINFOHEADER, V2, V3, V4, V5
	case 12:
		return nil, nil, &UnsupportedError{Variant: "OS/2 1.x BMP (12-byte BITMAPCOREHEADER)"}
	case 16, 64:
		return nil, nil, &UnsupportedError{Variant: "OS/2 2.x BMP"}
	default:
		return nil, nil, fmt.Errorf("bmp: unknown info header size %d", infoLen)
	}
	if err := readFull(r, buf[18:bmpFileHeaderLen+infoLen]); err != nil {
		return nil, nil, err
	}
	info := buf[bmpFileHeaderLen : bmpFileHeaderLen+infoLen]
	h := &bmpHeader{
		width:       int(int32(le.Uint32(info[4:8]))),
		height:      int(int32(le.Uint32(info[8:12]))),
		bpp:         int(le.Uint16(info[14:16])),
		compression: le.Uint32(info[16:20]),
		dataOffset:  int64(le.Uint32(buf[10:14])),
	}
	if h.height < 0 {
		h.height, h.topDown = -h.height, true
	}
	if h.width <= 0 || h.height <= 0 || int64(h.width)*int64(h.height) > bmpMaxPixels {
		return nil, nil, fmt.Errorf("bmp: size %dx%d out of range", h.width, h.height)
	}
	if planes := le.Uint16(info[12:14]); planes != 1 {
		return nil, nil, fmt.Errorf("bmp: %d colour planes", planes)
	}
	return h, info, nil
}

// readEncoding checks the compression against the bits per pixel and sets the bit masks, read from the
// info header or, after a 40-byte one, from r. It returns how many bytes it read from r.
func (h *bmpHeader) readEncoding(r io.Reader, info []byte) (int64, error) {
	switch h.compression {
	case biRGB:
		switch h.bpp {
		case 1, 2, 4, 8, 24:
		case 16:
			h.masks = [3]uint32{0x7C00, 0x03E0, 0x001F}
		case 32:
			h.masks = [3]uint32{0xFF0000, 0xFF00, 0xFF}
		default:
			return 0, fmt.Errorf("bmp: %d bits per pixel", h.bpp)
		}
	case biRLE8, biRLE4:
		want := 8
		if h.compression == biRLE4 {
			want = 4
		}
		if h.bpp != want {
			return 0, fmt.Errorf("bmp: RLE%d with %d bits per pixel", want, h.bpp)
		}
		if h.topDown {
			return 0, errors.New("bmp: run-length encoded rows cannot be top-down")
		}
	case biBitfields, biAlphaBitfields:
		return h.readMasks(r, info)
	case biJPEG:
		return 0, &UnsupportedError{Variant: "JPEG-compressed BMP"}
	case biPNG:
		return 0, &UnsupportedError{Variant: "PNG-compressed BMP"}
	case biCMYK, biCMYKRLE8, biCMYKRLE4:
		return 0, &UnsupportedError{Variant: "CMYK BMP"}
	default:
		return 0, fmt.Errorf("bmp: unknown compression %d", h.compression)
	}
	return 0, nil
}

// readMasks reads the bit masks of BI_BITFIELDS or BI_ALPHABITFIELDS, and returns how many bytes it read
// from r.
func (h *bmpHeader) readMasks(r io.Reader, info []byte) (int64, error) {
	if h.bpp != 16 && h.bpp != 32 {
		return 0, fmt.Errorf("bmp: bit fields with %d bits per pixel", h.bpp)
	}
	masks, read := info[40:], int64(0)
	if len(info) == 40 {
		// BITMAPINFOHEADER has no room for the masks: they follow it (with alpha's for BI_ALPHABITFIELDS).
		read = 12
		if h.compression == biAlphaBitfields {
			read = 16
		}
		masks = make([]byte, read)
		if err := readFull(r, masks); err != nil {
			return 0, err
		}
	}
	for i := range h.masks {
		h.masks[i] = binary.LittleEndian.Uint32(masks[4*i:])
		if h.masks[i] == 0 || (h.bpp == 16 && h.masks[i] > 0xFFFF) {
			return 0, fmt.Errorf("bmp: bit mask %#x for %d bits per pixel", h.masks[i], h.bpp)
		}
	}
	return read, nil
}

// readPalette reads the palette of used colours (0 meaning all), padded with black to 1<<bpp entries, and
// returns how many bytes it read.
func (h *bmpHeader) readPalette(r io.Reader, used int) (int64, error) {
	n := used
	if n <= 0 || n > 1<<h.bpp {
		n = 1 << h.bpp
	}
	raw := make([]byte, 4*n)
	if err := readFull(r, raw); err != nil {
		return 0, err
	}
	h.palette = make(color.Palette, 1<<h.bpp)
	for i := range h.palette {
		h.palette[i] = color.RGBA{A: 0xFF}
		if i < n {
			h.palette[i] = color.RGBA{R: raw[4*i+2], G: raw[4*i+1], B: raw[4*i], A: 0xFF}
		}
	}
	return int64(len(raw)), nil
}

func readFull(r io.Reader, p []byte) error {
	if _, err := io.ReadFull(r, p); err != nil {
		if errors.Is(err, io.EOF) {
			return io.ErrUnexpectedEOF
		}
		return err
	}
	return nil
}

func decodeBMPConfig(r io.Reader) (image.Config, error) {
	h, err := readBMPHeader(r)
	if err != nil {
		return image.Config{}, err
	}
	model := color.RGBAModel
	if h.palette != nil {
		model = h.palette
	}
	return image.Config{ColorModel: model, Width: h.width, Height: h.height}, nil
}

func decodeBMP(r io.Reader) (image.Image, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	h, err := readBMPHeader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if h.dataOffset > int64(len(data)) {
		return nil, io.ErrUnexpectedEOF
	}
	pix := data[h.dataOffset:]
	rect := image.Rect(0, 0, h.width, h.height)

	if h.rle() {
		img := image.NewPaletted(rect, h.palette)
		err := walkRLE(pix, h, func(x, row int, index byte) {
			img.Pix[(h.height-1-row)*img.Stride+x] = index
		})
		return img, err
	}

	stride := h.stride()
	if int64(len(pix)) < stride*int64(h.height) {
		return nil, io.ErrUnexpectedEOF
	}
	rowAt := func(y int) []byte { // y counts from the top of the image
		if !h.topDown {
			y = h.height - 1 - y
		}
		return pix[int64(y)*stride : int64(y+1)*stride]
	}

	if h.palette != nil {
		img := image.NewPaletted(rect, h.palette)
		perByte := 8 / h.bpp
		mask := byte(1<<h.bpp - 1)
		for y := range h.height {
			row := rowAt(y)
			for x := range h.width {
				shift := (perByte - 1 - x%perByte) * h.bpp
				img.Pix[y*img.Stride+x] = row[x/perByte] >> shift & mask
			}
		}
		return img, nil
	}

	img := image.NewRGBA(rect)
	channels := [3]channel{newChannel(h.masks[0]), newChannel(h.masks[1]), newChannel(h.masks[2])}
	bytesPerPixel := h.bpp / 8
	for y := range h.height {
		row := rowAt(y)
		out := img.Pix[y*img.Stride:]
		for x := range h.width {
			p := row[x*bytesPerPixel:]
			if h.bpp == 24 {
				out[4*x], out[4*x+1], out[4*x+2] = p[2], p[1], p[0]
			} else {
				var v uint32
				if h.bpp == 16 {
					v = uint32(binary.LittleEndian.Uint16(p))
				} else {
					v = binary.LittleEndian.Uint32(p)
				}
				out[4*x], out[4*x+1], out[4*x+2] = channels[0].value(v), channels[1].value(v), channels[2].value(v)
			}
			out[4*x+3] = 0xFF
		}
	}
	return img, nil
}

// channel reads one colour from a pixel through its bit mask, scaled to eight bits.
type channel struct {
	mask  uint32
	shift int
	max   uint64
}

func newChannel(mask uint32) channel {
	shift := bits.TrailingZeros32(mask)
	return channel{mask: mask, shift: shift, max: uint64(mask >> shift)}
}

func (c channel) value(pixel uint32) uint8 {
	return uint8(uint64((pixel&c.mask)>>c.shift) * 0xFF / c.max)
}

// walkRLE follows an RLE8 or RLE4 pixel stream to its end-of-bitmap marker, calling paint (when not nil) for
// each pixel inside the image with its column and its row counted from the bottom. Pixels the stream places
// outside the image are dropped, and those it skips keep colour 0. Returns io.ErrUnexpectedEOF when the data
// ends before the marker.
func walkRLE(pix []byte, h *bmpHeader, paint func(x, row int, index byte)) error {
	nibbles := h.compression == biRLE4
	put := func(x, row int, index byte) {
		if paint != nil && x < h.width && row < h.height {
			paint(x, row, index)
		}
	}
	x, row := 0, 0
	for i := 0; ; {
		if i+2 > len(pix) {
			return io.ErrUnexpectedEOF
		}
		count, value := int(pix[i]), pix[i+1]
		i += 2
		if count > 0 { // a run of count pixels of value (RLE4: its two nibbles in turn)
			if paint != nil {
				for k := range count {
					index := value
					if nibbles {
						index = value >> (4 * (1 - k%2)) & 0x0F
					}
					put(x+k, row, index)
				}
			}
			x += count
			continue
		}
		switch value {
		case 0: // end of line
			x, row = 0, row+1
		case 1: // end of bitmap
			return nil
		case 2: // delta: move right and up
			if i+2 > len(pix) {
				return io.ErrUnexpectedEOF
			}
			x, row = x+int(pix[i]), row+int(pix[i+1])
			i += 2
		default: // value literal pixels, padded to a 16-bit boundary
			n := int(value)
			size := n
			if nibbles {
				size = (n + 1) / 2
			}
			if i+size+size%2 > len(pix) {
				return io.ErrUnexpectedEOF
			}
			if paint != nil {
				for k := range n {
					var index byte
					if nibbles {
						index = pix[i+k/2] >> (4 * (1 - k%2)) & 0x0F
					} else {
						index = pix[i+k]
					}
					put(x+k, row, index)
				}
			}
			x += n
			i += size + size%2
		}
	}
}

// bmpComplete reports whether data holds all the pixel data its headers call for: every row of an uncompressed
// image, or an RLE stream up to its end-of-bitmap marker. The error says what is missing or unreadable.
func bmpComplete(data []byte) error {
	h, err := readBMPHeader(bytes.NewReader(data))
	if err != nil {
		return err
	}
	if h.dataOffset > int64(len(data)) {
		return io.ErrUnexpectedEOF
	}
	if h.rle() {
		return walkRLE(data[h.dataOffset:], h, nil)
	}
	if int64(len(data))-h.dataOffset < h.stride()*int64(h.height) {
		return io.ErrUnexpectedEOF
	}
	return nil
}
