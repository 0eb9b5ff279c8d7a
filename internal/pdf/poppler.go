package pdf

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/snapnote/snapnote/internal/limited"
)

// errOutputTooLarge is returned by run when a command writes more than it may.
var errOutputTooLarge = errors.New("output exceeds its limit")

// commandError is a poppler command that failed: its exit, and the end of
// what it wrote to standard error.
type commandError struct {
	name   string
	err    error
	stderr string
}

func (e *commandError) Error() string {
	if e.stderr == "" {
		return e.name + ": " + e.err.Error()
	}
	return fmt.Sprintf("%s: %v: %s", e.name, e.err, e.stderr)
}

func (e *commandError) Unwrap() error { return e.err }

// run starts a poppler command under the reader's limits and returns what it
// wrote to standard output, at most maxOut bytes. It returns an error
// wrapping context.DeadlineExceeded when the command ran past timeout (its
// process group is killed), ErrEncrypted when poppler asks for a password,
// one wrapping exec.ErrWaitDelay when its output stayed open past
// limited.OutputGrace, and a *commandError for any other failure.
func (r *Reader) run(ctx context.Context, timeout time.Duration, maxOut int64, name string, args ...string) ([]byte, error) {
	return r.runInto(ctx, timeout, &cappedBuffer{max: maxOut}, name, args...)
}

// runInto is run writing standard output into stdout, which bounds it.
func (r *Reader) runInto(ctx context.Context, timeout time.Duration, stdout *cappedBuffer, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := limited.Command(ctx, r.prlimit(), r.memoryLimit(), timeout, name, args...)
	stderr := &cappedBuffer{max: 4 << 10, truncate: true}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	switch {
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return nil, fmt.Errorf("%s ran past %v: %w", name, timeout, context.DeadlineExceeded)
	case ctx.Err() != nil:
		return nil, fmt.Errorf("%s: %w", name, ctx.Err())
	case stdout.over:
		return nil, &commandError{name: name, err: errOutputTooLarge}
	case errors.Is(err, exec.ErrWaitDelay):
		// Cut short, the output may be incomplete, but it says nothing of
		// the file: not a commandError, so a retry reads it again.
		return nil, fmt.Errorf("%s: its output was still open %v after it exited: %w", name, limited.OutputGrace, err)
	case err != nil:
		msg := strings.TrimSpace(stderr.String())
		if strings.Contains(msg, "Incorrect password") {
			return nil, ErrEncrypted
		}
		return nil, &commandError{name: name, err: err, stderr: lastLines(msg, 3)}
	case resourceMessage(stderr.String()):
		// pdftoppm gives up on an allocation it cannot make, says so, and
		// exits 0 with nothing written.
		return nil, &commandError{name: name, err: errors.New("out of memory"), stderr: lastLines(strings.TrimSpace(stderr.String()), 3)}
	}
	return stdout.Bytes(), nil
}

// outOfResources tells a command that ran out of memory or CPU time under its
// limits: killed by a signal (SIGKILL, SIGXCPU, SIGABRT on a failed
// allocation, SIGSEGV) or saying so on standard error.
func outOfResources(err error) bool {
	var ce *commandError
	if !errors.As(err, &ce) {
		return false
	}
	var exit *exec.ExitError
	if errors.As(ce.err, &exit) {
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return true
		}
	}
	return resourceMessage(ce.stderr)
}

func resourceMessage(stderr string) bool {
	s := strings.ToLower(stderr)
	return strings.Contains(s, "out of memory") || strings.Contains(s, "bad_alloc") || strings.Contains(s, "bogus memory allocation")
}

// info is what pdfinfo says about a document.
type info struct {
	pages int
	sizes [][2]float64 // each page's crop box in points, for the pages asked
}

// info runs pdfinfo on the document at path, asking for the sizes of its
// first upTo pages.
func (r *Reader) info(ctx context.Context, path string, upTo int) (info, error) {
	out, err := r.run(ctx, r.pageTimeout(), 1<<20, "pdfinfo", "-f", "1", "-l", strconv.Itoa(max(upTo, 1)), path)
	if err != nil {
		return info{}, err
	}
	var in info
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "Pages:"); ok {
			if in.pages, err = strconv.Atoi(strings.TrimSpace(rest)); err != nil {
				return info{}, fmt.Errorf("pdfinfo: page count %q: %w", rest, err)
			}
			continue
		}
		// "Page    1 size: 595 x 842 pts (A4)"
		var n int
		var w, h float64
		if _, err := fmt.Sscanf(line, "Page %d size: %g x %g pts", &n, &w, &h); err == nil && n == len(in.sizes)+1 {
			in.sizes = append(in.sizes, [2]float64{w, h})
		}
	}
	if in.pages == 0 {
		return info{}, fmt.Errorf("pdfinfo found no pages: %w", ErrDamaged)
	}
	return in, nil
}

