package notes

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// EngineBuiltin is the Output.Engine of notes formatted by Builtin.
const EngineBuiltin = "builtin"

// Builtin is the offline formatter. It never drops a word of the input: every
// run of letters and digits in Input.Text appears in the Markdown, in the same
// order. The only exceptions are two places where OCR splits what the page
// shows as one thing: a word hyphenated across a line break is joined, and an
// "o" that OCR read from a bullet point becomes the list marker.
//
// It reads the text line by line:
//
//   - Windows and old Mac line endings become \n, invalid UTF-8 becomes U+FFFD,
//     runs of spaces collapse, and lines without a letter or digit (OCR noise
//     such as "|", "—" or ".") are removed without breaking the paragraph
//     around them, since on photos of ruled paper they sit between ordinary lines.
//   - A line starting with "#" followed by a space is a heading and kept.
//   - A line of Markdown images and nothing else is kept as it is, a paragraph of its own:
//     the OCR stage writes the figures it finds so (see PageFigures).
//   - Lines that start and end with "|" are the rows of a pipe table, kept as
//     they are: the OCR stage writes the tables it finds so (package
//     ocr/layout), with its rule row.
//   - A line starting with -, *, +, •, ·, ◦, ▪, ●, –, — or > and a space is a
//     bullet item "- item". "+" is a bullet because Markdown already reads it
//     as one. A line starting with "o " is a bullet only inside a list or when
//     the next line is a list item: "o" alone is also a Portuguese article and a
//     Spanish or Italian conjunction.
//   - "1.", "1)" and "(1)" (up to three digits) start a numbered item "1. item"
//     that keeps its number. Letters and roman numerals ("a)", "(a)", "a.",
//     "iv.", "II.", "B)") start a bullet item that keeps the label as text,
//     "- a) item", because Markdown has no lettered lists. Single capital
//     letters need a parenthesis, so that initials ("J. Smith") stay text.
//   - A list item indented by two spaces or more under another is nested
//     under it, two spaces a level, up to three levels.
//   - A line that is not a list item, directly after a list item, continues it.
//   - A formula line (a relation such as "=" or "≤" among symbols or short
//     variable names, an integral or sum sign, or operators with few letters)
//     stays as it is, trimmed, in a paragraph of its own.
//   - A line that stands alone (blank line before and after; for the first
//     line, a blank line or a line not starting in lower case after it), is at
//     most 60 runes and 8 words, does not end in ".", ",", ";" or a hyphen,
//     and is Title Case or ALL CAPS becomes a heading. So does such a short line ending in
//     ":" when a list follows it (the colon is dropped). The first heading of
//     the note is "# ", later ones "## ".
//   - Other consecutive lines are reflowed into one paragraph line. A line
//     ending in a letter and a hyphen is joined to the next without a space;
//     the hyphen is dropped when the next line starts in lower case
//     ("thermo-\ndynamics" → "thermodynamics") and kept otherwise
//     ("Anglo-\nSaxon" → "Anglo-Saxon"). A real hyphen at a line break before a
//     lower-case word ("well-\nknown") cannot be told from hyphenation and is
//     dropped too; a soft hyphen (U+00AD) is always dropped.
//   - A paragraph or item text that Markdown would read as block syntax ("1985.
//     was a year", "> 3", "<div", "```", "[1]: x") is escaped with a backslash,
//     which renders as the original text and leaves the words alone.
//
// Input.Context is not used: it helps an LLM, not these rules.
type Builtin struct{}

// Format formats in.Text as described on Builtin. Text without words gives an
// empty note. It fails only when ctx is already done.
func (Builtin) Format(ctx context.Context, in Input) (Output, error) {
	if err := ctx.Err(); err != nil {
		return Output{}, fmt.Errorf("formatting note: %w", err)
	}
	return Output{Markdown: formatText(in.Text), Engine: EngineBuiltin}, nil
}

// srcLine is a line of OCR text that has a word in it, or a row of a table.
type srcLine struct {
	text        string // trimmed
	blankBefore bool   // a blank line or the start of the text comes before it
	indent      int    // the spaces before the text
}

func splitLines(text string) []srcLine {
	text = strings.ToValidUTF8(text, "\uFFFD")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	var lines []srcLine
	blank := true
	for raw := range strings.SplitSeq(text, "\n") {
		t := strings.TrimSpace(raw)
		switch {
		case t == "":
			blank = true
		case hasWord(t) || isTableRow(t):
			indent := len(raw) - len(strings.TrimLeft(raw, " "))
			lines = append(lines, srcLine{text: t, blankBefore: blank, indent: indent})
			blank = false
		}
	}
	return lines
}

type blockKind int

