#!/usr/bin/env bash
# Runs every check CI runs: dependencies, Postgres at TEST_DATABASE_URL, gofmt, go vet, the
# tests with the race detector, redocly lint of the OpenAPI document and the web app's browser
# tests (both need Node 20+ and npm). Extra arguments go to `go test` (e.g. -run TestUpload).
# Safe to re-run; it changes no file of the repository.
#
#   scripts/test.sh [go test flags]
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FAILED=()

# step NAME CMD...: runs one check under a header and records it when it fails.
step() {
  local name=$1 start=$SECONDS
  shift
  header "$name"
  if "$@"; then
    say "--- ok: $name ($((SECONDS - start))s)"
  else
    say "--- FAILED: $name ($((SECONDS - start))s)"
    FAILED+=("$name")
  fi
}

# go_files: the repository's Go files, skipping what the go tool skips (testdata, vendor,
# and directories starting with . or _).
go_files() {
  find . \( -name testdata -o -name vendor -o -name '.?*' -o -name '_*' \) -prune -o \
    -type f -name '*.go' -print
}

check_gofmt() {
  local unformatted file
  unformatted=$(go_files | xargs -r gofmt -l)
  [ -z "$unformatted" ] && return 0
  say "gofmt would change these files (run: make fmt):"
  while IFS= read -r file; do say "  $file"; done <<<"$unformatted"
  return 1
}

main() {
  cd "$REPO_ROOT"
  default_env TEST_DATABASE_URL "$TEST_DATABASE_URL_DEFAULT"

  # Nothing after these two can run without them: stop at once when they fail.
  header "dependencies"
  bash scripts/deps.sh
  header "postgres (TEST_DATABASE_URL)"
  bash scripts/postgres.sh "$TEST_DATABASE_URL"

  say "go: $(go version)"
  step "gofmt" check_gofmt
  step "go vet" go vet ./...
  step "go test -race" go test -race -count=1 -timeout 15m ./... "$@"
  if [ -n "${SKIP_BROWSER_TESTS:-}" ]; then
    say "browser tests skipped (SKIP_BROWSER_TESTS is set)"
  else
    step "browser tests (web/e2e)" bash scripts/browser-test.sh
  fi
  step "openapi lint (redocly, recommended rules)" bash scripts/openapi-lint.sh
  step "alert rules (promtool check rules)" promtool check rules docs/monitoring/alerts.yaml

  if [ ${#FAILED[@]} -gt 0 ]; then
    printf '\nFAILED:\n' >&2
    printf '  - %s\n' "${FAILED[@]}" >&2
    exit 1
  fi
  printf '\nall checks passed\n'
}

main "$@"
