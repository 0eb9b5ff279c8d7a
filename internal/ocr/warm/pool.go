package warm

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/snapnote/snapnote/internal/ocr"
)

// ErrChildCrashed is wrapped by the error of a page whose child process ended while reading
// it. Only that page fails: the pool starts a new child in its place.
var ErrChildCrashed = errors.New("ocr child process exited while reading the page")

// ErrPoolClosed is returned by reads from a closed Pool.
var ErrPoolClosed = errors.New("ocr child process pool is closed")

// ErrNoCgo is returned by NewPool in a binary built without cgo, which cannot
// call libtesseract.
var ErrNoCgo = errors.New("warm ocr child processes need libtesseract through cgo, and this binary was built with CGO_ENABLED=0")

// defaultStartTimeout bounds how long a child may take to start and load its models.
const defaultStartTimeout = time.Minute

// PoolConfig configures a Pool. The zero value is usable.
type PoolConfig struct {
	// Size is how many children, each reading one page at a time, the pool keeps: the number
	// of pages read at once. Default runtime.NumCPU().
	Size int
	// Lang lists the languages pages are read in when a read names none (Recognize, and
	// RecognizeIn with ""), joined by "+": the languages every slot's first child loads.
	// Default "eng".
	Lang string
	// LangsPerSlot bounds how many children, each for its own languages, a slot keeps warm:
	// a read in other languages starts a child for them and stops the slot's least recently
	// used one beyond the bound. Default DefaultLangsPerSlot. See langs.go.
	LangsPerSlot int
	// StartTimeout bounds how long a child may take to start and load its models. Default
	// one minute.
	StartTimeout time.Duration
	// Logger receives a warning when a child is killed or dies, and when one cannot be
	// restarted. Default: no logging.
	Logger *slog.Logger
	// OnRestart, when set, is called each time an engine is killed or found
	// dead and replaced (for a metric).
	OnRestart func()
	// RecyclePages retires a child after it has read this many pages and starts a fresh one,
	// so that whatever Tesseract leaks or fragments is given back; 0 never does.
	RecyclePages int
	// RecycleRSS retires a child whose resident memory is above this many bytes after a
	// page (Linux: VmRSS); 0 never does.
	RecycleRSS int64
	// OnRecycle, when set, is called each time a child is retired, with the reason:
	// RecyclePages or RecycleRSS (for a metric).
	OnRecycle func(reason string)

	// command is the child's command line, for tests; default the running binary.
	command []string
	// env is added to the children' environment, for tests.
	env []string
}

// Pool keeps Size warm Tesseract processes, each in a child process of its own, and lends
// one to each page read: see tesseract.Engine.Pool. It is safe for concurrent use. A child
// reads in one set of languages; a slot keeps up to LangsPerSlot children, one per set of
// languages pages asked for, the least recently used stopped beyond that (langs.go).
//
// A child is the running binary started again (os.Executable), which must call
// ServeIfChild first thing. It loads its models once and then reads page after page,
// each sent as 8-bit gray pixels over its stdin and answered over its stdout, so no image
// touches the disk. Its environment has OMP_THREAD_LIMIT=1: Tesseract's OpenMP threads spin
// and slow pages down when several run at once; and its OpenMP regions skip libgomp (gomp.c).
//
// A call into C cannot be stopped, but a process can: when a read's context ends first, its
// child is killed and the read returns the context's cause; a child that dies mid-page
// fails that page with ErrChildCrashed. Either way a new child starts in the background and
// takes the old one's place. On Linux the kernel kills the children when the worker dies.
type Pool struct {
	cfg     PoolConfig
	idle    chan *slot // every slot not lent out
	slots   []*slot
	closing chan struct{}

	mu     sync.Mutex
	closed bool
	live   map[*child]struct{}

	restarts  sync.WaitGroup
	closeOnce sync.Once
}

// slot is one place in the pool. proc is nil while its child is being replaced, or
// after a replacement failed (the next read tries again).
type slot struct {
	proc *child
	// spare holds the slot's idle children for other languages than proc's, the most
	// recently used first (langs.go).
	spare []*child
}

