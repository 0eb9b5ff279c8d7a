package tesseract_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/snapnote/snapnote/internal/corpus"
	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/ocr/tesseract"
	"github.com/snapnote/snapnote/internal/ocr/warm"
	"github.com/snapnote/snapnote/internal/photo"
)

// BenchmarkCorpus reads every class of the first pages of the generated corpus (as
// `snapnote eval` does) three ways, side by side in one run, one page per core at a time:
//
//   - command: photo.Decode + Tesseract running the tesseract command (orientation, then
//     recognition, each loading its model and reading a temporary PNG);
//   - warm: photo.Decode + Tesseract with an EnginePool of one warm engine per core;
//   - plain: `tesseract FILE -` with OMP_THREAD_LIMIT=1 on the file as uploaded, no
//     preprocessing: the floor a per-page process can reach.
//
// It reports pages/s and the mean character error rate of each class (cer-CLASS) and of all.
// It takes minutes, so it is not part of the tests; run it with
//
//	SNAPNOTE_BENCH_PAGES=3 go test ./internal/ocr/tesseract -run '^$' -bench Corpus -benchtime 1x
//
// and add -cpuprofile to profile the OCR stage of one way (-bench Corpus/warm).
func BenchmarkCorpus(b *testing.B) {
	requireTesseract(b)
	pages := 2
	if v := os.Getenv("SNAPNOTE_BENCH_PAGES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("SNAPNOTE_BENCH_PAGES=%q: want a positive number", v)
		}
		pages = n
	}
	var samples []corpus.Sample
	for _, page := range corpus.Pages(pages) {
		for _, class := range corpus.Classes {
			s, err := corpus.Variant(page, class)
			if err != nil {
				b.Fatal(err)
			}
			samples = append(samples, s)
		}
	}
	workers := runtime.NumCPU()

	pipeline := func(engine *tesseract.Engine) func(context.Context, corpus.Sample) (string, error) {
		return func(ctx context.Context, s corpus.Sample) (string, error) {
			img, err := photo.Decode(bytes.NewReader(s.Encoded))
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

	b.Run("command", func(b *testing.B) {
		benchCorpus(b, samples, workers, pipeline(&tesseract.Engine{}))
	})
	b.Run("warm", func(b *testing.B) {
		pool, err := warm.NewPool(b.Context(), &warm.PoolConfig{Size: workers})
		if err != nil {
			b.Fatal(err)
		}
		defer pool.Close()
		benchCorpus(b, samples, workers, pipeline(&tesseract.Engine{Pool: pool}))
	})
	b.Run("plain", func(b *testing.B) {
		dir := b.TempDir()
		files := make(map[string]string, len(samples))
		for _, s := range samples {
			files[s.Name] = filepath.Join(dir, s.Name+photo.Extension(s.ContentType))
			if err := os.WriteFile(files[s.Name], s.Encoded, 0o600); err != nil {
				b.Fatal(err)
			}
		}
		benchCorpus(b, samples, workers, func(ctx context.Context, s corpus.Sample) (string, error) {
			cmd := exec.CommandContext(ctx, "tesseract", files[s.Name], "-")
			cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
			out, err := cmd.Output()
			return string(out), err
		})
	})
}

// benchCorpus reads every sample with read, workers at a time, per iteration, and reports
// pages/s and the mean CER of each class and of all.
func benchCorpus(b *testing.B, samples []corpus.Sample, workers int, read func(context.Context, corpus.Sample) (string, error)) {
	cer := make([]float64, len(samples))
	var elapsed time.Duration
	for b.Loop() {
		start := time.Now()
		next := make(chan int)
		errs := make([]error, len(samples))
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for i := range next {
					text, err := read(b.Context(), samples[i])
					if err != nil {
						errs[i] = fmt.Errorf("%s: %w", samples[i].Name, err)
					}
					cer[i] = ocrtest.CER(text, samples[i].Truth)
				}
			})
		}
		for i := range samples {
			next <- i
		}
		close(next)
		wg.Wait()
		elapsed += time.Since(start)
		if err := errors.Join(errs...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(samples))/elapsed.Seconds(), "pages/s")
	sum, n := map[string]float64{}, map[string]int{}
	for i, s := range samples {
		sum[s.Class] += cer[i]
		n[s.Class]++
		sum["all"] += cer[i]
		n["all"]++
	}
	for class, total := range sum {
		b.ReportMetric(total/float64(n[class]), "cer-"+class)
	}
}
