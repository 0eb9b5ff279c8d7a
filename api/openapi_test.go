package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api/apitest"
	"github.com/snapnote/snapnote/internal/queue"
)

// openAPIDoc is the part of /openapi.json these tests read.
type openAPIDoc struct {
	Servers []struct {
		URL string `json:"url"`
	} `json:"servers"`
	Info struct {
		License *struct {
			Name string `json:"name"`
		} `json:"license"`
	} `json:"info"`
	Paths map[string]map[string]struct {
		OperationID string                 `json:"operationId"`
		Security    *[]map[string][]string `json:"security"`
		Responses   map[string]struct {
			Headers map[string]struct {
				Required bool `json:"required"`
			} `json:"headers"`
			Content map[string]struct {
				Schema json.RawMessage `json:"schema"`
			} `json:"content"`
		} `json:"responses"`
	} `json:"paths"`
	Components struct {
		Schemas map[string]struct {
			Properties map[string]struct {
				Enum []string `json:"enum"`
			} `json:"properties"`
		} `json:"schemas"`
	} `json:"components"`
}

func openAPI(b *apitest.Bundle) openAPIDoc {
	b.T.Helper()
	res := b.Send(http.MethodGet, "/openapi.json", nil, nil, 4<<20)
	require.Equal(b.T, http.StatusOK, res.Status)
	var doc openAPIDoc
	res.JSON(b.T, &doc)
	return doc
}

// TestOpenAPIDocumentsErrors holds what a generated client relies on: every
// operation that needs a token documents 401 and 429 (with Retry-After) as
// problems, none falls back to a catch-all `default`, and public routes say
// `security: []`.
func TestOpenAPIDocumentsErrors(t *testing.T) {
	t.Parallel()
	doc := openAPI(apitest.Setup(t))
	require.NotEmpty(t, doc.Servers)
	require.NotNil(t, doc.Info.License)
	for path, ops := range doc.Paths {
		for method, op := range ops {
			where := method + " " + path
			require.NotContains(t, op.Responses, "default", where)
			require.NotNil(t, op.Security, "%s: security must be stated, [] when public", where)
			for code, r := range op.Responses {
				// 416 comes from http.ServeContent, in plain text.
				if (code[0] == '4' || code[0] == '5') && code != "416" {
					require.Contains(t, r.Content, "application/problem+json", "%s %s", where, code)
				}
			}
			if strings.HasPrefix(path, "/api/health") {
				require.Empty(t, *op.Security, where)
				continue
			}
			require.Equal(t, []map[string][]string{{"bearer": {}}}, *op.Security, where)
			require.Contains(t, op.Responses, "401", where)
			require.Contains(t, op.Responses, "429", where)
			require.True(t, op.Responses["429"].Headers["Retry-After"].Required, "%s: 429 carries Retry-After", where)
			if strings.Contains(path, "{id}") {
				require.Contains(t, op.Responses, "404", where)
			}
		}
	}
	require.Contains(t, doc.Paths["/api/uploads/{id}/retry"]["post"].Responses, "409")
	require.Contains(t, doc.Paths["/api/uploads"]["post"].Responses, "413")
	require.Contains(t, doc.Paths["/api/uploads"]["post"].Responses, "415")
	require.Contains(t, doc.Paths["/api/health/db"]["get"].Responses, "503")
}

// TestOpenAPITypesUploadEvents: the event stream is described event by
// event, so a client knows a `status` event carries an Upload.
func TestOpenAPITypesUploadEvents(t *testing.T) {
	t.Parallel()
	doc := openAPI(apitest.Setup(t))
	stream := doc.Paths["/api/uploads/{id}/events"]["get"].Responses["200"].Content["text/event-stream"].Schema
	// One event type: its schema stands alone, not in a oneOf of one.
	var schema struct {
		Items struct {
			Properties struct {
				Event struct {
					Const string `json:"const"`
				} `json:"event"`
				Data struct {
					Ref string `json:"$ref"`
				} `json:"data"`
			} `json:"properties"`
			Required []string `json:"required"`
		} `json:"items"`
	}
	require.NoError(t, json.Unmarshal(stream, &schema), "%s", stream)
	require.Equal(t, "status", schema.Items.Properties.Event.Const)
	require.Equal(t, "#/components/schemas/Upload", schema.Items.Properties.Data.Ref)
	require.ElementsMatch(t, []string{"data", "event"}, schema.Items.Required)
}

// TestOpenAPIStagesAreTheStageTable: the stage enum an upload documents,
// like the stages the web app gets in /app-config.json, is queue.Stages, in order.
func TestOpenAPIStagesAreTheStageTable(t *testing.T) {
	t.Parallel()
	doc := openAPI(apitest.Setup(t))
	var names []string
	for _, s := range queue.Stages {
		names = append(names, s.Name)
	}
	require.Equal(t, names, doc.Components.Schemas["Upload"].Properties["stage"].Enum)
}

// TestColorPatternStillExplained: the document drops Huma's non-standard
// patternDescription, but the 422 still tells the caller the format.
func TestColorPatternStillExplained(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	alice := b.User("alice")
	res := alice.SendJSON(http.MethodPost, "/api/courses", map[string]any{"name": "X", "color": "red"})
	apitest.RequireProblem(t, res, http.StatusUnprocessableEntity)
	require.Contains(t, string(res.Body), "#RRGGBB")
	c := alice.CreateCourse("Optics")
	res = alice.SendJSON(http.MethodPatch, "/api/courses/"+c.ID.String(), map[string]any{"color": "blue"})
	apitest.RequireProblem(t, res, http.StatusUnprocessableEntity)
	require.Contains(t, string(res.Body), "#RRGGBB")
	require.NotContains(t, string(b.Send(http.MethodGet, "/openapi.json", nil, nil, 4<<20).Body), `"patternDescription"`)
}
