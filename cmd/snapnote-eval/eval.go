package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/disintegration/imaging"

	"github.com/snapnote/snapnote/internal/config"
	"github.com/snapnote/snapnote/internal/corpus"
	"github.com/snapnote/snapnote/internal/notes"
	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/ocr/preprocess"
	"github.com/snapnote/snapnote/internal/ocr/tesseract"
	"github.com/snapnote/snapnote/internal/ocr/warm"
	"github.com/snapnote/snapnote/internal/photo"
)

// evalRead is what one reader made of one sample.
type evalRead struct {
	// cer and wer are the character and word error rates in reading order; words is the
	// order-free word error (ocrtest.WordError).
	cer, wer, words float64
	// structure is what the note the built-in formatter makes of the reading shows of the
	// sample's structure.
	structure ocrtest.Structure
	elapsed   time.Duration
	text      string
	// note is the built-in formatter's note of what the reader handed over: the pipeline's
	// Markdown (its text when it found no structure), plain tesseract's text.
	note  string
	steps []string
}

// evalResult is the readers' results for one sample; upright only when asked for (uprighted
// is then set).
type evalResult struct {
	sample                   corpus.Sample
	plain, pipeline, upright evalRead
	uprighted                bool
}

// runEval measures OCR quality on the generated corpus: for each variant class, the character
// and word error rates and the time per page of the service's pipeline (photo.ReducedDecoder and the
// configured tesseract.Engine) against plain `tesseract FILE -` on the file as uploaded.
func runEval(ctx context.Context, cfg *config.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pages := fs.Int("pages", 6, "pages of the corpus to use")
	known := slices.Concat(corpus.Classes, corpus.LayoutClasses)
	classList := fs.String("classes", "", "comma-separated variant and layout classes (default all: "+strings.Join(known, ",")+
		"); "+realClass+" alone reads only the --real pages")
	real := fs.String("real", "", "also read the real pages in this directory: each image (.png, .jpg) with its truth as Markdown beside it (NAME.gt.md)")
	out := fs.String("out", "", "directory to write each sample, its truth and both readings into")
	skip := fs.String("skip", "", "comma-separated pipeline preprocessing steps to leave out, for ablation: "+
		strings.Join(preprocess.Steps, ","))
	parallel := fs.Int("jobs", runtime.NumCPU(), "samples read at once (each tesseract run uses one thread)")
	lang := fs.String("lang", "", "the course language the pipeline reads every sample in: Tesseract codes (fra, deu+eng), "+
		"auto to find each page's among those installed, or empty for OCR_LANG")
	upright := fs.Bool("upright", false, "also read each sample with plain tesseract once turned upright as by hand: "+
		"its EXIF orientation applied, turned as the pipeline found, saved as a PNG")
	verbose := fs.Bool("v", false, "print each sample's error rates and preprocessing steps on stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pages < 1 || *parallel < 1 {
		return errors.New("eval: --pages and --jobs must be at least 1")
	}
	classes := known
	if *classList != "" {
		classes = strings.Split(*classList, ",")
		for _, c := range classes {
			if !slices.Contains(known, c) && (c != realClass || *real == "") {
				return fmt.Errorf("eval: unknown class %q (known: %s, and %s with --real)", c, strings.Join(known, ","), realClass)
			}
		}
	}
	var reals []corpus.Sample
	if *real != "" {
		var err error
		if reals, err = realSamples(*real); err != nil {
			return fmt.Errorf("eval: %w", err)
		}
		if !slices.Contains(classes, realClass) {
			classes = append(classes, realClass)
		}
	}
	engine, closeEngine, err := evalEngine(ctx, cfg, *skip, *parallel, stderr)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	defer closeEngine()
	if *out != "" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return fmt.Errorf("eval: create output directory: %w", err)
		}
	}

	results, err := evalCorpus(ctx, engine, evalOptions{ocr: ocr.Options{Lang: *lang}, upright: *upright, out: *out}, *pages, classes, reals, *parallel)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if *verbose {
		for _, r := range results {
			upright := ""
			if r.uprighted {
				upright = fmt.Sprintf("  upright %.3f", r.upright.cer)
			}
			fmt.Fprintf(stderr, "%-28s CER %.3f/%.3f%s  words %.3f/%.3f  structure %.2f/%.2f  %.2fs  %s\n", r.sample.Name,
				r.plain.cer, r.pipeline.cer, upright, r.plain.words, r.pipeline.words, r.plain.structure.Recall(), r.pipeline.structure.Recall(),
				r.pipeline.elapsed.Seconds(), strings.Join(r.pipeline.steps, " "))
		}
	}
	printEval(stdout, results, classes, *pages, *parallel)
	return nil
}

