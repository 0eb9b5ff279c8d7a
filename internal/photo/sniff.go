package photo

import (
	"bytes"
	"encoding/binary"
)

// Content types reported by Sniff.
const (
	typeJPEG = "image/jpeg"
	typePNG  = "image/png"
	typeWebP = "image/webp"
	typeTIFF = "image/tiff"
	typeGIF  = "image/gif"
	typeBMP  = "image/bmp"
)

// Sniff reports the content type of an image from the magic bytes at the start of its file:
// "image/jpeg", "image/png", "image/webp", "image/tiff", "image/gif", "image/bmp" or
// "image/heif" (HEIC included, by the brands of its ftyp box). Pass at
// least the first 512 bytes of the file; a header too short to tell, or any other content,
// returns ok=false. File names and declared types are never consulted.
func Sniff(header []byte) (contentType string, ok bool) {
	switch {
	case bytes.HasPrefix(header, []byte("\xFF\xD8\xFF")):
		return typeJPEG, true
	case bytes.HasPrefix(header, []byte("\x89PNG\r\n\x1A\n")):
		return typePNG, true
	case len(header) >= 12 && bytes.HasPrefix(header, []byte("RIFF")) && bytes.Equal(header[8:12], []byte("WEBP")):
		return typeWebP, true
	case isTIFF(header):
		return typeTIFF, true
	case bytes.HasPrefix(header, []byte("GIF87a")), bytes.HasPrefix(header, []byte("GIF89a")):
		return typeGIF, true
	case isBMP(header):
		return typeBMP, true
	case isHEIF(header):
		return typeHEIF, true
	}
	return "", false
}

func isTIFF(header []byte) bool {
	return bytes.HasPrefix(header, []byte("II*\x00")) || bytes.HasPrefix(header, []byte("MM\x00*"))
}

// isBMP checks the DIB header size as well as the "BM" signature: two letters alone would
// take any text file starting with "BM" for a bitmap.
func isBMP(header []byte) bool {
	if len(header) < 18 || !bytes.HasPrefix(header, []byte("BM")) {
		return false
	}
	switch binary.LittleEndian.Uint32(header[14:18]) {
	case 12, 40, 52, 56, 64, 108, 124: // BITMAPCOREHEADER … BITMAPV5HEADER
		return true
	}
	return false
}

// Extension returns the file name extension, with its dot, for a content type that Sniff
// returns: ".jpg", ".png", ".webp", ".tiff", ".gif", ".bmp" or ".heic". Any other content type
// returns "".
func Extension(contentType string) string {
	switch contentType {
	case typeJPEG:
		return ".jpg"
	case typePNG:
		return ".png"
	case typeWebP:
		return ".webp"
	case typeTIFF:
		return ".tiff"
	case typeGIF:
		return ".gif"
	case typeBMP:
		return ".bmp"
	case typeHEIF:
		return ".heic"
	}
	return ""
}
