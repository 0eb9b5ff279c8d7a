#!/usr/bin/env bash
# Runs the web app's browser tests (web/e2e): builds snapnote, starts `snapnote dev` on a free
# port with its own data dir and a fresh database on TEST_DATABASE_URL's server, and drives
# Debian's chromium through playwright-core (at phone and desktop sizes, plus axe-core).
# Screenshots of failures land in web/e2e/output/. scripts/deps.sh installs what it needs.
#
#   scripts/browser-test.sh [node --test flags, e.g. --test-name-pattern=phone]
#   UPDATE_SCREENSHOT=1 scripts/browser-test.sh   # also rewrites docs/app-phone.png and docs/screenshots/
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
  default_env TEST_DATABASE_URL "$TEST_DATABASE_URL_DEFAULT"
  cd "$REPO_ROOT/web/e2e"
  [ -d node_modules/playwright-core ] || die "web/e2e has no node_modules: run scripts/deps.sh (it runs npm ci there)"
  # The whole run takes one to two minutes here; the cap stops a hung browser from holding CI.
  timeout 600 node --test --test-concurrency=1 --test-reporter=spec "$@" app.test.js pages.test.js oidc.test.js
}

main "$@"
