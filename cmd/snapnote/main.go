// Command snapnote is SnapNote's one binary: the HTTP API, the job worker,
// migrations, a one-process dev mode and a dev token printer.
//
//	snapnote api | worker | dev | migrate up|down|status | token --sub ID
//
// Settings come from the environment (and .env); `snapnote help` lists them.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/snapnote/snapnote/internal/ocr/warm"
)

func main() {
	// The worker's OCR engines are this binary, started again: serve as one when asked.
	warm.ServeIfChild()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "snapnote:", err)
		os.Exit(1)
	}
}
