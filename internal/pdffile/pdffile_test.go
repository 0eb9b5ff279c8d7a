package pdffile_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/pdf/pdftest"
	"github.com/snapnote/snapnote/internal/pdffile"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	whole := pdftest.Text([]string{"Lecture one", "Energy is conserved."})
	require.True(t, pdffile.Sniff(whole))
	require.False(t, pdffile.Sniff([]byte("\x89PNG\r\n\x1a\n")))
	require.NoError(t, pdffile.Check(whole))

	encrypted := pdftest.Write([]pdftest.Page{{Lines: []string{"secret"}}}, pdftest.Options{Encrypt: true})
	// An xref stream (PDF 1.5+) holds the trailer's entries in its dictionary.
	xrefStream := []byte("%PDF-1.5\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" +
		"9 0 obj\n<< /Type /XRef /Size 10 /Root 1 0 R /Encrypt 8 0 R /Length 0 >>\nstream\n\nendstream\nendobj\n" +
		"startxref\n44\n%%EOF\n")
	// "/Encrypt" in the text of a page is no encryption.
	mention := pdftest.Text([]string{"The /Encrypt entry of a trailer"})
	for name, tc := range map[string]struct {
		data []byte
		want error
	}{
		"encrypted":              {encrypted, pdffile.ErrEncrypted},
		"encrypted, xref stream": {xrefStream, pdffile.ErrEncrypted},
		"mentions /Encrypt":      {mention, nil},
		"cut off":                {whole[:len(whole)*2/3], pdffile.ErrIncomplete},
		"no startxref":           {bytes.Replace(whole, []byte("startxref"), []byte("startxrex"), 1), pdffile.ErrDamaged},
		"offset past the end":    {bytes.Replace(whole, []byte("startxref\n"), []byte("startxref\n99999"), 1), pdffile.ErrDamaged},
		"no version":             {append([]byte("%PDF-x"), whole[8:]...), pdffile.ErrDamaged},
		"trailing garbage":       {append(bytes.Clone(whole), bytes.Repeat([]byte{0}, 2000)...), pdffile.ErrIncomplete},
	} {
		require.ErrorIs(t, pdffile.Check(tc.data), tc.want, name)
		if tc.want == nil {
			require.NoError(t, pdffile.Check(tc.data), name)
		}
	}
}
