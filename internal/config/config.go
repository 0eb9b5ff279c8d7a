// Package config reads SnapNote's settings from the environment (and a .env
// file when present). Every variable is declared once, in the table below,
// with its default and what it means; a wrong value stops start-up with an
// error naming the variable.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/joho/godotenv"
	"github.com/robfig/cron/v3"

	"github.com/snapnote/snapnote"
)

// courseLanguage is what a course's language looks like (snapnote.LanguagePattern).
var courseLanguage = regexp.MustCompile(snapnote.LanguagePattern)

// Config is every setting of every subcommand.
type Config struct {
	Port        int
	BindAddr    string // "" means all interfaces for api, loopback for dev
	MetricsAddr string // "" serves /metrics on the API's own port
	DatabaseURL string
	DBMaxConns  int
	// DatabasePooling is "session" (DATABASE_URL reaches Postgres, or a
	// session-mode pooler) or "transaction" (a transaction-mode pooler such
	// as PgBouncer's: no prepared statements, LISTEN or session locks).
	DatabasePooling string
	// DatabaseDirectURL reaches Postgres past the pooler: migrations and
	// the event stream's LISTEN use it when set.
	DatabaseDirectURL string
	SlowQuery         time.Duration // 0 logs no slow queries
	OTLPEndpoint      string        // "" exports no traces
	DataDir           string
	LogFormat         string
	LogLevel          slog.Level
	ShutdownTimeout   time.Duration

	Storage           string // "local" or "s3"
	StorageDir        string
	S3Bucket          string
	S3Endpoint        string
	S3Region          string
	S3PathStyle       bool
	S3PresignTTL      time.Duration
	AuthMode          string // "auth0" or "dev"
	Auth0Domain       string
	Auth0Audience     string
	AuthIssuerURL     string
	AuthJWKSURL       string
	AuthJWKSTTL       time.Duration
	AuthClientID      string // public: the web app's OIDC client, sent to browsers
	CORSOrigins       []string
	AdminSubs         []string // token subjects allowed into /riverui; empty turns it off
	RateLimit         float64
	RateBurst         int
	UploadMaxBytes    int64
	UploadConcurrency int
	UploadMaxPages    int
	// UploadsPerUser and UploadsReceiving bound the uploads being received.
	UploadsPerUser   int
	UploadsReceiving int
	UploadMaxPixel   int64
	UploadTimeout    time.Duration
	OCRLang          string
	OCRConcurrency   int
	OCRTimeout       time.Duration
	OCRMemory        int64
	// OCRRecyclePages and OCRRecycleRSS retire a warm OCR engine after that
	// many pages, or above that resident memory in bytes; 0 never does.
	OCRRecyclePages int
	OCRRecycleRSS   int64
	// PDFMaxPages is the most pages a PDF upload may have; a longer one
	// fails its upload.
	PDFMaxPages int
	// WorkerDeadAfter is how long a worker goes without a heartbeat before
	// its jobs are taken back.
	WorkerDeadAfter time.Duration

	// RateLimitIP and RateBurstIP limit each client address before
	// authentication; TrustedProxies are the peers whose X-Forwarded-For
	// names the client.
	RateLimitIP    float64
	RateBurstIP    int
	TrustedProxies []netip.Prefix
	// ConnsPerIP bounds the connections one client address holds open.
	ConnsPerIP int
	// BodyReadTimeout bounds how long a request body may take to arrive,
	// on every route but the uploads' (UploadTimeout).
	BodyReadTimeout time.Duration

	OCREngine         string // "tesseract" or "vision"
	OCRVisionFallback bool
	OCRVisionModel    string // "" uses LLMModel
	LLMBaseURL        string // "" uses the built-in formatter
	LLMAPIKey         string // secret: never logged
	LLMModel          string
	LLMConcurrency    int
	LLMTimeout        time.Duration
	LLMMaxChunkChars  int

	TrashRetention time.Duration
	BackupSchedule cron.Schedule // parsed BACKUP_SCHEDULE
	BackupSpec     string        // BACKUP_SCHEDULE as written
	BackupKeep     int
	OrphanMinAge   time.Duration
}