// NewPool starts cfg.Size children and waits until each has loaded its models. It returns
// ErrNoCgo in a binary built without cgo, and an error with the child's message when
// one cannot start (a language without data, say); it starts nothing then.
func NewPool(ctx context.Context, cfg *PoolConfig) (*Pool, error) {
	if !cgoBuilt {
		return nil, ErrNoCgo
	}
	if os.Getenv(envChild) != "" {
		// This process was started as a child but did not serve: its main does not call
		// ServeIfChild. Starting children from here would start this program over and over.
		return nil, errors.New("this process was started as an ocr child process: call warm.ServeIfChild first thing in main (or TestMain)")
	}
	p := &Pool{
		cfg:     *cfg,
		closing: make(chan struct{}),
		live:    make(map[*child]struct{}),
	}
	p.cfg.Size = cmp.Or(p.cfg.Size, runtime.NumCPU())
	p.cfg.Lang = cmp.Or(p.cfg.Lang, ocr.DefaultLang)
	p.cfg.LangsPerSlot = max(cmp.Or(p.cfg.LangsPerSlot, DefaultLangsPerSlot), 1)
	p.cfg.StartTimeout = cmp.Or(p.cfg.StartTimeout, defaultStartTimeout)
	if p.cfg.Logger == nil {
		p.cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if len(p.cfg.command) == 0 {
		self, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("find the running binary to start ocr child processes: %w", err)
		}
		p.cfg.command = []string{self, "ocr-engine"}
	}

	p.idle = make(chan *slot, p.cfg.Size)
	p.slots = make([]*slot, p.cfg.Size)
	errs := make([]error, p.cfg.Size)
	var wg sync.WaitGroup
	for i := range p.slots {
		p.slots[i] = &slot{}
		wg.Go(func() { p.slots[i].proc, errs[i] = p.start(ctx, p.cfg.Lang) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		p.Close()
		return nil, err
	}
	for _, s := range p.slots {
		p.idle <- s
	}
	return p, nil
}

// Close stops every child and waits for them to exit: each finishes the page it is reading,
// for up to stopGrace, and is killed after that. Later reads return ErrPoolClosed. It always
// returns nil.
func (p *Pool) Close() error {
	p.closeOnce.Do(func() {
		close(p.closing)
		p.mu.Lock()
		p.closed = true
		p.mu.Unlock()
		p.restarts.Wait()
		p.mu.Lock()
		procs := make([]*child, 0, len(p.live))
		for e := range p.live {
			procs = append(procs, e)
		}
		p.mu.Unlock()
		var wg sync.WaitGroup
		for _, e := range procs {
			wg.Go(e.stop)
		}
		wg.Wait()
	})
	return nil
}

// Orient detects the orientation of img in a child process: the clockwise turn that makes it
// upright and Tesseract's confidence; detected is false when Tesseract cannot judge the page.
func (p *Pool) Orient(ctx context.Context, img *image.Gray) (detected bool, turn int, confidence float64, err error) {
	// Every child loads the osd model for it, whatever its languages.
	resp, err := p.do(ctx, anyLang, request{op: opOrient, img: img})
	return resp.detected, resp.turn, resp.confidence, err
}

// Recognize reads the words on img in a child process, with page segmentation psm, in the
// pool's languages (PoolConfig.Lang).
func (p *Pool) Recognize(ctx context.Context, img *image.Gray, psm int) ([]ocr.Word, error) {
	return p.RecognizeIn(ctx, img, psm, "")
}

// RecognizeIn reads the words on img in a child process for lang, Tesseract's codes joined
// by "+" ("" for the pool's own), with page segmentation psm. A slot without a child for
// lang starts one (see PoolConfig.LangsPerSlot); a language whose data is not installed
// fails the read with the child's message.
func (p *Pool) RecognizeIn(ctx context.Context, img *image.Gray, psm int, lang string) ([]ocr.Word, error) {
	resp, err := p.do(ctx, cmp.Or(lang, p.cfg.Lang), request{op: opRecognize, psm: byte(psm), img: img})
	return resp.words, err
}

// do lends req a child for lang (anyLang: whichever a free slot has), waiting for one to be
// free, and returns its answer. A child that cannot answer is replaced.
func (p *Pool) do(ctx context.Context, lang string, req request) (response, error) {
	s, err := p.checkout(ctx, lang)
	if err != nil {
		return response{}, err
	}
	resp, err := s.proc.do(ctx, req)
	if err != nil {
		p.replace(s, err)
		return response{}, err
	}
	if reason := p.recycleReason(s.proc, req.op); reason != "" {
		p.recycle(s, reason)
	} else {
		p.idle <- s
	}
	if resp.err != "" {
		return response{}, fmt.Errorf("tesseract: %s", resp.err)
	}
	return resp, nil
}

// checkout takes a free slot with a running child for lang, preferring one that has it
// warm, and starting one when the slot has none.
func (p *Pool) checkout(ctx context.Context, lang string) (*slot, error) {
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	var s *slot
	select {
	case s = <-p.idle:
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	case <-p.closing:
		return nil, ErrPoolClosed
	}
	select {
	case <-p.closing: // both were ready, and select picked the slot
		p.idle <- s
		return nil, ErrPoolClosed
	default:
	}
	s = p.prefer(s, lang)
	if err := p.switchLang(ctx, s, lang); err != nil {
		p.idle <- s
		return nil, err
	}
	return s, nil
}

// replace kills the child of s, which failed with err, starts another in the background and
// then returns s to the pool.
func (p *Pool) replace(s *slot, err error) {
	old := s.proc
	s.proc = nil
	old.kill()
	p.cfg.Logger.Warn("ocr child process replaced", slog.Int("pid", old.cmd.Process.Pid), slog.String("error", err.Error()))
	if p.cfg.OnRestart != nil {
		p.cfg.OnRestart()
	}
	p.refill(s, old.lang, nil)
}

// refill starts a child for s, which has none, reading lang, in the background, after retire
// when it is set, and then returns s to the pool; at once when the pool is closed.
func (p *Pool) refill(s *slot, lang string, retire func()) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		if retire != nil {
			retire()
		}
		p.idle <- s
		return
	}
	p.restarts.Add(1)
	p.mu.Unlock()
	go func() {
		defer p.restarts.Done()
		if retire != nil {
			retire()
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			select {
			case <-p.closing:
				cancel()
			case <-ctx.Done():
			}
		}()
		proc, err := p.start(ctx, lang)
		if err != nil {
			if !errors.Is(err, ErrPoolClosed) {
				p.cfg.Logger.Error("ocr child process restart failed; the next page tries again", slog.String("error", err.Error()))
			}
		} else {
			s.proc = proc
		}
		p.idle <- s
	}()
}

