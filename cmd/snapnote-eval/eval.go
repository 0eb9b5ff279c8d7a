package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/snapnote/snapnote/internal/config"
	"github.com/snapnote/snapnote/internal/corpus"
	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/ocr/preprocess"
	"github.com/snapnote/snapnote/internal/ocr/tesseract"
	"github.com/snapnote/snapnote/internal/ocr/warm"
	"github.com/snapnote/snapnote/internal/photo"
)

// evalRead is what one reader made of one sample.
type evalRead struct {
	cer, wer float64
	elapsed  time.Duration
	text     string
	steps    []string
}

// evalResult is both readers' results for one sample.
type evalResult struct {
	sample          corpus.Sample
	plain, pipeline evalRead
}

// runEval measures OCR quality on the generated corpus: for each variant class, the character
// and word error rates and the time per page of the service's pipeline (photo.Decode and the
// configured tesseract.Engine) against plain `tesseract FILE -` on the file as uploaded.
func runEval(ctx context.Context, cfg *config.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pages := fs.Int("pages", 6, "pages of the corpus to use")
	classList := fs.String("classes", "", "comma-separated variant classes (default all: "+strings.Join(corpus.Classes, ",")+")")
	out := fs.String("out", "", "directory to write each sample, its truth and both readings into")
	skip := fs.String("skip", "", "comma-separated pipeline preprocessing steps to leave out, for ablation: "+
		strings.Join(preprocess.Steps, ","))
	parallel := fs.Int("jobs", runtime.NumCPU(), "samples read at once (each tesseract run uses one thread)")
	verbose := fs.Bool("v", false, "print each sample's error rates and preprocessing steps on stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pages < 1 || *parallel < 1 {
		return errors.New("eval: --pages and --jobs must be at least 1")
	}
	classes := corpus.Classes
	if *classList != "" {
		classes = strings.Split(*classList, ",")
		for _, c := range classes {
			if !slices.Contains(corpus.Classes, c) {
				return fmt.Errorf("eval: unknown class %q (known: %s)", c, strings.Join(corpus.Classes, ","))
			}
		}
	}
	engine := &tesseract.Engine{Lang: cfg.OCRLang, Timeout: cfg.OCRTimeout}
	if *skip != "" {
		engine.Skip = strings.Split(*skip, ",")
		for _, s := range engine.Skip {
			if !slices.Contains(preprocess.Steps, s) {
				return fmt.Errorf("eval: unknown preprocessing step %q (known: %s)", s, strings.Join(preprocess.Steps, ","))
			}
		}
	}
	if err := engine.CheckInstalled(ctx); err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	// The pipeline reads as the worker does: with warm engines, one per sample read at once.
	engines, err := warm.NewPool(ctx, &warm.PoolConfig{Size: *parallel, Lang: cfg.OCRLang})
	switch {
	case errors.Is(err, warm.ErrNoCgo):
		fmt.Fprintln(stderr, "eval: the pipeline runs the tesseract command per page:", err)
	case err != nil:
		return fmt.Errorf("eval: %w", err)
	default:
		defer engines.Close()
		engine.Pool = engines
	}
	if *out != "" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return fmt.Errorf("eval: create output directory: %w", err)
		}
	}

	results, err := evalCorpus(ctx, engine, *pages, classes, *parallel, *out)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if *verbose {
		for _, r := range results {
			fmt.Fprintf(stderr, "%-22s plain CER %.3f  pipeline CER %.3f  %.2fs  %s\n", r.sample.Name,
				r.plain.cer, r.pipeline.cer, r.pipeline.elapsed.Seconds(), strings.Join(r.pipeline.steps, " "))
		}
	}
	printEval(stdout, results, classes, *pages, *parallel)
	return nil
}

// evalCorpus reads every class of the first pages pages with both readers, parallel samples at
// a time, and returns the results in page and class order.
func evalCorpus(ctx context.Context, engine *tesseract.Engine, pages int, classes []string, parallel int, out string) ([]evalResult, error) {
	pageOf := make([]func() corpus.Page, pages)
	for i := range pageOf {
		pageOf[i] = sync.OnceValue(func() corpus.Page { return corpus.NewPage(i) })
	}
	results := make([]evalResult, pages*len(classes))
	errs := make([]error, len(results))
	next := make(chan int)
	var wg sync.WaitGroup
	for range parallel {
		wg.Go(func() {
			for i := range next {
				results[i], errs[i] = evalSample(ctx, engine, pageOf[i/len(classes)](), classes[i%len(classes)], out)
			}
		})
	}
	for i := range results {
		next <- i
	}
	close(next)
	wg.Wait()
	return results, errors.Join(errs...)
}

