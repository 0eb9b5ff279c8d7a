package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/snapnote/snapnote/internal/config"
	"github.com/snapnote/snapnote/migrations"
)

func runMigrate(ctx context.Context, cfg *config.Config, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("migrate: say up, down or status")
	}
	fs := flag.NewFlagSet("migrate "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	steps := fs.Int("steps", 1, "down: how many app migrations to revert")
	all := fs.Bool("all", false, "down: revert every app migration and River's tables")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	pool, err := openMigrationPool(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer pool.Close()
	m, err := migrations.New(pool, logger)
	if err != nil {
		return err
	}
	switch args[0] {
	case "up":
		applied, err := m.Up(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "applied %d app migration(s); schema is current\n", len(applied))
	case "down":
		reverted, err := m.Down(ctx, *steps, *all)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "reverted app migration(s) %v\n", reverted)
	case "status":
		st, err := m.Status(ctx)
		if err != nil {
			return err
		}
		state := "current"
		if !st.Current() {
			state = "out of date: run `snapnote migrate up`"
		}
		fmt.Fprintf(stdout, "app schema %d of %d, river schema %d of %d: %s\n",
			st.AppVersion, st.AppLatest, st.RiverVersion, st.RiverLatest, state)
	default:
		return fmt.Errorf("migrate: unknown direction %q (want up, down or status)", args[0])
	}
	return nil
}
