#!/usr/bin/env bash
# Lints the API's OpenAPI document (what /openapi.json serves, printed by `snapnote openapi`)
# with redocly's recommended rules, at the version tools/openapi/package-lock.json pins.
# Installs that version with `npm ci` when it is not there yet (needs Node 20+ and npm).
# It changes no tracked file: the document is written to a temporary directory.
#
#   scripts/openapi-lint.sh
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TOOLS="$REPO_ROOT/tools/openapi"
REDOCLY="$TOOLS/node_modules/.bin/redocly"
dir=

main() {
  command -v npm >/dev/null 2>&1 || die "npm not found: install Node.js 20+ to lint the OpenAPI document"
  local want have
  want=$(node -p "require('$TOOLS/package-lock.json').packages['node_modules/@redocly/cli'].version")
  have=$(node -p "require('$TOOLS/node_modules/@redocly/cli/package.json').version" 2>/dev/null || true)
  if [ "$have" != "$want" ]; then
    say "installing @redocly/cli $want (npm ci in tools/openapi)"
    (cd "$TOOLS" && npm ci --no-audit --no-fund --loglevel=error)
  fi

  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' EXIT
  (cd "$REPO_ROOT" && go run ./cmd/snapnote openapi) >"$dir/openapi.json"
  cp "$TOOLS/redocly.yaml" "$dir/"
  # --max-problems: list every finding; warnings fail the check as errors do.
  (cd "$dir" && NO_UPDATE_NOTIFIER=1 REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
    "$REDOCLY" lint --format=stylish --max-problems=1000 openapi.json) 2>&1 | grep -v '^\s*[║╔╚]' |
    tee "$dir/lint.txt"
  grep -q 'Your API description is valid' "$dir/lint.txt" && ! grep -q ' warning ' "$dir/lint.txt"
}

main "$@"