const (
	paragraphBlock blockKind = iota
	headingBlock
	formulaBlock
	bulletList
	numberedList
	tableBlock
	figureBlock
)

type block struct {
	kind  blockKind
	text  string     // paragraphs, formulas, headings (with their "#"s), tables (their rows), figures
	items []listItem // lists
}

type listItem struct {
	prefix string // "- " or "12. "
	text   string
}

func formatText(text string) string {
	lines := splitLines(text)
	var blocks []block
	headingSeen := false
	for i, ln := range lines {
		// open is the block this line may continue: the last one, unless a
		// blank line came between.
		var open *block
		if len(blocks) > 0 && !ln.blankBefore {
			open = &blocks[len(blocks)-1]
		}
		inList := open != nil && (open.kind == bulletList || open.kind == numberedList)

		if isImageLine(ln.text) {
			blocks = append(blocks, block{kind: figureBlock, text: ln.text})
			continue
		}
		if isTableRow(ln.text) {
			if open != nil && open.kind == tableBlock {
				open.text += "\n" + ln.text
			} else {
				blocks = append(blocks, block{kind: tableBlock, text: ln.text})
			}
			continue
		}

		if hashes, rest, ok := atxHeading(ln.text); ok {
			blocks = append(blocks, block{kind: headingBlock, text: hashes + " " + collapseSpace(rest)})
			headingSeen = true
			continue
		}
		if m, ok := parseMarker(ln.text); ok && (!m.ocr || inList || listFollows(lines, i+1)) {
			kind := bulletList
			if m.numbered {
				kind = numberedList
			}
			item := listItem{prefix: m.prefix, text: collapseSpace(m.text)}
			if inList && ln.indent >= 2 {
				item.prefix = strings.Repeat("  ", min(ln.indent/2, 3)) + item.prefix
			}
			if open != nil && (open.kind == kind || inList && ln.indent >= 2) {
				open.items = append(open.items, item)
			} else {
				blocks = append(blocks, block{kind: kind, items: []listItem{item}})
			}
			continue
		}
		if isFormula(ln.text) {
			blocks = append(blocks, block{kind: formulaBlock, text: ln.text})
			continue
		}
		if isHeading(lines, i) {
			level := "#"
			if headingSeen {
				level = "##"
			}
			headingSeen = true
			title := strings.TrimSpace(strings.TrimSuffix(collapseSpace(ln.text), ":"))
			blocks = append(blocks, block{kind: headingBlock, text: level + " " + title})
			continue
		}
		switch {
		case inList:
			it := &open.items[len(open.items)-1]
			it.text = joinLines(it.text, collapseSpace(ln.text))
		case open != nil && open.kind == paragraphBlock:
			open.text = joinLines(open.text, collapseSpace(ln.text))
		default:
			blocks = append(blocks, block{kind: paragraphBlock, text: collapseSpace(ln.text)})
		}
	}
	return render(blocks)
}

func render(blocks []block) string {
	var b strings.Builder
	for i, bl := range blocks {
		if i > 0 {
			b.WriteString("\n\n")
		}
		switch bl.kind {
		case headingBlock, tableBlock, figureBlock:
			b.WriteString(bl.text)
		case paragraphBlock, formulaBlock:
			b.WriteString(escapeBlockStart(bl.text))
		case bulletList, numberedList:
			for j, it := range bl.items {
				if j > 0 {
					b.WriteByte('\n')
				}
				b.WriteString(it.prefix)
				b.WriteString(escapeBlockStart(it.text))
			}
		}
	}
	if b.Len() > 0 {
		b.WriteByte('\n')
	}
	return b.String()
}

// isTableRow reports whether t is a row of a Markdown pipe table, its rule row included: it
// starts and ends with "|" and has a cell between.
func isTableRow(t string) bool {
	return len(t) >= 3 && strings.HasPrefix(t, "|") && strings.HasSuffix(t, "|")
}

// atxHeading reports whether t is a Markdown heading line and splits it into
// its "#"s and its text.
func atxHeading(t string) (hashes, rest string, ok bool) {
	n := strings.IndexFunc(t, func(r rune) bool { return r != '#' })
	if n < 0 {
		n = len(t)
	}
	if n == 0 || n > 6 || (n < len(t) && t[n] != ' ' && t[n] != '\t') {
		return "", "", false
	}
	return t[:n], t[n:], true
}

// marker is the list marker a line starts with.
type marker struct {
	prefix   string // how the item starts in Markdown: "- " or "12. "
	text     string // the rest of the line; all of it for a letter or roman label
	numbered bool
	ocr      bool // the "o" OCR reads from a round bullet
}

// bulletRunes are the characters a bullet item starts with in OCR text.
const bulletRunes = "-*+•·◦▪●–—>"

