package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// toolDirPattern is where Debian installs each major's client programs.
const toolDirPattern = "/usr/lib/postgresql/%d/bin"

// tool is a PostgreSQL client program of a known version.
type tool struct {
	Name    string // pg_dump or pg_restore
	Path    string
	Version string // e.g. "15.20"
}

// majorOf turns a server_version_num (150020) into its major version (15).
// Before PostgreSQL 10 the major had two parts (90624 is 9.6), which no
// supported server has any more.
func majorOf(num int) int {
	return num / 10000
}

// findTool returns the client program name (pg_dump or pg_restore) whose
// major version is serverMajor. It returns an error saying what it found and
// how to install the right one when there is none.
func findTool(ctx context.Context, name string, serverMajor int) (tool, error) {
	candidates := []string{filepath.Join(fmt.Sprintf(toolDirPattern, serverMajor), name)}
	if p, err := exec.LookPath(name); err == nil {
		candidates = append(candidates, p)
	}
	var found []string
	for _, path := range candidates {
		if _, err := os.Stat(path); err != nil {
			continue
		}
		out, err := exec.CommandContext(ctx, path, "--version").Output()
		if err != nil {
			found = append(found, fmt.Sprintf("%s (does not run: %v)", path, err))
			continue
		}
		t, err := checkToolVersion(name, path, string(out), serverMajor)
		if err == nil {
			return t, nil
		}
		found = append(found, fmt.Sprintf("%s (%s)", path, strings.TrimSpace(string(out))))
	}
	what := "none"
	if len(found) > 0 {
		what = strings.Join(found, ", ")
	}
	return tool{}, fmt.Errorf("no %s for PostgreSQL %d: found %s; install it with `apt-get install postgresql-client-%d` (or run scripts/deps.sh)",
		name, serverMajor, what, serverMajor)
}

// versionPattern finds the version in `pg_dump --version` output such as
// "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)" or "… 16beta2".
var versionPattern = regexp.MustCompile(`\(PostgreSQL\) (\d+)(?:\.(\d+))?\S*`)

// checkToolVersion parses versionOutput, what the program at path printed for
// --version, and returns an error unless its major version is serverMajor.
func checkToolVersion(name, path, versionOutput string, serverMajor int) (tool, error) {
	m := versionPattern.FindStringSubmatch(versionOutput)
	if m == nil {
		return tool{}, fmt.Errorf("%s at %s: cannot read its version from %q", name, path, strings.TrimSpace(versionOutput))
	}
	major, _ := strconv.Atoi(m[1])
	version := strings.TrimPrefix(m[0], "(PostgreSQL) ")
	if major != serverMajor {
		return tool{}, fmt.Errorf("%s at %s is version %s, but the server is PostgreSQL %d and needs %s %d: install it with `apt-get install postgresql-client-%d` (or run scripts/deps.sh)",
			name, path, version, serverMajor, name, serverMajor, serverMajor)
	}
	return tool{Name: name, Path: path, Version: version}, nil
}

// libpqTarget turns a pgx DATABASE_URL into what libpq programs take: the
// URL without the password and pgx-only parameters (which libpq rejects),
// and the environment carrying the password, so it never shows in a process
// listing.
func libpqTarget(databaseURL string) (dbURL string, env []string, err error) {
	u, err := url.Parse(databaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, errors.New("database URL must be a postgres:// URL")
	}
	env = os.Environ()
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
	}
	q := u.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") || pgxOnlyParams[k] {
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), env, nil
}

// pgxOnlyParams are connection parameters pgx understands and libpq does not.
var pgxOnlyParams = map[string]bool{
	"statement_cache_capacity":     true,
	"description_cache_capacity":   true,
	"default_query_exec_mode":      true,
	"min_read_buffer_size":         true,
	"prefer_simple_protocol":       true,
	"servicefile":                  true,
	"target_session_attrs_timeout": true,
}

// stderrTail keeps the last bytes a program wrote to standard error, for
// error messages.
type stderrTail struct {
	buf bytes.Buffer
}

const stderrTailMax = 8 << 10

func (s *stderrTail) Write(p []byte) (int, error) {
	s.buf.Write(p)
	if over := s.buf.Len() - stderrTailMax; over > 0 {
		s.buf.Next(over)
	}
	return len(p), nil
}

func (s *stderrTail) String() string {
	return strings.TrimSpace(s.buf.String())
}
