package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	c, err := parse(env(nil))
	require.NoError(t, err)
	require.Equal(t, 8080, c.Port)
	require.Equal(t, "data/blobs", c.StorageDir)
	require.EqualValues(t, 20<<20, c.UploadMaxBytes)
	require.Positive(t, c.OCRConcurrency)
	require.Equal(t, "auth0", c.AuthMode)
}

func TestBadValuesNameTheVariable(t *testing.T) {
	t.Parallel()
	for name, value := range map[string]string{
		"PORT":                "eighty",
		"DATABASE_URL":        "mysql://x",
		"STORAGE":             "ftp",
		"LOG_LEVEL":           "loud",
		"UPLOAD_MAX_BYTES":    "-1",
		"OCR_TIMEOUT":         "soon",
		"S3_FORCE_PATH_STYLE": "maybe",
		"OCR_LANG":            "eng+../x",
	} {
		_, err := parse(env(map[string]string{name: value}))
		require.ErrorContains(t, err, name+":", name)
		require.ErrorContains(t, err, value, name)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	c, err := parse(env(map[string]string{"STORAGE": "s3"}))
	require.NoError(t, err)
	err = c.Validate()
	require.ErrorContains(t, err, "S3_BUCKET")
	require.ErrorContains(t, err, "AUTH0_DOMAIN")
	require.ErrorContains(t, err, "AUTH0_AUDIENCE")

	c, err = parse(env(map[string]string{"AUTH0_DOMAIN": "https://tenant.eu.auth0.com/", "AUTH0_AUDIENCE": "https://api"}))
	require.NoError(t, err)
	require.NoError(t, c.Validate())
	require.Equal(t, "https://tenant.eu.auth0.com/", c.Issuer())
}

func TestEveryVarIsDocumented(t *testing.T) {
	t.Parallel()
	for _, v := range Vars() {
		require.NotEmpty(t, v.Doc, v.Name)
	}
}
