// Package api serves SnapNote's HTTP API with Huma: one file per resource,
// the auth and user middleware, error mapping, and the OpenAPI document.
//
// Every /api route but health needs a bearer token; every query is scoped to
// the caller, so another user's id answers 404 exactly as a missing one does.
package api

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"github.com/snapnote/snapnote/internal/auth"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/httpx"
	"github.com/snapnote/snapnote/internal/intake"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/internal/telemetry"
	"github.com/snapnote/snapnote/storage"
	"github.com/snapnote/snapnote/web"
)

// Config is what the API needs.
type Config struct {
	DB *db.DB
	// Queue is where work enters the job queue; the API never works jobs.
	Queue *queue.Queue
	Blobs storage.Store
	Auth  *auth.Validator
	// DevKey, when set, serves its JWKS at /.well-known/jwks.json (dev auth).
	DevKey *auth.DevKey
	// RiverUI, when set, is served under /riverui to the token subjects in
	// AdminSubs only (see registerRiverUI); cmd/snapnote builds it, so this
	// package stays free of River.
	RiverUI   http.Handler
	AdminSubs []string
	// WorkerMetrics, when set, are served at /metrics with the API's own
	// (dev runs the worker in the API's process).
	WorkerMetrics prometheus.Gatherer
	// TracerProvider makes the requests' spans; nil uses the global one.
	TracerProvider trace.TracerProvider

	// CORSOrigins may call the API from a browser ("*" for any).
	CORSOrigins []string
	// RateLimit is each user's average requests per second (0: no limit),
	// with bursts of RateBurst.
	RateLimit float64
	RateBurst int
	// RateLimitIP is each client address's average requests per second (0:
	// no limit), with bursts of RateBurstIP, checked before authentication.
	RateLimitIP float64
	RateBurstIP int
	// TrustedProxies are the peers whose X-Forwarded-For names the client.
	TrustedProxies []netip.Prefix
	// BodyReadTimeout bounds how long any request body may take to arrive
	// (UploadTimeout, longer, for the uploads'); zero means 15 s.
	BodyReadTimeout time.Duration

	UploadMaxBytes int64
	// UploadMaxPages bounds the files of one upload; zero means one.
	UploadMaxPages int
	// UploadMaxMemory refuses a photo whose reading would need more memory
	// than a worker gives the pages it reads (OCR_MEMORY); zero: no limit.
	UploadMaxMemory int64
	// UploadConcurrency bounds the uploads checked and stored at once (each
	// holds one page in memory); zero means one.
	UploadConcurrency int
	// UploadsPerUser bounds one user's uploads being received at once, and
	// UploadsReceiving everyone's: bodies arrive without holding a slot, so
	// these bound what slow clients can hold. Zero means one.
	UploadsPerUser   int
	UploadsReceiving int
	UploadMaxPixels  int64
	UploadTimeout    time.Duration
	PresignTTL       time.Duration

	// DefaultLanguage is a new course's language when none is given
	// (OCR_LANG); "" leaves it to the database's default.
	DefaultLanguage string
	// Languages are the Tesseract languages installed where the worker
	// reads pages; a course may ask only for these (or auto). Nil accepts
	// any well-formed language, for an API that cannot see the worker's.
	Languages []string

	// Web is how the web app served at / signs in.
	Web web.Config

	Logger *slog.Logger
}

// Server holds the API's dependencies; its methods are the handlers.
type Server struct {
	cfg     Config
	logger  *slog.Logger
	limiter *httpx.UserLimiter
	metrics *metrics
	// uploadSlots holds a token for each upload being checked and stored
	// (one page in memory at a time); admission bounds those received.
	uploadSlots chan struct{}
	admission   *intake.Admission
	ready       readiness
}

const bearerScheme = "bearer"

// defaultBodyReadTimeout is BODY_READ_TIMEOUT's default.
const defaultBodyReadTimeout = 15 * time.Second

