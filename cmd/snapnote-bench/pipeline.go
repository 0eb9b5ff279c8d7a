package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/notes"
	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/jobs"
	"github.com/snapnote/snapnote/storage"
	"github.com/snapnote/snapnote/worker"
)

// runPipeline works uploads through the real River worker with stages that
// return at once, and as many no-op jobs through a bare River client with
// the same queues: first a backlog (throughput), then one upload at a time
// (how long a stage's job waits between its insert and its start).
func runPipeline(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("pipeline", flag.ContinueOnError)
	n := fs.Int("n", 200, "uploads worked from a backlog (three jobs each)")
	paced := fs.Int("paced", 40, "uploads inserted one at a time, for pickup latency")
	every := fs.Duration("every", 50*time.Millisecond, "gap between paced uploads")
	if err := fs.Parse(args); err != nil {
		return err
	}
	scratch, err := newScratchDB(ctx, 20)
	if err != nil {
		return err
	}
	defer scratch.drop()
	dir, err := os.MkdirTemp("", "snapnote-bench-pipeline")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	blobs, err := storage.NewLocal(dir)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	enqueue, err := uploadEnqueuer(ctx, scratch.Pool, blobs, logger)
	if err != nil {
		return err
	}
	real, realLatency, err := benchWorker(ctx, scratch.Pool, blobs, logger, enqueue, *n, *paced, *every)
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	baseline, bareLatency, err := benchBareRiver(ctx, scratch.Pool, logger, *n, *paced, *every)
	if err != nil {
		return fmt.Errorf("bare river: %w", err)
	}

	fmt.Printf("%d uploads from a backlog (OCR, format, extract: %d jobs), instant OCR and formatter;\n"+
		"bare River: %d no-op jobs on the same queues and workers\n\n", *n, 3**n, 3**n)
	table([]string{"client", "seconds", "jobs/s", "ratio"},
		[]string{"bare River, no-op jobs (baseline)", secs(baseline), rate(3**n, baseline), "1.00"},
		[]string{"SnapNote worker, instant stages", secs(real), rate(3**n, real), ratio(baseline, real)},
	)
	fmt.Printf("\npickup latency, job insert to start: %d uploads one every %s\n\n", *paced, *every)
	rows := [][]string{}
	for _, kind := range []string{noopArgs{}.Kind(), queue.OCRArgs{}.Kind(), queue.FormatArgs{}.Kind(), queue.ExtractArgs{}.Kind()} {
		l := realLatency[kind]
		if kind == (noopArgs{}).Kind() {
			l = bareLatency[kind]
		}
		rows = append(rows, []string{kind, fmt.Sprint(len(l)), ms(percentile(l, 50)), ms(percentile(l, 99))})
	}
	table([]string{"job", "jobs", "p50", "p99"}, rows...)
	fmt.Println("\ntargets: worker ≥ 1/6 of bare River's jobs/s; each stage's pickup p50 < 50 ms")
	return nil
}

// uploadEnqueuer returns what makes one upload of a tiny page, stored and
// queued as the API makes it, for a user and course of its own.
func uploadEnqueuer(ctx context.Context, pool *pgxpool.Pool, blobs storage.Store, logger *slog.Logger) (func() error, error) {
	q, err := queue.New(pool, logger)
	if err != nil {
		return nil, err
	}
	d := db.New(pool)
	user, err := d.UpsertUser(ctx, db.Identity{Subject: "bench|pipeline"})
	if err != nil {
		return nil, err
	}
	course, err := d.CreateCourse(ctx, user.ID, db.CourseInput{Name: "Bench"})
	if err != nil {
		return nil, err
	}
	page := tinyPNG()
	return func() error {
		id := uuid.New()
		key := snapnote.PageBlobKey(user.ID, id, 1, ".png")
		if _, err := blobs.Put(ctx, key, bytes.NewReader(page), "image/png"); err != nil {
			return err
		}
		_, err := q.CreateUpload(ctx, db.NewUpload{ID: id, UserID: user.ID, CourseID: course.ID,
			Pages: []db.NewPage{{BlobKey: key, ContentType: "image/png", ByteSize: int64(len(page)),
				SHA256: strings.Repeat("0", 64), ImageWidth: 64, ImageHeight: 64}}}, db.AuditEntry{UserID: &user.ID})
		return err
	}, nil
}

// benchWorker works a backlog of n uploads with the worker as cmd/snapnote
// builds it, but for its OCR engine and formatter, then times the pickup of
// paced uploads.
func benchWorker(ctx context.Context, pool *pgxpool.Pool, blobs storage.Store, logger *slog.Logger, enqueue func() error,
	n, paced int, every time.Duration) (time.Duration, map[string][]time.Duration, error) {
	w, err := worker.New(worker.Config{
		Jobs: jobs.Config{Pipeline: &jobs.Pipeline{Pool: pool, Blobs: blobs, OCR: instantOCR{},
			Formatter: instantFormatter{}, OCRTimeout: time.Minute, Logger: logger}, Logger: logger},
		OCRConcurrency: runtime.NumCPU(), LLMConcurrency: 16, // the defaults of OCR_CONCURRENCY and LLM_CONCURRENCY
	})
	if err != nil {
		return 0, nil, err
	}
	for range n {
		if err := enqueue(); err != nil {
			return 0, nil, err
		}
	}
	took, err := workBacklog(ctx, w.Client(), w.Start, 3*n)
	if err != nil {
		return 0, nil, err
	}
	latency, err := pacedLatency(ctx, pool, w.Client(), paced, 3, every, enqueue)
	if err != nil {
		return 0, nil, err
	}
	return took, latency, w.Stop(ctx)
}

