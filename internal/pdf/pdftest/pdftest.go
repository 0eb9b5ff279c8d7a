// Package pdftest writes small PDF files by hand for tests: pages of text in
// a standard font (a text layer), pages that are one JPEG image (a scan with
// no text layer), and the damaged, encrypted and oversized files an upload
// must refuse. A PDF is short text: objects, a cross-reference table of their
// byte offsets, and a trailer; writing it here needs no PDF library, and the
// files are exactly what a test says they are.
package pdftest

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"strings"
)

// A4 is the size of an A4 page in PDF points (1/72 inch).
var A4 = [2]float64{595, 842}

// Page is one page of a document to write.
type Page struct {
	// Lines are drawn top to bottom in 12 pt Helvetica, one per element: the
	// page's text layer. A line starting with "# " or "## " is drawn without
	// those marks in 20 or 16 pt, as a heading. Empty for a page without one.
	Lines []string
	// Right, when set, is a second column of lines, beside Lines from the
	// middle of the page.
	Right []string
	// JPEG, when set, is drawn over the whole page as an image XObject
	// (DCTDecode), as a scanner app stores a scanned page.
	JPEG []byte
	// Width and Height are the JPEG's size in pixels (for its /Width and /Height).
	Width, Height int
	// MediaBox is the page size in points; zero means A4.
	MediaBox [2]float64
	// Invisible draws the text layer in render mode 3 (neither filled nor
	// stroked), as scanner apps lay their OCR text over the scanned image.
	Invisible bool
	// Strokes draws that many lines across the page: a page slow to render.
	Strokes int
}

// Options change how a document is written.
type Options struct {
	// Encrypt adds an /Encrypt dictionary (the standard security handler) to
	// the trailer, as an encrypted PDF has.
	Encrypt bool
}

// Text returns a PDF with one page per element of pages, each page's lines
// in a text layer.
func Text(pages ...[]string) []byte {
	ps := make([]Page, len(pages))
	for i, lines := range pages {
		ps[i] = Page{Lines: lines}
	}
	return Write(ps, Options{})
}

// Scan returns a PDF with one A4 page per image, each drawn over its whole
// page as a greyscale JPEG of the given quality and no text layer: what a
// scanner app makes of a photo when it adds no text of its own.
func Scan(quality int, imgs ...image.Image) []byte {
	ps := make([]Page, len(imgs))
	for i, img := range imgs {
		gray := image.NewGray(img.Bounds())
		draw.Draw(gray, gray.Bounds(), img, img.Bounds().Min, draw.Src)
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, gray, &jpeg.Options{Quality: quality}); err != nil {
			panic("pdftest: encode JPEG: " + err.Error()) // writing to memory does not fail
		}
		ps[i] = Page{JPEG: buf.Bytes(), Width: gray.Bounds().Dx(), Height: gray.Bounds().Dy()}
	}
	return Write(ps, Options{})
}

