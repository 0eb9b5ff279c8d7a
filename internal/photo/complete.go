package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// CheckComplete reports, without decoding pixels, whether data holds a whole
// image of contentType: the structure reaches the format's end marker (or the
// length its header declares). An upload cut off in transit fails here at
// once, instead of failing later in the pipeline. TIFF, whose layout has no
// end marker, is left to the full decode. Returns an error wrapping ErrCorrupt,
// and for a BMP variant that Decode cannot read an *UnsupportedError too.
func CheckComplete(data []byte, contentType string) error {
	var ok bool
	switch contentType {
	case typePNG:
		ok = bytes.HasSuffix(data, []byte("\x00\x00\x00\x00IEND\xAE\x42\x60\x82"))
	case typeJPEG:
		ok = jpegComplete(data)
	case typeGIF:
		ok = gifComplete(data)
	case typeWebP:
		ok = len(data) >= 12 && int64(binary.LittleEndian.Uint32(data[4:8]))+8 <= int64(len(data))
	case typeBMP:
		if err := bmpComplete(data); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return fmt.Errorf("%s ends early: %w", contentType, ErrCorrupt)
			}
			return fmt.Errorf("%s: %w: %w", contentType, ErrCorrupt, err)
		}
		ok = true
	case typeTIFF:
		ok = true
	case typeHEIF:
		if _, err := readHEIFLayout(data); err != nil {
			return fmt.Errorf("%s: %w", contentType, err)
		}
		ok = true
	}
	if !ok {
		return fmt.Errorf("%s ends early: %w", contentType, ErrCorrupt)
	}
	return nil
}

// jpegComplete walks the JPEG's segments and entropy-coded scans to its EOI
// marker. Looking for the bytes FF D9 anywhere would be fooled by the EXIF
// thumbnail, a whole JPEG of its own inside the APP1 segment.
func jpegComplete(data []byte) bool {
	i := 2 // after SOI
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			return false
		}
		marker := data[i+1]
		switch {
		case marker == 0xFF: // fill byte
			i++
			continue
		case marker == 0xD9: // EOI
			return true
		case marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7): // no length
			i += 2
			continue
		}
		length := int(binary.BigEndian.Uint16(data[i+2 : i+4]))
		i += 2 + length
		if marker == 0xDA { // SOS: skip the scan to the next real marker
			for i+1 < len(data) && (data[i] != 0xFF || data[i+1] == 0x00 || (data[i+1] >= 0xD0 && data[i+1] <= 0xD7)) {
				i++
			}
		}
	}
	return i+2 <= len(data) && data[i] == 0xFF && data[i+1] == 0xD9
}

// gifComplete walks the GIF's blocks to its trailer. Looking for the trailer
// byte 0x3B at the end would be fooled by a file cut where its LZW data
// happens to hold that byte.
func gifComplete(data []byte) bool {
	const header = 6 + 7 // signature and version, logical screen descriptor
	if len(data) < header {
		return false
	}
	i := header + colorTableLen(data[10])
	for i < len(data) {
		switch data[i] {
		case 0x3B: // trailer
			return true
		case 0x21: // extension: label, then sub-blocks
			i = skipSubBlocks(data, i+2)
		case 0x2C: // image descriptor, local colour table, LZW code size, sub-blocks
			if i+10 > len(data) {
				return false
			}
			i = skipSubBlocks(data, i+10+colorTableLen(data[i+9])+1)
		default:
			return false
		}
	}
	return false
}

// colorTableLen is the length of the colour table that a GIF packed-fields
// byte announces.
func colorTableLen(flags byte) int {
	if flags&0x80 == 0 {
		return 0
	}
	return 3 << (flags&0x07 + 1)
}

// skipSubBlocks returns the index after the sub-blocks starting at i and
// their zero-length terminator, or len(data)+1 when data ends first.
func skipSubBlocks(data []byte, i int) int {
	for i < len(data) {
		n := int(data[i])
		i++
		if n == 0 {
			return i
		}
		i += n
	}
	return len(data) + 1
}
