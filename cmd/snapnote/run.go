package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/snapnote/snapnote/internal/config"
)

// commands are the subcommands with their usage lines, in the order help
// lists them; `snapnote COMMAND --help` prints the command's own.
var commands = []struct{ name, usage string }{
	{"api", `  api                    serve the HTTP API
`},
	{"worker", `  worker                 run the job worker (OCR, formatting, maintenance)
  worker --check         check what a worker needs (settings, database, schema) and exit
`},
	{"dev", `  dev                    migrate, then API and worker in one process with dev auth
`},
	{"migrate", `  migrate up|down|status apply, revert or show migrations (on a direct connection:
                         not through a transaction-mode pooler, see DATABASE_DIRECT_URL)
         [--steps N]     (down: revert N app migrations, default 1)
         [--all]         (down: revert everything, River's tables too)
`},
	{"token", `  token --sub ID         print a dev bearer token, signed by the dev key in DATA_DIR
        [--email E --name N --ttl 24h --data-dir DIR]
`},
	{"health", `  health [--url URL]     exit 0 when the API answers ready (default its /api/health/db
         [--timeout 5s]  on this machine's PORT), 1 otherwise: a container health check
`},
	{"backup", `  backup [list]          back up the database (and local blobs) now, or list backups
`},
	{"restore", `  restore [ID|FILE]      restore the newest backup, backup ID or a local .dump FILE
         [--force]       (--force replaces a database that already has tables)
`},
	{"openapi", `  openapi                print the API's OpenAPI document (what /openapi.json serves)
`},
	{"help", `  help                   show this and the environment variables
`},
}

// usage lists every command.
var usage = func() string {
	var b strings.Builder
	b.WriteString("Usage: snapnote COMMAND\n\nCommands:\n")
	for _, c := range commands {
		b.WriteString(c.usage)
	}
	return b.String()
}()

// commandUsage is the usage of the command name; ok is false for one that
// does not exist.
func commandUsage(name string) (text string, ok bool) {
	for _, c := range commands {
		if c.name == name {
			return "Usage: snapnote …\n" + c.usage + "\nSettings come from the environment: `snapnote help` lists them.\n", true
		}
	}
	return "", false
}

// asksHelp reports whether args ask for help, wherever they do.
func asksHelp(args []string) bool {
	return slices.ContainsFunc(args, func(a string) bool { return a == "-h" || a == "-help" || a == "--help" })
}

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
	// Before the settings are read: help touches nothing, not even a database.
	if text, ok := commandUsage(cmd); ok && asksHelp(rest) {
		fmt.Fprint(stdout, text)
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
