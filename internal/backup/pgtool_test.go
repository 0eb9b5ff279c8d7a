package backup

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckToolVersion(t *testing.T) {
	t.Parallel()
	got, err := checkToolVersion("pg_dump", "/usr/bin/pg_dump", "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)\n", 15)
	require.NoError(t, err)
	require.Equal(t, tool{Name: "pg_dump", Path: "/usr/bin/pg_dump", Version: "15.20"}, got)

	_, err = checkToolVersion("pg_dump", "/usr/bin/pg_dump", "pg_dump (PostgreSQL) 16.4 (Ubuntu 16.4-1)\n", 15)
	require.EqualError(t, err, "pg_dump at /usr/bin/pg_dump is version 16.4, but the server is PostgreSQL 15 and needs pg_dump 15: "+
		"install it with `apt-get install postgresql-client-15` (or run scripts/deps.sh)")

	_, err = checkToolVersion("pg_restore", "/opt/pg_restore", "pg_restore (PostgreSQL) 17beta2\n", 15)
	require.ErrorContains(t, err, "pg_restore at /opt/pg_restore is version 17beta2, but the server is PostgreSQL 15")

	_, err = checkToolVersion("pg_dump", "/bin/pg_dump", "something else", 15)
	require.ErrorContains(t, err, `cannot read its version from "something else"`)
}

func TestFindToolSaysWhatItFoundAndHowToInstall(t *testing.T) {
	t.Parallel()
	_, err := findTool(t.Context(), "pg_dump", 99)
	require.ErrorContains(t, err, "no pg_dump for PostgreSQL 99: found ")
	require.ErrorContains(t, err, "apt-get install postgresql-client-99")
	require.ErrorContains(t, err, "scripts/deps.sh")
}

func TestMajorOf(t *testing.T) {
	t.Parallel()
	require.Equal(t, 15, majorOf(150020))
	require.Equal(t, 10, majorOf(100023))
}

func TestLibpqTargetKeepsThePasswordOutOfArguments(t *testing.T) {
	t.Parallel()
	u, env, err := libpqTarget("postgres://app:s3cret@db:5432/snapnote?sslmode=require&pool_max_conns=10&statement_cache_capacity=0")
	require.NoError(t, err)
	require.Equal(t, "postgres://app@db:5432/snapnote?sslmode=require", u)
	require.Contains(t, env, "PGPASSWORD=s3cret")
	require.NotContains(t, u, "s3cret")
}

func TestCopyHoldingLast(t *testing.T) {
	t.Parallel()
	data := strings.Repeat("x", 3*holdBackSize+17)
	var out strings.Builder
	seen := -1
	err := copyHoldingLast(&out, strings.NewReader(data), func() error {
		seen = out.Len()
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, data, out.String())
	require.Equal(t, len(data)-17, seen, "the last chunk waits for verification")

	out.Reset()
	err = copyHoldingLast(&out, strings.NewReader(data), func() error { return errBadSum })
	require.ErrorIs(t, err, errBadSum)
	require.Less(t, out.Len(), len(data), "a failed verification withholds the end")
}

var errBadSum = errors.New("checksum mismatch")
