package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/snapnote/snapnote/internal/config"
)

// runHealth is `snapnote health [--url URL] [--timeout D]`: a container
// health check that needs no curl. It asks the API's readiness route (which
// answers 503 while Postgres is down) and returns an error, so the exit
// status is 1, unless the answer is 2xx.
func runHealth(ctx context.Context, cfg *config.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", defaultHealthURL(cfg), "readiness URL to ask")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the answer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("health: unexpected argument %q", fs.Arg(0))
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return fmt.Errorf("health: --url: %w", err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: api not answering: %w", err)
	}
	defer func() { _ = res.Body.Close() }()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("health: api not ready: GET %s answered %s: %s", *url, res.Status, body)
	}
	_, err = fmt.Fprintf(stdout, "ok: GET %s answered %s\n", *url, res.Status)
	return err
}

// defaultHealthURL is the readiness route of an api on this machine, as
// PORT and BIND_ADDR place it.
func defaultHealthURL(cfg *config.Config) string {
	return "http://" + net.JoinHostPort(localHost(cfg.BindAddr, "127.0.0.1"), strconv.Itoa(cfg.Port)) + "/api/health/db"
}

// runWorkerCheck is `snapnote worker --check`: the worker's readiness, for a
// container health check. It does what a starting worker checks before it
// takes jobs — settings, a database that answers, a schema migrated for this
// build, the blob store — and returns. It cannot see whether another
// process's worker is still taking jobs; River's own job tables tell that.
func runWorkerCheck(ctx context.Context, cfg *config.Config, stdout, stderr io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s, err := openServing(ctx, cfg, "snapnote-worker", stderr)
	if err != nil {
		return err
	}
	s.close()
	_, err = fmt.Fprintln(stdout, "ok: database answers and its schema is current")
	return err
}