// evalEngine returns the pipeline's reader as the worker builds it: the Tesseract engine with
// the preprocessing steps skip leaves out, auto reading among the installed languages, and
// warm engines, one per sample read at once; and what closes them.
func evalEngine(ctx context.Context, cfg *config.Config, skip string, parallel int, stderr io.Writer) (*tesseract.Engine, func(), error) {
	engine := &tesseract.Engine{Lang: cfg.OCRLang, Timeout: cfg.OCRTimeout}
	if skip != "" {
		engine.Skip = strings.Split(skip, ",")
		for _, s := range engine.Skip {
			if !slices.Contains(preprocess.Steps, s) {
				return nil, nil, fmt.Errorf("unknown preprocessing step %q (known: %s)", s, strings.Join(preprocess.Steps, ","))
			}
		}
	}
	if err := engine.CheckInstalled(ctx); err != nil {
		return nil, nil, err
	}
	installed, err := engine.Languages(ctx)
	if err != nil {
		return nil, nil, err
	}
	engine.AutoLangs = installed // as the worker: an auto page may be in any of them
	// The pipeline reads as the worker does: with warm engines, one per sample read at once.
	engines, err := warm.NewPool(ctx, &warm.PoolConfig{Size: parallel, Lang: cfg.OCRLang})
	switch {
	case errors.Is(err, warm.ErrNoCgo):
		fmt.Fprintln(stderr, "eval: the pipeline runs the tesseract command per page:", err)
	case err != nil:
		return nil, nil, err
	default:
		engine.Pool = engines
		return engine, func() { _ = engines.Close() }, nil
	}
	return engine, func() {}, nil
}

// evalOptions is how each sample is read: the pipeline's options, whether plain tesseract also
// reads it turned upright, and the directory to write the readings into ("" for none).
type evalOptions struct {
	ocr     ocr.Options
	upright bool
	out     string
}

