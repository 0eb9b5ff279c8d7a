package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/internal/auth"
	"github.com/snapnote/snapnote/internal/config"
	"github.com/snapnote/snapnote/migrations"
	"github.com/snapnote/snapnote/storage"
	"github.com/snapnote/snapnote/worker"
)

// serving is what api and worker both stand on: checked settings, a pool
// on a database migrated for this build, and the blob store.
type serving struct {
	logger *slog.Logger
	pool   *pgxpool.Pool
	blobs  storage.Store
}

func openServing(ctx context.Context, cfg *config.Config, stderr io.Writer) (*serving, error) {
	logger := newLogger(cfg, stderr)
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("configuration:\n%w", err)
	}
	pool, err := openPool(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := checkSchema(ctx, pool, logger); err != nil {
		pool.Close()
		return nil, err
	}
	blobs, err := newBlobs(ctx, cfg)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return &serving{logger: logger, pool: pool, blobs: blobs}, nil
}

func runAPI(ctx context.Context, cfg *config.Config, stderr io.Writer) error {
	s, err := openServing(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer s.pool.Close()
	handler, err := newHandler(cfg, s.pool, s.blobs, s.logger)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(cfg.Port))
	if err != nil {
		return fmt.Errorf("PORT: listen: %w", err)
	}
	s.logger.InfoContext(ctx, "api listening", slog.String("addr", ln.Addr().String()))
	return serve(ctx, ln, handler, cfg.ShutdownTimeout)
}

func runWorker(ctx context.Context, cfg *config.Config, stderr io.Writer) error {
	s, err := openServing(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer s.pool.Close()
	stop, err := startWorker(ctx, cfg, s.pool, s.blobs, s.logger)
	if err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "worker running", slog.Int("ocr_concurrency", cfg.OCRConcurrency),
		slog.Int("llm_concurrency", cfg.LLMConcurrency))
	<-ctx.Done()
	return stop()
}

// runDev is the laptop mode: one process, local storage, the built-in
// formatter and dev auth, on a migrated database.
func runDev(ctx context.Context, cfg *config.Config, getenv func(string) string, stdout, stderr io.Writer) error {
	logger := newLogger(cfg, stderr)
	if getenv("DATABASE_URL") == "" {
		fmt.Fprintf(stdout, "DATABASE_URL is not set: using %s\n", redact(cfg.DatabaseURL))
	}
	if getenv("AUTH_MODE") == "" {
		cfg.AuthMode = "dev"
	}
	cfg.Storage = "local"
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	if err := createDatabaseIfMissing(ctx, cfg, logger); err != nil {
		return err
	}
	pool, err := openPool(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	m, err := migrations.New(pool, logger)
	if err != nil {
		return err
	}
	if _, err := m.Up(ctx); err != nil {
		return err
	}
	blobs, err := newBlobs(ctx, cfg)
	if err != nil {
		return err
	}
	stopWorker, err := startWorker(ctx, cfg, pool, blobs, logger)
	if err != nil {
		return err
	}
	handler, err := newHandler(cfg, pool, blobs, logger)
	if err != nil {
		return errors.Join(err, stopWorker())
	}
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(cfg.Port))
	if err != nil {
		return errors.Join(fmt.Errorf("PORT: listen: %w", err), stopWorker())
	}
	url := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	fmt.Fprintf(stdout, "SnapNote dev server: %s (API description at %s/openapi.json)\n", url, url)
	fmt.Fprintf(stdout, "Blobs in %s\n", cfg.StorageDir)
	if cfg.AuthMode == "dev" {
		key, err := auth.LoadOrCreateDevKey(cfg.DataDir)
		if err != nil {
			return errors.Join(err, stopWorker())
		}
		token, err := key.Token(auth.Claims{Subject: "dev-user", Name: "Dev User", Email: "dev@example.com"}, devTokenTTL)
		if err != nil {
			return errors.Join(err, stopWorker())
		}
		fmt.Fprintf(stdout, "Bearer token (user dev-user, valid %s; `snapnote token --sub NAME` makes more):\n%s\n", devTokenTTL, token)
		fmt.Fprintf(stdout, "Try: curl -H 'Authorization: Bearer %s' %s/api/courses\n", token, url)
	}
	return errors.Join(serve(ctx, ln, handler, cfg.ShutdownTimeout), stopWorker())
}

const devTokenTTL = 24 * time.Hour

func newHandler(cfg *config.Config, pool *pgxpool.Pool, blobs storage.Store, logger *slog.Logger) (http.Handler, error) {
	validator, devKey, err := newAuth(cfg)
	if err != nil {
		return nil, err
	}
	inserter, err := worker.NewInserter(pool, logger)
	if err != nil {
		return nil, err
	}
	handler, _ := api.New(api.Config{
		Pool:              pool,
		Inserter:          inserter,
		Blobs:             blobs,
		Auth:              validator,
		DevKey:            devKey,
		CORSOrigins:       cfg.CORSOrigins,
		RateLimit:         cfg.RateLimit,
		RateBurst:         cfg.RateBurst,
		UploadMaxBytes:    cfg.UploadMaxBytes,
		UploadConcurrency: cfg.UploadParallel,
		UploadMaxPixels:   cfg.UploadMaxPixel,
		UploadTimeout:     cfg.UploadTimeout,
		PresignTTL:        cfg.S3PresignTTL,
		Logger:            logger,
	})
	return handler, nil
}

// startWorker starts the River client and returns how to stop it: in-flight
// jobs get SHUTDOWN_TIMEOUT to finish, then are cancelled (and retried later).
func startWorker(ctx context.Context, cfg *config.Config, pool *pgxpool.Pool, blobs storage.Store, logger *slog.Logger) (func() error, error) {
	pipeline, stopEngines, err := newPipeline(ctx, cfg, pool, blobs, logger)
	if err != nil {
		return nil, err
	}
	client, err := worker.New(worker.Config{
		Pipeline:       pipeline,
		OCRConcurrency: cfg.OCRConcurrency,
		LLMConcurrency: cfg.LLMConcurrency,
		TrashRetention: cfg.TrashRetention,
		OrphanMinAge:   cfg.OrphanMinAge,
		BackupSchedule: cfg.BackupSchedule,
		Backups:        newBackups(cfg, pool, blobs, logger, nil),
		Logger:         logger,
	})
	if err != nil {
		stopEngines()
		return nil, err
	}
	// The client outlives ctx's cancellation until stop drains it.
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		stopEngines()
		return nil, fmt.Errorf("start worker: %w", err)
	}
	return func() error {
		defer stopEngines() // after the jobs that use them
		stopCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		if err := client.Stop(stopCtx); err != nil {
			return client.StopAndCancel(context.Background())
		}
		return nil
	}, nil
}

// serve runs an HTTP server until ctx ends, then drains it.
func serve(ctx context.Context, ln net.Listener, handler http.Handler, shutdownTimeout time.Duration) error {
	// Shutdown does not cancel requests in flight; long-lived ones (event
	// streams) end when this base context does, as shutdown begins.
	base, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return base },
	}
	srv.RegisterOnShutdown(cancelBase)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down http server: %w", err)
	}
	return nil
}