// Var documents one environment variable.
type Var struct {
	Name    string
	Default string
	Doc     string
	set     func(c *Config, value string) error
}

// Vars lists every variable SnapNote reads, in the order documented.
func Vars() []Var { return vars }

var vars = []Var{
	{"PORT", "8080", "TCP port `api` and `dev` listen on (0 picks a free one)", func(c *Config, v string) error {
		return intIn(&c.Port, v, 0, 65535)
	}},
	{"BIND_ADDR", "", "IP address `api` and `dev` listen on; empty: all interfaces for `api` (containers, PaaS), 127.0.0.1 for `dev` (a laptop)", func(c *Config, v string) error {
		if v != "" && v != "localhost" && net.ParseIP(v) == nil {
			return errors.New("must be an IP address such as 127.0.0.1, 0.0.0.0 or ::, or empty")
		}
		c.BindAddr = v
		return nil
	}},
	{"METRICS_ADDR", "", "separate listen address for /metrics, e.g. 127.0.0.1:9090 or :9090 (then the API port no longer serves it); empty: /metrics on the API port", func(c *Config, v string) error {
		if v != "" {
			_, port, err := net.SplitHostPort(v)
			if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
				return errors.New("must be HOST:PORT or :PORT, such as 127.0.0.1:9090")
			}
		}
		c.MetricsAddr = v
		return nil
	}},
	{"DATABASE_URL", "postgres://postgres@127.0.0.1:5432/snapnote?sslmode=disable", "Postgres connection URL for every subcommand", func(c *Config, v string) error {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return errors.New("must be a postgres:// URL")
		}
		c.DatabaseURL = v
		return nil
	}},
	{"DB_MAX_CONNS", "20", "most Postgres connections one process opens (logged at start); the worker needs one per running job", func(c *Config, v string) error {
		return intIn(&c.DBMaxConns, v, 2, 1000)
	}},
	{"DATABASE_POOLING", "session", "`transaction` when DATABASE_URL goes through a transaction-mode pooler (PgBouncer): no statement cache, River polls instead of LISTEN, the event stream polls unless DATABASE_DIRECT_URL is set", func(c *Config, v string) error {
		return oneOf(&c.DatabasePooling, v, PoolingSession, PoolingTransaction)
	}},
	{"DATABASE_DIRECT_URL", "", "Postgres past the pooler (one connection a process at most): `migrate` and the event stream's LISTEN use it; with DATABASE_POOLING=transaction, migrations need it", func(c *Config, v string) error {
		if v == "" {
			return nil
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return errors.New("must be a postgres:// URL")
		}
		c.DatabaseDirectURL = v
		return nil
	}},
	{"SLOW_QUERY", "500ms", "queries slower than this are logged at WARN with their duration (never their arguments); 0 turns it off", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return errors.New("must be a duration such as 500ms or 2s, or 0 to turn it off")
		}
		c.SlowQuery = d
		return nil
	}},
	{"OTEL_EXPORTER_OTLP_ENDPOINT", "", "OTLP/HTTP collector traces are sent to (e.g. http://127.0.0.1:4318); empty: no tracing. The exporter reads the other OTEL_EXPORTER_OTLP_* and OTEL_SERVICE_NAME itself", func(c *Config, v string) error {
		if v != "" {
			if u, err := url.Parse(v); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
				return errors.New("must be an http:// or https:// URL such as http://127.0.0.1:4318")
			}
		}
		c.OTLPEndpoint = v
		return nil
	}},
	{"DATA_DIR", "./data", "local state: blobs (unless STORAGE_DIR) and the dev signing key", func(c *Config, v string) error {
		c.DataDir = v
		return nil
	}},
	{"LOG_FORMAT", "text", "log line format on standard error: text or json", func(c *Config, v string) error {
		return oneOf(&c.LogFormat, v, "text", "json")
	}},
	{"LOG_LEVEL", "info", "debug, info, warn or error", func(c *Config, v string) error {
		return c.LogLevel.UnmarshalText([]byte(v))
	}},
	{"SHUTDOWN_TIMEOUT", "30s", "how long a stopping process waits for requests and jobs in flight", func(c *Config, v string) error {
		return positiveDuration(&c.ShutdownTimeout, v)
	}},
	{"STORAGE", "local", "blob store for images and backups: local or s3", func(c *Config, v string) error {
		return oneOf(&c.Storage, v, "local", "s3")
	}},
	{"STORAGE_DIR", "", "directory of the local blob store (default DATA_DIR/blobs)", func(c *Config, v string) error {
		c.StorageDir = v
		return nil
	}},
	{"S3_BUCKET", "", "S3 bucket (required with STORAGE=s3); credentials come from the standard AWS chain", func(c *Config, v string) error {
		c.S3Bucket = v
		return nil
	}},
	{"S3_ENDPOINT", "", "S3 endpoint URL for S3-compatible servers (MinIO); empty for AWS", func(c *Config, v string) error {
		if v != "" {
			if u, err := url.Parse(v); err != nil || u.Host == "" {
				return errors.New("must be an absolute URL such as http://127.0.0.1:9000")
			}
		}
		c.S3Endpoint = v
		return nil
	}},
	{"S3_REGION", "us-east-1", "S3 region", func(c *Config, v string) error {
		c.S3Region = v
		return nil
	}},
	{"S3_FORCE_PATH_STYLE", "false", "path-style bucket addressing (MinIO and most S3-compatible servers need true)", func(c *Config, v string) error {
		return boolean(&c.S3PathStyle, v)
	}},
	{"S3_PRESIGN_TTL", "5m", "lifetime of presigned image download URLs", func(c *Config, v string) error {
		return positiveDuration(&c.S3PresignTTL, v)
	}},
	{"AUTH_MODE", "auth0", "auth0 (any OIDC issuer) or dev (local signing key; `snapnote dev` only by default)", func(c *Config, v string) error {
		return oneOf(&c.AuthMode, v, "auth0", "dev")
	}},
	{"AUTH0_DOMAIN", "", "Auth0 tenant domain, e.g. tenant.eu.auth0.com (issuer https://DOMAIN/)", func(c *Config, v string) error {
		c.Auth0Domain = strings.TrimSuffix(strings.TrimPrefix(v, "https://"), "/")
		return nil
	}},
	{"AUTH0_AUDIENCE", "", "expected audience (aud) of access tokens", func(c *Config, v string) error {
		c.Auth0Audience = v
		return nil
	}},
	{"AUTH_ISSUER_URL", "", "exact issuer (iss) of another OIDC provider; overrides AUTH0_DOMAIN", func(c *Config, v string) error {
		c.AuthIssuerURL = v
		return nil
	}},
	{"AUTH_JWKS_URL", "", "JWKS URL; default found through the issuer's discovery document", func(c *Config, v string) error {
		c.AuthJWKSURL = v
		return nil
	}},
	{"AUTH_JWKS_CACHE_TTL", "10m", "how long fetched signing keys are cached", func(c *Config, v string) error {
		return positiveDuration(&c.AuthJWKSTTL, v)
	}},
	{"AUTH_CLIENT_ID", "", "public OIDC client id the web app signs in with (Authorization Code + PKCE; no secret)", func(c *Config, v string) error {
		c.AuthClientID = v
		return nil
	}},
	{"CORS_ORIGINS", "", "browser origins allowed to call the API, comma-separated (e.g. https://app.snapnote.io); empty allows none", func(c *Config, v string) error {
		c.CORSOrigins = nil
		for _, o := range strings.Split(v, ",") {
			if o = strings.TrimSpace(o); o == "" {
				continue
			}
			if u, err := url.Parse(o); o != "*" && (err != nil || u.Host == "" || u.Path != "") {
				return fmt.Errorf("%q is not an origin such as https://app.example.com", o)
			}
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
		return nil
	}},
	{"ADMIN_SUBS", "", "token subjects (sub) who may open River UI at /riverui, comma-separated; empty turns /riverui off", func(c *Config, v string) error {
		c.AdminSubs = nil
		for _, sub := range strings.Split(v, ",") {
			if sub = strings.TrimSpace(sub); sub != "" {
				c.AdminSubs = append(c.AdminSubs, sub)
			}
		}
		return nil
	}},
	{"RATE_LIMIT", "10", "requests per second each user may make on average (0 turns the limit off)", func(c *Config, v string) error {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || n < 0 {
			return errors.New("must be a number of requests per second, 0 or more")
		}
		c.RateLimit = n
		return nil
	}},
	{"RATE_BURST", "40", "requests a user may make at once above the average", func(c *Config, v string) error {
		return intIn(&c.RateBurst, v, 1, 100000)
	}},
	{"RATE_LIMIT_IP", "100", "requests per second each client address may make on average, checked before the token (0 turns the limit off); a campus behind one NAT address shares it", func(c *Config, v string) error {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || n < 0 {
			return errors.New("must be a number of requests per second, 0 or more")
		}
		c.RateLimitIP = n
		return nil
	}},
	{"RATE_BURST_IP", "400", "requests a client address may make at once above the average", func(c *Config, v string) error {
		return intIn(&c.RateBurstIP, v, 1, 1000000)
	}},
	{"CONNS_PER_IP", "128", "connections a client address may hold open at once; more are answered 429 and closed (0 turns the limit off; trusted proxies are not limited)", func(c *Config, v string) error {
		return intIn(&c.ConnsPerIP, v, 0, 1000000)
	}},
	{"BODY_READ_TIMEOUT", "15s", "how long a request body may take to arrive, on every route but the uploads' (UPLOAD_READ_TIMEOUT); a slower one answers 408 and its connection is closed", func(c *Config, v string) error {
		return positiveDuration(&c.BodyReadTimeout, v)
	}},
	{"TRUSTED_PROXIES", "", "comma-separated CIDRs of proxies in front of the API (e.g. 10.0.0.0/8); only a peer in them has its X-Forwarded-For read, and the rightmost address not in them is the client", func(c *Config, v string) error {
		return parsePrefixes(&c.TrustedProxies, v)
	}},
	{"UPLOAD_MAX_BYTES", "20971520", "largest accepted upload body in bytes (20 MiB)", func(c *Config, v string) error {
		return int64In(&c.UploadMaxBytes, v, 1024, 1<<30)
	}},
	{"UPLOAD_CONCURRENCY", "8", "uploads one API process checks and stores at once, each holding one page in memory (up to UPLOAD_MAX_BYTES); bodies are received to disk first, holding no slot", func(c *Config, v string) error {
		return intIn(&c.UploadConcurrency, v, 1, 1024)
	}},
	{"UPLOAD_MAX_PAGES", "20", "most files (pages of one note) in one upload", func(c *Config, v string) error {
		return intIn(&c.UploadMaxPages, v, 1, 1000)
	}},
	{"UPLOADS_PER_USER", "4", "most uploads of one user one API process receives at once; more answer 429", func(c *Config, v string) error {
		return intIn(&c.UploadsPerUser, v, 1, 1024)
	}},
	{"UPLOADS_RECEIVING", "64", "most uploads one API process receives at once, all users together; more answer 503", func(c *Config, v string) error {
		return intIn(&c.UploadsReceiving, v, 1, 65536)
	}},
	{"UPLOAD_MAX_PIXELS", "50000000", "largest accepted image in pixels (width × height), checked before decoding", func(c *Config, v string) error {
		return int64In(&c.UploadMaxPixel, v, 1, 1<<32)
	}},
	{"UPLOAD_READ_TIMEOUT", "2m", "how long a client may take to send an upload (phones on slow networks)", func(c *Config, v string) error {
		return positiveDuration(&c.UploadTimeout, v)
	}},
	{"OCR_LANG", "eng", "tesseract languages, e.g. eng+deu: what new courses are read in", func(c *Config, v string) error {
		// New courses take it as their language, which the courses table checks against the
		// same pattern; "auto" names no language to read in first.
		if v == snapnote.LanguageAuto || !courseLanguage.MatchString(v) {
			return errors.New("must be tesseract language codes joined by +, e.g. eng+deu")
		}
		c.OCRLang = v
		return nil
	}},
	{"OCR_CONCURRENCY", "", "OCR jobs run at once per worker (default: number of CPUs)", func(c *Config, v string) error {
		if v == "" {
			c.OCRConcurrency = runtime.NumCPU()
			return nil
		}
		return intIn(&c.OCRConcurrency, v, 1, 1024)
	}},
	{"OCR_TIMEOUT", "2m", "longest one OCR run may take", func(c *Config, v string) error {
		return positiveDuration(&c.OCRTimeout, v)
	}},
	{"OCR_MEMORY", "167772160", "bytes a worker gives the pages it reads at once (160 MiB): each OCR job takes what its page needs, planned from the image's header; the API refuses a photo that could not fit", func(c *Config, v string) error {
		return int64In(&c.OCRMemory, v, 16<<20, 1<<40)
	}},
	{"OCR_RECYCLE_PAGES", "500", "a warm OCR engine is replaced by a fresh one after reading this many pages, between pages (0: never)", func(c *Config, v string) error {
		return intIn(&c.OCRRecyclePages, v, 0, 1<<30)
	}},
	{"OCR_RECYCLE_RSS", "419430400", "bytes of resident memory (400 MiB) above which a warm OCR engine is replaced after its page (0: never; Linux only)", func(c *Config, v string) error {
		// An idle engine holds about 55 MB: a smaller limit (400 meant as megabytes, say)
		// would start a new engine after every page.
		if v == "0" {
			c.OCRRecycleRSS = 0
			return nil
		}
		if err := int64In(&c.OCRRecycleRSS, v, 64<<20, 1<<40); err != nil {
			return fmt.Errorf("must be 0 (never) or bytes from %d (64 MiB) to %d", int64(64<<20), int64(1<<40))
		}
		return nil
	}},
	{"PDF_MAX_PAGES", "50", "most pages of an uploaded PDF the worker reads; a longer PDF fails its upload (pdf_too_many_pages)", func(c *Config, v string) error {
		return intIn(&c.PDFMaxPages, v, 1, 10000)
	}},
	{"WORKER_DEAD_AFTER", "30s", "a worker silent this long is dead: the others hand its running jobs back to the queue", func(c *Config, v string) error {
		return positiveDuration(&c.WorkerDeadAfter, v)
	}},
	{"OCR_ENGINE", "tesseract", "who reads photos: tesseract, or vision (a vision model at LLM_BASE_URL transcribes them to Markdown)", func(c *Config, v string) error {
		return oneOf(&c.OCREngine, v, "tesseract", "vision")
	}},
	{"OCR_VISION_FALLBACK", "true", "with OCR_ENGINE=vision, read the photo with tesseract when the vision model fails", func(c *Config, v string) error {
		return boolean(&c.OCRVisionFallback, v)
	}},
	{"OCR_VISION_MODEL", "", "model for OCR_ENGINE=vision; it must read images (default LLM_MODEL)", func(c *Config, v string) error {
		c.OCRVisionModel = v
		return nil
	}},
	{"LLM_BASE_URL", "", "OpenAI-compatible API that formats notes, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1 (Ollama); empty: the built-in formatter", func(c *Config, v string) error {
		if v != "" {
			if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return errors.New("must be an http:// or https:// URL such as https://api.openai.com/v1")
			}
		}
		c.LLMBaseURL = v
		return nil
	}},
	{"LLM_API_KEY", "", "bearer token for LLM_BASE_URL (secret: never logged); empty for servers without auth", func(c *Config, v string) error {
		c.LLMAPIKey = v
		return nil
	}},
	{"LLM_MODEL", "", "model that formats notes, e.g. gpt-4o-mini (required with LLM_BASE_URL)", func(c *Config, v string) error {
		c.LLMModel = v
		return nil
	}},
	{"LLM_CONCURRENCY", "16", "format jobs (LLM requests) at once per worker", func(c *Config, v string) error {
		return intIn(&c.LLMConcurrency, v, 1, 1024)
	}},
	{"LLM_TIMEOUT", "60s", "longest one LLM request may take; a timeout is retried like a busy service", func(c *Config, v string) error {
		return positiveDuration(&c.LLMTimeout, v)
	}},
	{"LLM_MAX_CHUNK_CHARS", "6000", "longer OCR texts are sent in parts of at most this many characters, cut between paragraphs", func(c *Config, v string) error {
		return intIn(&c.LLMMaxChunkChars, v, 500, 1_000_000)
	}},
	{"TRASH_RETENTION", "720h", "how long courses and documents stay in trash before the daily purge deletes them", func(c *Config, v string) error {
		return positiveDuration(&c.TrashRetention, v)
	}},
	{"BACKUP_SCHEDULE", "0 3 * * *", "when the worker backs up the database (and local blobs): a 5-field cron expression or @daily, @every 6h; UTC unless it starts with CRON_TZ=Zone", func(c *Config, v string) error {
		spec := v
		if !strings.HasPrefix(spec, "CRON_TZ=") && !strings.HasPrefix(spec, "TZ=") {
			spec = "CRON_TZ=UTC " + spec
		}
		s, err := cron.ParseStandard(spec)
		if err != nil {
			return fmt.Errorf("must be a cron expression such as \"0 3 * * *\": %w", err)
		}
		c.BackupSchedule, c.BackupSpec = s, v
		return nil
	}},
	{"BACKUP_KEEP", "14", "how many of the newest backups to keep; older ones are deleted", func(c *Config, v string) error {
		return intIn(&c.BackupKeep, v, 1, 10000)
	}},
	{"ORPHAN_MIN_AGE", "24h", "unreferenced uploaded blobs younger than this are spared by the daily orphan sweep (at least 1h)", func(c *Config, v string) error {
		if err := positiveDuration(&c.OrphanMinAge, v); err != nil {
			return err
		}
		if c.OrphanMinAge < time.Hour {
			return errors.New("must be at least 1h: an upload's blob is written before its row commits")
		}
		return nil
	}},
}

