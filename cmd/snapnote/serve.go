package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/internal/auth"
	"github.com/snapnote/snapnote/internal/config"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/intake"
	"github.com/snapnote/snapnote/internal/ocr/tesseract"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/internal/telemetry"
	"github.com/snapnote/snapnote/jobs"
	"github.com/snapnote/snapnote/migrations"
	"github.com/snapnote/snapnote/storage"
	"github.com/snapnote/snapnote/worker"
)

// serving is what api and worker both stand on: checked settings, a pool
// on a database migrated for this build, and the blob store.
type serving struct {
	logger  *slog.Logger
	pool    *pgxpool.Pool
	blobs   storage.Store
	tracing *telemetry.Tracing
}

// close flushes the traces and closes the pool.
func (s *serving) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.tracing.Shutdown(ctx); err != nil {
		s.logger.Warn("traces lost at exit", slog.Any("error", err))
	}
	s.pool.Close()
}

func openServing(ctx context.Context, cfg *config.Config, service string, stderr io.Writer) (*serving, error) {
	logger := newLogger(cfg, stderr)
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("configuration:\n%w", err)
	}
	tracing, err := telemetry.StartTracing(ctx, service, cfg.OTLPEndpoint)
	if err != nil {
		return nil, err
	}
	pool, err := openPool(ctx, cfg, logger)
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
	return &serving{logger: logger, pool: pool, blobs: blobs, tracing: tracing}, nil
}

func runAPI(ctx context.Context, cfg *config.Config, stderr io.Writer) error {
	s, err := openServing(ctx, cfg, "snapnote-api", stderr)
	if err != nil {
		return err
	}
	defer s.close()
	handler, err := newHandler(ctx, cfg, s.pool, s.blobs, s.logger, nil)
	if err != nil {
		return err
	}
	ln, metricsLn, err := listenHTTP(cfg, apiDefaultHost)
	if err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "api listening", slog.String("addr", ln.Addr().String()))
	return serveHTTP(ctx, ln, metricsLn, handler, cfg.ShutdownTimeout, s.logger)
}

func runWorker(ctx context.Context, cfg *config.Config, stderr io.Writer) error {
	s, err := openServing(ctx, cfg, "snapnote-worker", stderr)
	if err != nil {
		return err
	}
	defer s.close()
	reg := prometheus.NewRegistry()
	if err := serveWorkerMetrics(ctx, cfg, reg, s.logger); err != nil {
		return err
	}
	w, err := newWorker(ctx, cfg, s.pool, s.blobs, s.logger, reg)
	if err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "worker starting", slog.String("worker_id", w.ID()),
		slog.Int("ocr_concurrency", cfg.OCRConcurrency), slog.Int("llm_concurrency", cfg.LLMConcurrency))
	return w.Run(ctx)
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
	logDevStorage(ctx, cfg, logger)
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	if err := db.CreateIfMissing(ctx, cfg.DatabaseURL, redact(cfg.DatabaseURL), logger); err != nil {
		return err
	}
	tracing, err := telemetry.StartTracing(ctx, "snapnote-dev", cfg.OTLPEndpoint)
	if err != nil {
		return err
	}
	defer func() {
		flushCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tracing.Shutdown(flushCtx)
	}()
	if err := migrateUp(ctx, cfg, logger); err != nil {
		return err
	}
	pool, err := openPool(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer pool.Close()
	blobs, err := newBlobs(ctx, cfg)
	if err != nil {
		return err
	}
	// One process: the API's /metrics serves the worker's metrics too.
	reg := prometheus.NewRegistry()
	w, err := newWorker(ctx, cfg, pool, blobs, logger, reg)
	if err != nil {
		return err
	}
	if err := w.Start(ctx); err != nil {
		return err
	}
	stopWorker := func() error {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
		defer cancel()
		return w.Stop(stopCtx)
	}
	handler, err := newHandler(ctx, cfg, pool, blobs, logger, reg)
	if err != nil {
		return errors.Join(err, stopWorker())
	}
	ln, metricsLn, err := listenHTTP(cfg, devDefaultHost)
	if err != nil {
		return errors.Join(err, stopWorker())
	}
	url := fmt.Sprintf("http://%s", net.JoinHostPort(localHost(cfg.BindAddr, "localhost"), strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)))
	fmt.Fprintf(stdout, "SnapNote dev server: %s (API description at %s/openapi.json)\n", url, url)
	if cfg.Storage == "s3" {
		fmt.Fprintf(stdout, "Blobs in s3://%s\n", cfg.S3Bucket)
	} else {
		fmt.Fprintf(stdout, "Blobs in %s\n", cfg.StorageDir)
	}
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
		fmt.Fprintf(stdout, "Open the app, signed in: %s/#token=%s\n", url, token)
		fmt.Fprintf(stdout, "Try: curl -H 'Authorization: Bearer %s' %s/api/courses\n", token, url)
	}
	return errors.Join(serveHTTP(ctx, ln, metricsLn, handler, cfg.ShutdownTimeout, logger), stopWorker())
}

const devTokenTTL = 24 * time.Hour

