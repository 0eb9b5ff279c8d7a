// Command snapnote-eval measures OCR quality on the generated phone-photo
// corpus: for each variant class, the character and word error rates and
// the time per page of the service's OCR pipeline against plain
// `tesseract FILE -` on the same files.
//
//	snapnote-eval [--pages N] [--classes A,B] [--skip STEP] [--out DIR] [-v]
//
// It is a tool for people tuning OCR, kept apart from the snapnote binary so
// production never links the corpus. OCR_LANG and OCR_TIMEOUT apply.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/snapnote/snapnote/internal/config"
	"github.com/snapnote/snapnote/internal/ocr/warm"
)

func main() {
	// The warm OCR engines run this binary again as their child processes.
	warm.ServeIfChild()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "snapnote-eval:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	return runEval(ctx, cfg, os.Args[1:], os.Stdout, os.Stderr)
}
