package photo

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // register GIF with image.Decode
	_ "image/jpeg" // register JPEG with image.Decode
	_ "image/png"  // register PNG with image.Decode
	"io"

	"github.com/disintegration/imaging"
	"golang.org/x/image/tiff"
	_ "golang.org/x/image/webp" // register WebP with image.Decode
)

// ErrCorrupt is wrapped by the errors of DecodeConfig and Decode when the bytes are not an
// image they can read: truncated, damaged, in none of the six formats, or using a variant of a
// format the decoders do not support (then an *UnsupportedError is wrapped too, naming the
// variant). Retrying the same bytes will not help.
var ErrCorrupt = errors.New("image is corrupt or truncated")

// DecodeConfig reads only the header of the image in r and returns its pixel dimensions as
// stored, before any EXIF rotation, so a caller can enforce a pixel cap before decoding. It
// allocates nothing in proportion to the pixel count; a TIFF file is read into memory whole,
// as its decoder needs random access (given a plain reader, it would allocate as far as the
// offsets in the file claim, 10 MB at a time). An unreadable header returns an error wrapping
// ErrCorrupt; an error from r is returned wrapped, without ErrCorrupt.
func DecodeConfig(r io.Reader) (width, height int, err error) {
	src := &sourceReader{r: r}
	br := bufio.NewReader(src)
	var cfg image.Config
	switch header := peekHeader(br); {
	case isBMP(header):
		cfg, err = decodeBMPConfig(br)
	case isTIFF(header):
		var data []byte
		if data, err = io.ReadAll(br); err == nil {
			cfg, err = tiff.DecodeConfig(bytes.NewReader(data))
		}
	case isHEIF(header):
		var data []byte
		if data, err = io.ReadAll(br); err == nil {
			var l heifLayout
			if l, err = readHEIFLayout(data); err == nil {
				cfg.Width, cfg.Height = l.width, l.height
			}
		}
	default:
		cfg, _, err = image.DecodeConfig(br)
	}
	if err != nil {
		return 0, 0, decodeError("read image header", src, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return 0, 0, fmt.Errorf("read image header: %w: size %dx%d", ErrCorrupt, cfg.Width, cfg.Height)
	}
	return cfg.Width, cfg.Height, nil
}

// Decode decodes the whole image in r and applies the EXIF orientation of a JPEG (values 1–8),
// so the returned image is upright. A HEIF image is converted by libheif's heif-convert in a
// process of its own, under a time and memory limit, and turned upright by its own transforms
// or its EXIF orientation; without heif-convert the error wraps ErrHEIFUnavailable. Memory use grows with the pixel count: check it with
// DecodeConfig first. A truncated or corrupt file returns an error wrapping ErrCorrupt; an
// error from r is returned wrapped, without ErrCorrupt.
func Decode(r io.Reader) (image.Image, error) {
	src := &sourceReader{r: r}
	br := bufio.NewReader(src)
	var img image.Image
	var err error
	switch header := peekHeader(br); {
	case isBMP(header):
		img, err = decodeBMP(br) // no EXIF, so nothing to turn upright
	case isTIFF(header):
		var data []byte
		// imaging reads EXIF orientation from JPEG only, and image.Decode would hide the
		// io.ReaderAt behind a bufio.Reader.
		if data, err = io.ReadAll(br); err == nil {
			img, err = tiff.Decode(bytes.NewReader(data))
		}
	case isHEIF(header):
		var data []byte
		if data, err = io.ReadAll(br); err != nil {
			return nil, decodeError("decode image", src, err)
		}
		// Its errors say themselves whether the image is at fault (ErrCorrupt) or the machine.
		if img, err = decodeHEIF(data); err != nil {
			return nil, fmt.Errorf("decode image: %w", err)
		}
	default:
		img, err = imaging.Decode(br, imaging.AutoOrientation(true))
	}
	if err != nil {
		return nil, decodeError("decode image", src, err)
	}
	if b := img.Bounds(); b.Empty() {
		return nil, fmt.Errorf("decode image: %w: size %dx%d", ErrCorrupt, b.Dx(), b.Dy())
	}
	return img, nil
}

// peekHeader returns the first bytes of br without consuming them, as many as isBMP and isHEIF
// need (fewer at the end of the input, or when the reader fails: the decoder then meets the
// same end or error).
func peekHeader(br *bufio.Reader) []byte {
	header, _ := br.Peek(64)
	return header
}

// decodeError tells a failing reader from bad bytes. The decoders turn a short read into
// io.ErrUnexpectedEOF and report damage with their own error types, so any error they return
// while the reader itself was healthy means the bytes are at fault.
func decodeError(op string, src *sourceReader, err error) error {
	if src.err != nil {
		return fmt.Errorf("%s: read source: %w", op, src.err)
	}
	return fmt.Errorf("%s: %w: %w", op, ErrCorrupt, err)
}

// sourceReader remembers the first error other than io.EOF that its reader returned.
type sourceReader struct {
	r   io.Reader
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && s.err == nil {
		s.err = err
	}
	return n, err
}
