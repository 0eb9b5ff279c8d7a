package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/auth"
	"github.com/snapnote/snapnote/internal/pgtest"
)

// program runs the real command with an environment of its own.
func program(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = run(ctx, args, func(k string) string { return env[k] }, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestMigrateAndServeRefusesOldSchema(t *testing.T) {
	t.Parallel()
	_, url := pgtest.Empty(t)
	env := map[string]string{"DATABASE_URL": url, "AUTH_MODE": "dev", "DATA_DIR": t.TempDir(), "PORT": "0"}

	out, _, err := program(t, env, "migrate", "status")
	require.NoError(t, err)
	require.Contains(t, out, "out of date")

	for _, cmd := range []string{"api", "worker"} {
		_, _, err := program(t, env, cmd)
		require.ErrorContains(t, err, "snapnote migrate up", cmd)
	}

	out, _, err = program(t, env, "migrate", "up")
	require.NoError(t, err)
	require.Contains(t, out, "schema is current")
	out, _, err = program(t, env, "migrate", "status")
	require.NoError(t, err)
	require.Contains(t, out, ": current")

	_, _, err = program(t, env, "migrate", "down", "--all")
	require.NoError(t, err)
	out, _, err = program(t, env, "migrate", "status")
	require.NoError(t, err)
	require.Contains(t, out, "app schema 0 of")
}

func TestBadConfigNamesTheVariable(t *testing.T) {
	t.Parallel()
	_, _, err := program(t, map[string]string{"PORT": "http"}, "api")
	require.ErrorContains(t, err, "PORT:")

	_, _, err = program(t, map[string]string{"DATABASE_URL": "postgres://127.0.0.1:1/x?connect_timeout=1"}, "api")
	require.ErrorContains(t, err, "AUTH0_DOMAIN", "api without auth settings refuses to start")
}

func TestTokenIsAcceptedByDevAuth(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	key, err := auth.LoadOrCreateDevKey(dir) // as `snapnote dev` does when it starts
	require.NoError(t, err)
	out, _, err := program(t, map[string]string{"AUTH_MODE": "dev", "DATA_DIR": dir}, "token", "--sub", "alice", "--email", "a@example.edu")
	require.NoError(t, err)
	token := strings.TrimSpace(out)
	require.Equal(t, 2, strings.Count(token, "."), "the token alone on stdout")

	v, err := auth.NewValidator(auth.Config{Issuer: auth.DevIssuer, Audience: auth.DevAudience, Keys: key.JWKS()})
	require.NoError(t, err)
	claims, err := v.ValidateToken(context.Background(), token)
	require.NoError(t, err)
	require.Equal(t, "alice", claims.Subject)
	require.Equal(t, "a@example.edu", claims.Email)

	_, _, err = program(t, map[string]string{"DATA_DIR": dir}, "token")
	require.ErrorContains(t, err, "--sub")
}

func TestHelpListsEveryCommand(t *testing.T) {
	t.Parallel()
	out, _, err := program(t, nil, "help")
	require.NoError(t, err)
	for _, want := range []string{"api", "worker", "dev", "migrate", "token", "DATABASE_URL", "UPLOAD_MAX_BYTES"} {
		require.Contains(t, out, want)
	}
	_, _, err = program(t, nil, "frobnicate")
	require.ErrorContains(t, err, "unknown command")
}

// TestHelpTouchesNothing: `COMMAND --help` prints the command's usage and
// exits 0 before reading settings or touching a database, a port or
// DATA_DIR (the database named here does not answer).
func TestHelpTouchesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{"DATABASE_URL": "postgres://127.0.0.1:1/none?connect_timeout=1", "DATA_DIR": dir,
		"AUTH_MODE": "dev", "PORT": "bogus"}
	for _, c := range commands {
		for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {c.name, "up", "--help"}} {
			out, _, err := program(t, env, args...)
			require.NoError(t, err, "%v", args)
			require.Contains(t, out, "Usage:", "%v", args)
			require.Contains(t, out, "  "+c.name, "%v", args)
		}
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "help made nothing in DATA_DIR")
}
