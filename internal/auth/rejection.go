package auth

import (
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
}

func (r *rejection) Error() string { return r.detail }

// unknownKeyRejection says that no key of the set has the token's kid, even after a refetch; in dev auth it
// names the data directory whose key the server has, as a token from another DATA_DIR is the usual cause.
func unknownKeyRejection(kid, dataDir string) error {
	detail := "token signed by a key this server does not have: kid " + printable(kid, maxKIDShown)
	if dataDir != "" {
		detail += ", DATA_DIR " + dataDir
	}
	return &rejection{detail: detail}
}

// checkSubjectStorable rejects a "sub" the users table cannot hold (auth0_user_id VARCHAR(255), and Postgres
// text holds no NUL), so that such a token is refused as a 401 rather than failing every request at the
// database. Invalid UTF-8 cannot reach here: the JSON decoder turns it into U+FFFD.
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
