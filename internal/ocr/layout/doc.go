// Package layout rebuilds a page's structure from the words an OCR engine read and where they
// stand: the order a reader takes (full-width headings, then each column top to bottom, left
// column first, never lines of two columns interleaved), and what each block is (heading,
// paragraph, bullet or numbered list item, table), written out as plain text or as Markdown.
//
// It trusts the engine for words and lines but not for their order or grouping. [Analyze]
// first splits each line at gaps wider than a gutter, so that a line the engine ran across two
// columns or table cells becomes one segment per column or cell. Rows of several short
// segments whose gaps line up are a table. The other segments are ordered by two rules (after
// T. Breuel, "High performance document layout analysis", 2003): a segment comes before
// another that overlaps it horizontally and lies below it; and before one entirely to its
// right unless a third segment between them vertically overlaps both (a full-width line that
// ends a column section). Ordered segments join into blocks where the spacing, the column, the
// text size or a list marker changes.
//
// Headings are told from body text by their height, and by stroke weight when the engine
// measured it (Word.Stroke): lines at least a quarter taller than the body's median are
// headings, levels by size; short bold lines standing alone are headings a level below.
package layout
