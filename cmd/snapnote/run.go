package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/snapnote/snapnote/internal/config"
)

const usage = `Usage: snapnote COMMAND

Commands:
  api                    serve the HTTP API
  worker                 run the job worker (OCR, formatting, maintenance)
  worker --check         check what a worker needs (settings, database, schema) and exit
  dev                    migrate, then API and worker in one process with dev auth
  migrate up|down|status apply, revert or show migrations
         [--steps N]     (down: revert N app migrations, default 1)
         [--all]         (down: revert everything, River's tables too)
  token --sub ID         print a dev bearer token, signed by the dev key in DATA_DIR
        [--email E --name N --ttl 24h --data-dir DIR]
  health [--url URL]     exit 0 when the API answers ready (default its /api/health/db
         [--timeout 5s]  on this machine's PORT), 1 otherwise: a container health check
  backup [list]          back up the database (and local blobs) now, or list backups
  restore [ID|FILE]      restore the newest backup, backup ID or a local .dump FILE
         [--force]       (--force replaces a database that already has tables)
  openapi                print the API's OpenAPI document (what /openapi.json serves)
  help                   show this and the environment variables
`

// run dispatches a subcommand. It returns instead of exiting so tests can
// drive the real program.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		printHelp(stdout)
		return nil
	}
	if cmd == "openapi" {
		return runOpenAPI(rest, stdout)
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	switch cmd {
	case "api":
		return runAPI(ctx, cfg, stderr)
	case "worker":
		if len(rest) == 1 && (rest[0] == "--check" || rest[0] == "-check") {
			return runWorkerCheck(ctx, cfg, stdout, stderr)
		}
		if len(rest) > 0 {
			return fmt.Errorf("worker: unexpected argument %q (only --check)", rest[0])
		}
		return runWorker(ctx, cfg, stderr)
	case "health":
		return runHealth(ctx, cfg, rest, stdout, stderr)
	case "dev":
		return runDev(ctx, cfg, getenv, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, cfg, rest, stdout, stderr)
	case "token":
		return runToken(cfg, rest, stdout, stderr)
	case "backup":
		return runBackup(ctx, cfg, rest, stdout, stderr)
	case "restore":
		return runRestore(ctx, cfg, rest, stdout, stderr)
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, usage, "\nEnvironment (also read from .env):\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, v := range config.Vars() {
		def := v.Default
		if def == "" {
			def = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", v.Name, def, strings.ReplaceAll(v.Doc, "\n", " "))
	}
	tw.Flush()
}
