package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
)

// TestSchemaLinksResolve: a body's `$schema` and its Link header name a
// URL on the server the client addressed, which answers the schema; for
// the Host the server prints (localhost:PORT) as for any other.
func TestSchemaLinksResolve(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
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
	apitest.RequireProblem(t, b.Request(http.MethodGet, "/schemas/NoSuchThing.json", nil, nil), http.StatusNotFound)
	apitest.RequireProblem(t, b.Request(http.MethodGet, "/schemas/Course", nil, nil), http.StatusNotFound)
}

// TestSchemaLinkBehindTrustedProxy: a proxy that ends TLS and is trusted
// makes the scheme https.
func TestSchemaLinkBehindTrustedProxy(t *testing.T) {
	t.Parallel()
	b := apitest.SetupWith(t, func(cfg *api.Config) { cfg.TrustedProxies = mustPrefixes("127.0.0.0/8", "::1/128") })
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
	b := apitest.Setup(t)
	for path, ops := range openAPI(b).Paths {
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
	b := apitest.Setup(t)
	alice := b.User("alice")
	for _, path := range []string{"/api/nope", "/api/courses/x/y/z", "/api/"} {
		apitest.RequireProblem(t, b.Request(http.MethodGet, path, nil, nil), http.StatusNotFound)
		apitest.RequireProblem(t, alice.Do(http.MethodPost, path, nil, ""), http.StatusNotFound)
	}
	apitest.RequireProblem(t, b.Request(http.MethodGet, "/api/courses", nil, nil), http.StatusUnauthorized)
	require.Equal(t, http.StatusMethodNotAllowed, alice.Do(http.MethodPut, "/api/courses", nil, "").Status)
}

// TestUploadDocumentsPagesAndStream: the document lets a generated client
// send several files and tells of the event stream.
func TestUploadDocumentsPagesAndStream(t *testing.T) {
	t.Parallel()
	res := apitest.Setup(t).Send(http.MethodGet, "/openapi.json", nil, nil, 4<<20)
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

// TestExportNamesNonASCII: a course named in another script downloads
// under its name, as filename*.
func TestExportNamesNonASCII(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	alice := b.User("alice")
	course := alice.CreateCourse("Übungen")
	_, res := apitest.ReadZip(t, alice, "/api/courses/"+course.ID.String()+"/export")
	require.Equal(t, `attachment; filename="snapnote-_bungen.zip"; filename*=UTF-8''snapnote-%C3%9Cbungen.zip`,
		res.Header.Get("Content-Disposition"))
}
