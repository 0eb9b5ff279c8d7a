// Package e2e holds the end-to-end tests: an upload through the API, the
// River worker running the real pipeline behind it (Tesseract, the
// formatters, the maintenance jobs), and the note that comes out, read back
// through the API. The API alone is tested in package api; the helpers both
// share are in api/apitest. The package has no code but its tests.
package e2e
