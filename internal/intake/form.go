package intake

import (
	"bytes"
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

	"github.com/google/uuid"

	"github.com/snapnote/snapnote"
)

// Limits bound what Receive and Check accept.
type Limits struct {
	// MaxBytes bounds the whole body.
	MaxBytes int64
	// MaxPages bounds the files of one upload; at least one is taken.
	MaxPages int
	// ReadTimeout bounds how long the body may take to arrive.
	ReadTimeout time.Duration
	// MaxPixels bounds an image's width times height.
	MaxPixels int64
	// MaxMemory, when not 0, bounds the memory decoding one image would take.
	MaxMemory int64
}

// maxFieldBytes bounds a text field of the upload form as it is read; the
// limits in characters (snapnote.TitleMax, ContextMax) are checked after.
const maxFieldBytes = 16 << 10

// Form is a received upload request: its fields, and its pages spooled to
// temporary files as they arrived. Close removes the files.
type Form struct {
	CourseID uuid.UUID // uuid.Nil when the form names no course
	Title    string
	Context  string
	Pages    []*Page
}

// Page is one file of the form. Check fills in what its bytes say.
type Page struct {
	Filename string // the base name the client sent, for display only
	Size     int64

	ContentType string
	Width       int // 0 for a PDF, which the API does not render
	Height      int
	SHA256      string // hex

	spool *os.File
}

// Reader returns the page's bytes from the start.
func (p *Page) Reader() (io.Reader, error) {
	if _, err := p.spool.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read spooled upload: %w", err)
	}
	return p.spool, nil
}

// Close removes the spooled pages.
func (f *Form) Close() {
	for _, p := range f.Pages {
		_ = p.spool.Close()
		_ = os.Remove(p.spool.Name())
	}
}

// spoolPattern names the temporary files that uploads are received into.
const spoolPattern = "snapnote-upload-*"

// Receive streams the multipart body of r under limits, each file part into
// a temporary file of its own, so that a slow client holds disk, not memory,
// and no slot that other uploads wait for. Only the form is checked here;
// the pages' bytes are checked by Check. withCourse says whether the form
// must name the course (a new note) or not (pages added to a note).
func Receive(w http.ResponseWriter, r *http.Request, limits Limits, withCourse bool) (_ *Form, err error) {
	tooLarge := &Error{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("upload exceeds the %d byte limit", limits.MaxBytes)}
	if r.ContentLength > limits.MaxBytes {
		return nil, tooLarge
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(limits.ReadTimeout))
	body := &readErrors{r: http.MaxBytesReader(w, r.Body, limits.MaxBytes)}

	mediaType, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/form-data" || params["boundary"] == "" {
		return nil, unsupported("send the photo as multipart/form-data with a file field")
	}
	form := &Form{}
	defer func() {
		if err != nil {
			form.Close()
		}
	}()
	courseID, err := form.read(multipart.NewReader(body, params["boundary"]), max(limits.MaxPages, 1))
	if err != nil {
		return nil, bodyError(err, body.err, tooLarge)
	}
	if fields := form.check(courseID, withCourse); len(fields) > 0 {
		return nil, &Error{Status: http.StatusUnprocessableEntity, Message: "invalid upload", Fields: fields}
	}
	return form, nil
}

// read reads the parts of the form, spooling its files, and returns the
// courseId field as sent.
func (f *Form) read(mr *multipart.Reader, maxPages int) (courseID string, err error) {
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return courseID, nil
		}
		if err != nil {
			return "", err
		}
		switch part.FormName() {
		case "file":
			if len(f.Pages) == maxPages {
				return "", invalid("body.file", fmt.Sprintf("too many pages: at most %d files in one upload", maxPages), nil)
			}
			err = f.spoolPage(part)
		case "courseId":
			courseID, err = readField(part)
		case "title":
			f.Title, err = readField(part)
		case "context":
			f.Context, err = readField(part)
		}
		if err != nil {
			return "", err
		}
	}
}

// check returns what is wrong with the form's fields, all at once.
func (f *Form) check(courseID string, withCourse bool) []Field {
	var fields []Field
	if len(f.Pages) == 0 {
		fields = append(fields, Field{Location: "body.file", Message: "required: the photo to read"})
	}
	for i, p := range f.Pages {
		if p.Size == 0 {
			fields = append(fields, Field{Location: f.pageLocation(i), Message: "the file is empty"})
		}
	}
	switch {
	case !withCourse:
	case courseID == "":
		fields = append(fields, Field{Location: "body.courseId", Message: "required"})
	default:
		id, err := uuid.Parse(courseID)
		if err != nil {
			fields = append(fields, Field{Location: "body.courseId", Message: "must be a UUID", Value: courseID})
		}
		f.CourseID = id
	}
	if utf8.RuneCountInString(f.Title) > snapnote.TitleMax {
		fields = append(fields, Field{Location: "body.title", Message: fmt.Sprintf("at most %d characters", snapnote.TitleMax)})
	}
	if utf8.RuneCountInString(f.Context) > snapnote.ContextMax {
		fields = append(fields, Field{Location: "body.context", Message: fmt.Sprintf("at most %d characters", snapnote.ContextMax)})
	}
	return fields
}

// spoolPage copies a file part into a temporary file.
func (f *Form) spoolPage(part *multipart.Part) error {
	spool, err := os.CreateTemp("", spoolPattern)
	if err != nil {
		return fmt.Errorf("spool upload: %w", err)
	}
	page := &Page{Filename: cleanFilename(part.FileName()), spool: spool}
	f.Pages = append(f.Pages, page)
	page.Size, err = io.Copy(spool, part)
	return err
}

// pageLocation names page i of the form in a problem: body.file for a
// single page, body.file[i] among several.
func (f *Form) pageLocation(i int) string {
	if len(f.Pages) == 1 {
		return "body.file"
	}
	return fmt.Sprintf("body.file[%d]", i)
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

// readErrors remembers the first error reading r returned other than EOF.
// The multipart parser may report its own error instead (a part's headers
// cut off by the read deadline are "malformed"), while what ended the body
// was the deadline or the size cap.
type readErrors struct {
	r   io.Reader
	err error
}

func (b *readErrors) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && b.err == nil {
		b.err = err
	}
	return n, err
}

// bodyError tells an over-long body (413) and one not received within the
// read timeout (408) from a malformed one (400): readErr, what reading the
// body returned, says more than the parser's err.
func bodyError(err, readErr error, tooLarge *Error) error {
	if readErr != nil {
		err = readErr
	}
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return tooLarge
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return &Error{Status: http.StatusRequestTimeout, Message: "the upload was not received in time: send it again on a better connection"}
	}
	if _, ok := errors.AsType[*Error](err); ok {
		return err
	}
	return &Error{Status: http.StatusBadRequest, Message: "malformed multipart body"}
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
