package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/pdffile"
	"github.com/snapnote/snapnote/internal/photo"
)

// maxFieldBytes bounds a text field of the upload form as it is read; the
// limits in characters (snapnote.TitleMax, ContextMax) are checked after.
const maxFieldBytes = 16 << 10

// uploadForm is a received upload request: its fields, and its pages
// spooled to temporary files as they arrived. Close removes the files.
type uploadForm struct {
	courseID uuid.UUID
	title    string
	context  string
	pages    []*formPage
}

// formPage is one file part of the form; check fills in what its bytes say.
type formPage struct {
	filename string
	spool    *os.File
	size     int64

	contentType string
	width       int
	height      int
	sha256      string
}

// Close removes the spooled pages.
func (f *uploadForm) Close() {
	for _, p := range f.pages {
		_ = p.spool.Close()
		_ = os.Remove(p.spool.Name())
	}
}

// spoolPattern names the temporary files that uploads are received into.
const spoolPattern = "snapnote-upload-*"

// receiveUploadForm streams the multipart body under the size cap, each
// file part into a temporary file of its own, so that a slow client holds
// disk, not memory, and no slot that other uploads wait for. Only the form
// is checked here; the pages' bytes are checked by checkPages. withCourse
// says whether the form names the course (a new note) or not (pages added
// to a note).
func (s *Server) receiveUploadForm(w http.ResponseWriter, r *http.Request, withCourse bool) (_ *uploadForm, err error) {
	limit := s.cfg.UploadMaxBytes
	tooLarge := huma.Error413RequestEntityTooLarge(fmt.Sprintf("upload exceeds the %d byte limit", limit))
	if r.ContentLength > limit {
		return nil, tooLarge
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(s.cfg.UploadTimeout))
	r.Body = http.MaxBytesReader(w, r.Body, limit)

	mediaType, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/form-data" || params["boundary"] == "" {
		return nil, huma.Error415UnsupportedMediaType("send the photo as multipart/form-data with a file field")
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	form := &uploadForm{}
	defer func() {
		if err != nil {
			form.Close()
		}
	}()
	maxPages := max(s.cfg.UploadMaxPages, 1)
	var courseID string
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, bodyError(err, tooLarge)
		}
		switch part.FormName() {
		case "file":
			if len(form.pages) == maxPages {
				return nil, invalid("body.file", fmt.Sprintf("too many pages: at most %d files in one upload", maxPages), nil)
			}
			err = form.spoolPage(part)
		case "courseId":
			courseID, err = readField(part)
		case "title":
			form.title, err = readField(part)
		case "context":
			form.context, err = readField(part)
		}
		if err != nil {
			return nil, bodyError(err, tooLarge)
		}
	}

	var errs []error
	if len(form.pages) == 0 {
		errs = append(errs, &huma.ErrorDetail{Location: "body.file", Message: "required: the photo to read"})
	}
	for i, p := range form.pages {
		if p.size == 0 {
			errs = append(errs, &huma.ErrorDetail{Location: pageLocation(form, i), Message: "the file is empty"})
		}
	}
	switch {
	case !withCourse:
	case courseID == "":
		errs = append(errs, &huma.ErrorDetail{Location: "body.courseId", Message: "required"})
	default:
		if form.courseID, err = uuid.Parse(courseID); err != nil {
			errs = append(errs, &huma.ErrorDetail{Location: "body.courseId", Message: "must be a UUID", Value: courseID})
		}
	}
	if utf8.RuneCountInString(form.title) > snapnote.TitleMax {
		errs = append(errs, &huma.ErrorDetail{Location: "body.title", Message: fmt.Sprintf("at most %d characters", snapnote.TitleMax)})
	}
	if utf8.RuneCountInString(form.context) > snapnote.ContextMax {
		errs = append(errs, &huma.ErrorDetail{Location: "body.context", Message: fmt.Sprintf("at most %d characters", snapnote.ContextMax)})
	}
	if len(errs) > 0 {
		return nil, huma.Error422UnprocessableEntity("invalid upload", errs...)
	}
	return form, nil
}

// spoolPage copies a file part into a temporary file.
func (f *uploadForm) spoolPage(part *multipart.Part) error {
	spool, err := os.CreateTemp("", spoolPattern)
	if err != nil {
		return fmt.Errorf("spool upload: %w", err)
	}
	page := &formPage{filename: cleanFilename(part.FileName()), spool: spool}
	f.pages = append(f.pages, page)
	page.size, err = io.Copy(spool, part)
	return err
}

// pageLocation names page i of the form in a problem: body.file for a
// single page, body.file[i] among several.
func pageLocation(form *uploadForm, i int) string {
	if len(form.pages) == 1 {
		return "body.file"
	}
	return fmt.Sprintf("body.file[%d]", i)
}

