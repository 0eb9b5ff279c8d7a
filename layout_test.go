package snapnote_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
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

func imports(t *testing.T, pkg string) []string {
	return goList(t, `{{join .Imports " "}}`, module+"/"+pkg, false)
}

func links(t *testing.T, pkg string) []string {
	return goList(t, "{{.ImportPath}}", module+"/"+pkg, true)
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
	apiLinks := links(t, "api")
	for _, pkg := range []string{"internal/ocr", "internal/ocr/tesseract", "internal/ocr/warm", "internal/raster", "internal/pdf", "internal/backup", "internal/corpus", "jobs", "worker"} {
		require.NotContains(t, apiLinks, module+"/"+pkg, "the API process must not link %s", pkg)
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
	for _, pkg := range imports(t, "") {
		require.False(t, strings.HasPrefix(pkg, module+"/"), "the domain package imports %s: it imports nothing of the app", pkg)
	}
	binary := links(t, "cmd/snapnote")
	for _, pkg := range []string{"internal/corpus", "internal/ocr/ocrtest", "internal/pdf/pdftest", "internal/pgtest"} {
		require.NotContains(t, binary, module+"/"+pkg, "the snapnote binary must not link %s", pkg)
	}
}

// sqlStatement finds the start of an SQL statement in Go source.
var sqlStatement = regexp.MustCompile("(?m)(^|[`\"]\\s*)(SELECT .+ FROM|INSERT INTO|UPDATE \\w+ SET|DELETE FROM|LISTEN |pg_advisory)")

// TestSQLLivesInDB finds SQL outside internal/db but in the exceptions its
// package doc names: migrations' bookkeeping, the test helper and the read
// benchmark's EXPLAIN. Tests may read rows as they like.
func TestSQLLivesInDB(t *testing.T) {
	t.Parallel()
	allowed := []string{"internal/db/", "migrations/", "internal/pgtest/", "cmd/snapnote-bench/"}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		if slices.ContainsFunc(allowed, func(prefix string) bool { return strings.HasPrefix(path, prefix) }) {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if m := sqlStatement.Find(src); m != nil {
			t.Errorf("%s holds SQL (%q): queries belong in internal/db", path, m)
		}
		return nil
	})
	require.NoError(t, err)
}
