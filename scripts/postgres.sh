#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers at the URL and that its database exists.
#
#   scripts/postgres.sh [URL]     (default: $DATABASE_URL, else the dev default below)
#
# When a server answers, it creates the database if it is missing, nothing more. When
# nothing answers on this machine and we are root on Debian/Ubuntu, it installs PostgreSQL
# if needed and starts the cluster on the URL's port (without systemd). A cluster this
# script had to create gets trust auth for TCP from 127.0.0.1/::1 only, as a dev machine
# expects; an existing cluster is started but never reconfigured.
# Safe to re-run: each step checks before it acts.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# server_answers: true when a server accepts connections at PG_HOST:PG_PORT.
server_answers() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -t 3 -d "$PG_ADMIN_URL"
  elif [[ $PG_HOST != /* ]]; then
    timeout 3 bash -c ">/dev/tcp/${PG_HOST:-127.0.0.1}/$PG_PORT" 2>/dev/null
  else
    [ -S "$PG_HOST/.s.PGSQL.$PG_PORT" ]
  fi
}

wait_until_answers() {
  local i
  for ((i = 0; i < 30; i++)); do
    server_answers && return 0
    sleep 1
  done
  return 1
}

ensure_psql() {
  command -v psql >/dev/null 2>&1 && return 0
  can_apt_install || die "psql is missing: install the PostgreSQL client (Debian: apt-get install postgresql-client)"
  apt_install postgresql-client
}

# cluster_on_port PORT: prints "version name status" of the local cluster on PORT, if any.
cluster_on_port() {
  pg_lsclusters -h 2>/dev/null | awk -v port="$1" '$3 == port {print $1, $2, $4; exit}'
}

newest_server_version() {
  find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/postgres' 2>/dev/null |
    awk -F/ '{print $4}' | sort -n | tail -n 1
}

# trust_loopback VERSION CLUSTER: lets local TCP clients in without a password. Only for a
# cluster created by this script; the lines go first, as pg_hba.conf takes the first match.
trust_loopback() {
  local hba=/etc/postgresql/$1/$2/pg_hba.conf marker='# snapnote scripts/postgres.sh'
  grep -qF "$marker" "$hba" && return 0
  say "new cluster: trusting TCP connections from 127.0.0.1 and ::1 in $hba (a dev machine only)"
  local rules
  rules=$(printf '%s: trust local TCP connections, for development.\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n' "$marker")
  printf '%s\n\n%s\n' "$rules" "$(cat "$hba")" >"$hba" # rewritten in place: owner and mode stay
}

refuse_to_start() {
  die "no PostgreSQL answers at ${PG_HOST:-localhost}:$PG_PORT. $1"
}

# start_local_server: installs, creates and starts a cluster on PG_PORT, as far as needed.
start_local_server() {
  pg_host_is_local || refuse_to_start "It is not on this machine: start it there, or point the URL at a running server."
  can_apt_install || refuse_to_start "Start PostgreSQL 14 or newer listening there (Debian, as root: apt-get install postgresql && pg_ctlcluster --skip-systemctl-redirect 15 main start), or point the URL at a running server."

  local fresh='' version cluster status
  if [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
    fresh=1
    [ -n "$(newest_server_version)" ] || apt_install postgresql
    # Debian's package creates and starts a "main" cluster itself; create one if it did not.
    if [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
      pg_createcluster --port "$PG_PORT" "$(newest_server_version)" main
    fi
  fi

  read -r version cluster status <<<"$(cluster_on_port "$PG_PORT")" || true
  if [ -z "${version:-}" ]; then
    refuse_to_start "This machine's clusters (pg_lsclusters) use other ports; not changing them: start one on $PG_PORT, or use its port in the URL."
  fi
  [ -n "$fresh" ] && trust_loopback "$version" "$cluster"
  if [ "$status" = online ]; then
    [ -n "$fresh" ] || refuse_to_start "Cluster $version/$cluster is online but not listening there: check listen_addresses in /etc/postgresql/$version/$cluster/postgresql.conf."
    pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" reload
  else
    say "starting PostgreSQL cluster $version/$cluster"
    pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start
  fi
  wait_until_answers || die "cluster $version/$cluster did not start answering on port $PG_PORT; see /var/log/postgresql/"
}

# ensure_database URL: creates the URL's database when the server says it is not there.
ensure_database() {
  local url=$1 found
  [ -z "$PG_DB" ] && return 0 # libpq's default database, named after the user
  PGCONNECT_TIMEOUT=5 psql -X -q -d "$url" -c 'SELECT 1' >/dev/null 2>&1 && return 0
  # The query reads the name as a psql variable, so any database name is quoted safely.
  found=$(PGCONNECT_TIMEOUT=5 psql -X -A -t -q -v ON_ERROR_STOP=1 -v db="$PG_DB" -d "$PG_ADMIN_URL" \
    <<<"SELECT 1 FROM pg_database WHERE datname = :'db'") ||
    die "cannot query the server as $(redact_url "$PG_ADMIN_URL") (the error is above)"
  if [ "$found" != 1 ]; then
    say "creating database $PG_DB"
    psql -X -q -v ON_ERROR_STOP=1 -v db="$PG_DB" -d "$PG_ADMIN_URL" <<<'CREATE DATABASE :"db"'
  fi
  PGCONNECT_TIMEOUT=5 psql -X -q -d "$url" -c 'SELECT 1' >/dev/null ||
    die "database $PG_DB exists but $(redact_url "$url") cannot connect to it (the error is above)"
}

main() {
  local url=${1:-}
  if [ -z "$url" ]; then
    default_env DATABASE_URL "$DEV_DATABASE_URL_DEFAULT"
    url=$DATABASE_URL
  fi
  pg_parse_url "$url" || die "not a postgres:// URL: $(redact_url "$url")"
  ensure_psql
  server_answers || start_local_server
  ensure_database "$url"
  say "PostgreSQL ready at $(redact_url "$url")"
}

main "$@"
