#!/usr/bin/env bash
# Helpers shared by the scripts in this folder; sourced, never run. Safe to source many times.
# shellcheck disable=SC2034 # the PG_* variables set here are read by the scripts that source this file

# The default dev database; tests default to the maintenance database (see DESIGN.md).
DEV_DATABASE_URL_DEFAULT='postgres://postgres@127.0.0.1:5432/snapnote?sslmode=disable'
TEST_DATABASE_URL_DEFAULT='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf '%s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
header() { printf '\n==> %s\n' "$*"; }

is_root() { [ "$(id -u)" -eq 0 ]; }
has_apt() { command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; }
can_apt_install() { is_root && has_apt; }

# deb_installed PKG: true when dpkg has PKG fully installed.
deb_installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

# deb_available PKG: true when apt knows a version of PKG it could install.
deb_available() {
  local candidate
  candidate=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
  [ -n "$candidate" ] && [ "$candidate" != "(none)" ]
}

# apt-get update runs at most once per script, and only before an install;
# APT_UPDATED=1 in the environment skips it (lists known to be fresh, or offline from a cache).
APT_UPDATED=${APT_UPDATED:-}
apt_update_once() {
  [ -n "$APT_UPDATED" ] && return 0
  say "apt-get update"
  DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null
  APT_UPDATED=1
}

# apt_install PKG...: installs as root without prompts or recommended extras.
apt_install() {
  apt_update_once
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -o Dpkg::Use-Pty=0 \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" </dev/null
}

# dotenv_get KEY: prints KEY's value from the repo's .env file; fails when it isn't there.
# Understands KEY=value, export KEY=value, quotes, and a trailing " # comment".
dotenv_get() {
  local file=$REPO_ROOT/.env line value
  [ -f "$file" ] || return 1
  line=$(grep -E "^[[:space:]]*(export[[:space:]]+)?$1=" "$file" | tail -n 1) || return 1
  value=${line#*=}
  case $value in
    \"*) value=${value#\"}; value=${value%%\"*} ;;
    \'*) value=${value#\'}; value=${value%%\'*} ;;
    *) value=$(printf '%s' "$value" | sed -E 's/[[:space:]]+#.*$//; s/[[:space:]]+$//') ;;
  esac
  printf '%s' "$value"
}

# default_env KEY DEFAULT: exports KEY from the environment, else .env, else DEFAULT —
# the same precedence the binary uses, so scripts and binary agree.
default_env() {
  local key=$1 value
  if [ -z "${!key:-}" ]; then
    value=$(dotenv_get "$key") || value=$2
    printf -v "$key" '%s' "$value"
  fi
  # shellcheck disable=SC2163 # exporting the variable named by $key is the point
  export "$key"
}

# redact_url URL: the URL with its password hidden, for printing.
redact_url() { printf '%s' "$1" | sed -E 's#^([a-z]+://[^:/@]+):[^@/]*@#\1:***@#'; }

# pg_parse_url URL: splits a postgres:// URL into PG_HOST, PG_PORT, PG_DB and
# PG_ADMIN_URL (the same server and options, database "postgres"). Fails on other forms.
pg_parse_url() {
  local url=$1 scheme rest query='' authority path='' hostport param
  case $url in
    postgres://* | postgresql://*) ;;
    *) return 1 ;;
  esac
  scheme=${url%%://*}
  rest=${url#*://}
  if [[ $rest == *\?* ]]; then query=${rest#*\?}; rest=${rest%%\?*}; fi
  authority=${rest%%/*}
  [[ $rest == */* ]] && path=${rest#*/}
  hostport=${authority##*@}
  if [[ $hostport == \[* ]]; then # [::1]:5432
    PG_HOST=${hostport%%]*}; PG_HOST=${PG_HOST#[}
    PG_PORT=${hostport##*]}; PG_PORT=${PG_PORT#:}
  else
    PG_HOST=${hostport%%:*}
    PG_PORT=''; [[ $hostport == *:* ]] && PG_PORT=${hostport##*:}
  fi
  # host= and port= in the query win, as in libpq (host=/var/run/postgresql for a socket).
  local IFS='&'
  for param in $query; do
    case $param in
      host=*) PG_HOST=${param#host=} ;;
      port=*) PG_PORT=${param#port=} ;;
    esac
  done
  PG_PORT=${PG_PORT:-5432}
  PG_DB=$(printf '%b' "${path//%/\\x}") # percent-decoded, as libpq does
  PG_ADMIN_URL="$scheme://$authority/postgres${query:+?$query}"
}

# pg_host_is_local: true when PG_HOST is this machine (a socket, loopback or empty).
pg_host_is_local() {
  case $PG_HOST in
    '' | /* | localhost | 127.* | ::1) return 0 ;;
    *) return 1 ;;
  esac
}

# pg_server_major URL: prints the server's major version (15 for 150020); fails when no
# server answers there or psql is missing.
pg_server_major() {
  local num
  command -v psql >/dev/null 2>&1 || return 1
  num=$(PGCONNECT_TIMEOUT=5 psql -X -A -t -q -d "$1" -c 'SHOW server_version_num' 2>/dev/null) || return 1
  [[ $num =~ ^[0-9]+$ ]] || return 1
  printf '%s' "$((num / 10000))"
}

# tool_major CMD: prints the major version a PostgreSQL tool reports ("pg_dump (PostgreSQL) 15.20" → 15).
tool_major() {
  "$1" --version 2>/dev/null | sed -nE 's/.*\(PostgreSQL\) ([0-9]+).*/\1/p' | head -n 1
}