// benchBareRiver does the same with bare River: a no-op job of each stage's
// queue, with the same workers.
func benchBareRiver(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger,
	n, paced int, every time.Duration) (time.Duration, map[string][]time.Duration, error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[noopArgs]) error { return nil }))
	bare, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Logger: logger, FetchCooldown: queue.FetchCooldown, Workers: workers,
		Queues: map[string]river.QueueConfig{queue.OCR: {MaxWorkers: runtime.NumCPU()}, queue.LLM: {MaxWorkers: 16},
			river.QueueDefault: {MaxWorkers: 10}},
	})
	if err != nil {
		return 0, nil, err
	}
	stages := []string{queue.OCR, queue.LLM, river.QueueDefault}
	var params []river.InsertManyParams
	for i := range 3 * n {
		params = append(params, river.InsertManyParams{Args: noopArgs{}, InsertOpts: &river.InsertOpts{Queue: stages[i%3]}})
	}
	if _, err := bare.InsertMany(ctx, params); err != nil {
		return 0, nil, err
	}
	took, err := workBacklog(ctx, bare, bare.Start, 3*n)
	if err != nil {
		return 0, nil, err
	}
	latency, err := pacedLatency(ctx, pool, bare, paced, 1, every, func() error {
		_, err := bare.Insert(ctx, noopArgs{}, &river.InsertOpts{Queue: queue.OCR})
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return took, latency, bare.Stop(ctx)
}

// workBacklog starts client with start, waits until jobs jobs have completed and
// returns the time from the first job's start to the last one's end, as
// River recorded them: the client's own start is left out. A job that fails
// is an error.
func workBacklog(ctx context.Context, client *river.Client[pgx.Tx], start func(context.Context) error, jobs int) (time.Duration, error) {
	events, cancel := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled)
	defer cancel()
	if err := start(ctx); err != nil {
		return 0, err
	}
	var first, last time.Time
	timeout := time.After(2 * time.Minute)
	for done := 0; done < jobs; {
		select {
		case e := <-events:
			if e.Kind != river.EventKindJobCompleted {
				return 0, fmt.Errorf("job %d (%s) %s: %v", e.Job.ID, e.Job.Kind, e.Kind, e.Job.Errors)
			}
			if a := e.Job.AttemptedAt; a != nil && (first.IsZero() || a.Before(first)) {
				first = *a
			}
			if f := e.Job.FinalizedAt; f != nil && f.After(last) {
				last = *f
			}
			done++
		case <-timeout:
			return 0, fmt.Errorf("%d of %d jobs done after two minutes", done, jobs)
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	return last.Sub(first), nil
}

// pacedLatency inserts n times, every gap, with insert (which queues
// jobsEach jobs, one after the other), waits for them all, and returns each
// job kind's waits from insert to start, as River recorded them.
func pacedLatency(ctx context.Context, pool *pgxpool.Pool, client *river.Client[pgx.Tx], n, jobsEach int,
	gap time.Duration, insert func() error) (map[string][]time.Duration, error) {
	events, cancel := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled)
	defer cancel()
	var ids []int64
	tick := time.NewTicker(gap)
	defer tick.Stop()
	done := 0
	for sent := 0; sent < n; {
		select {
		case <-tick.C:
			if err := insert(); err != nil {
				return nil, err
			}
			sent++
		case e := <-events:
			if e.Kind != river.EventKindJobCompleted {
				return nil, fmt.Errorf("job %d (%s) %s: %v", e.Job.ID, e.Job.Kind, e.Kind, e.Job.Errors)
			}
			ids = append(ids, e.Job.ID)
			done++
		}
	}
	timeout := time.After(time.Minute)
	for done < n*jobsEach {
		select {
		case e := <-events:
			if e.Kind != river.EventKindJobCompleted {
				return nil, fmt.Errorf("job %d (%s) %s: %v", e.Job.ID, e.Job.Kind, e.Kind, e.Job.Errors)
			}
			ids = append(ids, e.Job.ID)
			done++
		case <-timeout:
			return nil, errors.New("paced jobs not done after a minute")
		}
	}
	// created_at is the inserting transaction's start; attempted_at is
	// when a worker took the job.
	rows, err := pool.Query(ctx, `SELECT kind, (extract(epoch FROM attempted_at - created_at) * 1e6)::bigint FROM river_job WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	out := map[string][]time.Duration{}
	var kind string
	var micros int64
	_, err = pgx.ForEachRow(rows, []any{&kind, &micros}, func() error {
		out[kind] = append(out[kind], time.Duration(micros)*time.Microsecond)
		return nil
	})
	return out, err
}

// noopArgs is the bare River client's job.
type noopArgs struct{}

func (noopArgs) Kind() string { return "bench_noop" }

// instantOCR reads the same few words from every image, at once.
type instantOCR struct{}

func (instantOCR) Recognize(context.Context, image.Image) (ocr.Result, error) {
	return ocr.Result{Text: "Thermodynamics lecture three\n\nEnergy is conserved.", Confidence: 0.9, Words: 6}, nil
}

// instantFormatter makes a note of the text as it is, at once.
type instantFormatter struct{}

func (instantFormatter) Format(_ context.Context, in notes.Input) (notes.Output, error) {
	return notes.Output{Markdown: "# Notes\n\n" + in.Text + "\n", Engine: "bench"}, nil
}

// tinyPNG is a 64×64 page with a dark bar: the worker still fetches and
// decodes it.
func tinyPNG() []byte {
	img := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range img.Pix {
		img.Pix[i] = 240
	}
	for x := 8; x < 56; x++ {
		img.SetGray(x, 30, color.Gray{Y: 20})
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img) // to memory: cannot fail
	return buf.Bytes()
}
