package corpus

import (
	"encoding/binary"
	"image"

	"github.com/snapnote/snapnote/internal/raster"
)

// stored returns the pixels a camera stores for the upright image img when it records EXIF
// orientation: the inverse of the turn the tag tells a viewer to make.
func stored(img *image.Gray, orientation int) *image.Gray {
	switch orientation {
	case 3: // viewer turns 180°
		return raster.Turn(img, 180)
	case 6: // viewer turns 90° clockwise
		return raster.Turn(img, 270)
	case 8: // viewer turns 90° counter-clockwise
		return raster.Turn(img, 90)
	}
	return img
}

// withOrientation inserts an EXIF APP1 segment holding only the orientation tag right after the
// start-of-image marker of the JPEG file jpg.
func withOrientation(jpg []byte, orientation int) []byte {
	// TIFF header (little-endian), one IFD with one entry, no next IFD.
	tiff := []byte("II*\x00\x08\x00\x00\x00")
	tiff = binary.LittleEndian.AppendUint16(tiff, 1)      // entries
	tiff = binary.LittleEndian.AppendUint16(tiff, 0x0112) // Orientation
	tiff = binary.LittleEndian.AppendUint16(tiff, 3)      // SHORT
	tiff = binary.LittleEndian.AppendUint32(tiff, 1)      // count
	tiff = binary.LittleEndian.AppendUint16(tiff, uint16(orientation))
	tiff = binary.LittleEndian.AppendUint16(tiff, 0) // padding of the 4-byte value field
	tiff = binary.LittleEndian.AppendUint32(tiff, 0) // next IFD

	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(payload)+2))
	seg = append(seg, payload...)

	out := make([]byte, 0, len(jpg)+len(seg))
	out = append(out, jpg[:2]...) // SOI
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}
