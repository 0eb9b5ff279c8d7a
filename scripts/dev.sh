#!/usr/bin/env bash
# Quickstart: installs what is missing, makes sure Postgres and the dev database are there,
# builds bin/snapnote and runs `snapnote dev` (migrations, API, worker, dev auth in one
# process; it prints the URL and a bearer token). Extra arguments go to `snapnote dev`.
# Safe to re-run: every step checks before it acts.
#
#   scripts/dev.sh                 DATABASE_URL defaults to the local snapnote database
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
  cd "$REPO_ROOT"
  default_env DATABASE_URL "$DEV_DATABASE_URL_DEFAULT"
  default_env DATA_DIR ./data

  header "dependencies"
  # Chromium and the npm packages are for the browser tests, not for running the service.
  SKIP_BROWSER_TESTS=1 bash scripts/deps.sh

  header "postgres"
  bash scripts/postgres.sh "$DATABASE_URL"

  header "build bin/snapnote"
  go build -o bin/snapnote ./cmd/snapnote

  header "snapnote dev (DATA_DIR=$DATA_DIR)"
  exec bin/snapnote dev "$@"
}

main "$@"
