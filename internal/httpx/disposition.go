package httpx

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Attachment is the Content-Disposition of a download named name (RFC
// 6266): `filename` in ASCII for every client, each other character an
// underscore, and when that lost something, `filename*` with the name in
// UTF-8, percent-encoded (RFC 5987), which clients that know it prefer.
func Attachment(name string) string {
	var ascii strings.Builder
	for _, r := range name {
		switch {
		case r == '"' || r == '\\':
			ascii.WriteByte('\\')
			ascii.WriteRune(r)
		case r < 0x20 || r >= 0x7f:
			ascii.WriteByte('_')
		default:
			ascii.WriteRune(r)
		}
	}
	header := fmt.Sprintf(`attachment; filename="%s"`, ascii.String())
	if isPlainASCII(name) {
		return header
	}
	return header + "; filename*=UTF-8''" + encodeExtValue(name)
}

func isPlainASCII(s string) bool {
	for i := range len(s) {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return utf8.ValidString(s)
}

// encodeExtValue percent-encodes every byte of s that is not an attr-char
// of RFC 5987.
func encodeExtValue(s string) string {
	const attrChars = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := range len(s) {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(attrChars, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