// New returns the API's http.Handler and its Huma API (for the OpenAPI document).
func New(cfg Config) (http.Handler, huma.API) {
	cfg.Logger = telemetry.Logger(cfg.Logger)
	m := newMetrics(cfg.DB, cfg.Logger, cfg.WorkerMetrics)
	s := &Server{cfg: cfg, logger: cfg.Logger,
		limiter:     httpx.NewUserLimiter(cfg.RateLimit, cfg.RateBurst),
		metrics:     m,
		uploadSlots: make(chan struct{}, max(cfg.UploadConcurrency, 1)),
		admission:   &intake.Admission{PerUser: cfg.UploadsPerUser, Total: cfg.UploadsReceiving, Receiving: m.receiving}}
	mux := http.NewServeMux()

	hc := huma.DefaultConfig("SnapNote API", "1.0.0")
	hc.Info.Description = "Turns photos of lecture notes into organised, searchable Markdown notes."
	hc.DocsPath = ""
	linkSchemas(&hc, cfg.TrustedProxies)
	describeAPI(&hc)
	hc.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		bearerScheme: {Type: "http", Scheme: "bearer", BearerFormat: "JWT",
			Description: "An Auth0 (or other OIDC) RS256 access token; `snapnote token` prints one in dev mode."},
	}
	humaAPI := humago.New(mux, hc)
	humaAPI.UseMiddleware(nameSpan, s.metrics.observe, httpx.RefuseUnstorableText(humaAPI))
	mux.Handle("GET /metrics", s.metrics.handler())

	s.registerHealth(humaAPI)
	s.registerUser(humaAPI)
	s.registerCourses(humaAPI)
	s.registerUploads(humaAPI)
	s.registerUploadEvents(humaAPI)
	s.registerDocuments(humaAPI)
	s.registerPages(humaAPI)
	s.registerVersions(humaAPI)
	s.registerFigures(humaAPI)
	s.registerExport(humaAPI)
	s.registerTrash(humaAPI)
	s.registerSearch(humaAPI)
	s.registerDocs(mux)
	serveSchemas(mux, humaAPI.OpenAPI())
	s.registerRiverUI(mux)
	web.Register(mux, cfg.Web)

	if cfg.DevKey != nil {
		mux.Handle("GET /.well-known/jwks.json", cfg.DevKey.JWKSHandler())
	}

	authed := auth.Middleware(cfg.Auth, cfg.Logger)(s.withUser(mux))
	root := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, riverUIPath) {
			var ok bool
			if r, ok = s.riverUIByCookie(w, r); !ok {
				return
			}
		}
		if isPublic(r.URL.Path) {
			mux.ServeHTTP(w, r)
			return
		}
		if isUnknownAPIPath(mux, r) {
			httpx.WriteProblem(w, http.StatusNotFound, "no such API route: "+r.URL.Path)
			return
		}
		authed.ServeHTTP(w, r)
	})
	bodyTimeout := cmp.Or(cfg.BodyReadTimeout, defaultBodyReadTimeout)
	return httpx.LimitBodies(bodyTimeout, s.traced(httpx.RequestID(httpx.Recover(s.logger, s.limitClients(s.logRequests(httpx.CORS(cfg.CORSOrigins, root))))))), humaAPI
}

// isPublic lists what answers without a token: health checks, the API
// description and the dev signing keys. Everything else needs one.
func isPublic(path string) bool {
	switch path {
	case "/api/health", "/api/health/db", "/metrics", "/.well-known/jwks.json",
		"/openapi.json", "/openapi.yaml", "/openapi-3.0.json", "/openapi-3.0.yaml":
		return true
	}
	return strings.HasPrefix(path, "/docs") || strings.HasPrefix(path, "/schemas/") || web.Public(path)
}

// routeMethods are the methods the API's routes answer.
var routeMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// isUnknownAPIPath reports whether r is under /api/ on a path no route
// answers with any method: that is a 404 whoever asks, so it is answered
// before authentication, as a problem like every other API error. A known
// path with the wrong method goes on (to 401, or 405 with a token).
func isUnknownAPIPath(mux *http.ServeMux, r *http.Request) bool {
	if !strings.HasPrefix(r.URL.Path, "/api/") {
		return false
	}
	probe := r.Clone(r.Context())
	for _, m := range routeMethods {
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "" {
			return false
		}
	}
	return true
}

// secured marks an operation as needing the bearer token in the OpenAPI document.
func secured(op huma.Operation) huma.Operation {
	op.Security = []map[string][]string{{bearerScheme: {}}}
	return op
}

// ByID is the path of every route on one of the caller's rows; another
// user's id answers 404 exactly as a missing one. It is exported so that
// Huma reads its field when it is embedded in an input.
type ByID struct {
	ID uuid.UUID `path:"id" format:"uuid" doc:"the row's id" example:"0193a1c2-7f1e-7c3a-9d2b-5e8f4a6b1c2d"`
}

// Paging is the keyset pagination query under an exported name, so that
// Huma reads its fields when it is embedded in an input.
type Paging = pageInput

// output is the response of an operation that answers with one JSON body.
type output[T any] struct {
	Body T
}

// created is the response of an operation that makes a row: 201 with the
// row, and Location, the URL it is read at.
type created[T any] struct {
	Location string `header:"Location" doc:"where the new row is read"`
	Body     T
}

// inTx runs fn in one transaction, so a change and its audit row commit or
// roll back together. Errors fn makes for the client (a huma.StatusError)
// pass through; the rest are mapped by fail, naming what.
func (s *Server) inTx(ctx context.Context, what string, fn func(q *db.Queries) error) error {
	err := s.cfg.DB.Tx(ctx, fn)
	if _, ok := errors.AsType[huma.StatusError](err); ok || err == nil {
		return err
	}
	return s.fail(ctx, what, err)
}
