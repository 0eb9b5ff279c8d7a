package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"riverqueue.com/riverui"

	"github.com/snapnote/snapnote/internal/config"
)

// newRiverUI returns River UI's handler for /riverui, on an insert-only
// River client of its own, or nil when ADMIN_SUBS names nobody. Its
// background services (queue and job counts) run until ctx ends. The API
// serves it to ADMIN_SUBS only, behind the bearer token.
func newRiverUI(ctx context.Context, cfg *config.Config, pool *pgxpool.Pool, logger *slog.Logger) (http.Handler, error) {
	if len(cfg.AdminSubs) == 0 {
		return nil, nil
	}
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("river ui: create river client: %w", err)
	}
	ui, err := riverui.NewHandler(&riverui.HandlerOpts{
		Endpoints: riverui.NewEndpoints(client, nil),
		Logger:    logger,
		Prefix:    "/riverui",
	})
	if err != nil {
		return nil, fmt.Errorf("river ui: %w", err)
	}
	if err := ui.Start(ctx); err != nil {
		return nil, fmt.Errorf("river ui: start: %w", err)
	}
	return ui, nil
}
