package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/multitracer"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel"

	"github.com/snapnote/snapnote/internal/auth"
	"github.com/snapnote/snapnote/internal/config"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/llm"
	"github.com/snapnote/snapnote/internal/notes"
	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/tesseract"
	"github.com/snapnote/snapnote/internal/ocr/vision"
	"github.com/snapnote/snapnote/internal/ocr/warm"
	"github.com/snapnote/snapnote/internal/pdf"
	"github.com/snapnote/snapnote/internal/telemetry"
	"github.com/snapnote/snapnote/jobs"
	"github.com/snapnote/snapnote/migrations"
	"github.com/snapnote/snapnote/storage"
)

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	// Lines logged with a request's or a job's context name its request id.
	return slog.New(telemetry.LogHandler(h))
}

// openPool connects to DATABASE_URL; queries slower than SLOW_QUERY are
// logged at WARN.
// openPool opens the process's pool on DATABASE_URL, DB_MAX_CONNS
// connections at most, and logs its size. Through a transaction-mode pooler
// a statement cannot outlive its transaction, so queries are sent without
// naming prepared statements: pgx's cache-describe mode, which keeps each
// statement's parameter and result types and sends it whole (parse, bind,
// execute) in one round trip; no statement cache.
func openPool(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*pgxpool.Pool, error) {
	pool, err := openPoolAt(ctx, cfg, "DATABASE_URL", cfg.DatabaseURL, int32(cfg.DBMaxConns), logger)
	if err != nil {
		return nil, err
	}
	logger.InfoContext(ctx, "database pool", slog.Int("max_conns", cfg.DBMaxConns),
		slog.String("pooling", cfg.DatabasePooling), slog.Bool("direct_url", cfg.DatabaseDirectURL != ""))
	return pool, nil
}

// openDirectPool opens a pool of maxConns on DATABASE_DIRECT_URL, past the
// pooler, or returns nil when it is not set.
func openDirectPool(ctx context.Context, cfg *config.Config, maxConns int32, logger *slog.Logger) (*pgxpool.Pool, error) {
	if cfg.DatabaseDirectURL == "" {
		return nil, nil
	}
	direct := *cfg
	direct.DatabasePooling = config.PoolingSession
	return openPoolAt(ctx, &direct, "DATABASE_DIRECT_URL", cfg.DatabaseDirectURL, maxConns, logger)
}

// openMigrationPool opens a pool for migrations, which need a session of
// their own (config.SessionURL).
func openMigrationPool(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*pgxpool.Pool, error) {
	url, err := cfg.SessionURL()
	if err != nil {
		return nil, err
	}
	session := *cfg
	session.DatabasePooling = config.PoolingSession
	return openPoolAt(ctx, &session, "DATABASE_URL", url, 2, logger)
}

func openPoolAt(ctx context.Context, cfg *config.Config, name, dsn string, maxConns int32, logger *slog.Logger) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	pc.MaxConns = maxConns
	if cfg.TransactionPooling() {
		pc.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeCacheDescribe
	}
	var tracers []pgx.QueryTracer
	if cfg.SlowQuery > 0 {
		tracers = append(tracers, &db.SlowQueryTracer{Threshold: cfg.SlowQuery, Logger: logger})
	}
	if cfg.OTLPEndpoint != "" {
		// A span per query, on the provider startTracing made global.
		tracers = append(tracers, db.NewSpanTracer(otel.GetTracerProvider()))
	}
	if len(tracers) > 0 {
		pc.ConnConfig.Tracer = multitracer.New(tracers...)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to database at %s: %w", redact(dsn), err)
	}
	return pool, nil
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// checkSchema refuses to serve or work on a database this build was not
// migrated for.
func checkSchema(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) error {
	m, err := migrations.New(pool, logger)
	if err != nil {
		return err
	}
	return m.Check(ctx)
}

func newBlobs(ctx context.Context, cfg *config.Config) (storage.Store, error) {
	if cfg.Storage == "s3" {
		return storage.NewS3(ctx, storage.S3Config{
			Bucket:         cfg.S3Bucket,
			Endpoint:       cfg.S3Endpoint,
			Region:         cfg.S3Region,
			ForcePathStyle: cfg.S3PathStyle,
		})
	}
	return storage.NewLocal(cfg.StorageDir)
}

