// Command snapnote-bench measures SnapNote against baselines, each figure
// beside its baseline measured in the same run, with the ratio:
//
//	snapnote-bench ocr       warm OCR engines vs `tesseract FILE -`, corpus pages and 12 MP photos
//	snapnote-bench upload    uploads through the API vs the same inserts in one transaction
//	snapnote-bench pipeline  the River worker with instant stages vs a bare River client
//	snapnote-bench reads     seed 100,000 notes and measure list, get and search latency
//	snapnote-bench search    search quality on a generated set vs the search before, and its latency
//	snapnote-bench memory    peak RSS of `snapnote worker` and its engines reading big photos
//
// `snapnote-bench SCENARIO -h` lists a scenario's flags. Scenarios that need
// a database create a fresh one on the server at ADMIN_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/postgres) and drop it afterwards; reads
// uses DATABASE_URL when it is set.
//
// It is a tool for people, not part of the test suite: compare ratios within
// one run, since the machine's other load moves absolute figures.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"github.com/snapnote/snapnote/internal/ocr/warm"
)

// scenarios maps each subcommand to what runs it with the arguments after it.
var scenarios = map[string]func(ctx context.Context, args []string) error{
	"ocr":      runOCR,
	"upload":   runUpload,
	"pipeline": runPipeline,
	"reads":    runReads,
	"search":   runSearch,
	"memory":   runMemory,
}

func main() {
	// The ocr scenario's warm engines are this binary, started again.
	warm.ServeIfChild()
	if len(os.Args) < 2 || scenarios[os.Args[1]] == nil {
		names := make([]string, 0, len(scenarios))
		for name := range scenarios {
			names = append(names, name)
		}
		slices.Sort(names)
		fmt.Fprintf(os.Stderr, "usage: snapnote-bench %v [flags]\n", names)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := scenarios[os.Args[1]](ctx, os.Args[2:])
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "snapnote-bench %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
