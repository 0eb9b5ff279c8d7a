package tesseract

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/snapnote/snapnote/internal/limited"
	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/layout"
	"github.com/snapnote/snapnote/internal/ocr/preprocess"
	"github.com/snapnote/snapnote/internal/ocr/warm"
)

// Defaults for the zero fields of Engine.
const (
	defaultBinary  = "tesseract"
	defaultTimeout = 60 * time.Second
	defaultMaxSide = 4000
)

// Engine is an ocr.Engine that runs the tesseract command, or reads in warm child processes
// (Pool). The zero value uses the defaults; an Engine is safe for concurrent use and each call
// to Recognize without a Pool runs its own process.
type Engine struct {
	// Binary is the command to run, a name looked up in $PATH or a path. Default "tesseract".
	Binary string
	// Lang lists the languages a page is read in when the read names none (ocr.Options.Lang
	// ""), joined by "+": "eng", "eng+deu"; the server's OCR_LANG. Default "eng".
	Lang string
	// AutoLangs are the languages an ocr.LangAuto read may choose besides Lang: those
	// installed (Languages). Nil: an auto read finds no other language and reads in Lang.
	AutoLangs []string
	// Timeout bounds Recognize for one image, including preparing the image. Default 60 s.
	Timeout time.Duration
	// MaxSide bounds the longest side of the image in pixels: larger images are scaled down
	// (area averaging) before OCR, and small text is enlarged only up to it. Default 4000; a
	// negative value disables both limits.
	MaxSide int
	// Skip names preprocessing steps not to run, of preprocess.Steps, for measuring what each
	// contributes (`snapnote-eval --skip`). Nil runs them all, as the measurements support.
	Skip []string
	// Pool, when set, reads pages and detects their orientation in warm child processes, which
	// keep their models loaded and take images in memory, instead of running the command
	// twice per page; Binary is then unused, and each read asks the pool for a child in its
	// languages. The Result is the same. Nil runs the command.
	Pool *warm.Pool
}

var _ ocr.Engine = (*Engine)(nil)

// Name returns ocr.EngineTesseract, the name recorded with the text it reads.
func (t *Engine) Name() string { return ocr.EngineTesseract }

// Recognize converts img to grayscale, scales it down to MaxSide if needed, preprocesses it (undoes
// the perspective, flattens the lighting and clears the desk, sharpens a blurred page, enlarges
// small text, turns the page upright and straightens it; see package preprocess) and runs Tesseract
// on it with automatic page segmentation: a child process of Pool, or the command on a temporary
// file (removed before returning). The exercise and section numbers page segmentation drops are
// then read again one by one (see recoverLabels; "labels:N" in Steps), and so is text printed in
// pale ink that its threshold left out (see recoverPale; "pale:N"); dots of ink read as letters
// become bullets or go (see readDots; "dots:N"). It reads in opts.Lang, Lang
// when that is "", and finds the language itself for ocr.LangAuto (see AutoLangs). The Result lists
// the preprocessing applied in Steps, then the language found ("detect:fra", for ocr.LangAuto) and
// the one read in ("lang:fra"). It returns ErrNoText when Tesseract finds no words. A call longer
// than Timeout is killed and returns an error wrapping context.DeadlineExceeded; a missing binary
// wraps exec.ErrNotFound (or fs.ErrNotExist for a path), a failed run includes what Tesseract
// printed on stderr, and a child process that died mid-page wraps warm.ErrChildCrashed.
func (t *Engine) Recognize(ctx context.Context, img image.Image, opts ocr.Options) (ocr.Result, error) {
	timeout := cmp.Or(t.Timeout, defaultTimeout)
	ctx, cancel := context.WithTimeoutCause(ctx, timeout,
		fmt.Errorf("timed out after %s: %w", timeout, context.DeadlineExceeded))
	defer cancel()
	if ctx.Err() != nil {
		return ocr.Result{}, fmt.Errorf("run tesseract: %w", context.Cause(ctx))
	}

	maxSide := cmp.Or(t.MaxSide, defaultMaxSide)
	pipeline := &preprocess.Pipeline{Skip: t.Skip, Orient: t.orientation}
	gray, steps, err := pipeline.Run(ctx, preprocess.Prepare(img, maxSide), maxSide)
	if err != nil {
		return ocr.Result{}, fmt.Errorf("preprocess image: %w", err)
	}
	// Tesseract takes a ruled table for a picture and reads none of its cells: it reads the
	// page without the rules, which give the table its cells instead.
	rules := layout.FindRules(gray)
	page := layout.EraseRules(gray, rules)
	words, lang, langSteps, err := t.readIn(ctx, page, opts)
	if err != nil {
		return ocr.Result{}, err
	}
	words, labels, err := t.recoverLabels(ctx, page, words, lang)
	if err != nil {
		return ocr.Result{}, err
	}
	if labels > 0 {
		steps = append(steps, StepLabels+":"+strconv.Itoa(labels))
	}
	words, pale, err := t.recoverPale(ctx, page, words, lang)
	if err != nil {
		return ocr.Result{}, err
	}
	if pale > 0 {
		steps = append(steps, StepPale+":"+strconv.Itoa(pale))
	}
	words, gray, dots := readDots(words, gray, medianHeight(words))
	if dots > 0 {
		steps = append(steps, StepDots+":"+strconv.Itoa(dots))
	}
	res := pageResult(words, gray, rules)
	if res.Words == 0 {
		return ocr.Result{}, ocr.ErrNoText
	}
	res.Steps = append(steps, langSteps...)
	return res, nil
}