// Write returns a complete PDF 1.4 file of pages.
func Write(pages []Page, opt Options) []byte {
	// Objects 1 and 2 are the catalog and the page tree, 3 the font; each page
	// then takes three numbers: the page, its content stream, its image.
	const font = 3
	objs := map[int][]byte{}
	kids := make([]string, len(pages))
	for i, p := range pages {
		page, content, img := 4+3*i, 5+3*i, 6+3*i
		kids[i] = fmt.Sprintf("%d 0 R", page)
		box := p.MediaBox
		if box == [2]float64{} {
			box = A4
		}
		resources := fmt.Sprintf("/Font << /F1 %d 0 R >>", font)
		var ops strings.Builder
		if p.JPEG != nil {
			resources += fmt.Sprintf(" /XObject << /Im1 %d 0 R >>", img)
			fmt.Fprintf(&ops, "q %s 0 0 %s 0 0 cm /Im1 Do Q\n", num(box[0]), num(box[1]))
			objs[img] = stream(fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d "+
				"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode", p.Width, p.Height), p.JPEG)
		}
		writeText(&ops, p, box)
		objs[page] = fmt.Appendf(nil, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Resources << %s >> /Contents %d 0 R >>",
			num(box[0]), num(box[1]), resources, content)
		objs[content] = stream("", []byte(ops.String()))
	}
	objs[1] = []byte("<< /Type /Catalog /Pages 2 0 R >>")
	objs[2] = fmt.Appendf(nil, "<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages))
	objs[font] = []byte("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	size := 4 + 3*len(pages)
	trailer := fmt.Sprintf("/Size %d /Root 1 0 R", size)
	if opt.Encrypt {
		objs[size] = []byte("<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 " +
			"/O <" + strings.Repeat("ab", 32) + "> /U <" + strings.Repeat("cd", 32) + "> >>")
		size++
		trailer = fmt.Sprintf("/Size %d /Root 1 0 R /Encrypt %d 0 R /ID [<%s> <%s>]", size, size-1,
			strings.Repeat("01", 16), strings.Repeat("01", 16))
	}
	return writeFile(objs, size, trailer)
}

// writeText writes the content operators of p's text (its lines, then its
// right-hand column) and strokes on a page of box.
func writeText(ops *strings.Builder, p Page, box [2]float64) {
	if len(p.Lines) > 0 {
		ops.WriteString("BT ")
		if p.Invisible {
			ops.WriteString("3 Tr ")
		}
		fmt.Fprintf(ops, "/F1 12 Tf 16 TL 72 %s Td\n", num(box[1]-72))
		for _, line := range p.Lines {
			size := 12
			if rest, ok := strings.CutPrefix(line, "# "); ok {
				line, size = rest, 20
			} else if rest, ok := strings.CutPrefix(line, "## "); ok {
				line, size = rest, 16
			}
			fmt.Fprintf(ops, "/F1 %d Tf %d TL (%s) Tj T*\n", size, size*4/3, escape(line))
		}
		ops.WriteString("ET\n")
	}
	if len(p.Right) > 0 {
		fmt.Fprintf(ops, "BT /F1 12 Tf 16 TL %s %s Td\n", num(box[0]/2+20), num(box[1]-72))
		for _, line := range p.Right {
			fmt.Fprintf(ops, "(%s) Tj T*\n", escape(line))
		}
		ops.WriteString("ET\n")
	}
	for i := range p.Strokes {
		fmt.Fprintf(ops, "%d %d m %d %d l S\n", i%595, i*7%842, i*13%595, i*3%842)
	}
}

// writeFile lays out objects 1 to size-1 (those missing left free) with
// their cross-reference table and trailer.
func writeFile(objs map[int][]byte, size int, trailer string) []byte {
	var buf bytes.Buffer
	buf.WriteString("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n")
	offsets := make([]int, size)
	for n := 1; n < size; n++ {
		body, ok := objs[n]
		if !ok {
			continue // an image number of a page without an image
		}
		offsets[n] = buf.Len()
		fmt.Fprintf(&buf, "%d 0 obj\n", n)
		buf.Write(body)
		buf.WriteString("\nendobj\n")
	}
	xref := buf.Len()
	fmt.Fprintf(&buf, "xref\n0 %d\n0000000000 65535 f \n", size)
	for n := 1; n < size; n++ {
		if offsets[n] == 0 {
			buf.WriteString("0000000000 65535 f \n")
			continue
		}
		fmt.Fprintf(&buf, "%010d 00000 n \n", offsets[n])
	}
	fmt.Fprintf(&buf, "trailer\n<< %s >>\nstartxref\n%d\n%%%%EOF\n", trailer, xref)
	return buf.Bytes()
}

func stream(dict string, data []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<< %s /Length %d >>\nstream\n", dict, len(data))
	b.Write(data)
	b.WriteString("\nendstream")
	return b.Bytes()
}

// escape makes s a PDF literal string's content; characters outside Latin-1
// but the bullet become '?', since the font's encoding is WinAnsi.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '•':
			b.WriteByte(0x95) // its code in WinAnsi
		case r < 0x20 || r > 0xFF:
			b.WriteByte('?')
		default:
			b.WriteByte(byte(r))
		}
	}
	return b.String()
}

func num(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
}