var romanNumerals = map[string]bool{
	"i": true, "ii": true, "iii": true, "iv": true, "v": true, "vi": true,
	"vii": true, "viii": true, "ix": true, "x": true, "xi": true, "xii": true,
}

func parseMarker(t string) (marker, bool) {
	r, size := utf8.DecodeRuneInString(t)
	if strings.ContainsRune(bulletRunes, r) || r == 'o' {
		rest, ok := afterSpace(t[size:])
		return marker{prefix: "- ", text: rest, ocr: r == 'o'}, ok
	}

	var label, rest string
	var delim byte
	if r == '(' {
		end := strings.IndexByte(t, ')')
		if end < 0 {
			return marker{}, false
		}
		label, delim, rest = t[1:end], ')', t[end+1:]
	} else {
		end := strings.IndexFunc(t, func(r rune) bool { return !isASCIIAlnum(r) })
		if end <= 0 || (t[end] != '.' && t[end] != ')') {
			return marker{}, false
		}
		label, delim, rest = t[:end], t[end], t[end+1:]
	}
	rest, ok := afterSpace(rest)
	if !ok {
		return marker{}, false
	}
	switch {
	case isDigits(label) && len(label) <= 3:
		return marker{prefix: label + ". ", text: rest, numbered: true}, true
	case isLabel(label, delim == ')'):
		return marker{prefix: "- ", text: t}, true
	}
	return marker{}, false
}

// isLabel reports whether s labels a list item as a letter or roman numeral.
// A single capital letter followed by a period is more often an initial.
func isLabel(s string, paren bool) bool {
	if s == "" || !isASCIIAlpha(s) {
		return false
	}
	lower := strings.ToLower(s)
	switch {
	case len(s) == 1:
		return s == lower || paren
	case s == lower, s == strings.ToUpper(s):
		return romanNumerals[lower]
	}
	return false
}

