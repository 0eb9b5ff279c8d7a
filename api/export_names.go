package api

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// maxNameBytes bounds a name fileName makes. A path component may have
// 255 bytes on Linux (and 255 UTF-16 units on macOS and Windows, never more
// than its UTF-8 bytes); the rest is room for what is added to a name: a
// collision's " (12)", a page's " - p12" and an extension.
const maxNameBytes = 200

// fileName makes a title a file or folder name that opens the same on
// Linux, Windows and macOS, and in Obsidian:
//   - in Unicode NFC, so a title typed on macOS (NFD) and elsewhere is one
//     name, as macOS keeps only one of them;
//   - without invisible format characters (Unicode Cf: bidi overrides that
//     make "gpj.exe" show as "exe.jpg", zero-width spaces, byte order marks),
//     noncharacters, path separators, characters Windows refuses or
//     Obsidian links cannot hold (`\/:*?"<>|#^[]`) or controls;
//   - with runs of spaces made one, no leading or trailing dots or spaces
//     (Windows drops trailing ones, a leading dot hides the file);
//   - not a name Windows reserves for a device (CON, AUX, NUL, COM1, …,
//     whatever follows its first dot), which gets a "_";
//   - at most maxNameBytes bytes, cut between characters;
//   - never empty.
func fileName(title string) string {
	cleaned := strings.Map(func(r rune) rune {
		switch {
		case unicode.Is(unicode.Cf, r), isNoncharacter(r):
			return -1
		case strings.ContainsRune(`/\:*?"<>|#^[]`, r), unicode.IsControl(r), r == utf8.RuneError:
			return ' '
		}
		return r
	}, norm.NFC.String(title))
	cleaned = strings.Join(strings.Fields(cleaned), " ")
	cleaned = trimName(cutBytes(trimName(cleaned), maxNameBytes))
	if cleaned == "" {
		return "Untitled"
	}
	if stem, rest, _ := strings.Cut(cleaned, "."); isReservedName(stem) {
		cleaned = strings.TrimRight(stem, " ") + "_"
		if rest != "" {
			cleaned += "." + rest
		}
	}
	return cleaned
}

// trimName drops the leading and trailing dots and spaces of name.
func trimName(name string) string { return strings.Trim(name, ". ") }

// cutBytes returns s cut to at most n bytes, between characters, and NFC
// still: a base character keeps the marks that follow it or goes with them.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	var it norm.Iter
	it.InitString(norm.NFC, s)
	end := 0
	for !it.Done() {
		it.Next()
		if it.Pos() > n {
			break
		}
		end = it.Pos()
	}
	return s[:end]
}

// isNoncharacter reports the code points Unicode keeps out of interchange:
// U+FDD0–U+FDEF and the last two of every plane (U+FFFE, U+FFFF, …).
func isNoncharacter(r rune) bool {
	return (r >= 0xFDD0 && r <= 0xFDEF) || r&0xFFFE == 0xFFFE
}

// isReservedName reports the device names Windows reserves in any case,
// whatever extension follows: CON, PRN, AUX, NUL, CONIN$, CONOUT$, COM0–9
// and LPT0–9, the digits including ¹, ² and ³. Trailing spaces are ignored,
// as Windows does.
func isReservedName(stem string) bool {
	s := strings.ToUpper(strings.TrimRight(stem, " "))
	switch s {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if rest, ok := strings.CutPrefix(s, "COM"); ok || strings.HasPrefix(s, "LPT") {
		if !ok {
			rest = s[3:]
		}
		r, size := utf8.DecodeRuneInString(rest)
		return size == len(rest) && (r >= '0' && r <= '9' || r == '¹' || r == '²' || r == '³')
	}
	return false
}

// names hands out file names unique within one folder as the systems that
// ignore case (macOS, Windows) see them: "Notes", "Notes (2)", …
type names struct {
	used map[string]bool
	fold cases.Caser
}

func newNames() *names { return &names{used: map[string]bool{}, fold: cases.Fold()} }

// unique returns name, or name with the first free " (n)".
func (n *names) unique(name string) string {
	candidate := name
	for i := 2; n.used[n.key(candidate)]; i++ {
		candidate = fmt.Sprintf("%s (%d)", name, i)
	}
	n.used[n.key(candidate)] = true
	return candidate
}

func (n *names) key(name string) string { return norm.NFC.String(n.fold.String(name)) }

// yamlString quotes s as a YAML double-quoted scalar that YAML 1.1 and 1.2
// parsers alike read back as s. Only the printable characters both allow
// are written as they are; every other one is escaped: C0 and C1 controls
// (NEL, U+0085, is a line break in YAML 1.1), DEL, U+2028 and U+2029 (line
// breaks in YAML 1.1), the byte order mark and the noncharacters U+FFFE and
// U+FFFF. An invalid UTF-8 byte becomes U+FFFD.
func yamlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || (r >= 0x7F && r <= 0x9F):
			fmt.Fprintf(&b, `\x%02X`, r)
		case r == 0x2028, r == 0x2029, r == 0xFEFF, r == 0xFFFE, r == 0xFFFF:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
