package photo

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/disintegration/imaging"

	"github.com/snapnote/snapnote/internal/limited"
)

// typeHEIF is the content type Sniff reports for HEIF images, HEIC included: what iPhones save.
const typeHEIF = "image/heif"

// heifBrands are the ftyp brands of still HEIF images that libheif decodes: HEVC-coded images
// and image collections (heic, heix, heim, heis), and the structural brands mif1 and msf1.
var heifBrands = []string{"heic", "heix", "heim", "heis", "mif1", "msf1"}

// isHEIF reports whether header starts with an ISO base media ftyp box naming a HEIF brand, as
// its major brand or a compatible one.
func isHEIF(header []byte) bool {
	if len(header) < 16 || string(header[4:8]) != "ftyp" {
		return false
	}
	size := int(binary.BigEndian.Uint32(header))
	if size < 16 || size%4 != 0 {
		return false
	}
	brands := header[8:min(size, len(header))]
	for i := 0; i+4 <= len(brands); i += 4 {
		if i == 4 {
			continue // the minor version
		}
		if slices.Contains(heifBrands, string(brands[i:i+4])) {
			return true
		}
	}
	return false
}

// heifLayout is what the boxes of a HEIF file say, read without decoding it.
type heifLayout struct {
	// width and height are the largest image extents (ispe) in the file: the primary image's,
	// or its grid's when it is stored in tiles, as an iPhone stores it.
	width, height int
	// transformed is true when the file turns or mirrors an image (irot or imir): libheif
	// applies those when decoding, so EXIF's orientation no longer describes the pixels.
	transformed bool
}

// readHEIFLayout walks the boxes of a HEIF file: its top-level boxes must cover the file exactly
// and include ftyp first, one meta and media data (mdat), and meta's item properties must give
// the image's size. Anything else returns an error wrapping ErrCorrupt.
func readHEIFLayout(data []byte) (heifLayout, error) {
	var l heifLayout
	top, err := heifBoxes(data)
	if err != nil {
		return l, err
	}
	if len(top) == 0 || top[0].kind != "ftyp" {
		return l, fmt.Errorf("heif: %w: no ftyp box first", ErrCorrupt)
	}
	var meta []byte
	hasData := false
	for _, b := range top {
		switch b.kind {
		case "meta":
			if meta != nil {
				return l, fmt.Errorf("heif: %w: two meta boxes", ErrCorrupt)
			}
			meta = b.body
		case "mdat", "idat":
			hasData = true
		}
	}
	if meta == nil || len(meta) < 4 {
		return l, fmt.Errorf("heif: %w: no meta box", ErrCorrupt)
	}
	inner, err := heifBoxes(meta[4:]) // meta is a full box: version and flags first
	if err != nil {
		return l, err
	}
	for _, b := range inner {
		switch b.kind {
		case "idat":
			hasData = true
		case "iprp":
			props, err := heifBoxes(b.body)
			if err != nil {
				return l, err
			}
			for _, p := range props {
				if p.kind == "ipco" {
					if err := l.readProperties(p.body); err != nil {
						return l, err
					}
				}
			}
		}
	}
	if !hasData {
		return l, fmt.Errorf("heif: %w: no image data", ErrCorrupt)
	}
	if l.width <= 0 || l.height <= 0 {
		return l, fmt.Errorf("heif: %w: no image size", ErrCorrupt)
	}
	return l, nil
}

// readProperties reads the image extents and transforms among the properties in ipco.
func (l *heifLayout) readProperties(ipco []byte) error {
	props, err := heifBoxes(ipco)
	if err != nil {
		return err
	}
	for _, p := range props {
		switch p.kind {
		case "ispe": // version and flags, then width and height
			if len(p.body) < 12 {
				return fmt.Errorf("heif: %w: short ispe box", ErrCorrupt)
			}
			w, h := int(binary.BigEndian.Uint32(p.body[4:])), int(binary.BigEndian.Uint32(p.body[8:]))
			if int64(w)*int64(h) > int64(l.width)*int64(l.height) {
				l.width, l.height = w, h
			}
		case "irot", "imir":
			l.transformed = true
		}
	}
	return nil
}

