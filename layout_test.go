package snapnote_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/snapnote/snapnote"

// goList returns what `go list` prints for pkg with format, one item a line.
func goList(t *testing.T, format, pkg string, deps bool) []string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	args := []string{"list", "-f", format}
	if deps {
		args = append(args, "-deps")
	}
	out, err := exec.Command(goBin, append(args, pkg)...).Output()
	require.NoError(t, err, "go list %s", pkg)
	return strings.Fields(string(out))
}

// goListAll returns what `go list` prints for the packages that pattern
// matches, one line each.
func goListAll(t *testing.T, format, pattern string) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	out, err := exec.Command(goBin, "list", "-f", format, pattern).Output()
	require.NoError(t, err, "go list %s", pattern)
	return string(out)
}

func imports(t *testing.T, pkg string) []string {
	return goList(t, `{{join .Imports " "}}`, module+"/"+pkg, false)
}

func links(t *testing.T, pkg string) []string {
	return goList(t, "{{.ImportPath}}", module+"/"+pkg, true)
}

// testLinks returns what pkg's tests link: its test files' imports and theirs.
func testLinks(t *testing.T, pkg string) []string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	out, err := exec.Command(goBin, "list", "-deps", "-test", "-f", "{{.ImportPath}}", module+"/"+pkg).Output()
	require.NoError(t, err, "go list -test %s", pkg)
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// TestDependenciesPointOneWay holds the arrows of the layout: cmd → api and
// worker → jobs → the internal packages → db and storage, with the API
// reaching the queue only through internal/queue.
func TestDependenciesPointOneWay(t *testing.T) {
	t.Parallel()
	for _, imp := range imports(t, "api") {
		require.False(t, strings.HasPrefix(imp, "github.com/jackc/pgx") || strings.HasPrefix(imp, "github.com/riverqueue/river"),
			"api imports %s: it reaches Postgres through internal/db and the queue through internal/queue", imp)
	}
	// One binary runs both, so this is about the API's packages, not a
	// process: the handlers hand work to the pipeline through the queue and
	// never run it themselves.
	apiLinks := links(t, "api")
	for _, pkg := range []string{"internal/ocr", "internal/ocr/tesseract", "internal/ocr/warm", "internal/raster", "internal/pdf", "internal/backup", "internal/corpus", "jobs", "worker"} {
		require.NotContains(t, apiLinks, module+"/"+pkg, "package api (and what it imports) must not depend on %s", pkg)
	}
	// The API's tests test the API, its handlers, problems and auth; what
	// runs the pipeline behind it is tested end to end in package e2e.
	apiTestLinks := testLinks(t, "api")
	for _, pkg := range []string{"internal/ocr", "internal/ocr/tesseract", "internal/ocr/warm", "internal/ocr/vision", "internal/pdf", "internal/backup", "jobs", "worker"} {
		require.False(t, slices.Contains(apiTestLinks, module+"/"+pkg), "the api tests (and api/apitest) must not link %s: a test that runs the pipeline belongs in e2e", pkg)
	}
	// The internal packages are what the app is built from: none of them
	// reaches back up to the app's top-level packages.
	for _, line := range strings.Split(strings.TrimSpace(goListAll(t, `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./internal/...")), "\n") {
		fields := strings.Fields(line)
		for _, imp := range fields[1:] {
			for _, top := range []string{"api", "jobs", "worker", "cmd"} {
				require.False(t, imp == module+"/"+top || strings.HasPrefix(imp, module+"/"+top+"/"),
					"%s imports %s: internal packages must not import the app's %s", fields[0], imp, top)
			}
		}
	}
	for _, pkg := range []string{"api", "worker"} {
		require.NotContains(t, links(t, "jobs"), module+"/"+pkg, "jobs must not depend on %s", pkg)
	}
	for _, pkg := range links(t, "storage") {
		require.False(t, strings.HasPrefix(pkg, module+"/") && pkg != module+"/storage",
			"storage imports %s: it must import no package of the app", pkg)
	}
	for _, pkg := range links(t, "internal/queue") {
		require.False(t, strings.HasPrefix(pkg, module+"/") && !slices.Contains(
			[]string{module, module + "/internal/db", module + "/internal/queue"}, pkg),
			"internal/queue links %s: it is a leaf over db", pkg)
	}
	// HTTP plumbing knows nothing of the product's resources, storage or queue.
	for _, pkg := range links(t, "internal/httpx") {
		require.False(t, strings.HasPrefix(pkg, module+"/") && pkg != module && pkg != module+"/internal/httpx",
			"internal/httpx links %s: the plumbing imports nothing of the app but the domain package", pkg)
	}
	for _, pkg := range imports(t, "") {
		require.False(t, strings.HasPrefix(pkg, module+"/"), "the domain package imports %s: it imports nothing of the app", pkg)
	}
	binary := links(t, "cmd/snapnote")
	for _, pkg := range []string{"api/apitest", "internal/corpus", "internal/ocr/ocrtest", "internal/pdf/pdftest", "internal/pgtest"} {
		require.NotContains(t, binary, module+"/"+pkg, "the snapnote binary must not link %s", pkg)
	}
}

// sqlStatement matches a Go string that holds an SQL statement: one that
// starts with a statement's keywords (in any case, across lines, after a
// CTE's WITH), or calls an advisory lock.
var sqlStatement = regexp.MustCompile(`(?is)^\s*(\(\s*)*(WITH\s+(RECURSIVE\s+)?\w+(\s*\([^)]*\))?\s+AS\s*\(|` +
	`SELECT\s.*\bFROM\s|INSERT\s+INTO\s|UPDATE\s+[\w.]+\s+SET\s|DELETE\s+FROM\s|TRUNCATE\s|MERGE\s+INTO\s|` +
	`LISTEN\s|NOTIFY\s|COPY\s+\w+.*\b(FROM|TO)\s+(STDIN|STDOUT)\b)|pg_advisory`)

// goStrings returns the value of every string literal in the Go file at
// path, and of every concatenation of literals (a constant built in parts).
func goStrings(t *testing.T, path string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	require.NoError(t, err)
	var out []string
	var value func(ast.Expr) (string, bool)
	value = func(e ast.Expr) (string, bool) {
		switch e := e.(type) {
		case *ast.BasicLit:
			if e.Kind != token.STRING {
				return "", false
			}
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		case *ast.ParenExpr:
			return value(e.X)
		case *ast.BinaryExpr:
			if e.Op != token.ADD {
				return "", false
			}
			x, okX := value(e.X)
			y, okY := value(e.Y)
			return x + y, okX && okY
		}
		return "", false
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if e, ok := n.(ast.Expr); ok {
			if s, ok := value(e); ok {
				out = append(out, s)
			}
		}
		return true
	})
	return out
}

// sqlIn returns the first string of the Go file at path that holds SQL, or "".
func sqlIn(t *testing.T, path string) string {
	for _, s := range goStrings(t, path) {
		if sqlStatement.MatchString(s) {
			return s
		}
	}
	return ""
}

// TestSQLLivesInDB parses every Go file but tests and finds SQL in string
// literals and constants outside internal/db and the exceptions its package
// doc names: migrations' bookkeeping, the test helpers and the read
// benchmark's EXPLAIN. Tests may read rows as they like. So that the guard
// is known to see SQL where it is, it must find some in every file of
// internal/db that runs a query (but db.go, whose helpers run the queries
// other files pass them).
func TestSQLLivesInDB(t *testing.T) {
	t.Parallel()
	allowed := []string{"internal/db/", "migrations/", "internal/pgtest/", "api/apitest/", "cmd/snapnote-bench/"}
	queries := regexp.MustCompile(`\.(Exec|Query|QueryRow)\(ctx|\blist\(ctx`)
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		if strings.HasPrefix(path, "internal/db/") {
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if queries.Match(src) && path != "internal/db/db.go" {
				require.NotEmpty(t, sqlIn(t, path), "%s runs queries, but the guard finds no SQL in it", path)
			}
		}
		if slices.ContainsFunc(allowed, func(prefix string) bool { return strings.HasPrefix(path, prefix) }) {
			return nil
		}
		if s := sqlIn(t, path); s != "" {
			t.Errorf("%s holds SQL (%q): queries belong in internal/db", path, s)
		}
		return nil
	})
	require.NoError(t, err)
}
