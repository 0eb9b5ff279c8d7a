package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
	"github.com/snapnote/snapnote/internal/notes"
	"github.com/snapnote/snapnote/internal/ocr/tesseract"
	"github.com/snapnote/snapnote/jobs"
	"github.com/snapnote/snapnote/worker"
)

// stack is the API (apitest's, on its own database and blob store) with a
// River worker running the real pipeline on the same database and blobs.
type stack struct {
	*apitest.Bundle
	// Worker is the running worker, once started.
	Worker *worker.Worker
	opts   options
}

// options are what a test changes in the stack; none of them: the API as
// apitest sets it up, and a worker reading with real Tesseract (an auto
// course in any language installed, as cmd wires it) and formatting with the
// built-in formatter, two OCR and two LLM jobs at a time.
type options struct {
	api      []func(*apitest.Bundle, *api.Config)
	pipeline []func(*jobs.Pipeline)
	worker   []func(*worker.Config)
	later    bool
}

type option func(*options)

// withAPI changes the API's configuration (or the bundle: its logger)
// before the API starts.
func withAPI(f func(*apitest.Bundle, *api.Config)) option {
	return func(o *options) { o.api = append(o.api, f) }
}

// withPipeline changes the pipeline the worker runs: its OCR engine,
// memory budget, LLM retries, pool.
func withPipeline(f func(*jobs.Pipeline)) option {
	return func(o *options) { o.pipeline = append(o.pipeline, f) }
}

// withFormatter formats notes with f instead of the built-in formatter.
func withFormatter(f notes.Formatter) option {
	return withPipeline(func(p *jobs.Pipeline) { p.Formatter = f })
}

// withWorker changes the worker's own configuration.
func withWorker(f func(*worker.Config)) option {
	return func(o *options) { o.worker = append(o.worker, f) }
}

// workerLater leaves the worker stopped until the test calls startWorker,
// for uploads that must wait in the queue first.
func workerLater() option {
	return func(o *options) { o.later = true }
}

// setup starts the API and, unless workerLater, the worker.
func setup(t testing.TB, opts ...option) *stack {
	t.Helper()
	s := &stack{}
	for _, o := range opts {
		o(&s.opts)
	}
	s.Bundle = apitest.SetupBundle(t, func(b *apitest.Bundle, cfg *api.Config) {
		for _, f := range s.opts.api {
			f(b, cfg)
		}
	})
	if !s.opts.later {
		s.startWorker()
	}
	return s
}

// startWorker runs the real pipeline (real tesseract) in the background
// until the test ends.
func (s *stack) startWorker() *worker.Worker {
	s.T.Helper()
	languages, err := (&tesseract.Engine{}).Languages(context.Background())
	require.NoError(s.T, err)
	p := &jobs.Pipeline{Pool: s.Pool, Blobs: s.Blobs, OCR: &tesseract.Engine{AutoLangs: languages}, Formatter: notes.Builtin{},
		OCRTimeout: time.Minute, Logger: s.Logger}
	for _, f := range s.opts.pipeline {
		f(p)
	}
	cfg := worker.Config{Jobs: jobs.Config{Pipeline: p, Logger: s.Logger}, OCRConcurrency: 2, LLMConcurrency: 2}
	for _, f := range s.opts.worker {
		f(&cfg)
	}
	client, err := worker.New(cfg)
	require.NoError(s.T, err)
	require.NoError(s.T, client.Start(context.Background()))
	s.T.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = client.Stop(ctx)
	})
	s.Worker = client
	return client
}