// text returns the text layer of page n with pdftotext in its default
// reading order, block by block. Not -layout: that keeps the page's look,
// so two columns come out side by side and every line mixes a sentence of
// each; in reading order each column is a paragraph of its own.
func (r *Reader) text(ctx context.Context, path string, n int) (string, error) {
	page := strconv.Itoa(n)
	out, err := r.run(ctx, r.pageTimeout(), 4<<20, "pdftotext", "-f", page, "-l", page, "-enc", "UTF-8", path, "-")
	return string(out), err
}

// render rasterises page n (its crop box) at dpi in shades of grey with
// pdftoppm; wPt×hPt is its size from pdfinfo, which bounds the output read.
func (r *Reader) render(ctx context.Context, path string, n, dpi int, size [2]float64) (*image.Gray, error) {
	page := strconv.Itoa(n)
	w, h := pixels(size[0], dpi), pixels(size[1], dpi)
	// The whole page's room at once: grown as it arrives, the buffer would
	// hold up to three times the page while it is copied. No more than
	// poppler's address space, though: pdftoppm holds the whole page in it,
	// so a larger page fails before it writes a byte, and room for it would
	// be gigabytes taken (and cleared) for nothing.
	maxOut := int64(w+2)*int64(h+2) + 64
	stdout := &cappedBuffer{max: maxOut}
	stdout.Grow(int(min(maxOut, r.memoryLimit())))
	out, err := r.runInto(ctx, r.pageTimeout(), stdout, "pdftoppm", "-f", page, "-l", page, "-r", strconv.Itoa(dpi),
		"-gray", "-cropbox", path)
	if err != nil {
		return nil, err
	}
	return decodePGM(out)
}

// pixels is the length in pixels of points at dpi, rounded up as pdftoppm
// may round it: a bound for what it renders.
func pixels(points float64, dpi int) int { return int(math.Ceil(points / 72 * float64(dpi))) }

// decodePGM reads the binary greyscale PGM (P5, 8 bits) that pdftoppm -gray
// writes. The image's pixels are data's own, not a copy.
func decodePGM(data []byte) (*image.Gray, error) {
	var w, h, maxVal int
	rest := data
	fields := make([]string, 0, 4)
	for len(fields) < 4 {
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if len(rest) > 0 && rest[0] == '#' {
			if i := bytes.IndexByte(rest, '\n'); i >= 0 {
				rest = rest[i+1:]
				continue
			}
		}
		i := bytes.IndexAny(rest, " \t\r\n")
		if i <= 0 {
			return nil, errors.New("pdftoppm: short PGM header")
		}
		fields = append(fields, string(rest[:i]))
		rest = rest[i:]
	}
	rest = rest[1:] // the one whitespace byte after maxval
	if fields[0] != "P5" {
		return nil, fmt.Errorf("pdftoppm: not a binary PGM (%q)", fields[0])
	}
	var err error
	for i, p := range []*int{&w, &h, &maxVal} {
		if *p, err = strconv.Atoi(fields[i+1]); err != nil {
			return nil, fmt.Errorf("pdftoppm: PGM header: %w", err)
		}
	}
	if maxVal != 255 || w <= 0 || h <= 0 || len(rest) < w*h {
		return nil, fmt.Errorf("pdftoppm: PGM of %d×%d, maxval %d, with %d bytes", w, h, maxVal, len(rest))
	}
	return &image.Gray{Pix: rest[: w*h : w*h], Stride: w, Rect: image.Rect(0, 0, w, h)}, nil
}

// cappedBuffer keeps at most max bytes written to it: beyond, it notes
// that it overflowed and refuses more, or with truncate keeps the last bytes.
type cappedBuffer struct {
	bytes.Buffer
	max      int64
	truncate bool
	over     bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if int64(b.Len()+len(p)) <= b.max {
		return b.Buffer.Write(p)
	}
	if !b.truncate {
		b.over = true
		return 0, errOutputTooLarge
	}
	b.Buffer.Write(p)
	keep := b.Bytes()[b.Len()-int(b.max):]
	tail := append([]byte(nil), keep...)
	b.Reset()
	b.Buffer.Write(tail)
	return len(p), nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " | ")
}