// evalSample reads one sample with the pipeline and with plain tesseract.
func evalSample(ctx context.Context, engine *tesseract.Engine, page corpus.Page, class, out string) (evalResult, error) {
	s, err := corpus.Variant(page, class)
	if err != nil {
		return evalResult{}, err
	}
	r := evalResult{sample: s}

	start := time.Now()
	img, err := photo.Decode(bytes.NewReader(s.Encoded))
	if err != nil {
		return r, fmt.Errorf("%s: %w", s.Name, err)
	}
	res, err := engine.Recognize(ctx, img)
	if err != nil && !errors.Is(err, ocr.ErrNoText) {
		return r, fmt.Errorf("%s: pipeline: %w", s.Name, err)
	}
	r.pipeline = evalRead{elapsed: time.Since(start), text: res.Text, steps: res.Steps}

	file, err := os.CreateTemp("", "snapnote-eval-*"+photo.Extension(s.ContentType))
	if err != nil {
		return r, fmt.Errorf("%s: %w", s.Name, err)
	}
	defer func() { _ = os.Remove(file.Name()) }()
	_, err = file.Write(s.Encoded)
	if closeErr := file.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return r, fmt.Errorf("%s: write sample: %w", s.Name, err)
	}
	// Default settings, as a person would run it, but with one OpenMP thread like the pipeline:
	// Tesseract's spinning threads would otherwise make both slower when run side by side.
	cmd := exec.CommandContext(ctx, cmp.Or(engine.Binary, "tesseract"), file.Name(), "-")
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	start = time.Now()
	text, err := cmd.Output()
	if err != nil {
		return r, fmt.Errorf("%s: plain tesseract: %w", s.Name, err)
	}
	r.plain = evalRead{elapsed: time.Since(start), text: string(text)}

	for _, read := range []*evalRead{&r.plain, &r.pipeline} {
		read.cer = ocrtest.CER(read.text, s.Truth)
		read.wer = ocrtest.WER(read.text, s.Truth)
	}
	if out != "" {
		files := map[string][]byte{
			s.Name + photo.Extension(s.ContentType): s.Encoded,
			s.Name + ".truth.txt":                   []byte(s.Truth + "\n"),
			s.Name + ".plain.txt":                   text,
			s.Name + ".pipeline.txt":                []byte(strings.Join(r.pipeline.steps, " ") + "\n\n" + r.pipeline.text + "\n"),
		}
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(out, name), data, 0o644); err != nil {
				return r, fmt.Errorf("%s: %w", s.Name, err)
			}
		}
	}
	return r, nil
}

// printEval prints the mean error rates and seconds per page of each class and of all.
func printEval(w io.Writer, results []evalResult, classes []string, pages, parallel int) {
	fmt.Fprintf(w, "%d pages × %d classes; both readers run tesseract with OMP_THREAD_LIMIT=1, %d samples at a time.\n", pages, len(classes), parallel)
	fmt.Fprintf(w, "plain = `tesseract FILE -` on the file as uploaded; pipeline = photo.Decode + tesseract.Engine with warm engines, as the worker reads (preprocessing included in its time).\n\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "class\tCER plain\tCER pipeline\tWER plain\tWER pipeline\ts/page plain\ts/page pipeline\t")
	row := func(name string, rs []evalResult) {
		var m [6]float64
		for _, r := range rs {
			m[0] += r.plain.cer
			m[1] += r.pipeline.cer
			m[2] += r.plain.wer
			m[3] += r.pipeline.wer
			m[4] += r.plain.elapsed.Seconds()
			m[5] += r.pipeline.elapsed.Seconds()
		}
		for i := range m {
			m[i] /= float64(len(rs))
		}
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.2f\t%.2f\t\n", name, m[0], m[1], m[2], m[3], m[4], m[5])
	}
	for _, c := range classes {
		var rs []evalResult
		for _, r := range results {
			if r.sample.Class == c {
				rs = append(rs, r)
			}
		}
		row(c, rs)
	}
	row("all", results)
	tw.Flush()
}
