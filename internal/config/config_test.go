package config

import (
	"os"
	"testing"
	"time"

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
		"OCR_RECYCLE_PAGES":   "-5",
		"OCR_RECYCLE_RSS":     "400",
	} {
		_, err := parse(env(map[string]string{name: value}))
		require.ErrorContains(t, err, name+":", name)
		require.ErrorContains(t, err, value, name)
	}
}

func TestOCRLangIsACourseLanguage(t *testing.T) {
	t.Parallel()
	for _, good := range []string{"eng", "deu+eng", "chi_sim"} {
		c, err := parse(env(map[string]string{"OCR_LANG": good}))
		require.NoError(t, err, good)
		require.Equal(t, good, c.OCRLang)
	}
	// New courses are created in OCR_LANG: what the courses table would refuse, or auto,
	// stops start-up instead.
	for _, bad := range []string{"auto", "ENG", "eng+", "en", "eng deu", "script/Latin"} {
		_, err := parse(env(map[string]string{"OCR_LANG": bad}))
		require.ErrorContains(t, err, "OCR_LANG:", bad)
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

func TestOCRRecycling(t *testing.T) {
	t.Parallel()
	c, err := parse(env(nil))
	require.NoError(t, err)
	require.Equal(t, 500, c.OCRRecyclePages)
	require.EqualValues(t, 400<<20, c.OCRRecycleRSS)

	c, err = parse(env(map[string]string{"OCR_RECYCLE_PAGES": "0", "OCR_RECYCLE_RSS": "0"}))
	require.NoError(t, err)
	require.Zero(t, c.OCRRecyclePages, "0 never recycles")
	require.Zero(t, c.OCRRecycleRSS)

	c, err = parse(env(map[string]string{"OCR_RECYCLE_PAGES": "2", "OCR_RECYCLE_RSS": "1073741824"}))
	require.NoError(t, err)
	require.Equal(t, 2, c.OCRRecyclePages)
	require.EqualValues(t, 1<<30, c.OCRRecycleRSS)

	for _, v := range []string{"400MB", "-1", "67108863", "1.5e9"} {
		_, err := parse(env(map[string]string{"OCR_RECYCLE_RSS": v}))
		require.ErrorContains(t, err, "OCR_RECYCLE_RSS:", v)
		require.ErrorContains(t, err, "64 MiB", v)
	}
	_, err = parse(env(map[string]string{"OCR_RECYCLE_PAGES": "many"}))
	require.ErrorContains(t, err, "OCR_RECYCLE_PAGES:")
}

func TestEveryVarIsDocumented(t *testing.T) {
	t.Parallel()
	for _, v := range Vars() {
		require.NotEmpty(t, v.Doc, v.Name)
	}
}

func TestMaintenanceDefaults(t *testing.T) {
	t.Parallel()
	c, err := parse(env(nil))
	require.NoError(t, err)
	require.Equal(t, 720*time.Hour, c.TrashRetention)
	require.Equal(t, 14, c.BackupKeep)
	require.Equal(t, 24*time.Hour, c.OrphanMinAge)
	require.Equal(t, "0 3 * * *", c.BackupSpec)
	from := time.Date(2026, 11, 27, 5, 0, 0, 0, time.UTC)
	require.Equal(t, time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC), c.BackupSchedule.Next(from).UTC(),
		"the schedule is in UTC whatever the local zone")
}

func TestBackupSchedule(t *testing.T) {
	t.Parallel()
	from := time.Date(2026, 11, 27, 5, 0, 0, 0, time.UTC)
	for spec, want := range map[string]time.Time{
		"@every 6h":                       from.Add(6 * time.Hour),
		"30 1 * * 1":                      time.Date(2026, 11, 30, 1, 30, 0, 0, time.UTC),
		"CRON_TZ=Europe/Berlin 0 7 * * *": time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC),
	} {
		c, err := parse(env(map[string]string{"BACKUP_SCHEDULE": spec}))
		require.NoError(t, err, spec)
		require.Equal(t, want, c.BackupSchedule.Next(from).UTC(), spec)
	}
}

func TestBadMaintenanceValuesNameTheVariable(t *testing.T) {
	t.Parallel()
	for name, value := range map[string]string{
		"TRASH_RETENTION": "a month",
		"BACKUP_SCHEDULE": "0 3 * *",
		"BACKUP_KEEP":     "0",
		"ORPHAN_MIN_AGE":  "5m",
	} {
		_, err := parse(env(map[string]string{name: value}))
		require.ErrorContains(t, err, name+":", name)
		require.ErrorContains(t, err, value, name)
	}
}

func TestReadmeDocumentsEveryVariable(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	for _, v := range Vars() {
		require.Contains(t, string(readme), "`"+v.Name+"`", "README.md's configuration table lacks %s", v.Name)
	}
}

func TestLLMDefaults(t *testing.T) {
	t.Parallel()
	c, err := parse(env(nil))
	require.NoError(t, err)
	require.Empty(t, c.LLMBaseURL, "the built-in formatter by default")
	require.Equal(t, 16, c.LLMConcurrency)
	require.Equal(t, 60*time.Second, c.LLMTimeout)
	require.Equal(t, 6000, c.LLMMaxChunkChars)
	require.Equal(t, "tesseract", c.OCREngine)
	require.True(t, c.OCRVisionFallback)
}

func TestBadLLMValuesNameTheVariable(t *testing.T) {
	t.Parallel()
	for name, value := range map[string]string{
		"LLM_BASE_URL":        "api.openai.com/v1",
		"LLM_CONCURRENCY":     "0",
		"LLM_TIMEOUT":         "forever",
		"LLM_MAX_CHUNK_CHARS": "10",
		"OCR_ENGINE":          "gpt",
		"OCR_VISION_FALLBACK": "sometimes",
	} {
		_, err := parse(env(map[string]string{name: value}))
		require.ErrorContains(t, err, name+":", name)
		require.ErrorContains(t, err, value, name)
	}
}

func TestValidateLLM(t *testing.T) {
	t.Parallel()
	base := map[string]string{"AUTH_MODE": "dev"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, tt := range []struct {
		env     map[string]string
		wantErr string
	}{
		{with("LLM_BASE_URL", "http://127.0.0.1:11434/v1"), "LLM_MODEL: required when LLM_BASE_URL"},
		{with("LLM_BASE_URL", "http://127.0.0.1:11434/v1", "LLM_MODEL", "llama3.1"), ""},
		{with("OCR_ENGINE", "vision"), "LLM_BASE_URL: required when OCR_ENGINE=vision"},
		{with("OCR_ENGINE", "vision", "LLM_BASE_URL", "https://api.openai.com/v1", "LLM_MODEL", "gpt-4o-mini"), ""},
		{with("OCR_ENGINE", "vision", "LLM_BASE_URL", "https://api.openai.com/v1", "OCR_VISION_MODEL", "gpt-4o-mini"), "LLM_MODEL: required"},
	} {
		c, err := parse(env(tt.env))
		require.NoError(t, err)
		if tt.wantErr == "" {
			require.NoError(t, c.Validate(), "%v", tt.env)
			continue
		}
		require.ErrorContains(t, c.Validate(), tt.wantErr, "%v", tt.env)
	}
}

func TestErrorsHideSecrets(t *testing.T) {
	t.Parallel()
	_, err := parse(env(map[string]string{"DATABASE_URL": "postgress://app:hunter2@db/snapnote"}))
	require.ErrorContains(t, err, "DATABASE_URL:")
	require.NotContains(t, err.Error(), "hunter2")
}