// Load reads every variable from getenv (os.Getenv in production), after
// loading .env from the working directory when it exists (real environment
// variables win). All bad values are reported together.
func Load(getenv func(string) string) (*Config, error) {
	if err := godotenv.Load(); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read .env: %w", err)
	}
	return parse(getenv)
}

func parse(getenv func(string) string) (*Config, error) {
	c := &Config{}
	var errs []error
	for _, v := range vars {
		value, ok := lookup(getenv, v)
		if err := v.set(c, value); err != nil {
			source := "default"
			if ok {
				source = "value"
			}
			errs = append(errs, fmt.Errorf("%s: %w (%s %q)", v.Name, err, source, shown(v.Name, value)))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if c.StorageDir == "" {
		c.StorageDir = filepath.Join(c.DataDir, "blobs")
	}
	return c, nil
}

// secretVars are never echoed back, even in an error message.
var secretVars = map[string]bool{"LLM_API_KEY": true}

// shown is a value as error messages may print it: secrets hidden, and
// passwords in URLs (DATABASE_URL, say) masked.
func shown(name, value string) string {
	if secretVars[name] {
		return "(hidden)"
	}
	if u, err := url.Parse(value); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			return u.Redacted()
		}
	}
	return value
}

func lookup(getenv func(string) string, v Var) (string, bool) {
	if value := strings.TrimSpace(getenv(v.Name)); value != "" {
		return value, true
	}
	return v.Default, false
}

