package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api/apitest"
	"github.com/snapnote/snapnote/internal/pdf/pdftest"
)

// An encrypted or broken PDF is refused at once; nothing is stored.
func TestUnusablePDFIsRefused(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	fields := map[string]string{"courseId": course.ID.String()}
	whole := pdftest.Text([]string{"Lecture one"})
	for name, tc := range map[string]struct {
		file   []byte
		detail string
	}{
		"encrypted":  {pdftest.Write([]pdftest.Page{{Lines: []string{"secret"}}}, pdftest.Options{Encrypt: true}), "encrypted"},
		"truncated":  {whole[:len(whole)/2], "incomplete"},
		"no trailer": {[]byte("%PDF-1.7\n" + strings.Repeat("garbage ", 100) + "\n%%EOF\n"), "damaged"},
	} {
		res := alice.Upload(apitest.Form{Fields: fields, Filename: name + ".pdf", File: tc.file})
		apitest.RequireProblem(t, res, http.StatusUnprocessableEntity)
		require.Contains(t, string(res.Body), tc.detail, name)
	}
	require.Zero(t, b.Count("uploads"))
	require.Empty(t, b.BlobFiles())
}