// psmAuto is Tesseract's fully automatic page segmentation, without orientation detection: the
// default of the tesseract command.
const psmAuto = 3

// read runs Tesseract in lang on the preprocessed page, a child process of t.Pool or the
// command, and returns the words it read.
func (t *Engine) read(ctx context.Context, gray *image.Gray, lang string) ([]ocr.Word, error) {
	return t.readAs(ctx, gray, lang, psmAuto)
}

// readAs is read with the page segmentation mode psm.
func (t *Engine) readAs(ctx context.Context, gray *image.Gray, lang string, psm int) ([]ocr.Word, error) {
	if t.Pool != nil {
		words, err := t.Pool.RecognizeIn(ctx, gray, psm, lang)
		if err != nil {
			return nil, fmt.Errorf("run tesseract: %w", err)
		}
		return words, nil
	}

	page, err := writeTemp(gray)
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.Remove(page) }()

	tsv, _, err := t.run(ctx, page, "stdout", "-l", lang, "--psm", strconv.Itoa(psm), "tsv")
	if err != nil {
		return nil, fmt.Errorf("run tesseract: %w", err)
	}
	words, err := ocr.ParseTSVWords(tsv)
	if err != nil {
		return nil, fmt.Errorf("read tesseract output: %w", err)
	}
	return words, nil
}

