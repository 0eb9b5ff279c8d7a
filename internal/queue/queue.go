// Package queue is the only way work enters SnapNote's job queue: the Args
// of every River job, the queues they run on, the pipeline's stage table,
// and the operations that write rows and insert jobs in one transaction
// (create an upload, retry one, empty the trash, record blob deletions).
//
// It is a leaf: the API inserts through it without linking the workers
// (OCR, formatting, backups), and the workers in package jobs take their
// Args from it.
package queue

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"go.opentelemetry.io/otel/trace"
)

// Queues the jobs run on. CPU-bound OCR and I/O-bound formatting scale
// apart; maintenance never holds up a student's upload.
const (
	OCR         = "ocr"
	LLM         = "llm"
	Default     = river.QueueDefault
	Maintenance = "maintenance"
)

// Day is the period of the daily maintenance jobs, and of their uniqueness:
// at most one of each is inserted per UTC day, however many workers start.
const Day = 24 * time.Hour

// FetchCooldown is the least time between two fetches of one queue. River
// wakes a queue by LISTEN/NOTIFY when a job is inserted; its default of
// 100 ms would add that much to every hop between pipeline stages.
const FetchCooldown = 5 * time.Millisecond

// Queue inserts jobs, each with the rows it belongs to, in one transaction.
type Queue struct {
	pool   *pgxpool.Pool
	client *river.Client[pgx.Tx]
}

// New returns a Queue with an insert-only River client: a process that
// enqueues jobs but never works them (the API). Its spans go to the global
// tracer provider.
func New(pool *pgxpool.Pool, logger *slog.Logger) (*Queue, error) {
	return NewTraced(pool, logger, nil)
}

// NewTraced is New with the spans of inserts made on tp.
func NewTraced(pool *pgxpool.Pool, logger *slog.Logger, tp trace.TracerProvider) (*Queue, error) {
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: logger, FetchCooldown: FetchCooldown,
		Middleware: Middleware(tp)})
	if err != nil {
		return nil, fmt.Errorf("create river insert client: %w", err)
	}
	return &Queue{pool: pool, client: client}, nil
}