// Validate checks that the settings fit together for a subcommand that
// serves or works (api, worker, dev).
func (c *Config) Validate() error {
	var errs []error
	if c.LLMBaseURL != "" && c.LLMModel == "" {
		errs = append(errs, errors.New("LLM_MODEL: required when LLM_BASE_URL is set"))
	}
	if c.OCREngine == "vision" {
		if c.LLMBaseURL == "" {
			errs = append(errs, errors.New("LLM_BASE_URL: required when OCR_ENGINE=vision"))
		} else if c.OCRVisionModel == "" && c.LLMModel == "" {
			errs = append(errs, errors.New("OCR_VISION_MODEL or LLM_MODEL: one is required when OCR_ENGINE=vision"))
		}
	}
	if c.Storage == "s3" && c.S3Bucket == "" {
		errs = append(errs, errors.New("S3_BUCKET: required when STORAGE=s3"))
	}
	if c.AuthMode == "auth0" {
		if c.Issuer() == "" {
			errs = append(errs, errors.New("AUTH0_DOMAIN or AUTH_ISSUER_URL: one is required when AUTH_MODE=auth0 (or set AUTH_MODE=dev for local use)"))
		}
		if c.Auth0Audience == "" {
			errs = append(errs, errors.New("AUTH0_AUDIENCE: required when AUTH_MODE=auth0"))
		}
	}
	return errors.Join(errs...)
}