// CheckInstalled runs `tesseract --version` and `tesseract --list-langs` and returns an error
// naming what is missing, the binary or each language of Lang that has no data installed, and
// the Debian package that provides it.
func (t *Engine) CheckInstalled(ctx context.Context) error {
	binary := cmp.Or(t.Binary, defaultBinary)
	if _, _, err := t.run(ctx, "--version"); err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("tesseract binary %q not found (on Debian: apt-get install tesseract-ocr): %w", binary, err)
		}
		return fmt.Errorf("run %s --version: %w", binary, err)
	}

	installed, err := t.installed(ctx)
	if err != nil {
		return err
	}

	lang := cmp.Or(t.Lang, ocr.DefaultLang)
	need := lang
	if !slices.Contains(t.Skip, preprocess.StepOrient) && !slices.Contains(strings.Split(lang, "+"), ocr.OSDLang) {
		need += "+" + ocr.OSDLang // orientation detection reads its own data
	}
	var missing, packages []string
	for l := range strings.SplitSeq(need, "+") {
		if l == "" {
			return fmt.Errorf("invalid tesseract language list %q", lang)
		}
		if slices.Contains(installed, l) {
			continue
		}
		missing = append(missing, fmt.Sprintf("%q", l))
		// Debian names the package after the traineddata file: chi_sim → tesseract-ocr-chi-sim.
		// Script models ("script/Latin") use ISO 15924 codes that cannot be derived here.
		if !strings.Contains(l, "/") {
			packages = append(packages, "tesseract-ocr-"+strings.ToLower(strings.ReplaceAll(l, "_", "-")))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	msg := fmt.Sprintf("tesseract language data not installed: %s (installed: %s)",
		strings.Join(missing, ", "), strings.Join(installed, ", "))
	if len(packages) > 0 {
		msg += "; on Debian: apt-get install " + strings.Join(packages, " ")
	}
	return errors.New(msg)
}

// Languages returns the languages whose data is installed, those a page can
// be read in: every one `tesseract --list-langs` names but orientation
// detection's own.
func (t *Engine) Languages(ctx context.Context) ([]string, error) {
	installed, err := t.installed(ctx)
	return slices.DeleteFunc(installed, func(l string) bool { return l == ocr.OSDLang }), err
}

func (t *Engine) installed(ctx context.Context) ([]string, error) {
	// Tesseract 5 lists the languages on stdout, older versions on stderr.
	stdout, stderr, err := t.run(ctx, "--list-langs")
	if err != nil {
		return nil, fmt.Errorf("run %s --list-langs: %w", cmp.Or(t.Binary, defaultBinary), err)
	}
	var installed []string
	for line := range strings.Lines(string(stdout) + string(stderr)) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "List of available languages") {
			installed = append(installed, line)
		}
	}
	return installed, nil
}

// tempPattern names the page images the command engine writes to os.TempDir.
const tempPattern = "snapnote-ocr-*.png"

// RemoveStaleTempFiles deletes the page images that the command (an Engine without a Pool) left in os.TempDir when its process died mid-page, and logs each removal to logger
// (nil: no logging). Only images older than olderThan go: a live run removes its own image
// within its Timeout, so an older one belongs to no run, even one of another worker sharing the
// directory. Child processes write no files.
func RemoveStaleTempFiles(olderThan time.Duration, logger *slog.Logger) {
	names, _ := filepath.Glob(filepath.Join(os.TempDir(), tempPattern))
	for _, name := range names {
		info, err := os.Lstat(name)
		if err != nil || !info.Mode().IsRegular() || time.Since(info.ModTime()) < olderThan {
			continue
		}
		if err := os.Remove(name); err == nil && logger != nil {
			logger.Info("removed a page image left by an interrupted ocr run", slog.String("path", name))
		}
	}
}

// writeTemp stores img as an uncompressed PNG in a new temporary file and returns its path;
// the caller removes the file. Tesseract reads a file at disk speed but stdin a byte at a time,
// about 17 ns a byte: 0.2 s for a 12-megapixel image. Compressing instead would cost more than
// that (0.4 s with png.BestSpeed for such a photo).
func writeTemp(img image.Image) (path string, err error) {
	f, err := os.CreateTemp("", tempPattern)
	if err != nil {
		return "", fmt.Errorf("create temporary image: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<16)
	err = (&png.Encoder{CompressionLevel: png.NoCompression}).Encode(w, img)
	if err == nil {
		err = w.Flush()
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", fmt.Errorf("write temporary image: %w", err)
	}
	return f.Name(), nil
}

// run runs Tesseract with args, limited to one OpenMP thread. When ctx ends first, the process is
// killed and the error is the context's cause; when Tesseract fails, the error includes the end
// of its stderr.
func (t *Engine) run(ctx context.Context, args ...string) (stdout, stderr []byte, err error) {
	cmd := exec.CommandContext(ctx, cmp.Or(t.Binary, defaultBinary), args...)
	// The variable must be in the child's environment: OpenMP reads it when the process starts.
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	var outBuf, errBuf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &outBuf, &errBuf
	cmd.WaitDelay = limited.OutputGrace // Tesseract forks nothing either

	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, nil, context.Cause(ctx)
		}
		if msg := ocr.SummarizeStderr(errBuf.String()); msg != "" {
			return nil, nil, fmt.Errorf("%w: %s", err, msg)
		}
		return nil, nil, err
	}
	return outBuf.Bytes(), errBuf.Bytes(), nil
}
