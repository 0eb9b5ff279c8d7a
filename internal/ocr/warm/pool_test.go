package warm

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"image"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/ocr/preprocess"
)

// newTestPool starts a pool of size children that also serve opHang, closed when the test ends.
func newTestPool(t *testing.T, size int) *Pool {
	t.Helper()
	pool, err := NewPool(t.Context(), &PoolConfig{Size: size, env: []string{envTestHang + "=1"}})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, pool.Close()) })
	require.Len(t, pool.pids(), size)
	return pool
}

// hang sends pool a page its child never finishes, and returns the read's error.
func hang(ctx context.Context, pool *Pool) error {
	_, err := pool.do(ctx, anyLang, request{op: opHang, img: image.NewGray(image.Rect(0, 0, 4, 4))})
	return err
}

// waitLent waits until n of the pool's children are lent out.
func waitLent(t *testing.T, pool *Pool, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return cap(pool.idle)-len(pool.idle) == n }, time.Minute, 5*time.Millisecond)
}

// gone reports whether the process pid has ended: it no longer exists, or is a zombie that
// nobody has reaped yet (in a container, PID 1 may never reap it).
func gone(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return errors.Is(err, os.ErrNotExist) || syscall.Kill(pid, 0) == syscall.ESRCH
	}
	// "pid (comm) S …": the state follows the last ')'.
	rest := stat[bytes.LastIndexByte(stat, ')')+1:]
	return len(rest) > 1 && (rest[1] == 'Z' || rest[1] == 'X')
}

func TestPoolReplacesAStuckChild(t *testing.T) {
	t.Parallel()
	requireTesseract(t)
	pool := newTestPool(t, 2)
	before := pool.pids()

	// One child is stuck on a page until its deadline…
	stuck := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		stuck <- hang(ctx, pool)
	}()
	waitLent(t, pool, 1)

	// …while the other reads pages.
	words, err := pool.Recognize(t.Context(), testPage(), psmAuto)
	require.NoError(t, err)
	require.NotEmpty(t, words)

	require.ErrorIs(t, <-stuck, context.DeadlineExceeded)

	// The stuck child was killed and another took its place: two pages at once still find
	// two children.
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := pool.Recognize(t.Context(), testPage(), psmAuto)
			errs <- err
		}()
	}
	require.NoError(t, errors.Join(<-errs, <-errs))

	after := pool.pids()
	require.Len(t, after, 2)
	var killed []int
	for _, pid := range before {
		if !slices.Contains(after, pid) {
			killed = append(killed, pid)
		}
	}
	require.Len(t, killed, 1, "pids before %v, after %v", before, after)
	require.True(t, gone(killed[0]))
}

func TestPoolSurvivesACrash(t *testing.T) {
	t.Parallel()
	requireTesseract(t)
	var restarts atomic.Int32
	pool, err := NewPool(t.Context(), &PoolConfig{Size: 1, env: []string{envTestHang + "=1"},
		OnRestart: func() { restarts.Add(1) }})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, pool.Close()) })
	pid := pool.pids()[0]

	// The child dies in the middle of a page.
	crashed := make(chan error, 1)
	go func() { crashed <- hang(t.Context(), pool) }()
	waitLent(t, pool, 1)
	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))

	err = <-crashed
	require.ErrorIs(t, err, ErrChildCrashed)
	require.NotErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorContains(t, err, "signal: killed")

	// That page failed; the next one is read by a new child.
	words, err := pool.Recognize(t.Context(), testPage(), psmAuto)
	require.NoError(t, err)
	require.NotEmpty(t, words)
	require.NotContains(t, pool.pids(), pid)
	require.Equal(t, int32(1), restarts.Load(), "the restart is counted")
}

func TestChildrenDieWithTheirWorker(t *testing.T) {
	t.Parallel()
	requireTesseract(t)

	// A worker: this test binary, starting a pool of two children.
	self, err := os.Executable()
	require.NoError(t, err)
	worker := exec.Command(self)
	worker.Env = append(os.Environ(), envTestParent+"=1")
	stdout, err := worker.StdoutPipe()
	require.NoError(t, err)
	stderr := &tailBuffer{max: 4 << 10} // safe to read while the worker writes
	worker.Stderr = stderr
	require.NoError(t, worker.Start())
	t.Cleanup(func() { _ = worker.Process.Kill() })

	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err, "worker: %s", stderr.String())
	fields := strings.Fields(line)
	require.Equal(t, "pids", fields[0])
	require.Len(t, fields, 3)
	var pids []int
	for _, f := range fields[1:] {
		pid, err := strconv.Atoi(f)
		require.NoError(t, err)
		require.False(t, gone(pid), "child %d runs while its worker does", pid)
		pids = append(pids, pid)
	}

	require.NoError(t, worker.Process.Signal(syscall.SIGKILL))
	_ = worker.Wait()
	for _, pid := range pids {
		require.Eventually(t, func() bool { return gone(pid) }, time.Minute, 10*time.Millisecond, "child %d outlived its worker", pid)
	}
}