// afterSpace returns rest without its leading whitespace, and whether there
// was some: a marker needs a space after it.
func afterSpace(rest string) (string, bool) {
	r, _ := utf8.DecodeRuneInString(rest)
	if rest == "" || !unicode.IsSpace(r) {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

// listFollows reports whether a list item starts at lines[i], directly after
// the line before it.
func listFollows(lines []srcLine, i int) bool {
	if i >= len(lines) || lines[i].blankBefore {
		return false
	}
	_, ok := parseMarker(lines[i].text)
	return ok
}

// Relations and big operators make a line with letters a formula; a line with
// only operators needs to be mostly symbols and digits.
const (
	relationRunes = "=≈≠≤≥<>≡∝≅∼≃⇔⇒→"
	bigOpRunes    = "∫∬∭∮∑∏√∂∇"
	operatorRunes = "+-*/^"
)

func isFormula(t string) bool {
	var letters, others, relations, bigOps, ops, runs, run, longestRun int
	for _, r := range t {
		if unicode.IsLetter(r) {
			letters++
			if run == 0 {
				runs++
			}
			run++
			longestRun = max(longestRun, run)
			continue
		}
		run = 0
		switch {
		case unicode.IsSpace(r):
			continue
		case strings.ContainsRune(relationRunes, r):
			relations++
		case strings.ContainsRune(bigOpRunes, r):
			bigOps++
		case strings.ContainsRune(operatorRunes, r) || unicode.Is(unicode.Sm, r):
			ops++
		}
		others++
	}
	letterShare := float64(letters) / float64(letters+others)
	switch {
	case relations > 0:
		// Single-letter variables ("PV = nRT") look like words; prose has many of them.
		return letterShare < 0.7 || (longestRun <= 3 && runs <= 4)
	case bigOps > 0:
		return letterShare < 0.7
	default:
		return ops > 0 && letterShare < 0.4
	}
}

func isHeading(lines []srcLine, i int) bool {
	ln := lines[i]
	if !ln.blankBefore || utf8.RuneCountInString(ln.text) > 60 || len(strings.Fields(ln.text)) > 8 {
		return false
	}
	// A hyphen at the end is a word broken across lines, not a heading's end.
	if end, _ := utf8.DecodeLastRuneInString(ln.text); strings.ContainsRune(".,;-\u2010\u00ad", end) {
		return false
	}
	next := i + 1
	if strings.HasSuffix(ln.text, ":") && next < len(lines) && isListStart(lines, next) {
		return true
	}
	alone := next == len(lines) || lines[next].blankBefore ||
		(i == 0 && !startsLower(lines[next].text))
	if !alone {
		return false
	}
	// A short label over a list heads it, in any case: "Key points", "Steps".
	if len(strings.Fields(ln.text)) <= 4 && !startsLower(ln.text) && next < len(lines) && isListStart(lines, next) {
		return true
	}
	return isTitleCase(ln.text) || isAllCaps(ln.text)
}

// isListStart reports whether lines[i] starts a list: an "o" needs another
// item after it.
func isListStart(lines []srcLine, i int) bool {
	m, ok := parseMarker(lines[i].text)
	return ok && (!m.ocr || listFollows(lines, i+1))
}

// smallWords may stay lower case in a Title Case heading.
var smallWords = map[string]bool{
	// en
	"a": true, "an": true, "the": true, "and": true, "or": true, "nor": true, "but": true,
	"of": true, "in": true, "on": true, "at": true, "to": true, "for": true, "by": true,
	"with": true, "from": true, "as": true, "vs": true, "via": true, "per": true, "into": true,
	// de
	"der": true, "die": true, "das": true, "des": true, "dem": true, "den": true, "und": true,
	"oder": true, "von": true, "zu": true, "im": true, "am": true, "mit": true, "für": true,
	// fr, es, it, pt, nl
	"de": true, "du": true, "la": true, "le": true, "les": true, "et": true, "ou": true,
	"à": true, "au": true, "aux": true, "en": true, "el": true, "los": true, "las": true,
	"y": true, "e": true, "o": true, "del": true, "al": true, "con": true, "il": true,
	"di": true, "da": true, "do": true, "het": true, "een": true, "van": true, "op": true,
}

func isTitleCase(t string) bool {
	sawLetter := false
	for k, w := range strings.Fields(t) {
		w = strings.TrimLeftFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		r, _ := utf8.DecodeRuneInString(w)
		switch {
		case !unicode.IsLetter(r):
			continue
		case unicode.IsUpper(r) || unicode.IsTitle(r):
		case k > 0 && smallWords[strings.TrimRightFunc(w, isNotLetter)]:
		default:
			return false
		}
		sawLetter = true
	}
	return sawLetter
}

func isAllCaps(t string) bool {
	letters := 0
	for _, r := range t {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 2
}

func startsLower(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r)
}

// joinLines appends the next line of a paragraph or list item to text.
func joinLines(text, next string) string {
	h, size := utf8.DecodeLastRuneInString(text)
	before, _ := utf8.DecodeLastRuneInString(text[:len(text)-size])
	r, _ := utf8.DecodeRuneInString(next)
	if strings.ContainsRune("-\u2010\u00ad", h) && (unicode.IsLetter(before) || unicode.IsMark(before)) && isWordRune(r) {
		if h == '\u00ad' || unicode.IsLower(r) {
			return text[:len(text)-size] + next
		}
		return text + next
	}
	return text + " " + next
}

// escapeBlockStart escapes the first character of a paragraph or list item
// text that Markdown would otherwise read as the start of another block.
func escapeBlockStart(s string) string {
	if s == "" {
		return s
	}
	spaceAt := func(i int) bool { return i == len(s) || s[i] == ' ' || s[i] == '\t' }
	switch c := s[0]; {
	case c == '#':
		if _, _, ok := atxHeading(s); ok {
			return `\` + s
		}
	case c == '>':
		return `\` + s
	case c == '-' || c == '+' || c == '*':
		if spaceAt(1) {
			return `\` + s
		}
	case c == '`' || c == '~':
		if strings.HasPrefix(s, "```") || strings.HasPrefix(s, "~~~") {
			return `\` + s
		}
	case c == '<':
		if len(s) > 1 && isTagStart(s[1]) {
			return `\` + s
		}
	case c == '[':
		if isLinkRefDef(s) {
			return `\` + s
		}
	case c >= '0' && c <= '9':
		if orderedMarkerLen(s) > 0 {
			n := strings.IndexAny(s, ".)")
			return s[:n] + `\` + s[n:]
		}
	}
	return s
}

// isLinkRefDef reports whether the line s is a link reference definition,
// "[label]: destination" with an optional quoted title, which Markdown hides.
func isLinkRefDef(s string) bool {
	end := strings.IndexByte(s, ']')
	if !strings.HasPrefix(s, "[") || end < 2 || !strings.HasPrefix(s[end:], "]:") {
		return false
	}
	fields := strings.Fields(s[end+2:])
	return len(fields) == 1 || len(fields) > 1 && strings.ContainsAny(fields[1][:1], `"'(`)
}

func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func isDigits(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}

func isASCIIAlpha(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !isASCIILetter(r) }) < 0
}

func isASCIILetter(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

func isASCIIAlnum(r rune) bool {
	return isASCIILetter(r) || r >= '0' && r <= '9'
}

func isNotLetter(r rune) bool { return !unicode.IsLetter(r) }
