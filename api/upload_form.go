package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/photo"
)

// maxFieldBytes bounds a text field of the upload form as it is read; the
// limits in characters (snapnote.TitleMax, ContextMax) are checked after.
const maxFieldBytes = 16 << 10

// uploadForm is a parsed, checked upload request.
type uploadForm struct {
	courseID    uuid.UUID
	title       string
	context     string
	filename    string
	data        []byte
	contentType string
	width       int
	height      int
}

// readUploadForm streams the multipart body under the size cap and checks
// the image by its bytes: type by magic number, pixel count from the header
// before any decoding, and that the file is whole.
func (s *Server) readUploadForm(w http.ResponseWriter, r *http.Request) (*uploadForm, error) {
	max := s.cfg.UploadMaxBytes
	tooLarge := huma.Error413RequestEntityTooLarge(fmt.Sprintf("upload exceeds the %d byte limit", max))
	if r.ContentLength > max {
		return nil, tooLarge
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(s.cfg.UploadTimeout))
	r.Body = http.MaxBytesReader(w, r.Body, max)

	mediaType, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/form-data" || params["boundary"] == "" {
		return nil, huma.Error415UnsupportedMediaType("send the photo as multipart/form-data with a file field")
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	form := &uploadForm{}
	var courseID string
	var sawFile bool
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
			if sawFile {
				return nil, invalid("body.file", "send exactly one file", nil)
			}
			sawFile = true
			form.filename = cleanFilename(part.FileName())
			if form.data, err = io.ReadAll(part); err != nil {
				return nil, bodyError(err, tooLarge)
			}
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
	if !sawFile || len(form.data) == 0 {
		errs = append(errs, &huma.ErrorDetail{Location: "body.file", Message: "required: the photo to read"})
	}
	if courseID == "" {
		errs = append(errs, &huma.ErrorDetail{Location: "body.courseId", Message: "required"})
	} else if form.courseID, err = uuid.Parse(courseID); err != nil {
		errs = append(errs, &huma.ErrorDetail{Location: "body.courseId", Message: "must be a UUID", Value: courseID})
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
	return form, s.checkImage(form)
}

func (s *Server) checkImage(form *uploadForm) error {
	contentType, ok := photo.Sniff(form.data)
	if !ok {
		return huma.Error415UnsupportedMediaType("the file is not a JPEG, PNG, WebP, TIFF, GIF or BMP image")
	}
	form.contentType = contentType
	width, height, err := photo.DecodeConfig(bytes.NewReader(form.data))
	if unsupported, ok := errors.AsType[*photo.UnsupportedError](err); ok {
		return huma.Error415UnsupportedMediaType(fmt.Sprintf("the image is a %s, which is not supported", unsupported.Variant))
	}
	if err != nil {
		return invalid("body.file", "the image header cannot be read: the file is damaged", nil)
	}
	if pixels := int64(width) * int64(height); pixels > s.cfg.UploadMaxPixels {
		return invalid("body.file", fmt.Sprintf("the image is %d×%d pixels; the limit is %d pixels in all",
			width, height, s.cfg.UploadMaxPixels), nil)
	}
	if err := photo.CheckComplete(form.data, contentType); err != nil {
		return invalid("body.file", "the image file is incomplete: the upload was cut off or the file is damaged", nil)
	}
	form.width, form.height = width, height
	return nil
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

// bodyError tells an over-long body (413) from a malformed one (400).
func bodyError(err error, tooLarge error) error {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return tooLarge
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
