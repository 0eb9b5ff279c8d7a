package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	xdraw "golang.org/x/image/draw"

	"github.com/snapnote/snapnote/internal/corpus"
	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/ocr/preprocess"
	"github.com/snapnote/snapnote/internal/ocr/tesseract"
	"github.com/snapnote/snapnote/internal/ocr/warm"
	"github.com/snapnote/snapnote/internal/photo"
)

// ocrSample is one file to read and the text on it.
type ocrSample struct {
	name, path string
	encoded    []byte
	truth      string
}

// ocrReader reads one sample and returns its text.
type ocrReader struct {
	name string
	read func(ctx context.Context, s ocrSample) (string, error)
}

// runOCR reads corpus pages and 12-megapixel photos with the worker's OCR
// (photo.ReducedDecoder, then tesseract.Engine with one warm engine per core) and with
// the tesseract command, `tesseract FILE -`, one run per core, with
// OMP_THREAD_LIMIT=1 (the baseline) and with its defaults, each reader in turn for a
// number of rounds.
func runOCR(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ocr", flag.ContinueOnError)
	pages := fs.Int("pages", 2, "corpus pages")
	classList := fs.String("classes", "clean,rotate90,skew,phone", "variant classes of each page (all: "+strings.Join(corpus.Classes, ",")+")")
	photos := fs.Int("photos", 2, "12-megapixel photos (corpus pages scaled up to 3000×4000)")
	parallel := fs.Int("jobs", runtime.NumCPU(), "pages read at once, and warm engines")
	noOrient := fs.Bool("no-orient", true, "also read with the warm engines without orientation detection, to show its cost")
	rounds := fs.Int("rounds", 3, "times each reader reads every sample, the readers taking turns, so that a change in the machine's speed falls on all of them")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rounds < 1 {
		return fmt.Errorf("-rounds %d: at least one", *rounds)
	}
	classes := strings.Split(*classList, ",")
	for _, c := range classes {
		if !slices.Contains(corpus.Classes, c) {
			return fmt.Errorf("unknown class %q", c)
		}
	}
	dir, err := os.MkdirTemp("", "snapnote-bench-ocr")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	corpusSet, photoSet, err := ocrSamples(dir, *pages, *photos, classes)
	if err != nil {
		return err
	}

	pool, err := warm.NewPool(ctx, &warm.PoolConfig{Size: *parallel})
	if err != nil {
		return fmt.Errorf("start warm engines: %w", err)
	}
	defer pool.Close()
	readers, decodeOnly := ocrReaders(pool, *noOrient)

	fmt.Printf("%d at a time (%d cores), %d rounds of every reader taking turns; CER is the mean character error rate against the page's text\n",
		*parallel, runtime.NumCPU(), *rounds)
	for _, set := range []struct {
		title   string
		samples []ocrSample
	}{
		{fmt.Sprintf("corpus: %d pages × %s, %d×%d", *pages, strings.Join(classes, ","), corpus.PageWidth, corpus.PageHeight), corpusSet},
		{fmt.Sprintf("phone photos: %d corpus pages scaled to 3000×4000 JPEG", *photos), photoSet},
	} {
		if len(set.samples) == 0 {
			continue
		}
		fmt.Printf("\n%s\n", set.title)
		all := append(slices.Clone(readers), decodeOnly)
		took, cpu, cer, err := readRounds(ctx, set.samples, *parallel, *rounds, all)
		if err != nil {
			return err
		}
		n := len(set.samples) * *rounds
		var rows [][]string
		for i, r := range readers {
			rows = append(rows, []string{r.name, secs(took[i]), fmt.Sprintf("%.2f", float64(n)/took[i].Seconds()),
				fmt.Sprintf("%.3f", cer[i]), ratio(took[0], took[i]), perPage(cpu[i], n), ratio(cpu[0], cpu[i])})
		}
		d := len(readers)
		rows = append(rows, []string{decodeOnly.name, secs(took[d]), "", "", "", perPage(cpu[d], n), ""})
		table([]string{"reader", "seconds", "pages/s", "CER", "ratio", "CPU ms/page", "CPU ratio"}, rows...)
	}
	fmt.Println("\nratio: pages/s against the baseline's; CPU: processor time of this program and its tesseract processes")
	fmt.Println("targets: worker ≥ 1.2× the baseline on corpus pages, ≥ 1.5× on 12 MP photos")
	return nil
}

// ocrSamples writes the benchmark's samples into dir: each class of the first pages corpus
// pages, and the first photos pages as 12 MP phone photos.
func ocrSamples(dir string, pages, photos int, classes []string) (corpusSet, photoSet []ocrSample, err error) {
	for _, page := range corpus.Pages(max(pages, photos)) {
		if page.Index < pages {
			for _, class := range classes {
				s, err := corpus.Variant(page, class)
				if err != nil {
					return nil, nil, err
				}
				corpusSet = append(corpusSet, ocrSample{name: s.Name, encoded: s.Encoded, truth: s.Truth,
					path: filepath.Join(dir, s.Name+photo.Extension(s.ContentType))})
			}
		}
		if page.Index < photos {
			name := fmt.Sprintf("p%03d-12mp", page.Index)
			photoSet = append(photoSet, ocrSample{name: name, encoded: phonePhoto(page.Image), truth: page.Truth,
				path: filepath.Join(dir, name+".jpg")})
		}
	}
	for _, s := range append(slices.Clone(corpusSet), photoSet...) {
		if err := os.WriteFile(s.path, s.encoded, 0o600); err != nil {
			return nil, nil, err
		}
	}
	return corpusSet, photoSet, nil
}

