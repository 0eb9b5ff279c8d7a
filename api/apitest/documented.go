package apitest

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
)

// requireDocumented wraps the API under test so that every response's status
// is checked against the OpenAPI document the API serves: a route that
// answers a status its operation does not document fails the test that made
// the request. It runs for every request of the api and e2e suites
// (SetupBundle installs it), so a new error path shows up as soon as a test
// takes it.
//
// Paths the document does not describe (/metrics, /docs, /openapi.json,
// /riverui, the JWKS) are not checked. 499 is not checked either: it is what
// the access log records when the client has gone, and nobody receives it.
func requireDocumented(t testing.TB, oapi *huma.OpenAPI, next http.Handler) http.Handler {
	t.Helper()
	routes := http.NewServeMux()
	ops := map[string]*huma.Operation{}
	for path, item := range oapi.Paths {
		for method, op := range map[string]*huma.Operation{
			http.MethodGet: item.Get, http.MethodPost: item.Post, http.MethodPut: item.Put,
			http.MethodPatch: item.Patch, http.MethodDelete: item.Delete,
		} {
			if op == nil {
				continue
			}
			pattern := method + " " + path
			ops[pattern] = op
			routes.Handle(pattern, http.NotFoundHandler())
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pattern := routes.Handler(r)
		op := ops[pattern]
		if op == nil {
			next.ServeHTTP(w, r)
			return
		}
		rec := &checkedWriter{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		if status != 499 && !documents(op, status) {
			t.Errorf("%s %s answered %d, which operation %q does not document (it documents %s)",
				r.Method, r.URL.Path, status, op.OperationID, strings.Join(responseCodes(op), ", "))
		}
	})
}

// documents reports whether op documents status: itself, its range (4XX) or default.
func documents(op *huma.Operation, status int) bool {
	code := strconv.Itoa(status)
	for _, key := range []string{code, code[:1] + "XX", "default"} {
		if op.Responses[key] != nil {
			return true
		}
	}
	return false
}

func responseCodes(op *huma.Operation) []string {
	codes := make([]string, 0, len(op.Responses))
	for code := range op.Responses {
		codes = append(codes, code)
	}
	return codes
}

// checkedWriter remembers the first status written. It keeps Unwrap, so
// flushing an event stream through http.ResponseController still works.
type checkedWriter struct {
	http.ResponseWriter
	status int
}

func (w *checkedWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *checkedWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *checkedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