// pids returns the process ids of the running children.
func (p *Pool) pids() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []int
	for e := range p.live {
		out = append(out, e.cmd.Process.Pid)
	}
	return out
}

// start starts a child for lang and waits until it has loaded its models.
func (p *Pool) start(ctx context.Context, lang string) (*child, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, p.cfg.StartTimeout,
		fmt.Errorf("ocr child process did not start within %s: %w", p.cfg.StartTimeout, context.DeadlineExceeded))
	defer cancel()

	cmd := exec.Command(p.cfg.command[0], p.cfg.command[1:]...)
	// OpenMP reads the variable when the process starts: it must be in the environment.
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1", envChild+"="+lang)
	cmd.Env = append(cmd.Env, p.cfg.env...)
	cmd.SysProcAttr = childSysProcAttr()
	proc := &child{lang: lang, cmd: cmd, stderr: &tailBuffer{max: 4 << 10}, exited: make(chan struct{})}
	cmd.Stderr = proc.stderr
	// Pipes of our own, not cmd.StdinPipe/StdoutPipe: Wait closes those as the child exits,
	// under a read that may still be taking a whole answer out of the pipe.
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("start ocr child process: %w", err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		_, _ = inR.Close(), inW.Close()
		return nil, fmt.Errorf("start ocr child process: %w", err)
	}
	cmd.Stdin, cmd.Stdout = inR, outW
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		_, _, _, _ = inR.Close(), inW.Close(), outR.Close(), outW.Close()
		return nil, ErrPoolClosed
	}
	err = cmd.Start()
	_, _ = inR.Close(), outW.Close() // the child has its own copies
	if err != nil {
		p.mu.Unlock()
		_, _ = inW.Close(), outR.Close()
		return nil, fmt.Errorf("start ocr child process %s: %w", p.cfg.command[0], err)
	}
	p.live[proc] = struct{}{}
	p.mu.Unlock()
	proc.in, proc.out, proc.outFile = bufio.NewWriterSize(inW, 1<<16), bufio.NewReaderSize(outR, 1<<16), outR
	proc.inFile = inW
	go func() {
		proc.waitErr = cmd.Wait()
		_, _ = inW.Close(), outR.Close()
		p.mu.Lock()
		delete(p.live, proc)
		p.mu.Unlock()
		close(proc.exited)
	}()

	hello := make(chan error, 1)
	go func() {
		frame, err := readFrame(proc.out)
		switch {
		case err != nil:
			err = fmt.Errorf("it did not answer as an ocr child process (does its main call warm.ServeIfChild?): %w", err)
		case len(frame) > 1 && frame[0] == statusError:
			err = errors.New(string(frame[1:]))
		case string(frame) != string(statusOK)+childHello:
			err = errors.New("it did not answer as an ocr child process (does its main call warm.ServeIfChild?)")
		}
		hello <- err
	}()
	select {
	case err = <-hello:
	case <-ctx.Done():
		err = context.Cause(ctx)
		proc.kill() // which ends the read
		<-hello
	}
	if err != nil {
		proc.kill()
		if msg := ocr.SummarizeStderr(proc.stderr.String()); msg != "" {
			err = fmt.Errorf("%w; stderr: %s", err, msg)
		}
		return nil, fmt.Errorf("start ocr child process: %w", err)
	}
	return proc, nil
}

