package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

// `snapnote openapi` prints the document /openapi.json serves, with no
// database and no settings.
func TestOpenAPIPrintsTheDocument(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"openapi"}, func(string) string { return "" }, &out, io.Discard))
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
	require.Equal(t, "3.1.0", doc.OpenAPI)
	require.Contains(t, doc.Paths, "/api/uploads")
	require.Error(t, run(context.Background(), []string{"openapi", "extra"}, func(string) string { return "" }, io.Discard, io.Discard))
}
