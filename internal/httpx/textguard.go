package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

// defaultMaxBodyBytes is Huma's body limit for an operation that sets none.
const defaultMaxBodyBytes = 1 << 20

// RefuseUnstorableText is a Huma middleware that refuses, before any
// handler runs, text Postgres cannot store: a NUL character or invalid
// UTF-8 in a path, query or header parameter (400; a header also when
// longer than its maxLength) or in a JSON body (422), each
// named by its location ("query.q", "body.name"). Lengths are the schema's
// maxLength, checked by Huma. One check for every operation, so a new
// route cannot forget it; without it a NUL reached Postgres and answered
// 500, and invalid UTF-8 in JSON was silently stored as U+FFFD. A body is
// checked whenever Huma would decode it as JSON, which it does for a
// missing Content-Type, "json" or a malformed parameter list as well as
// for application/json.
func RefuseUnstorableText(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		var errs []error
		op := ctx.Operation()
		for _, p := range op.Parameters {
			switch p.In {
			case "path":
				if msg := unstorable(ctx.Param(p.Name)); msg != "" {
					errs = append(errs, &huma.ErrorDetail{Location: "path." + p.Name, Message: msg})
				}
			case "header":
				if msg := unstorableHeader(ctx.Header(p.Name), p.Schema); msg != "" {
					errs = append(errs, &huma.ErrorDetail{Location: "header." + p.Name, Message: msg})
				}
			}
		}
		u := ctx.URL()
		for name, values := range u.Query() {
			for _, v := range append(values, name) {
				if msg := unstorable(v); msg != "" {
					errs = append(errs, &huma.ErrorDetail{Location: "query." + strings.ToValidUTF8(name, "?"), Message: msg})
					break
				}
			}
		}
		if len(errs) > 0 {
			_ = huma.WriteErr(api, ctx, http.StatusBadRequest, "unstorable text in the request", errs...)
			return
		}
		if takesJSON(op) && decodedAsJSON(ctx.Header("Content-Type")) {
			detail, err := checkJSONBody(ctx, op)
			if err != nil {
				status, msg := bodyReadFailure(err)
				_ = huma.WriteErr(api, ctx, status, msg)
				return
			}
			if detail != nil {
				_ = huma.WriteErr(api, ctx, http.StatusUnprocessableEntity, "unstorable text in the body", detail)
				return
			}
		}
		next(ctx)
	}
}

// unstorableHeader says why a header parameter's value cannot be stored
// (an Idempotency-Key is): unstorable text, or more characters than its
// schema's maxLength. Both are the request's fault in the same way, 400.
func unstorableHeader(v string, schema *huma.Schema) string {
	if msg := unstorable(v); msg != "" {
		return msg
	}
	if schema != nil && schema.MaxLength != nil && utf8.RuneCountInString(v) > *schema.MaxLength {
		return "at most " + strconv.Itoa(*schema.MaxLength) + " characters"
	}
	return ""
}

// unstorable says why s cannot be stored, or returns "".
func unstorable(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "must be valid UTF-8"
	case strings.IndexByte(s, 0) >= 0:
		return "must not contain a NUL character"
	}
	return ""
}

// takesJSON reports whether Huma decodes op's body: a JSON request body.
// The upload routes read their multipart bodies themselves.
func takesJSON(op *huma.Operation) bool {
	return op.RequestBody != nil && op.RequestBody.Content["application/json"] != nil
}

// decodedAsJSON reports whether Huma decodes a body sent with contentType as
// JSON. It picks the format as Huma does: the text after a '+' and before a
// ';', JSON when that is empty, so "", "json", "x/y+json" and
// "application/json; =" all decode as JSON.
func decodedAsJSON(contentType string) bool {
	start := strings.IndexByte(contentType, '+') + 1
	end := strings.IndexByte(contentType, ';')
	if end < 0 {
		end = len(contentType)
	}
	if end < start {
		return false // Huma refuses it as an unknown content type
	}
	switch strings.TrimSpace(contentType[start:end]) {
	case "", "json", "application/json":
		return true
	}
	return false
}

// bodyReadFailure is the answer to a body that could not be read: 408 when
// it did not arrive in time, else 400.
func bodyReadFailure(err error) (int, string) {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return http.StatusRequestTimeout, "the request body was not received in time"
	}
	return http.StatusBadRequest, "the request body could not be read"
}

// checkJSONBody reads the body (up to the operation's limit, leaving a
// longer one for Huma to refuse with 413), puts it back for Huma, and names
// the first field holding unstorable text. A body without a NUL escape and
// with valid UTF-8, the usual case, is only scanned, never decoded here. It
// returns an error when the body could not be read (a client that stopped
// sending it, past the read deadline).
func checkJSONBody(ctx huma.Context, op *huma.Operation) (*huma.ErrorDetail, error) {
	limit := op.MaxBodyBytes
	if limit == 0 {
		limit = defaultMaxBodyBytes
	}
	r, _ := humago.Unwrap(ctx)
	var data []byte
	var err error
	if limit < 0 {
		data, err = io.ReadAll(r.Body)
	} else {
		data, err = io.ReadAll(io.LimitReader(r.Body, limit+1))
	}
	rest := r.Body
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(data), rest), rest}
	if err != nil {
		return nil, err
	}
	if limit >= 0 && int64(len(data)) > limit {
		return nil, nil // Huma answers the size
	}
	valid := utf8.Valid(data)
	if valid && !hasNULEscape(data) {
		return nil, nil
	}
	var v any
	if json.Unmarshal(data, &v) != nil {
		return nil, nil // Huma answers malformed JSON
	}
	// Invalid UTF-8 was decoded as U+FFFD: look for that, or for the NUL.
	bad := "\x00"
	msg := "must not contain a NUL character"
	if !valid {
		bad, msg = string(utf8.RuneError), "must be valid UTF-8"
	}
	loc := findText(v, "body", bad)
	if loc == "" {
		loc = "body"
	}
	return &huma.ErrorDetail{Location: loc, Message: msg}, nil
}

// hasNULEscape reports a \u0000 escape (any case of hex digits) in JSON.
func hasNULEscape(data []byte) bool {
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte(`\u0000`))
		if j < 0 {
			return false
		}
		// An escaped backslash before it ("\\u0000") is text, not a NUL:
		// count the backslashes that precede the match.
		k := i + j
		n := 0
		for k-n-1 >= 0 && data[k-n-1] == '\\' {
			n++
		}
		if n%2 == 0 {
			return true
		}
		i = k + 1
	}
}

// findText returns the location of the first string in v, a key or a
// value, that contains bad: "body.name", "body.items[2].title".
func findText(v any, at, bad string) string {
	switch v := v.(type) {
	case string:
		if strings.Contains(v, bad) {
			return at
		}
	case map[string]any:
		for k, e := range v {
			if strings.Contains(k, bad) {
				return at + "." + strings.ToValidUTF8(k, "?")
			}
			if loc := findText(e, at+"."+k, bad); loc != "" {
				return loc
			}
		}
	case []any:
		for i, e := range v {
			if loc := findText(e, at+"["+strconv.Itoa(i)+"]", bad); loc != "" {
				return loc
			}
		}
	}
	return ""
}
