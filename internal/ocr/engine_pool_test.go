package ocr

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
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/raster"
)

// newTestPool starts a pool of size engines that also serve opHang, closed when the test ends.
func newTestPool(t *testing.T, size int) *EnginePool {
	t.Helper()
	pool, err := NewEnginePool(t.Context(), &EnginePoolConfig{Size: size, env: []string{envTestHang + "=1"}})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, pool.Close()) })
	require.Len(t, pool.pids(), size)
	return pool
}

// hang sends pool a page its engine never finishes, and returns the read's error.
func hang(ctx context.Context, pool *EnginePool) error {
	_, err := pool.do(ctx, engineRequest{op: opHang, img: image.NewGray(image.Rect(0, 0, 4, 4))})
	return err
}

// waitLent waits until n of the pool's engines are lent out.
func waitLent(t *testing.T, pool *EnginePool, n int) {
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

func TestWarmEngineReadsLikeTheCommand(t *testing.T) {
	t.Parallel()
	requireTesseract(t)
	pool := newTestPool(t, 1)

	for name, img := range map[string]image.Image{"upright": testPage(), "upside down": turnImage(testPage(), 180), "sideways": turnImage(testPage(), 90)} {
		t.Run(name, func(t *testing.T) {
			command, err := (&Tesseract{}).Recognize(t.Context(), img)
			require.NoError(t, err)
			warm, err := (&Tesseract{Engines: pool}).Recognize(t.Context(), img)
			require.NoError(t, err)

			require.Equal(t, command.Text, warm.Text)
			require.Equal(t, command.Words, warm.Words)
			require.Equal(t, command.Steps, warm.Steps)
			require.InDelta(t, command.Confidence, warm.Confidence, 1e-4)
		})
	}

	_, err := (&Tesseract{Engines: pool}).Recognize(t.Context(), image.NewGray(image.Rect(0, 0, 800, 600)))
	require.ErrorIs(t, err, ErrNoText)
}

func TestEnginePoolReplacesAStuckEngine(t *testing.T) {
	t.Parallel()
	requireTesseract(t)
	pool := newTestPool(t, 2)
	before := pool.pids()

	// One engine is stuck on a page until its deadline…
	stuck := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		stuck <- hang(ctx, pool)
	}()
	waitLent(t, pool, 1)

	// …while the other reads pages.
	engine := &Tesseract{Engines: pool}
	res, err := engine.Recognize(t.Context(), testPage())
	require.NoError(t, err)
	require.Positive(t, res.Words)

	require.ErrorIs(t, <-stuck, context.DeadlineExceeded)

	// The stuck engine was killed and another took its place: two pages at once still find
	// two engines.
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := engine.Recognize(t.Context(), testPage())
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

func TestEnginePoolSurvivesACrash(t *testing.T) {
	t.Parallel()
	requireTesseract(t)
	pool := newTestPool(t, 1)
	pid := pool.pids()[0]

	// The engine dies in the middle of a page.
	crashed := make(chan error, 1)
	go func() { crashed <- hang(t.Context(), pool) }()
	waitLent(t, pool, 1)
	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))

	err := <-crashed
	require.ErrorIs(t, err, ErrEngineCrashed)
	require.NotErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorContains(t, err, "signal: killed")

	// That page failed; the next one is read by a new engine.
	res, err := (&Tesseract{Engines: pool}).Recognize(t.Context(), testPage())
	require.NoError(t, err)
	require.Positive(t, res.Words)
	require.NotContains(t, pool.pids(), pid)
}

func TestEnginesDieWithTheirWorker(t *testing.T) {
	t.Parallel()
	requireTesseract(t)

	// A worker: this test binary, starting a pool of two engines.
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
		require.False(t, gone(pid), "engine %d runs while its worker does", pid)
		pids = append(pids, pid)
	}

	require.NoError(t, worker.Process.Signal(syscall.SIGKILL))
	_ = worker.Wait()
	for _, pid := range pids {
		require.Eventually(t, func() bool { return gone(pid) }, time.Minute, 10*time.Millisecond, "engine %d outlived its worker", pid)
	}
}