// child is one running child.
type child struct {
	lang    string // the languages it reads, "eng+deu"
	cmd     *exec.Cmd
	in      *bufio.Writer
	inFile  *os.File
	out     *bufio.Reader
	outFile *os.File
	stderr  *tailBuffer
	exited  chan struct{} // closed once the process has exited and been reaped
	pages   int           // pages read, for RecyclePages
	waitErr error         // read after exited is closed
}

// do sends req and waits for the answer. When ctx ends first, it kills the child and returns
// ctx's cause; when the child cannot answer, it kills it and returns an error wrapping
// ErrChildCrashed. A child that returned an error must not be used again.
func (e *child) do(ctx context.Context, req request) (response, error) {
	type reply struct {
		resp response
		err  error
	}
	done := make(chan reply, 1)
	go func() {
		err := writeRequest(e.in, req)
		if err == nil {
			err = e.in.Flush()
		}
		if err != nil {
			done <- reply{err: fmt.Errorf("send page: %w", err)}
			return
		}
		frame, err := readFrame(e.out)
		if err != nil {
			done <- reply{err: fmt.Errorf("read answer: %w", err)}
			return
		}
		resp, err := parseResponse(req.op, frame)
		done <- reply{resp: resp, err: err}
	}()

	select {
	case r := <-done:
		if r.err != nil {
			e.kill()
			return response{}, fmt.Errorf("%w (pid %d, %v): %w%s", ErrChildCrashed, e.cmd.Process.Pid, e.waitErr, r.err, e.stderrTail())
		}
		return r.resp, nil
	case <-ctx.Done():
		// The C call cannot be interrupted: end the process. Its pipes close with it, which
		// ends the exchange above.
		e.kill()
		<-done
		return response{}, context.Cause(ctx)
	}
}

// stopGrace is how long Close lets a child finish its page before killing it.
const stopGrace = 5 * time.Second

// stop closes the child's input, which ends it once it has answered what it was sent, and
// kills it if it is still running stopGrace later.
func (e *child) stop() {
	_ = e.inFile.Close()
	timer := time.NewTimer(stopGrace)
	defer timer.Stop()
	select {
	case <-e.exited:
	case <-timer.C:
		e.kill()
	}
}

// kill ends the child and waits until it has been reaped.
func (e *child) kill() {
	_ = e.cmd.Process.Kill()
	<-e.exited
}

// stderrTail returns "; stderr: …" with the end of what the child printed, or "".
func (e *child) stderrTail() string {
	if msg := ocr.SummarizeStderr(e.stderr.String()); msg != "" {
		return "; stderr: " + msg
	}
	return ""
}

// tailBuffer keeps the last max bytes written to it. Tesseract prints a warning or two per
// page, for ever; only the end says why a child died.
type tailBuffer struct {
	max int
	mu  sync.Mutex
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.ToValidUTF8(string(b.buf), "")
}