// checkPages checks each page by its bytes: type by magic number, pixel
// count from the header before any decoding, and that the file is whole.
// One page is in memory at a time.
func (s *Server) checkPages(form *uploadForm) error {
	for i, p := range form.pages {
		data := make([]byte, p.size)
		if _, err := p.spool.ReadAt(data, 0); err != nil {
			return fmt.Errorf("read spooled upload: %w", err)
		}
		if err := s.checkImage(p, data, pageLocation(form, i)); err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		p.sha256 = hex.EncodeToString(sum[:])
	}
	return nil
}

func (s *Server) checkImage(p *formPage, data []byte, location string) error {
	if pdffile.Sniff(data) {
		return checkPDF(p, data, location)
	}
	contentType, ok := photo.Sniff(data)
	if !ok {
		return huma.Error415UnsupportedMediaType(pageName("file", location) + "is not a PDF or a JPEG, PNG, WebP, TIFF, GIF, BMP or HEIC image")
	}
	width, height, err := photo.DecodeConfig(bytes.NewReader(data))
	if unsupported, ok := errors.AsType[*photo.UnsupportedError](err); ok {
		return huma.Error415UnsupportedMediaType(fmt.Sprintf("%sis a %s, which is not supported", pageName("image", location), unsupported.Variant))
	}
	if err != nil {
		return invalid(location, "the image header cannot be read: the file is damaged", nil)
	}
	if pixels := int64(width) * int64(height); pixels > s.cfg.UploadMaxPixels {
		return invalid(location, fmt.Sprintf("the image is %d×%d pixels; the limit is %d pixels in all",
			width, height, s.cfg.UploadMaxPixels), nil)
	}
	if err := photo.CheckComplete(data, contentType); err != nil {
		return invalid(location, "the image file is incomplete: the upload was cut off or the file is damaged", nil)
	}
	if limit := s.cfg.UploadMaxMemory; limit > 0 {
		if plan, err := photo.PlanDecode(data); err == nil && plan.Bytes()+int64(len(data)) > limit {
			return invalid(location, fmt.Sprintf("reading this image would need about %d MB, more than the %d MB a "+
				"worker gives one photo: send a smaller photo, or one with 8-bit colour", (plan.Bytes()+int64(len(data)))>>20, limit>>20), nil)
		}
	}
	p.contentType, p.width, p.height = contentType, width, height
	return nil
}

// checkPDF checks a PDF by its structure alone: the API renders nothing
// (the worker reads the pages under limits), so it has no pixel size.
func checkPDF(p *formPage, data []byte, location string) error {
	switch err := pdffile.Check(data); {
	case errors.Is(err, pdffile.ErrEncrypted):
		return invalid(location, "the PDF is encrypted (protected by a password): export it again without one", nil)
	case errors.Is(err, pdffile.ErrIncomplete):
		return invalid(location, "the PDF is incomplete: the upload was cut off or the file is damaged", nil)
	case err != nil:
		return invalid(location, "the PDF is damaged: its header or cross-reference table cannot be read", nil)
	}
	p.contentType = pdffile.ContentType
	return nil
}

// pageName starts a message about the page at location, called noun.
func pageName(noun, location string) string {
	if location == "body.file" {
		return "the " + noun + " "
	}
	return "the " + noun + " " + strings.TrimPrefix(location, "body.") + " "
}

func readField(part *multipart.Part) (string, error) {
	b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxFieldBytes {
		return "", invalid("body."+part.FormName(), "field too long", nil)
	}
	if !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0 {
		return "", invalid("body."+part.FormName(), "must be UTF-8 text without NUL characters", nil)
	}
	return strings.TrimSpace(string(b)), nil
}

// bodyError tells an over-long body (413) and one not received within
// UPLOAD_READ_TIMEOUT (408) from a malformed one (400).
func bodyError(err error, tooLarge error) error {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return tooLarge
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return huma.NewError(http.StatusRequestTimeout, "the upload was not received in time: send it again on a better connection")
	}
	if _, ok := errors.AsType[huma.StatusError](err); ok {
		return err
	}
	return huma.Error400BadRequest("malformed multipart body")
}

// cleanFilename keeps only the base name the client sent, for display; it is
// never used as a storage key.
func cleanFilename(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	if name == "." || name == "/" || !utf8.ValidString(name) {
		return ""
	}
	if utf8.RuneCountInString(name) > 255 {
		name = string([]rune(name)[:255])
	}
	return name
}

func invalid(location, message string, value any) error {
	return huma.Error422UnprocessableEntity("invalid upload",
		&huma.ErrorDetail{Location: location, Message: message, Value: value})
}

// RemoveStaleSpool removes the files of uploads received before olderThan
// ago: what a process that died while receiving left in the temporary
// folder. It returns how many it removed.
func RemoveStaleSpool(olderThan time.Duration) (int, error) {
	paths, err := filepath.Glob(filepath.Join(os.TempDir(), spoolPattern))
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, path := range paths {
		if info, err := os.Stat(path); err == nil && time.Since(info.ModTime()) > olderThan && os.Remove(path) == nil {
			removed++
		}
	}
	return removed, nil
}

// extension names a stored page's file by its type.
func extension(contentType string) string {
	if contentType == pdffile.ContentType {
		return pdffile.Extension
	}
	return photo.Extension(contentType)
}