// Values of DATABASE_POOLING.
const (
	PoolingSession     = "session"
	PoolingTransaction = "transaction"
)

// TransactionPooling reports whether DATABASE_URL goes through a
// transaction-mode pooler.
func (c *Config) TransactionPooling() bool { return c.DatabasePooling == PoolingTransaction }

// SessionURL is the database URL for work that needs a session of its own:
// migrations (a session advisory lock, DDL) and pg_dump/pg_restore (which
// set search_path for the whole session, and would leave it so for whoever
// a transaction-mode pooler hands that server connection to next). It is
// DATABASE_DIRECT_URL when set; behind a transaction-mode pooler without
// one, that work is refused, saying so.
func (c *Config) SessionURL() (string, error) {
	switch {
	case c.DatabaseDirectURL != "":
		return c.DatabaseDirectURL, nil
	case c.TransactionPooling():
		return "", errors.New("migrations and backups need a direct connection to Postgres, not a transaction-mode pooler: " +
			"set DATABASE_DIRECT_URL (DATABASE_POOLING=transaction)")
	}
	return c.DatabaseURL, nil
}

// Issuer is the exact "iss" expected in access tokens ("" in dev mode).
func (c *Config) Issuer() string {
	switch {
	case c.AuthIssuerURL != "":
		return c.AuthIssuerURL
	case c.Auth0Domain != "":
		return "https://" + c.Auth0Domain + "/"
	}
	return ""
}

func intIn(dst *int, v string, lo, hi int) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return fmt.Errorf("must be a whole number from %d to %d", lo, hi)
	}
	*dst = n
	return nil
}

func int64In(dst *int64, v string, lo, hi int64) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return fmt.Errorf("must be a whole number from %d to %d", lo, hi)
	}
	*dst = n
	return nil
}

func positiveDuration(dst *time.Duration, v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return errors.New("must be a positive duration such as 30s, 5m or 24h")
	}
	*dst = d
	return nil
}

func boolean(dst *bool, v string) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return errors.New("must be true or false")
	}
	*dst = b
	return nil
}

func oneOf(dst *string, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			*dst = v
			return nil
		}
	}
	return fmt.Errorf("must be one of %s", strings.Join(allowed, ", "))
}
