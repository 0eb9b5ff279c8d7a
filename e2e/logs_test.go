package e2e_test

import (
	"context"
	"image"
	"image/color"
	"image/draw"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
)

// records keeps every log record, at every level, with its attributes
// (those added by Logger.With too).
type records struct {
	mu   sync.Mutex
	list []logEntry
}

type logEntry struct {
	level slog.Level
	msg   string
	attrs map[string]string
}

// logger returns a logger that records into r.
func (r *records) logger() *slog.Logger { return slog.New(recordHandler{r: r}) }

type recordHandler struct {
	r     *records
	attrs []slog.Attr
}

func (h recordHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h recordHandler) Handle(_ context.Context, rec slog.Record) error {
	e := logEntry{level: rec.Level, msg: rec.Message, attrs: map[string]string{}}
	for _, a := range h.attrs {
		e.attrs[a.Key] = a.Value.String()
	}
	rec.Attrs(func(a slog.Attr) bool {
		e.attrs[a.Key] = a.Value.String()
		return true
	})
	h.r.mu.Lock()
	defer h.r.mu.Unlock()
	h.r.list = append(h.r.list, e)
	return nil
}

func (h recordHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return recordHandler{r: h.r, attrs: append(slices.Clone(h.attrs), as...)}
}

func (h recordHandler) WithGroup(string) slog.Handler { return h }

// find returns the entries with message msg whose attribute key is value.
func (r *records) find(msg, key, value string) []logEntry {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []logEntry
	for _, e := range r.list {
		if e.msg == msg && e.attrs[key] == value {
			out = append(out, e)
		}
	}
	return out
}

// TestLogLevels: a blank page is the user's mistake, told at INFO with no
// ERROR line; static assets are logged at DEBUG, API requests at INFO.
func TestLogLevels(t *testing.T) {
	t.Parallel()
	logs := &records{}
	b := setup(t, withAPI(func(b *apitest.Bundle, cfg *api.Config) {
		b.Logger = logs.logger()
		cfg.Logger = b.Logger
	}))
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	blank := image.NewRGBA(image.Rect(0, 0, 800, 600))
	draw.Draw(blank, blank.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "blank.png", File: apitest.PNGBytes(t, blank)})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.JSON(t, &up)
	failed := alice.WaitSettled(up.ID)
	require.Equal(t, "no_text", failed.Error.Code)

	told := logs.find("stage failed for good", "upload_id", up.ID.String())
	require.Len(t, told, 1)
	require.Equal(t, slog.LevelInfo, told[0].level)
	worked := logs.find("job worked", "kind", "ocr")
	require.NotEmpty(t, worked)
	for _, e := range worked {
		require.Equal(t, slog.LevelInfo, e.level, "a job ended by the user's mistake")
	}
	logs.mu.Lock()
	for _, e := range logs.list {
		require.Less(t, e.level, slog.LevelError, "%s", e.msg)
	}
	logs.mu.Unlock()

	b.Request(http.MethodGet, "/assets/app.js", nil, nil)
	asset := logs.find("http request", "path", "/assets/app.js")
	require.Len(t, asset, 1)
	require.Equal(t, slog.LevelDebug, asset[0].level)
	api := logs.find("http request", "path", "/api/courses")
	require.NotEmpty(t, api)
	require.Equal(t, slog.LevelInfo, api[0].level)
}
