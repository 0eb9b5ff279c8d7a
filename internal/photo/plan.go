package photo

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// workingBytesPerPixel is what reading a page needs beyond decoding it: the
// 8-bit gray copy OCR works on and the copies its preprocessing makes
// (reduced, turned, warped), about three bytes a pixel in all.
const workingBytesPerPixel = 3

// Plan is what decoding an image will take, read from its header before any
// pixel is allocated.
type Plan struct {
	ContentType string
	Width       int
	Height      int
	// DecodedBytesPerPixel is what the decoder allocates a pixel: 1 for
	// 8-bit gray or paletted, 1.5 for a 4:2:0 JPEG, 4 for 8-bit colour, 8
	// for 16-bit colour.
	DecodedBytesPerPixel float64
	// Rotates is true when the image must be turned upright after decoding
	// (a JPEG's EXIF orientation), which makes an 8-bit colour copy.
	Rotates bool
}

// Bytes is the memory reading the image takes, at most: the decoded image,
// a copy to turn it upright if it needs one, and the working copies of OCR.
func (p Plan) Bytes() int64 {
	perPixel := p.DecodedBytesPerPixel + workingBytesPerPixel
	if p.Rotates {
		perPixel += 4
	}
	return int64(float64(p.Width) * float64(p.Height) * perPixel)
}

// PlanDecode reads what decoding data will take from its header alone. It
// returns an error wrapping ErrCorrupt when the header cannot be read.
func PlanDecode(data []byte) (Plan, error) {
	contentType, ok := Sniff(data)
	if !ok {
		return Plan{}, fmt.Errorf("plan decode: %w: not an image this service reads", ErrCorrupt)
	}
	width, height, err := DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Plan{}, err
	}
	p := Plan{ContentType: contentType, Width: width, Height: height, DecodedBytesPerPixel: 4}
	switch contentType {
	case "image/jpeg":
		p.DecodedBytesPerPixel, p.Rotates = jpegPlan(data)
	case "image/png":
		p.DecodedBytesPerPixel = pngBytesPerPixel(data)
	case "image/gif":
		p.DecodedBytesPerPixel = 1
	case "image/tiff":
		p.DecodedBytesPerPixel = 8 // 16-bit samples are common in scans; the header is not read further
	case typeHEIF:
		// heif-convert decodes in its own process and hands over a 4:2:0 JPEG, whose EXIF
		// orientation may still ask for a turn.
		p.DecodedBytesPerPixel, p.Rotates = 1.5, true
	}
	return p, nil
}

// pngBytesPerPixel reads the colour type and bit depth from a PNG's IHDR
// (at a fixed place: the signature, then IHDR first) and returns what
// image/png allocates a pixel for them.
func pngBytesPerPixel(data []byte) float64 {
	if len(data) < 26 {
		return 8
	}
	depth, colour := data[24], data[25]
	switch colour {
	case 0: // gray
		if depth == 16 {
			return 2
		}
		return 1
	case 3: // paletted
		return 1
	default: // RGB, gray with alpha, RGBA
		if depth == 16 {
			return 8
		}
		return 4
	}
}

// jpegPlan walks a JPEG's segments to its frame header and returns what
// image/jpeg allocates a pixel (the sum of its components' planes, each
// subsampled by its sampling factors), and whether an EXIF orientation
// other than 1 asks for a turn. Anything unreadable is assumed the worst.
func jpegPlan(data []byte) (bytesPerPixel float64, rotates bool) {
	bytesPerPixel = 4
	framed := false
	jpegSegments(data, func(marker byte, segment []byte) bool {
		switch {
		case marker == 0xE1 && bytes.HasPrefix(segment, []byte("Exif\x00\x00")):
			rotates = exifOrientation(segment[6:]) > 1
		case marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC:
			bytesPerPixel, framed = frameBytesPerPixel(segment), true
			return false
		case marker == 0xDA: // scan data before any frame header: damaged
			return false
		}
		return true
	})
	if !framed {
		return 4, true
	}
	return bytesPerPixel, rotates
}

// jpegOrientation returns the EXIF orientation of a JPEG, 1 to 8, or 0
// when it has none before its frame header.
func jpegOrientation(data []byte) int {
	orientation := 0
	jpegSegments(data, func(marker byte, segment []byte) bool {
		if marker == 0xE1 && bytes.HasPrefix(segment, []byte("Exif\x00\x00")) {
			orientation = exifOrientation(segment[6:])
		}
		return marker < 0xC0 || marker > 0xCF || marker == 0xC4 || marker == 0xC8 || marker == 0xCC
	})
	return orientation
}

// jpegSegments calls f with the marker and payload of each segment of a
// JPEG after its start marker, until f returns false, the data ends or a
// segment does not start with a marker.
func jpegSegments(data []byte, f func(marker byte, segment []byte) bool) {
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			return
		}
		marker := data[i+1]
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		length := int(binary.BigEndian.Uint16(data[i+2:]))
		if length < 2 {
			return
		}
		if !f(marker, data[i+4:min(i+2+length, len(data))]) {
			return
		}
		i += 2 + length
	}
}

// frameBytesPerPixel sums a frame header's components, each over its
// share of the pixels.
func frameBytesPerPixel(sof []byte) float64 {
	if len(sof) < 6 {
		return 4
	}
	n := int(sof[5])
	if n == 0 || len(sof) < 6+3*n {
		return 4
	}
	if n == 4 { // CMYK or YCCK: image/jpeg makes a 4-byte CMYK image
		return 4
	}
	var hMax, vMax float64
	for c := range n {
		h, v := float64(sof[7+3*c]>>4), float64(sof[7+3*c]&0x0F)
		hMax, vMax = max(hMax, h), max(vMax, v)
	}
	var total float64
	for c := range n {
		h, v := float64(sof[7+3*c]>>4), float64(sof[7+3*c]&0x0F)
		if h == 0 || v == 0 {
			return 4
		}
		total += h * v / (hMax * vMax)
	}
	return total
}

// exifOrientation reads the Orientation tag (0x0112) from the first IFD of
// a TIFF-structured EXIF block; 0 when there is none.
func exifOrientation(tiff []byte) int {
	if len(tiff) < 8 {
		return 0
	}
	var order binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return 0
	}
	ifd := int(order.Uint32(tiff[4:]))
	if ifd+2 > len(tiff) {
		return 0
	}
	entries := int(order.Uint16(tiff[ifd:]))
	for e := range entries {
		at := ifd + 2 + 12*e
		if at+12 > len(tiff) {
			return 0
		}
		if order.Uint16(tiff[at:]) == 0x0112 {
			return int(order.Uint16(tiff[at+8:]))
		}
	}
	return 0
}
