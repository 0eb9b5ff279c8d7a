package warm

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/snapnote/snapnote/internal/ocr"
)

// Environment variables of a child process.
const (
	// envChild marks a process as a child and holds the languages it reads, "eng+deu".
	envChild = "SNAPNOTE_OCR_ENGINE"
	// envTestHang makes a child serve opHang. Only this package's tests set it.
	envTestHang = "SNAPNOTE_OCR_ENGINE_TEST_HANG"
	// envChildProfile names a directory where each child writes a CPU profile of its Go side
	// (its C frames show as the cgo call that entered them) when its input closes.
	envChildProfile = "SNAPNOTE_OCR_ENGINE_CPUPROFILE"
)

// ServeIfChild turns the process into a warm OCR child process when a Pool started it,
// and returns at once otherwise. The pool re-executes the running binary, so every program
// that makes a Pool (and every test binary whose tests do) must call this first thing
// in main or TestMain:
//
//	func main() {
//		warm.ServeIfChild()
//		…
//	}
//
// A child loads its models, then reads pages from stdin and answers on stdout until stdin
// closes, and exits: with status 0 then, 1 when its models did not load or its input broke.
func ServeIfChild() {
	lang, ok := os.LookupEnv(envChild)
	if !ok {
		return
	}
	os.Exit(serveChild(lang))
}

// pageReader reads pages with Tesseract models loaded once. It is used by one goroutine.
type pageReader interface {
	// orient returns the clockwise turn that makes img upright and Tesseract's confidence in
	// it; detected is false when Tesseract cannot judge the page (too few characters).
	orient(img *image.Gray, dpi int) (detected bool, turn int, confidence float64, err error)
	// recognize returns the words on img in reading order, read with page segmentation psm.
	recognize(img *image.Gray, psm, dpi int) ([]ocr.Word, error)
	close()
}

// serveChild is the child process: it answers requests until its input ends, and returns
// the exit status.
func serveChild(lang string) int {
	// The worker decides when its children end (closing their input, or killing them). Ctrl-C
	// reaches the terminal's whole process group and a service manager's SIGTERM its whole
	// cgroup: without this the children would die under the pages the worker is finishing.
	signal.Ignore(os.Interrupt, syscall.SIGTERM)
	out, err := protocolOutput()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ocr child process:", err)
		return 1
	}
	if dir := os.Getenv(envChildProfile); dir != "" {
		if stop := startProfile(dir); stop != nil {
			defer stop()
		}
	}
	w := bufio.NewWriterSize(out, 1<<16)
	reader, err := newPageReader(lang)
	if err != nil {
		_ = writeFrame(w, encodeResponse(0, response{err: err.Error()}))
		_ = w.Flush()
		return 1
	}
	defer reader.close()
	if err := writeFrame(w, []byte{statusOK}, []byte(childHello)); err != nil || w.Flush() != nil {
		return 1
	}
	if err := serveRequests(bufio.NewReaderSize(os.Stdin, 1<<16), w, reader, os.Getenv(envTestHang) != ""); err != nil {
		fmt.Fprintln(os.Stderr, "ocr child process:", err)
		return 1
	}
	return 0
}

// serveRequests answers each request read from r on w until r ends. An error means the
// stream itself broke; a page Tesseract cannot read is answered with statusError.
func serveRequests(r *bufio.Reader, w *bufio.Writer, reader pageReader, hang bool) error {
	for {
		frame, err := readFrame(r)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read request: %w", err)
		}
		req, err := parseRequest(frame)
		if err != nil {
			return err
		}
		var resp response
		switch req.op {
		case opOrient:
			resp.detected, resp.turn, resp.confidence, err = reader.orient(req.img, int(req.dpi))
		case opRecognize:
			resp.words, err = reader.recognize(req.img, int(req.psm), int(req.dpi))
		case opHang:
			if hang {
				select {}
			}
			err = fmt.Errorf("unknown request %d", req.op)
		default:
			err = fmt.Errorf("unknown request %d", req.op)
		}
		if err != nil {
			resp = response{err: err.Error()}
		}
		if err := writeFrame(w, encodeResponse(req.op, resp)); err != nil {
			return fmt.Errorf("write response: %w", err)
		}
		if err := w.Flush(); err != nil {
			return fmt.Errorf("write response: %w", err)
		}
	}
}

// startProfile starts a CPU profile in dir and returns what stops it, or nil when it cannot.
func startProfile(dir string) (stop func()) {
	f, err := os.Create(fmt.Sprintf("%s/engine-%d.pprof", dir, os.Getpid()))
	if err != nil {
		fmt.Fprintln(os.Stderr, "ocr child process: profile:", err)
		return nil
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "ocr child process: profile:", err)
		_ = f.Close()
		return nil
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}
