package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxKIDShown is how many characters of a token's kid a rejection repeats: a kid is whatever the client sent.
const maxKIDShown = 64

// rejection is a reason for refusing a token that the client may be told and can act on, unlike most reasons
// (which key, issuer or audience was expected), which are only logged.
type rejection struct {
	detail string
	logged string // added to the detail in logs only
}

func (r *rejection) Error() string { return r.detail + r.logged }

// unknownKeyRejection says that no key of the set has the token's kid, even after a refetch. In dev auth a
// token made with another DATA_DIR's key is the usual cause: the detail says so, and the directory the server
// uses is only logged (a path on the server is nothing a client should learn).
func unknownKeyRejection(kid, dataDir string) error {
	r := &rejection{detail: "token signed by a key this server does not have: kid " + printable(kid, maxKIDShown)}
	if dataDir != "" {
		r.detail += " (in dev auth: make the token with the DATA_DIR the server uses)"
		r.logged = "; the server's DATA_DIR is " + dataDir
	}
	return r
}

// checkSubjectStorable rejects a "sub" the users table cannot hold (auth0_user_id VARCHAR(255), and Postgres
// text holds no NUL), so that such a token is refused as a 401 rather than failing every request at the
// database. Invalid UTF-8 cannot reach here: the JSON decoder turns it into U+FFFD, and checkRawSubject refuses
// it.
func checkSubjectStorable(sub string) error {
	switch {
	case utf8.RuneCountInString(sub) > maxSubjectLength:
		return &rejection{detail: fmt.Sprintf("token subject cannot be stored: longer than %d characters", maxSubjectLength)}
	case strings.ContainsRune(sub, 0):
		return &rejection{detail: "token subject cannot be stored: contains a NUL character"}
	default:
		return nil
	}
}

// checkRawSubject rejects a token whose "sub" is not valid UTF-8 as sent: raw bytes that are not UTF-8, or a
// \u escape of a lone surrogate. The JSON decoder turns either into U+FFFD, so two different subjects would
// meet in one account. token must be a compact JWS whose signature was verified.
func checkRawSubject(token string) error {
	invalid := &rejection{detail: "token subject cannot be stored: not valid UTF-8"}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return invalid
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return invalid
	}
	var claims map[string]json.RawMessage
	if err := json.Unmarshal(payload, &claims); err != nil {
		return invalid
	}
	raw := claims["sub"]
	var sub string
	if !utf8.Valid(raw) || json.Unmarshal(raw, &sub) != nil {
		return invalid
	}
	// Every U+FFFD decoded must have been sent as one, literally or escaped.
	if strings.Count(sub, "\uFFFD") > bytes.Count(raw, []byte("\uFFFD"))+escapedReplacements(raw) {
		return invalid
	}
	return nil
}

// escapedReplacements counts the \uFFFD escapes (any case) in a raw JSON string; an escaped backslash before
// "uFFFD" makes it text, not an escape.
func escapedReplacements(raw []byte) int {
	n := 0
	for i := 0; i < len(raw)-1; i++ {
		if raw[i] != '\\' {
			continue
		}
		if raw[i+1] == 'u' && i+6 <= len(raw) && strings.EqualFold(string(raw[i+2:i+6]), "fffd") {
			n++
		}
		i++ // the escaped character is not the start of another escape
	}
	return n
}

// printable returns s cut to max characters, with anything unprintable replaced by U+FFFD.
func printable(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == max {
			b.WriteString("…")
			break
		}
		if !unicode.IsPrint(r) {
			r = utf8.RuneError
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