func TestChildrenIgnoreStopSignals(t *testing.T) {
	t.Parallel()
	requireTesseract(t)
	pool := newTestPool(t, 1)
	pid := pool.pids()[0]

	// Ctrl-C and a service manager's SIGTERM reach the children too; the worker, finishing
	// its pages, still needs them.
	require.NoError(t, syscall.Kill(pid, syscall.SIGINT))
	require.NoError(t, syscall.Kill(pid, syscall.SIGTERM))
	words, err := pool.Recognize(t.Context(), testPage(), psmAuto)
	require.NoError(t, err)
	require.NotEmpty(t, words)
	require.Equal(t, []int{pid}, pool.pids())
}

func TestPoolRefusesAProgramThatIsNoChild(t *testing.T) {
	t.Parallel()

	_, err := NewPool(t.Context(), &PoolConfig{Size: 1, command: []string{"echo", "hello"}})
	require.ErrorContains(t, err, "did not answer as an ocr child process")

	_, err = NewPool(t.Context(), &PoolConfig{Size: 1, Lang: "xxx"})
	require.ErrorContains(t, err, "xxx")
}

func TestPoolClosed(t *testing.T) {
	t.Parallel()
	pool := newTestPool(t, 1)
	require.NoError(t, pool.Close())
	_, err := pool.Recognize(t.Context(), image.NewGray(image.Rect(0, 0, 4, 4)), psmAuto)
	require.ErrorIs(t, err, ErrPoolClosed)
	require.Empty(t, pool.pids())
}

func TestProtocolRoundTrip(t *testing.T) {
	t.Parallel()

	img := image.NewGray(image.Rect(0, 0, 3, 2))
	copy(img.Pix, []byte{1, 2, 3, 4, 5, 6})
	sub := img.SubImage(image.Rect(1, 0, 3, 2)).(*image.Gray) // a stride wider than the image
	var buf bytes.Buffer
	require.NoError(t, writeRequest(&buf, request{op: opRecognize, psm: 3, dpi: 300, img: sub}))
	frame, err := readFrame(bufio.NewReader(&buf))
	require.NoError(t, err)
	req, err := parseRequest(frame)
	require.NoError(t, err)
	require.Equal(t, byte(opRecognize), req.op)
	require.Equal(t, byte(3), req.psm)
	require.Equal(t, uint16(300), req.dpi)
	require.Equal(t, []byte{2, 3, 5, 6}, req.img.Pix)
	require.Equal(t, image.Rect(0, 0, 2, 2), req.img.Rect)

	words := []ocr.Word{{Page: 1, Block: 1, Par: 1, Line: 1, Conf: 96.5, Text: "Énergie", Box: image.Rect(10, 20, 90, 44)}, {Page: 1, Block: 2, Par: 1, Line: 3, Conf: -1}}
	resp, err := parseResponse(opRecognize, encodeResponse(opRecognize, response{words: words}))
	require.NoError(t, err)
	require.Equal(t, words, resp.words)

	resp, err = parseResponse(opOrient, encodeResponse(opOrient, response{detected: true, turn: 270, confidence: 12.5}))
	require.NoError(t, err)
	require.Equal(t, response{detected: true, turn: 270, confidence: 12.5}, resp)

	resp, err = parseResponse(opOrient, encodeResponse(opOrient, response{err: "bad page"}))
	require.NoError(t, err)
	require.Equal(t, "bad page", resp.err)

	_, err = parseResponse(opRecognize, encodeResponse(opRecognize, response{words: words})[:20])
	require.ErrorContains(t, err, "cut short")
	_, err = parseRequest([]byte{1, 3, 0, 0, 0, 0, 0, 9, 0, 0, 0, 9, 1})
	require.Error(t, err)
}

// psmAuto is Tesseract's fully automatic page segmentation, without orientation detection.
const psmAuto = 3

// requireTesseract fails the test, with install instructions, when tesseract is missing.
func requireTesseract(t *testing.T) {
	t.Helper()
	_, err := exec.LookPath("tesseract")
	require.NoError(t, err, "these tests need tesseract (on Debian: apt-get install tesseract-ocr)")
}

// testPage is a page of lecture notes like a photo of A4 at 200 dpi.
func testPage() *image.Gray {
	return preprocess.Prepare(ocrtest.RenderText([]string{
		"Lecture 4: The first law of thermodynamics",
		"Energy is neither created nor destroyed in a closed system.",
		"The change in internal energy equals heat added minus work.",
		"",
		"For an ideal gas the internal energy depends only on",
		"temperature, so an isothermal process turns all the heat",
		"taken in into work done on the surroundings.",
	}, 1700, 2200, 36), 0)
}