// newAuth returns the token validator; in dev mode also the local signing
// key, whose tokens go through the same validator as Auth0's.
func newAuth(cfg *config.Config) (*auth.Validator, *auth.DevKey, error) {
	if cfg.AuthMode == "dev" {
		key, err := auth.LoadOrCreateDevKey(cfg.DataDir)
		if err != nil {
			return nil, nil, err
		}
		v, err := auth.NewValidator(auth.Config{Issuer: auth.DevIssuer, Audience: auth.DevAudience, Keys: key.JWKS(), DataDir: cfg.DataDir})
		return v, key, err
	}
	v, err := auth.NewValidator(auth.Config{
		Issuer:   cfg.Issuer(),
		Audience: cfg.Auth0Audience,
		JWKSURL:  cfg.AuthJWKSURL,
		CacheTTL: cfg.AuthJWKSTTL,
	})
	return v, nil, err
}

// newPipeline builds what the pipeline's jobs share: Tesseract or a vision
// model for OCR, and an LLM formatter when LLM_BASE_URL is set, else the
// built-in one. Tesseract reads in OCR_CONCURRENCY warm child processes; the
// returned func stops them, once the jobs have stopped.
func newPipeline(ctx context.Context, cfg *config.Config, pool *pgxpool.Pool, blobs storage.Store, logger *slog.Logger,
	reg prometheus.Registerer) (*jobs.Pipeline, func(), error) {
	memory := jobs.NewBudget(cfg.OCRMemory)
	metrics := telemetry.NewPipelineMetrics(reg, func() float64 { return float64(memory.InUse()) })
	pdfReader := &pdf.Reader{MaxPages: cfg.PDFMaxPages, Logger: logger}
	if err := pdfReader.CheckInstalled(); err != nil {
		return nil, nil, err
	}
	reader := &tesseract.Engine{Lang: cfg.OCRLang, Timeout: cfg.OCRTimeout}
	var engine ocr.Engine = reader
	if cfg.OCREngine == "vision" {
		transcriber := &vision.Engine{Client: newLLMClient(cfg, cmp.Or(cfg.OCRVisionModel, cfg.LLMModel), logger), Logger: logger}
		if cfg.OCRVisionFallback {
			transcriber.Fallback = reader
		}
		engine = transcriber
	}
	stopEngines := func() {}
	if cfg.OCREngine == "tesseract" || cfg.OCRVisionFallback {
		if err := reader.CheckInstalled(ctx); err != nil {
			return nil, nil, err
		}
		// A course in "auto" may turn out to be in any language installed.
		langs, err := reader.Languages(ctx)
		if err != nil {
			return nil, nil, err
		}
		reader.AutoLangs = langs
		// A worker that died mid-page running the command left its page image behind.
		tesseract.RemoveStaleTempFiles(2*cfg.OCRTimeout, logger)
		children, err := warm.NewPool(ctx, &warm.PoolConfig{Size: cfg.OCRConcurrency, Lang: cfg.OCRLang, Logger: logger,
			OnRestart: metrics.EngineRestarted, RecyclePages: cfg.OCRRecyclePages, RecycleRSS: cfg.OCRRecycleRSS,
			OnRecycle: metrics.EngineRecycled})
		switch {
		case errors.Is(err, warm.ErrNoCgo):
			logger.WarnContext(ctx, "ocr runs the tesseract command for each page, loading its models every time", slog.String("reason", err.Error()))
		case err != nil:
			return nil, nil, err
		default:
			reader.Pool = children
			stopEngines = func() { _ = children.Close() }
		}
	}
	var formatter notes.Formatter = notes.Builtin{}
	if cfg.LLMBaseURL != "" {
		formatter = &notes.LLM{Client: newLLMClient(cfg, cfg.LLMModel, logger), MaxChunkChars: cfg.LLMMaxChunkChars, Logger: logger}
	}
	logger.InfoContext(ctx, "pipeline engines", slog.String("ocr", ocr.EngineName(engine)),
		slog.Bool("ocr_fallback", cfg.OCREngine == "vision" && cfg.OCRVisionFallback),
		slog.Bool("ocr_warm_engines", reader.Pool != nil),
		slog.String("formatter", formatterName(cfg)), slog.String("llm_base_url", redact(cfg.LLMBaseURL)))
	return &jobs.Pipeline{
		Memory:     memory,
		Metrics:    metrics,
		Pool:       pool,
		Blobs:      blobs,
		OCR:        engine,
		Formatter:  formatter,
		OCRTimeout: cfg.OCRTimeout,
		PDF:        pdfReader,
		Logger:     logger,
	}, stopEngines, nil
}

func newLLMClient(cfg *config.Config, model string, logger *slog.Logger) *llm.Client {
	return &llm.Client{BaseURL: cfg.LLMBaseURL, APIKey: cfg.LLMAPIKey, Model: model, Timeout: cfg.LLMTimeout, Logger: logger}
}

func formatterName(cfg *config.Config) string {
	if cfg.LLMBaseURL == "" {
		return notes.EngineBuiltin
	}
	return "llm:" + cfg.LLMModel
}