// heifBox is one box: its four-letter type and its contents after the header.
type heifBox struct {
	kind string
	body []byte
}

// heifBoxes splits data into the boxes it holds, which must fill it exactly.
func heifBoxes(data []byte) ([]heifBox, error) {
	var out []heifBox
	for len(data) > 0 {
		if len(data) < 8 {
			return nil, fmt.Errorf("heif: %w: box header cut off", ErrCorrupt)
		}
		size, header := uint64(binary.BigEndian.Uint32(data)), uint64(8)
		switch size {
		case 0: // to the end of the file
			size = uint64(len(data))
		case 1: // a 64-bit size follows the type
			if len(data) < 16 {
				return nil, fmt.Errorf("heif: %w: box header cut off", ErrCorrupt)
			}
			size, header = binary.BigEndian.Uint64(data[8:]), 16
		}
		if size < header || size > uint64(len(data)) {
			return nil, fmt.Errorf("heif: %w: a %q box of %d bytes where %d are left", ErrCorrupt, data[4:8], size, len(data))
		}
		out = append(out, heifBox{kind: string(data[4:8]), body: data[header:size]})
		data = data[size:]
	}
	return out, nil
}

// HEIF decoding runs libheif's heif-convert in a process of its own, as PDFs run poppler: a
// decoder of a complex format meets hostile files, and a process can be bounded and killed.
const (
	heifTimeout     = time.Minute
	heifMemoryLimit = 2 << 30 // address space: HEVC decoding threads reserve stacks
	// heifQuality is the JPEG quality heif-convert writes at: high enough that its artefacts
	// stay far below the photo's own.
	heifQuality = 95
)

// ErrHEIFUnavailable is wrapped by Decode's error for a HEIF image when heif-convert (Debian
// package libheif-examples) or prlimit (util-linux) is not installed: a fault of the machine,
// not of the image.
var ErrHEIFUnavailable = errors.New("reading HEIF images needs heif-convert (Debian: apt-get install libheif-examples) and prlimit (util-linux)")

// decodeHEIF converts a HEIF image to a JPEG with heif-convert, under a time and memory limit,
// and decodes that upright: libheif applies the file's own turns (irot, imir); without them,
// the EXIF orientation it copies into the JPEG is applied.
func decodeHEIF(data []byte) (image.Image, error) {
	layout, err := readHEIFLayout(data)
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"heif-convert", "prlimit"} {
		if _, err := exec.LookPath(name); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrHEIFUnavailable, err)
		}
	}
	dir, err := os.MkdirTemp("", "snapnote-heif-*")
	if err != nil {
		return nil, fmt.Errorf("heif: %w", err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	in, out := filepath.Join(dir, "in.heic"), filepath.Join(dir, "out.jpg")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		return nil, fmt.Errorf("heif: %w", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), heifTimeout)
	defer cancel()
	cmd := limited.Command(ctx, "prlimit", heifMemoryLimit, heifTimeout,
		"heif-convert", "--quiet", "-q", strconv.Itoa(heifQuality), in, out)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("heif-convert ran past %v: %w", heifTimeout, context.DeadlineExceeded)
		}
		if errors.Is(err, exec.ErrWaitDelay) {
			// Nothing said about the image: not ErrCorrupt, so a retry reads it again.
			return nil, fmt.Errorf("heif-convert: its output was still open %v after it exited: %w", limited.OutputGrace, err)
		}
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 300 {
			msg = msg[len(msg)-300:]
		}
		return nil, fmt.Errorf("heif-convert: %w: %w: %s", ErrCorrupt, err, msg)
	}
	jpeg, err := os.Open(out)
	if err != nil {
		return nil, fmt.Errorf("heif-convert wrote no image: %w: %w", ErrCorrupt, err)
	}
	defer func() { _ = jpeg.Close() }()
	img, err := imaging.Decode(jpeg, imaging.AutoOrientation(!layout.transformed))
	if err != nil {
		return nil, fmt.Errorf("read heif-convert's image: %w", err)
	}
	return img, nil
}
