package api

import (
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// describeAPI fills in what the OpenAPI document says about the API as a
// whole (where it is served, its licence) and installs documentErrors, so
// that every operation documents the errors it really answers, however it
// was registered.
func describeAPI(hc *huma.Config) {
	hc.Servers = []*huma.Server{{
		URL:         "/",
		Description: "The server that serves this document.",
	}}
	hc.Info.License = &huma.License{
		Name:       "Proprietary: all rights reserved",
		Identifier: "LicenseRef-SnapNote-Proprietary",
	}
	hc.OnAddOperation = append(hc.OnAddOperation, documentErrors)
}

// problemStatuses are the error statuses the stack in front of an operation
// can answer, by what the operation has; the handler's own ones (409, a
// route's 404 on a filter) come from the operation's Errors.
var (
	// securedStatuses: auth.Middleware (401, 503 when the issuer's keys
	// cannot be fetched) and withUser (403 deactivated, 429 rate limit, 503
	// user store down).
	securedStatuses = []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusServiceUnavailable}
	// pathStatuses: an {id} that is not the caller's answers 404; one that
	// is no UUID fails Huma's validation, 422; text that cannot be stored
	// (NUL, invalid UTF-8) is refused with 400 (refuseUnstorableText).
	pathStatuses = []int{http.StatusBadRequest, http.StatusNotFound, http.StatusUnprocessableEntity}
	// paramStatuses: Huma validates query and header parameters; text that
	// cannot be stored is refused with 400.
	paramStatuses = []int{http.StatusBadRequest, http.StatusUnprocessableEntity}
	// bodyStatuses: Huma answers 400 for a body it cannot parse (or a
	// missing required one), 413 above the body limit, 415 for a content
	// type it cannot read and 422 for one that fails the schema; a body
	// not received within BODY_READ_TIMEOUT answers 408 (limitBodies).
	bodyStatuses = []int{http.StatusBadRequest, http.StatusRequestTimeout, http.StatusRequestEntityTooLarge,
		http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity}
)

// documentErrors is an OnAddOperation hook. It marks public operations
// `security: []`, replaces Huma's catch-all `default` response with the
// statuses op can answer (each an application/problem+json ErrorModel, so a
// generated client has a type for every one), and gives 429 its Retry-After
// header.
func documentErrors(oapi *huma.OpenAPI, op *huma.Operation) {
	// Every route is behind the per-address rate limit (limitClients).
	statuses := []int{http.StatusInternalServerError, http.StatusTooManyRequests}
	if len(op.Security) == 0 {
		op.Security = []map[string][]string{}
	} else {
		statuses = append(statuses, securedStatuses...)
	}
	for _, p := range op.Parameters {
		if p.In == "path" {
			statuses = append(statuses, pathStatuses...)
		} else {
			statuses = append(statuses, paramStatuses...)
		}
	}
	if op.RequestBody != nil {
		statuses = append(statuses, bodyStatuses...)
	}

	problem := errorSchema(oapi)
	delete(op.Responses, "default")
	for _, code := range statuses {
		key := strconv.Itoa(code)
		if op.Responses[key] == nil {
			op.Responses[key] = &huma.Response{
				Description: http.StatusText(code),
				Content:     map[string]*huma.MediaType{"application/problem+json": {Schema: problem}},
			}
		}
	}
	if r := op.Responses[strconv.Itoa(http.StatusTooManyRequests)]; r != nil {
		r.Description = "Too many requests from this client address or user: wait Retry-After seconds, then retry."
		r.Headers = retryAfter(true)
	}
	if r := op.Responses[strconv.Itoa(http.StatusServiceUnavailable)]; r != nil && r.Headers == nil {
		r.Headers = retryAfter(false)
	}
	if r := op.Responses[strconv.Itoa(http.StatusUnauthorized)]; r != nil {
		r.Description = "No bearer token, or one that is not valid (expired, wrong issuer or audience, bad signature)."
	}
	movePatternDescriptions(oapi)
	for _, r := range op.Responses {
		for _, mt := range r.Content {
			if mt.Schema != nil {
				mt.Schema.Items = singleOneOf(mt.Schema.Items)
			}
		}
	}
}

// singleOneOf returns the one schema of a oneOf that has only one (Huma's
// sse package writes a oneOf of the event types, and the upload stream has
// one), which linters rightly want written directly; else s as it is.
func singleOneOf(s *huma.Schema) *huma.Schema {
	if s == nil {
		return nil
	}
	if one, ok := s.Extensions["oneOf"].([]*huma.Schema); ok && len(one) == 1 && len(s.Extensions) == 1 {
		return one[0]
	}
	return s
}

// errorSchema is the reference to Huma's ErrorModel, the body of every
// problem response.
func errorSchema(oapi *huma.OpenAPI) *huma.Schema {
	t := reflect.TypeOf(huma.NewError(0, ""))
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return oapi.Components.Schemas.Schema(t, true, "Error")
}

func retryAfter(always bool) map[string]*huma.Param {
	desc := "Seconds to wait before retrying."
	if !always {
		desc = "When present, seconds to wait before retrying."
	}
	return map[string]*huma.Param{"Retry-After": {
		Description: desc,
		Required:    always,
		Schema:      &huma.Schema{Type: huma.TypeInteger, Minimum: new(0.0)},
	}}
}

// movePatternDescriptions keeps Huma's `patternDescription` out of the
// published schemas: it is no OpenAPI keyword, so linters reject it. Huma
// has already made its validation messages from it ("expected string to be
// #RRGGBB"), so they stay; the published schema says the same in its
// description and an `x-pattern-description` extension.
func movePatternDescriptions(oapi *huma.OpenAPI) {
	var walk func(s *huma.Schema)
	walk = func(s *huma.Schema) {
		if s == nil {
			return
		}
		if d := s.PatternDescription; d != "" {
			if !strings.Contains(s.Description, d) {
				s.Description = strings.TrimSpace(s.Description + " Format: " + d + ".")
			}
			if s.Extensions == nil {
				s.Extensions = map[string]any{}
			}
			s.Extensions["x-pattern-description"] = d
			s.PatternDescription = ""
		}
		walk(s.Items)
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			walk(s.Properties[name])
		}
		for _, sub := range slices.Concat(s.OneOf, s.AnyOf, s.AllOf) {
			walk(sub)
		}
	}
	for _, s := range oapi.Components.Schemas.Map() {
		walk(s)
	}
}
