package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"

	"github.com/snapnote/snapnote/api"
)

// runOpenAPI prints the API's OpenAPI document, the one /openapi.json
// serves, without a database or a listener: for client generators and the
// linter scripts/test.sh runs.
func runOpenAPI(args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("openapi: unexpected argument %q", args[0])
	}
	_, humaAPI := api.New(api.Config{Logger: slog.New(slog.DiscardHandler)})
	doc, err := json.MarshalIndent(humaAPI.OpenAPI(), "", "  ")
	if err != nil {
		return fmt.Errorf("openapi: %w", err)
	}
	_, err = fmt.Fprintf(stdout, "%s\n", doc)
	return err
}
