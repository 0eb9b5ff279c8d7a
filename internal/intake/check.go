package intake

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/snapnote/snapnote/internal/pdffile"
	"github.com/snapnote/snapnote/internal/photo"
)

// Check checks each page by its bytes: type by magic number, pixel count
// from the header before any decoding, that the file is whole, and the
// memory reading it would take; and records its type, size and SHA-256.
// One page is in memory at a time.
func (f *Form) Check(limits Limits) error {
	for i, p := range f.Pages {
		data := make([]byte, p.Size)
		if _, err := p.spool.ReadAt(data, 0); err != nil {
			return fmt.Errorf("read spooled upload: %w", err)
		}
		if err := p.check(data, f.pageLocation(i), limits); err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		p.SHA256 = hex.EncodeToString(sum[:])
	}
	return nil
}

func (p *Page) check(data []byte, location string, limits Limits) error {
	if pdffile.Sniff(data) {
		return p.checkPDF(data, location)
	}
	contentType, ok := photo.Sniff(data)
	if !ok {
		return unsupported(pageName("file", location) + "is not a PDF or a JPEG, PNG, WebP, TIFF, GIF, BMP or HEIC image")
	}
	width, height, err := photo.DecodeConfig(bytes.NewReader(data))
	if variant, ok := errors.AsType[*photo.UnsupportedError](err); ok {
		return unsupported(fmt.Sprintf("%sis a %s, which is not supported", pageName("image", location), variant.Variant))
	}
	if err != nil {
		return invalid(location, "the image header cannot be read: the file is damaged", nil)
	}
	if pixels := int64(width) * int64(height); pixels > limits.MaxPixels {
		return invalid(location, fmt.Sprintf("the image is %d×%d pixels; the limit is %d pixels in all",
			width, height, limits.MaxPixels), nil)
	}
	if err := photo.CheckComplete(data, contentType); err != nil {
		return invalid(location, "the image file is incomplete: the upload was cut off or the file is damaged", nil)
	}
	if limit := limits.MaxMemory; limit > 0 {
		if plan, err := photo.PlanDecode(data); err == nil && plan.Bytes()+int64(len(data)) > limit {
			return invalid(location, fmt.Sprintf("reading this image would need about %d MB, more than the %d MB a "+
				"worker gives one photo: send a smaller photo, or one with 8-bit colour", (plan.Bytes()+int64(len(data)))>>20, limit>>20), nil)
		}
	}
	p.ContentType, p.Width, p.Height = contentType, width, height
	return nil
}

// checkPDF checks a PDF by its structure alone: the API renders nothing
// (the worker reads the pages under limits), so it has no pixel size.
func (p *Page) checkPDF(data []byte, location string) error {
	switch err := pdffile.Check(data); {
	case errors.Is(err, pdffile.ErrEncrypted):
		return invalid(location, "the PDF is encrypted (protected by a password): export it again without one", nil)
	case errors.Is(err, pdffile.ErrIncomplete):
		return invalid(location, "the PDF is incomplete: the upload was cut off or the file is damaged", nil)
	case err != nil:
		return invalid(location, "the PDF is damaged: its header or cross-reference table cannot be read", nil)
	}
	p.ContentType = pdffile.ContentType
	return nil
}

// pageName starts a message about the page at location, called noun.
func pageName(noun, location string) string {
	if location == "body.file" {
		return "the " + noun + " "
	}
	return "the " + noun + " " + strings.TrimPrefix(location, "body.") + " "
}

// Extension names a stored page's file by its type.
func Extension(contentType string) string {
	if contentType == pdffile.ContentType {
		return pdffile.Extension
	}
	return photo.Extension(contentType)
}