func TestEnginesIgnoreStopSignals(t *testing.T) {
	t.Parallel()
	requireTesseract(t)
	pool := newTestPool(t, 1)
	pid := pool.pids()[0]

	// Ctrl-C and a service manager's SIGTERM reach the engines too; the worker, finishing
	// its pages, still needs them.
	require.NoError(t, syscall.Kill(pid, syscall.SIGINT))
	require.NoError(t, syscall.Kill(pid, syscall.SIGTERM))
	res, err := (&Tesseract{Engines: pool}).Recognize(t.Context(), testPage())
	require.NoError(t, err)
	require.Positive(t, res.Words)
	require.Equal(t, []int{pid}, pool.pids())
}

func TestEnginePoolRefusesAProgramThatIsNoEngine(t *testing.T) {
	t.Parallel()

	_, err := NewEnginePool(t.Context(), &EnginePoolConfig{Size: 1, command: []string{"echo", "hello"}})
	require.ErrorContains(t, err, "did not answer as an ocr engine")

	_, err = NewEnginePool(t.Context(), &EnginePoolConfig{Size: 1, Lang: "xxx"})
	require.ErrorContains(t, err, "xxx")
}

func TestEnginePoolClosed(t *testing.T) {
	t.Parallel()
	pool := newTestPool(t, 1)
	require.NoError(t, pool.Close())
	_, err := pool.recognize(t.Context(), image.NewGray(image.Rect(0, 0, 4, 4)), psmAuto)
	require.ErrorIs(t, err, ErrPoolClosed)
	require.Empty(t, pool.pids())
}

func TestProtocolRoundTrip(t *testing.T) {
	t.Parallel()

	img := image.NewGray(image.Rect(0, 0, 3, 2))
	copy(img.Pix, []byte{1, 2, 3, 4, 5, 6})
	sub := img.SubImage(image.Rect(1, 0, 3, 2)).(*image.Gray) // a stride wider than the image
	var buf bytes.Buffer
	require.NoError(t, writeRequest(&buf, engineRequest{op: opRecognize, psm: 3, dpi: 300, img: sub}))
	frame, err := readFrame(bufio.NewReader(&buf))
	require.NoError(t, err)
	req, err := parseRequest(frame)
	require.NoError(t, err)
	require.Equal(t, byte(opRecognize), req.op)
	require.Equal(t, byte(3), req.psm)
	require.Equal(t, uint16(300), req.dpi)
	require.Equal(t, []byte{2, 3, 5, 6}, req.img.Pix)
	require.Equal(t, image.Rect(0, 0, 2, 2), req.img.Rect)

	words := []ocrWord{{1, 1, 1, 1, 96.5, "Énergie", image.Rect(10, 20, 90, 44)}, {1, 2, 1, 3, -1, "", image.Rectangle{}}}
	resp, err := parseResponse(opRecognize, encodeResponse(opRecognize, engineResponse{words: words}))
	require.NoError(t, err)
	require.Equal(t, words, resp.words)

	resp, err = parseResponse(opOrient, encodeResponse(opOrient, engineResponse{detected: true, turn: 270, confidence: 12.5}))
	require.NoError(t, err)
	require.Equal(t, engineResponse{detected: true, turn: 270, confidence: 12.5}, resp)

	resp, err = parseResponse(opOrient, encodeResponse(opOrient, engineResponse{err: "bad page"}))
	require.NoError(t, err)
	require.Equal(t, "bad page", resp.err)

	_, err = parseResponse(opRecognize, encodeResponse(opRecognize, engineResponse{words: words})[:20])
	require.ErrorContains(t, err, "cut short")
	_, err = parseRequest([]byte{1, 3, 0, 0, 0, 0, 0, 9, 0, 0, 0, 9, 1})
	require.Error(t, err)
}

// requireTesseract fails the test, with install instructions, when tesseract or its data is
// missing.
func requireTesseract(t *testing.T) {
	t.Helper()
	require.NoError(t, (&Tesseract{}).CheckInstalled(t.Context()), "these tests need tesseract")
}

// testPage is a page of lecture notes like a photo of A4 at 200 dpi.
func testPage() *image.Gray {
	return grayscale(ocrtest.RenderText([]string{
		"Lecture 4: The first law of thermodynamics",
		"Energy is neither created nor destroyed in a closed system.",
		"The change in internal energy equals heat added minus work.",
		"",
		"For an ideal gas the internal energy depends only on",
		"temperature, so an isothermal process turns all the heat",
		"taken in into work done on the surroundings.",
	}, 1700, 2200, 36))
}

// turnImage returns img turned clockwise by deg, a multiple of 90.
func turnImage(img *image.Gray, deg int) *image.Gray { return raster.Turn(img, deg) }
