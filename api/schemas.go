package api

import (
	"encoding/json"
	"net/http"
	"net/netip"
	"reflect"
	"regexp"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/snapnote/snapnote/internal/httpx"
)

// schemasPath is where each schema of the OpenAPI document is served as
// JSON Schema, /schemas/{name}.json: what a body's `$schema` and its
// `Link: <…>; rel="describedBy"` name.
const schemasPath = "/schemas"

// linkSchemas replaces Huma's schema links with ones that resolve. Huma
// builds a body's `$schema` from Servers[0] ("/") whenever the Host starts
// with "localhost" (giving "https:////schemas/…") and from X-Forwarded-Host
// sent by anyone; here the URL is the request's own origin, the scheme
// https when the connection is TLS or a trusted proxy says it was. Huma
// still adds the `$schema` property to the documented schemas and the Link
// header. /schemas is served by serveSchemas, so Huma's route (which
// answers 200 "null" for a name it does not know) is off.
func linkSchemas(hc *huma.Config, trusted []netip.Prefix) {
	hc.SchemasPath = ""
	hc.CreateHooks = []func(huma.Config) huma.Config{func(c huma.Config) huma.Config {
		links := huma.NewSchemaLinkTransformer("#/components/schemas/", schemasPath)
		c.OnAddOperation = append(c.OnAddOperation, links.OnAddOperation)
		c.Transformers = append(c.Transformers, func(ctx huma.Context, status string, v any) (any, error) {
			out, err := links.Transform(ctx, status, v)
			if err != nil {
				return out, err
			}
			setSchemaOrigin(out, requestOrigin(ctx, trusted))
			return out, nil
		})
		return c
	}}
}

// setSchemaOrigin rewrites the `$schema` field Huma's transformer put first
// in out (when it did) to origin followed by the schema's path.
func setSchemaOrigin(out any, origin string) {
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct || v.Elem().NumField() == 0 {
		return
	}
	f := v.Elem().Type().Field(0)
	if f.Tag.Get("json") != "$schema" || f.Type.Kind() != reflect.String {
		return
	}
	field := v.Elem().Field(0)
	if i := strings.LastIndex(field.String(), schemasPath+"/"); i >= 0 {
		field.SetString(origin + field.String()[i:])
	}
}

// requestOrigin is scheme://host as the client addressed the API. The
// scheme is https on a TLS connection, or when a trusted proxy (which ends
// TLS itself) says X-Forwarded-Proto: https.
func requestOrigin(ctx huma.Context, trusted []netip.Prefix) string {
	scheme := "http"
	if ctx.TLS() != nil || (httpx.TrustedPeer(ctx.RemoteAddr(), trusted) && ctx.Header("X-Forwarded-Proto") == "https") {
		scheme = "https"
	}
	return scheme + "://" + ctx.Host()
}

// schemaRef finds the references between schemas, rewritten to the URLs
// they are served at.
var schemaRef = regexp.MustCompile(`#/components/schemas/([^"]+)`)

// serveSchemas answers GET /schemas/{name}.json with the named schema of the
// OpenAPI document, its references rewritten to their own URLs there, and a
// problem 404 for a name the document does not have.
func serveSchemas(mux *http.ServeMux, oapi *huma.OpenAPI) {
	mux.HandleFunc("GET "+schemasPath+"/{file}", func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutSuffix(r.PathValue("file"), ".json")
		schema := oapi.Components.Schemas.Map()[name]
		if !ok || schema == nil {
			httpx.WriteProblem(w, http.StatusNotFound, "no schema named "+r.PathValue("file"))
			return
		}
		body, err := json.Marshal(schema)
		if err != nil {
			httpx.WriteProblem(w, http.StatusInternalServerError, "internal error")
			return
		}
		w.Header().Set("Content-Type", "application/schema+json")
		_, _ = w.Write(schemaRef.ReplaceAll(body, []byte(schemasPath+`/$1.json`)))
	})
}
