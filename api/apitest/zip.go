package apitest

import (
	"archive/zip"
	"bytes"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// ReadZip fetches path as u and opens the zip it answers.
func ReadZip(t *testing.T, u *User, path string) (map[string]string, *http.Response) {
	t.Helper()
	res := u.Bundle.Send(http.MethodGet, path, nil, map[string]string{"Authorization": "Bearer " + u.Token}, 1<<30)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	zr, err := zip.NewReader(bytes.NewReader(res.Body), int64(len(res.Body)))
	require.NoError(t, err)
	files := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		var buf bytes.Buffer
		_, err = buf.ReadFrom(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		files[f.Name] = buf.String()
	}
	return files, &http.Response{Header: res.Header}
}