// ocrReaders are the ways of reading a sample compared: the tesseract command with one
// thread and with its defaults (the first is the baseline), the worker's warm engines with
// orientation detection and, when noOrient, without; and decoding alone.
func ocrReaders(pool *warm.Pool, noOrient bool) (readers []ocrReader, decodeOnly ocrReader) {
	worker := func(engine *tesseract.Engine) func(context.Context, ocrSample) (string, error) {
		return func(ctx context.Context, s ocrSample) (string, error) {
			img, _, err := (&photo.ReducedDecoder{Accept: engine.ReadsReduced}).Decode(ctx, s.encoded)
			if err != nil {
				return "", err
			}
			res, err := engine.Recognize(ctx, img, ocr.Options{})
			if errors.Is(err, ocr.ErrNoText) {
				err = nil
			}
			return res.Text, err
		}
	}
	command := func(env []string) func(context.Context, ocrSample) (string, error) {
		return func(ctx context.Context, s ocrSample) (string, error) {
			cmd := exec.CommandContext(ctx, "tesseract", s.path, "-")
			cmd.Env = env
			out, err := cmd.Output()
			return string(out), err
		}
	}
	var defaults []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OMP_THREAD_LIMIT=") {
			defaults = append(defaults, kv)
		}
	}
	readers = []ocrReader{
		{"tesseract FILE -, OMP_THREAD_LIMIT=1 (baseline)", command(append(slices.Clone(defaults), "OMP_THREAD_LIMIT=1"))},
		{"tesseract FILE -, its defaults", command(defaults)},
		{"worker: warm engines", worker(&tesseract.Engine{Pool: pool})},
	}
	decodeOnly = ocrReader{"  of which decoding alone", func(ctx context.Context, s ocrSample) (string, error) {
		_, _, err := (&photo.ReducedDecoder{Accept: (&tesseract.Engine{}).ReadsReduced}).Decode(ctx, s.encoded)
		return "", err
	}}
	if noOrient {
		readers = append(readers, ocrReader{"worker without orientation detection",
			worker(&tesseract.Engine{Pool: pool, Skip: []string{preprocess.StepOrient}})})
	}

	return readers, decodeOnly
}

// readRounds reads every sample with each reader, rounds times: in each round every reader
// reads the whole set once, the round's first reader the next one along, so that a slower or
// faster spell of a shared machine is spread over all of them. It returns each reader's total
// time and processor time (this program and its children, the readers never overlapping) and
// its mean CER.
func readRounds(ctx context.Context, samples []ocrSample, parallel, rounds int, readers []ocrReader) (took, cpu []time.Duration, cer []float64, err error) {
	took, cpu, cer = make([]time.Duration, len(readers)), make([]time.Duration, len(readers)), make([]float64, len(readers))
	for round := range rounds {
		for k := range readers {
			i := (round + k) % len(readers)
			before := cpuUsed()
			t, c, err := readAll(ctx, samples, parallel, readers[i].read)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("%s: %w", readers[i].name, err)
			}
			took[i] += t
			cpu[i] += cpuUsed() - before
			cer[i] += c / float64(rounds)
		}
	}
	return took, cpu, cer, nil
}

// readAll reads every sample with read, parallel at a time, and returns the
// time it took and the mean CER.
func readAll(ctx context.Context, samples []ocrSample, parallel int, read func(context.Context, ocrSample) (string, error)) (time.Duration, float64, error) {
	cer := make([]float64, len(samples))
	errs := make([]error, len(samples))
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range parallel {
		wg.Go(func() {
			for i := range next {
				text, err := read(ctx, samples[i])
				if err != nil {
					errs[i] = fmt.Errorf("%s: %w", samples[i].name, err)
				}
				cer[i] = ocrtest.CER(text, samples[i].truth)
			}
		})
	}
	for i := range samples {
		next <- i
	}
	close(next)
	wg.Wait()
	took := time.Since(start)
	var sum float64
	for _, c := range cer {
		sum += c
	}
	return took, sum / float64(len(cer)), errors.Join(errs...)
}

// phonePhoto scales a corpus page up to fill a 3000×4000 frame (12
// megapixels, as a phone takes it) on its paper, and encodes it as a JPEG.
func phonePhoto(page *image.Gray) []byte { return pagePhoto(page, 3000, 4000) }

// pagePhoto scales a corpus page up to fill a w×h frame on its paper, and
// encodes it as a JPEG.
func pagePhoto(page *image.Gray, w, h int) []byte {
	frame := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(frame, frame.Bounds(), image.NewUniform(page.At(0, 0)), image.Point{}, draw.Src)
	pw := w
	ph := pw * page.Bounds().Dy() / page.Bounds().Dx()
	if ph > h {
		ph, pw = h, h*page.Bounds().Dx()/page.Bounds().Dy()
	}
	at := image.Rect((w-pw)/2, (h-ph)/2, (w+pw)/2, (h+ph)/2)
	xdraw.BiLinear.Scale(frame, at, page, page.Bounds(), xdraw.Src, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, frame, &jpeg.Options{Quality: 90}); err != nil {
		panic(err) // encoding to memory cannot fail
	}
	return buf.Bytes()
}
