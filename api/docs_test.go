package api_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/snapnote/snapnote/api/apitest"
	"github.com/stretchr/testify/require"
)

func TestDocsPageIsOffline(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	res := b.Send(http.MethodGet, "/docs", nil, nil, 1<<20)
	require.Equal(t, http.StatusOK, res.Status)
	require.True(t, strings.HasPrefix(res.Header.Get("Content-Type"), "text/html"))
	page := string(res.Body)
	require.Contains(t, page, "/openapi.json")
	external := regexp.MustCompile(`(?i)<(script|link|img)[^>]+(src|href)\s*=\s*["']?(https?:)?//`)
	require.Empty(t, external.FindAllString(page, -1), "the page loads nothing from another host")
	require.NotContains(t, page, "import(")
}

func TestOpenAPIDescribesEveryOperation(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	res := b.Send(http.MethodGet, "/openapi.json", nil, nil, 4<<20)
	require.Equal(t, http.StatusOK, res.Status)
	var spec struct {
		Paths map[string]map[string]struct {
			Summary   string                `json:"summary"`
			Tags      []string              `json:"tags"`
			Security  []map[string][]string `json:"security"`
			Responses map[string]any        `json:"responses"`
		} `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(res.Body, &spec))
	for _, path := range []string{"/api/courses", "/api/courses/{id}", "/api/courses/{id}/restore", "/api/documents",
		"/api/documents/{id}", "/api/documents/{id}/restore", "/api/documents/{id}/image", "/api/trash", "/api/search"} {
		require.Contains(t, spec.Paths, path)
	}
	for path, ops := range spec.Paths {
		for method, op := range ops {
			require.NotEmpty(t, op.Summary, "%s %s", method, path)
			require.NotEmpty(t, op.Tags, "%s %s", method, path)
			require.NotEmpty(t, op.Responses, "%s %s", method, path)
			if strings.HasPrefix(path, "/api/") && !strings.HasPrefix(path, "/api/health") {
				require.Equal(t, []map[string][]string{{"bearer": {}}}, op.Security, "%s %s", method, path)
			}
		}
	}
}