// newHandler builds the API; its /metrics serves workerMetrics too when set
// (dev: the worker runs in the same process).
func newHandler(ctx context.Context, cfg *config.Config, pool *pgxpool.Pool, blobs storage.Store, logger *slog.Logger,
	workerMetrics prometheus.Gatherer) (http.Handler, error) {
	// Bodies of uploads a dead process was receiving; a living one's are
	// younger than UPLOAD_READ_TIMEOUT.
	if n, err := intake.RemoveStaleSpool(2 * cfg.UploadTimeout); err != nil {
		logger.Warn("remove stale upload files", slog.Any("error", err))
	} else if n > 0 {
		logger.Info("removed upload files a stopped process left", slog.Int("files", n))
	}
	validator, devKey, err := newAuth(cfg)
	if err != nil {
		return nil, err
	}
	riverUI, err := newRiverUI(ctx, cfg, pool, logger)
	if err != nil {
		return nil, err
	}
	q, err := queue.New(pool, logger)
	if err != nil {
		return nil, err
	}
	database, err := openDB(ctx, cfg, pool, logger)
	if err != nil {
		return nil, err
	}
	// A course may ask only for languages the worker can read; an API
	// without Tesseract beside it cannot tell, and accepts any.
	languages, err := (&tesseract.Engine{}).Languages(ctx)
	if err != nil {
		logger.WarnContext(ctx, "course languages are not checked against those installed", slog.Any("error", err))
		languages = nil
	}
	handler, _ := api.New(api.Config{
		DB:                database,
		Queue:             q,
		Blobs:             blobs,
		Auth:              validator,
		DevKey:            devKey,
		RiverUI:           riverUI,
		AdminSubs:         cfg.AdminSubs,
		CORSOrigins:       cfg.CORSOrigins,
		RateLimit:         cfg.RateLimit,
		RateBurst:         cfg.RateBurst,
		RateLimitIP:       cfg.RateLimitIP,
		RateBurstIP:       cfg.RateBurstIP,
		TrustedProxies:    cfg.TrustedProxies,
		BodyReadTimeout:   cfg.BodyReadTimeout,
		UploadMaxBytes:    cfg.UploadMaxBytes,
		UploadConcurrency: cfg.UploadConcurrency,
		UploadMaxPages:    cfg.UploadMaxPages,
		UploadMaxMemory:   cfg.OCRMemory,
		UploadsPerUser:    cfg.UploadsPerUser,
		UploadsReceiving:  cfg.UploadsReceiving,
		UploadMaxPixels:   cfg.UploadMaxPixel,
		UploadTimeout:     cfg.UploadTimeout,
		PresignTTL:        cfg.S3PresignTTL,
		DefaultLanguage:   cfg.OCRLang,
		Languages:         languages,
		Web:               webConfig(cfg),
		WorkerMetrics:     workerMetrics,
		Logger:            logger,
	})
	return handler, nil
}

// newWorker builds the worker of cfg: its pipeline, engines and
// maintenance jobs. In-flight jobs get SHUTDOWN_TIMEOUT to finish when it
// stops, then are cancelled (and retried later); the engines close after
// them.
func newWorker(ctx context.Context, cfg *config.Config, pool *pgxpool.Pool, blobs storage.Store, logger *slog.Logger,
	reg prometheus.Registerer) (*worker.Worker, error) {
	// Decoded pages are garbage once their job ends; a soft limit a little
	// above the OCR budget has the collector hand them back before the
	// process grows past it. GOMEMLIMIT, when set, is the operator's word.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(cfg.OCRMemory + 128<<20)
	}
	pipeline, stopEngines, err := newPipeline(ctx, cfg, pool, blobs, logger, reg)
	if err != nil {
		return nil, err
	}
	backups, err := newBackups(cfg, pool, blobs, logger, nil)
	if err != nil {
		logger.WarnContext(ctx, "scheduled backups are off", slog.Any("error", err))
	}
	w, err := worker.New(worker.Config{
		Jobs: jobs.Config{
			Pipeline:       pipeline,
			TrashRetention: cfg.TrashRetention,
			OrphanMinAge:   cfg.OrphanMinAge,
			Backups:        backups,
			Logger:         logger,
		},
		OCRConcurrency:  cfg.OCRConcurrency,
		LLMConcurrency:  cfg.LLMConcurrency,
		BackupSchedule:  cfg.BackupSchedule,
		DeadAfter:       cfg.WorkerDeadAfter,
		ShutdownTimeout: cfg.ShutdownTimeout,
		AfterStop:       stopEngines,
		PollOnly:        cfg.TransactionPooling(),
	})
	if err != nil {
		stopEngines()
		return nil, err
	}
	return w, nil
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

// migrateUp applies the migrations on a pool of their own (a direct
// connection when DATABASE_URL goes through a transaction-mode pooler).
func migrateUp(ctx context.Context, cfg *config.Config, logger *slog.Logger) error {
	pool, err := openMigrationPool(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer pool.Close()
	m, err := migrations.New(pool, logger)
	if err != nil {
		return err
	}
	_, err = m.Up(ctx)
	return err
}

// openDB is the API's database on pool. Through a transaction-mode pooler
// its event streams LISTEN on one connection of DATABASE_DIRECT_URL when
// that is set (closed when ctx ends), and poll when it is not.
func openDB(ctx context.Context, cfg *config.Config, pool *pgxpool.Pool, logger *slog.Logger) (*db.DB, error) {
	if !cfg.TransactionPooling() {
		return db.Open(pool, logger), nil
	}
	direct, err := openDirectPool(ctx, cfg, 1, logger)
	if err != nil {
		return nil, err
	}
	if direct != nil {
		context.AfterFunc(ctx, direct.Close)
	} else {
		logger.InfoContext(ctx, "event streams poll the database: no DATABASE_DIRECT_URL to LISTEN on",
			slog.Duration("every", db.UploadPollInterval))
	}
	return db.OpenPooled(pool, direct, logger), nil
}