// evalCorpus reads every class of the first pages pages, and the real samples, with the
// readers, parallel samples at a time, and returns the results in page and class order, the
// real samples last.
func evalCorpus(ctx context.Context, engine *tesseract.Engine, opts evalOptions, pages int, classes []string, reals []corpus.Sample, parallel int) ([]evalResult, error) {
	classes = slices.DeleteFunc(slices.Clone(classes), func(c string) bool { return c == realClass })
	pageOf := make([]func() corpus.Page, pages)
	for i := range pageOf {
		pageOf[i] = sync.OnceValue(func() corpus.Page { return corpus.NewPage(i) })
	}
	sample := func(i int) (corpus.Sample, error) {
		if i >= pages*len(classes) {
			return reals[i-pages*len(classes)], nil
		}
		page, class := i/len(classes), classes[i%len(classes)]
		if slices.Contains(corpus.LayoutClasses, class) {
			return corpus.LayoutSample(page, class)
		}
		return corpus.Variant(pageOf[page](), class)
	}
	results := make([]evalResult, pages*len(classes)+len(reals))
	errs := make([]error, len(results))
	next := make(chan int)
	var wg sync.WaitGroup
	for range parallel {
		wg.Go(func() {
			for i := range next {
				s, err := sample(i)
				if err != nil {
					errs[i] = err
					continue
				}
				results[i], errs[i] = evalSample(ctx, engine, opts, s)
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

// evalSample reads one sample with the pipeline, as opts asks, and with plain tesseract.
func evalSample(ctx context.Context, engine *tesseract.Engine, opts evalOptions, s corpus.Sample) (evalResult, error) {
	r := evalResult{sample: s}
	binary := cmp.Or(engine.Binary, "tesseract")

	start := time.Now()
	img, _, err := (&photo.ReducedDecoder{Accept: engine.ReadsReduced}).Decode(ctx, s.Encoded)
	if err != nil {
		return r, fmt.Errorf("%s: %w", s.Name, err)
	}
	res, err := engine.Recognize(ctx, img, opts.ocr)
	if err != nil && !errors.Is(err, ocr.ErrNoText) {
		return r, fmt.Errorf("%s: pipeline: %w", s.Name, err)
	}
	r.pipeline = evalRead{elapsed: time.Since(start), text: res.Text, note: cmp.Or(res.Markdown, res.Text), steps: res.Steps}

	text, elapsed, err := plainTesseract(ctx, binary, s.Encoded, photo.Extension(s.ContentType))
	if err != nil {
		return r, fmt.Errorf("%s: plain tesseract: %w", s.Name, err)
	}
	r.plain = evalRead{elapsed: elapsed, text: string(text), note: string(text)}
	reads := []*evalRead{&r.plain, &r.pipeline}
	if opts.upright {
		upright, err := uprightCopy(s.Encoded, res.Steps)
		if err != nil {
			return r, fmt.Errorf("%s: turn upright: %w", s.Name, err)
		}
		text, elapsed, err := plainTesseract(ctx, binary, upright, ".png")
		if err != nil {
			return r, fmt.Errorf("%s: plain tesseract upright: %w", s.Name, err)
		}
		r.upright, r.uprighted = evalRead{elapsed: elapsed, text: string(text), note: string(text)}, true
		reads = append(reads, &r.upright)
	}

	// Layout pages are compared without their bullets, which engines read as many glyphs.
	truth := s.Truth
	layout := s.Structure != nil
	if layout {
		truth = ocrtest.StripBullets(truth)
	}
	for _, read := range reads {
		got := read.text
		if layout {
			got = ocrtest.StripBullets(got)
		}
		read.cer = ocrtest.CER(got, truth)
		read.wer = ocrtest.WER(got, truth)
		read.words = ocrtest.WordError(got, truth)
		note, err := notes.Builtin{}.Format(ctx, notes.Input{Text: read.note})
		if err != nil {
			return r, fmt.Errorf("%s: format: %w", s.Name, err)
		}
		read.note = note.Markdown
		read.structure = ocrtest.FindStructure(read.note, s.Structure)
	}
	if opts.out != "" {
		files := map[string][]byte{
			s.Name + photo.Extension(s.ContentType): s.Encoded,
			s.Name + ".truth.txt":                   []byte(s.Truth + "\n"),
			s.Name + ".plain.txt":                   []byte(r.plain.text),
			s.Name + ".pipeline.txt":                []byte(strings.Join(r.pipeline.steps, " ") + "\n\n" + r.pipeline.text + "\n"),
			s.Name + ".plain.md":                    []byte(r.plain.note),
			s.Name + ".pipeline.md":                 []byte(r.pipeline.note),
		}
		if r.uprighted {
			files[s.Name+".upright.txt"] = []byte(r.upright.text)
		}
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(opts.out, name), data, 0o644); err != nil {
				return r, fmt.Errorf("%s: %w", s.Name, err)
			}
		}
	}
	return r, nil
}

// plainTesseract runs `tesseract FILE -` on data, saved in a temporary file named with ext, and
// returns what it printed and how long it took. It runs with the command's default settings, as
// a person would run it, but with one OpenMP thread like the pipeline: Tesseract's spinning
// threads would otherwise make both slower when run side by side.
func plainTesseract(ctx context.Context, binary string, data []byte, ext string) ([]byte, time.Duration, error) {
	file, err := os.CreateTemp("", "snapnote-eval-*"+ext)
	if err != nil {
		return nil, 0, err
	}
	defer func() { _ = os.Remove(file.Name()) }()
	_, err = file.Write(data)
	if closeErr := file.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return nil, 0, fmt.Errorf("write sample: %w", err)
	}
	cmd := exec.CommandContext(ctx, binary, file.Name(), "-")
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	start := time.Now()
	text, err := cmd.Output()
	return text, time.Since(start), err
}

// uprightCopy returns the image encoded in data turned upright as a person would by hand before
// reading it: its EXIF orientation applied, then turned clockwise as the pipeline's steps say it
// found ("rotate:90"), in colour, as a PNG. The PNG declares no resolution, as far as Tesseract
// can tell a phone photo does not either (it does not read EXIF's), so it estimates one for both.
// An image editor's copy declaring 72 dpi reads differently, better or worse from photo to photo.
func uprightCopy(data []byte, steps []string) ([]byte, error) {
	img, err := photo.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	turn := 0
	for _, step := range steps {
		if deg, ok := strings.CutPrefix(step, "rotate:"); ok {
			if turn, err = strconv.Atoi(deg); err != nil {
				return nil, fmt.Errorf("step %q: %w", step, err)
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, turnClockwise(img, turn)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// turnClockwise returns img turned clockwise by deg: 0, 90, 180 or 270 (imaging turns the other
// way).
func turnClockwise(img image.Image, deg int) image.Image {
	switch deg {
	case 90:
		return imaging.Rotate270(img)
	case 180:
		return imaging.Rotate180(img)
	case 270:
		return imaging.Rotate90(img)
	}
	return img
}

// printEval prints the mean error rates, structure recall and seconds per page of each class
// and of all.
func printEval(w io.Writer, results []evalResult, classes []string, pages, parallel int) {
	if slices.Equal(classes, []string{realClass}) {
		fmt.Fprintf(w, "%d real pages", len(results))
	} else {
		fmt.Fprintf(w, "%d pages × %d classes", pages, len(classes))
	}
	fmt.Fprintf(w, "; the readers run tesseract with OMP_THREAD_LIMIT=1, %d samples at a time.\n", parallel)
	fmt.Fprintf(w, "plain = `tesseract FILE -` on the file as uploaded; upright = the same on a PNG of it turned upright as by hand (its EXIF orientation applied, turned as the pipeline found; with --upright); pipeline = photo.ReducedDecoder + tesseract.Engine with warm engines, as the worker reads (preprocessing included in its time).\n")
	fmt.Fprintf(w, "CER and WER in reading order; words = order-free word error; structure = share of headings, list items, table cells (in their row and column) and figures in the note the built-in formatter makes of the reading; cells = the table cells alone.\n\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "class\tCER plain\tCER pipeline\tCER upright\tWER plain\tWER pipeline\twords plain\twords pipeline\tstructure plain\tstructure pipeline\tcells pipeline\ts/page plain\ts/page pipeline\t")
	row := func(name string, rs []evalResult) {
		if len(rs) == 0 {
			return
		}
		var m [8]float64
		var structure [2]ocrtest.Structure
		for i := range structure {
			structure[i] = ocrtest.Structure{Found: map[string]int{}, Total: map[string]int{}}
		}
		for _, r := range rs {
			for i, v := range []float64{r.plain.cer, r.pipeline.cer, r.plain.wer, r.pipeline.wer, r.plain.words, r.pipeline.words,
				r.plain.elapsed.Seconds(), r.pipeline.elapsed.Seconds()} {
				m[i] += v / float64(len(rs))
			}
			for i, s := range []ocrtest.Structure{r.plain.structure, r.pipeline.structure} {
				for k, n := range s.Total {
					structure[i].Total[k] += n
					structure[i].Found[k] += s.Found[k]
				}
			}
		}
		recall := func(s ocrtest.Structure) string {
			if len(s.Total) == 0 {
				return "-"
			}
			return fmt.Sprintf("%.2f", s.Recall())
		}
		cells := "-"
		if n := structure[1].Total[corpus.ElementCell]; n > 0 {
			cells = fmt.Sprintf("%.2f", float64(structure[1].Found[corpus.ElementCell])/float64(n))
		}
		upright := "-"
		if rs[0].uprighted {
			sum := 0.0
			for _, r := range rs {
				sum += r.upright.cer
			}
			upright = fmt.Sprintf("%.3f", sum/float64(len(rs)))
		}
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%s\t%.3f\t%.3f\t%.3f\t%.3f\t%s\t%s\t%s\t%.2f\t%.2f\t\n", name, m[0], m[1], upright, m[2], m[3], m[4], m[5],
			recall(structure[0]), recall(structure[1]), cells, m[6], m[7])
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
	if len(results) == 0 || !results[0].uprighted {
		return
	}
	var worse []string
	for _, r := range results {
		if r.pipeline.cer > r.upright.cer {
			worse = append(worse, fmt.Sprintf("%s (%.3f against %.3f)", r.sample.Name, r.pipeline.cer, r.upright.cer))
		}
	}
	fmt.Fprintf(w, "\npipeline worse than plain tesseract upright on %d of %d samples", len(worse), len(results))
	if len(worse) > 0 {
		fmt.Fprintf(w, ": %s", strings.Join(worse, ", "))
	}
	fmt.Fprintln(w)
}
