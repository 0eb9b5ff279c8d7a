package api_test

import (
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/draw"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/internal/notes"
)

// TestSchemaLinksResolve: a body's `$schema` and its Link header name a
// URL on the server the client addressed, which answers the schema; for
// the Host the server prints (localhost:PORT) as for any other.
func TestSchemaLinksResolve(t *testing.T) {
	t.Parallel()
	b := Setup(t)
	alice := b.User("alice")
	port := b.Server.URL[strings.LastIndex(b.Server.URL, ":")+1:]

	for _, host := range []string{"", "localhost:" + port, "notes.example.edu"} {
		req, err := http.NewRequest(http.MethodGet, b.Server.URL+"/api/courses", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+alice.Token)
		// Not trusted: a client's forwarded host and scheme are not believed.
		req.Header.Set("X-Forwarded-Host", "evil.example")
		req.Header.Set("X-Forwarded-Proto", "https")
		if host != "" {
			req.Host = host
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var body struct {
			Schema string `json:"$schema"`
		}
		require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
		res.Body.Close()
		want := "http://" + req.Host + "/schemas/CourseListOutputBody.json"
		if host == "" {
			want = b.Server.URL + "/schemas/CourseListOutputBody.json"
		}
		require.Equal(t, want, body.Schema, "Host %q", host)
		require.Equal(t, `</schemas/CourseListOutputBody.json>; rel="describedBy"`, res.Header.Get("Link"))
	}

	schema := b.Request(http.MethodGet, "/schemas/Course.json", nil, nil)
	require.Equal(t, http.StatusOK, schema.Status, "%s", schema.Body)
	require.Equal(t, "application/schema+json", schema.Header.Get("Content-Type"))
	require.Contains(t, string(schema.Body), `"name"`)
	list := b.Request(http.MethodGet, "/schemas/CourseListOutputBody.json", nil, nil)
	require.Contains(t, string(list.Body), `"$ref":"/schemas/Course.json"`, "references point at served schemas")
	RequireProblem(t, b.Request(http.MethodGet, "/schemas/NoSuchThing.json", nil, nil), http.StatusNotFound)
	RequireProblem(t, b.Request(http.MethodGet, "/schemas/Course", nil, nil), http.StatusNotFound)
}

// TestSchemaLinkBehindTrustedProxy: a proxy that ends TLS and is trusted
// makes the scheme https.
func TestSchemaLinkBehindTrustedProxy(t *testing.T) {
	t.Parallel()
	b := SetupWith(t, func(cfg *api.Config) { cfg.TrustedProxies = mustPrefixes("127.0.0.0/8", "::1/128") })
	res := b.User("alice").Call(http.MethodPost, "/api/courses", strings.NewReader(`{"name":"Optics"}`),
		map[string]string{"Content-Type": "application/json", "X-Forwarded-Proto": "https"})
	var body struct {
		Schema string `json:"$schema"`
	}
	res.JSON(t, &body)
	require.Equal(t, "https://"+strings.TrimPrefix(b.Server.URL, "http://")+"/schemas/Course.json", body.Schema)
}

// TestCreatedHasLocation: every 201 the document promises says Location,
// and create-course sends one that reads the course.
func TestCreatedHasLocation(t *testing.T) {
	t.Parallel()
	b := Setup(t)
	for path, ops := range b.openAPI().Paths {
		for method, op := range ops {
			if r, ok := op.Responses["201"]; ok {
				require.Contains(t, r.Headers, "Location", "%s %s", method, path)
			}
		}
	}
	alice := b.User("alice")
	res := alice.PostJSON("/api/courses", map[string]string{"name": "Optics"})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var c api.Course
	res.JSON(t, &c)
	require.Equal(t, "/api/courses/"+c.ID.String(), res.Header.Get("Location"))
	var again api.Course
	alice.GetJSON(res.Header.Get("Location"), &again)
	require.Equal(t, c.ID, again.ID)
}

// TestUnknownAPIPathIsProblem404: with a token or without, an /api path
// no route has answers a problem 404; a known path still asks for a token,
// and a wrong method on it still answers 405.
func TestUnknownAPIPathIsProblem404(t *testing.T) {
	t.Parallel()
	b := Setup(t)
	alice := b.User("alice")
	for _, path := range []string{"/api/nope", "/api/courses/x/y/z", "/api/"} {
		RequireProblem(t, b.Request(http.MethodGet, path, nil, nil), http.StatusNotFound)
		RequireProblem(t, alice.Do(http.MethodPost, path, nil, ""), http.StatusNotFound)
	}
	RequireProblem(t, b.Request(http.MethodGet, "/api/courses", nil, nil), http.StatusUnauthorized)
	require.Equal(t, http.StatusMethodNotAllowed, alice.Do(http.MethodPut, "/api/courses", nil, "").Status)
}

// TestUploadDocumentsPagesAndStream: the document lets a generated client
// send several files and tells of the event stream.
func TestUploadDocumentsPagesAndStream(t *testing.T) {
	t.Parallel()
	res := Setup(t).Send(http.MethodGet, "/openapi.json", nil, nil, 4<<20)
	var doc struct {
		Paths map[string]map[string]struct {
			Description string `json:"description"`
			RequestBody struct {
				Content map[string]struct {
					Schema struct {
						Properties map[string]struct {
							Type  string `json:"type"`
							Items struct {
								Type   string `json:"type"`
								Format string `json:"format"`
							} `json:"items"`
						} `json:"properties"`
					} `json:"schema"`
				} `json:"content"`
			} `json:"requestBody"`
		} `json:"paths"`
	}
	res.JSON(t, &doc)
	create := doc.Paths["/api/uploads"]["post"]
	file := create.RequestBody.Content["multipart/form-data"].Schema.Properties["file"]
	require.Equal(t, "array", file.Type)
	require.Equal(t, "string", file.Items.Type)
	require.Equal(t, "binary", file.Items.Format)
	require.Contains(t, create.Description, "/api/uploads/{id}/events")
	require.Contains(t, doc.Paths, "/api/uploads/{id}/events", "the stream the description names exists")
}

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
	b := SetupBundle(t, func(b *Bundle, cfg *api.Config) {
		b.Logger = logs.logger()
		cfg.Logger = b.Logger
	})
	b.startWorker(notes.Builtin{})
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	blank := image.NewRGBA(image.Rect(0, 0, 800, 600))
	draw.Draw(blank, blank.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	res := alice.Upload(Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "blank.png", File: PNGBytes(t, blank)})
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

// TestExportNamesNonASCII: a course named in another script downloads
// under its name, as filename*.
func TestExportNamesNonASCII(t *testing.T) {
	t.Parallel()
	b := Setup(t)
	alice := b.User("alice")
	course := alice.CreateCourse("Übungen")
	_, res := readZip(t, b, alice, "/api/courses/"+course.ID.String()+"/export")
	require.Equal(t, `attachment; filename="snapnote-_bungen.zip"; filename*=UTF-8''snapnote-%C3%9Cbungen.zip`,
		res.Header.Get("Content-Disposition"))
}
