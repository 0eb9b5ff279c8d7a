#!/usr/bin/env bash
# Installs what SnapNote and its tests need on Debian/Ubuntu (run as root), or says what is
# missing elsewhere: Tesseract with the OCR_LANG and OCR_LANGS languages (those courses may be
# read in; default eng fra deu spa) and its C library's headers (the
# binary calls libtesseract through cgo), a PostgreSQL client whose major
# version matches the server's (pg_dump for backups), and checks Go's version.
# Safe to re-run: it checks first, and runs apt-get only when something is missing.
#
#   OCR_LANG=eng+deu scripts/deps.sh
#   OCR_LANGS="eng fra deu spa ita" scripts/deps.sh   # or eng+fra+deu+spa+ita
#
# Exits non-zero only when something needed is still missing at the end.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MISSING=()     # what to install by hand, one line each
APT_MISSING=() # Debian packages to install by hand (when not root)

PGDG_HINT="PostgreSQL's own apt repository has every major: as root run /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y, then install the package"

# require_debs PKG...: as root installs those not installed yet; otherwise records them.
require_debs() {
  local pkg absent=() unknown=()
  for pkg in "$@"; do deb_installed "$pkg" || absent+=("$pkg"); done
  [ ${#absent[@]} -eq 0 ] && return 0
  if ! can_apt_install; then
    APT_MISSING+=("${absent[@]}")
    return 0
  fi
  apt_update_once
  for pkg in "${absent[@]}"; do deb_available "$pkg" || unknown+=("$pkg"); done
  if [ ${#unknown[@]} -gt 0 ]; then
    MISSING+=("not in this machine's apt sources: ${unknown[*]}")
    [[ " ${unknown[*]}" == *" postgresql-client-"* ]] && MISSING+=("$PGDG_HINT")
    return 0
  fi
  apt_install "${absent[@]}"
}

check_go() {
  local want have go_bin
  want=$(awk '$1 == "go" {print $2; exit}' "$REPO_ROOT/go.mod" 2>/dev/null || true)
  want=${want:-1.26}
  go_bin=$(command -v go || true)
  if [ -z "$go_bin" ] && [ -x /usr/local/go/bin/go ]; then
    warn "go is not on PATH; found /usr/local/go/bin/go (add /usr/local/go/bin to PATH)"
    go_bin=/usr/local/go/bin/go
  fi
  if [ -z "$go_bin" ]; then
    MISSING+=("Go $want or newer, from go.dev/dl (Debian's golang-go is older)")
    return 0
  fi
  # Outside the module and with GOTOOLCHAIN=local, go reports itself instead of switching
  # to (and trying to download) the toolchain go.mod asks for.
  have=$(cd / && { GOTOOLCHAIN=local "$go_bin" env GOVERSION 2>/dev/null || true; })
  have=${have#go}
  if [ -z "$have" ] || [ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -n 1)" != "$want" ]; then
    MISSING+=("Go $want or newer, from go.dev/dl (found ${have:-an unreadable version} at $go_bin)")
  else
    say "go $have at $go_bin"
  fi
}

# ocr_langs: the languages of OCR_LANG (pages of courses that name none) and of OCR_LANGS (those
# a course may ask for), one a line, each once ("eng+deu" and "deu fra" → eng, deu, fra), osd
# left out.
ocr_langs() {
  local var lang
  local IFS=$'+ \t'
  for var in OCR_LANG OCR_LANGS; do
    for lang in ${!var}; do
      [[ $lang =~ ^[A-Za-z_]+$ ]] || die "$var: '$lang' is not a tesseract language code like eng or chi_sim"
      [ "$lang" = osd ] || printf '%s\n' "$lang"
    done
  done | awk '!seen[$0]++'
}

check_tesseract() {
  # The worker's warm engines call libtesseract, and its photo decoding libjpeg, through cgo:
  # their headers and a C compiler.
  local langs lang pkgs=(tesseract-ocr tesseract-ocr-osd libtesseract-dev libleptonica-dev libjpeg-dev gcc) have
  ocr_langs >/dev/null # a wrong code stops here: a process substitution's failure would not
  mapfile -t langs < <(ocr_langs)
  if has_apt; then
    # Debian names language packs by the tesseract code: chi_sim → tesseract-ocr-chi-sim.
    for lang in "${langs[@]}"; do
      lang=${lang,,}
      pkgs+=("tesseract-ocr-${lang//_/-}")
    done
    require_debs "${pkgs[@]}"
    command -v tesseract >/dev/null 2>&1 || return 0
  elif ! command -v tesseract >/dev/null 2>&1; then
    MISSING+=("tesseract 5 with the languages osd ${langs[*]}, and its C headers (macOS: brew install tesseract)")
    return 0
  elif ! ls /usr/include/tesseract/capi.h /usr/local/include/tesseract/capi.h /opt/homebrew/include/tesseract/capi.h >/dev/null 2>&1; then
    MISSING+=("libtesseract and leptonica headers, for the warm OCR engines (cgo); or build with CGO_ENABLED=0 to run the tesseract command per page")
  elif ! ls /usr/include/jpeglib.h /usr/local/include/jpeglib.h /opt/homebrew/include/jpeglib.h >/dev/null 2>&1; then
    MISSING+=("libjpeg(-turbo) headers (jpeglib.h), for decoding photos at a reduced scale (cgo); or build with CGO_ENABLED=0")
  fi
  have=$(tesseract --list-langs 2>/dev/null | tail -n +2)
  if ! has_apt; then
    for lang in osd "${langs[@]}"; do
      grep -qx "$lang" <<<"$have" || MISSING+=("tesseract language data: $lang")
    done
  fi
  say "$(tesseract --version 2>&1 | head -n 1); languages: $(tr '\n' ' ' <<<"$have")"
}

# database_urls: the servers pg_dump must match, one URL a line.
database_urls() {
  [ -n "${DATABASE_URL:-}" ] && printf '%s\n' "$DATABASE_URL"
  [ "$TEST_DATABASE_URL" != "${DATABASE_URL:-}" ] && printf '%s\n' "$TEST_DATABASE_URL"
  return 0
}

# server_major URL: the server's major version, asking the URL's database first and the
# maintenance database next (the app's database may not exist yet).
server_major() {
  pg_server_major "$1" && return 0
  pg_parse_url "$1" && pg_server_major "$PG_ADMIN_URL"
}

check_pg_client() {
  local url major majors=()
  # psql is how we learn the server's version: without it, take Debian's default client first.
  if ! command -v psql >/dev/null 2>&1; then
    if has_apt; then
      require_debs postgresql-client
    else
      MISSING+=("the PostgreSQL client (psql, pg_dump) of your server's major version")
    fi
  fi
  command -v psql >/dev/null 2>&1 || return 0
  while IFS= read -r url; do
    if major=$(server_major "$url"); then
      say "PostgreSQL $major answers at $(redact_url "$url")"
      majors+=("$major")
    else
      say "no PostgreSQL answers at $(redact_url "$url"): pg_dump's version is matched once one does (scripts/postgres.sh starts a local one)"
    fi
  done < <(database_urls)
  [ ${#majors[@]} -gt 0 ] || return 0
  for major in $(printf '%s\n' "${majors[@]}" | sort -un); do
    has_apt && require_debs "postgresql-client-$major"
    check_pg_dump "$major"
  done
}

# check_pg_dump MAJOR: finds a pg_dump of exactly that major and says which path to use.
check_pg_dump() {
  local major=$1 real=/usr/lib/postgresql/$1/bin/pg_dump on_path
  on_path=$(tool_major pg_dump || true)
  if [ -x "$real" ] && [ "$(tool_major "$real")" = "$major" ]; then
    say "pg_dump for PostgreSQL $major: $real"
    # On Debian /usr/bin/pg_dump is a wrapper that runs the newest installed client.
    if [ "$on_path" != "$major" ]; then
      warn "pg_dump on PATH is version ${on_path:-none}; for this server put /usr/lib/postgresql/$major/bin first on PATH"
    fi
  elif [ "$on_path" = "$major" ]; then
    say "pg_dump for PostgreSQL $major: $(command -v pg_dump)"
  elif ! has_apt; then
    MISSING+=("pg_dump of PostgreSQL $major (found version ${on_path:-none} on PATH)")
  fi # with apt, require_debs has installed it or recorded what is missing
}

# check_browser_tests: what the web app's browser tests (web/e2e) run on: Debian's chromium
# and Node.js, with the npm packages pinned by web/e2e/package-lock.json (npm ci, only when
# the lockfile changed). SKIP_BROWSER_TESTS=1 leaves them out (scripts/test.sh skips them too).
check_browser_tests() {
  local dir=$REPO_ROOT/web/e2e want stamp major
  if [ -n "${SKIP_BROWSER_TESTS:-}" ]; then
    say "browser tests: skipped (SKIP_BROWSER_TESTS is set)"
    return 0
  fi
  if has_apt; then
    require_debs chromium
  elif ! command -v "${CHROMIUM:-chromium}" >/dev/null 2>&1; then
    MISSING+=("Chromium for the browser tests (set CHROMIUM=/path/to/chrome to use another build)")
  fi
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || true)
  if ! command -v npm >/dev/null 2>&1 || [ -z "$major" ] || [ "$major" -lt 20 ]; then
    MISSING+=("Node.js 20 or newer with npm, for the browser tests (found ${major:-none})")
    return 0
  fi
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  stamp=$dir/node_modules/.snapnote-lock-sha256
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "npm ci (web/e2e)"
    if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error); then
      MISSING+=("web/e2e's npm packages: npm ci failed")
      return 0
    fi
    printf '%s\n' "$want" >"$stamp"
  fi
  say "browser tests: $("${CHROMIUM:-chromium}" --version 2>/dev/null | head -n 1), node $(node --version)"
}

report() {
  if [ ${#APT_MISSING[@]} -gt 0 ]; then
    MISSING+=("as root: apt-get install -y --no-install-recommends ${APT_MISSING[*]}")
  fi
  if [ ${#MISSING[@]} -eq 0 ]; then
    say "deps: everything needed is installed"
    return 0
  fi
  printf '\nMissing:\n' >&2
  printf '  - %s\n' "${MISSING[@]}" >&2
  return 1
}

# check_pdf: the worker reads uploaded PDFs with poppler-utils (pdfinfo, pdftotext,
# pdftoppm), each under prlimit from util-linux.
check_pdf() {
  if has_apt; then
    require_debs poppler-utils util-linux
    command -v pdftoppm >/dev/null 2>&1 || return 0
  fi
  local tool
  for tool in pdfinfo pdftotext pdftoppm prlimit; do
    command -v "$tool" >/dev/null 2>&1 || MISSING+=("$tool (poppler-utils, util-linux): the worker reads PDFs with it")
  done
  command -v pdftoppm >/dev/null 2>&1 && say "$(pdftoppm -v 2>&1 | head -n 1)"
  return 0
}

# check_heif: iPhones' HEIC photos are converted with libheif's heif-convert (the
# tests make HEIC files with its heif-enc).
check_heif() {
  has_apt && require_debs libheif-examples
  local tool
  for tool in heif-convert heif-enc; do
    command -v "$tool" >/dev/null 2>&1 || MISSING+=("$tool (libheif-examples): the worker reads HEIC photos with it")
  done
  return 0
}

# check_ops_tools: promtool (Debian's prometheus package) checks docs/monitoring/alerts.yaml;
# pgbouncer runs the transaction-pooling test (cmd/snapnote, TestThroughPgBouncer).
check_ops_tools() {
  if has_apt; then
    require_debs prometheus pgbouncer
  fi
  command -v promtool >/dev/null 2>&1 || MISSING+=("promtool (Prometheus 2.x), to check docs/monitoring/alerts.yaml")
  command -v promtool >/dev/null 2>&1 && say "$(promtool --version 2>&1 | head -n 1)"
  return 0
}

main() {
  local value
  default_env OCR_LANG eng
  default_env OCR_LANGS "eng fra deu spa"
  default_env TEST_DATABASE_URL "$TEST_DATABASE_URL_DEFAULT"
  # DATABASE_URL has no default here: when unset, only the test server is checked.
  if [ -z "${DATABASE_URL:-}" ] && value=$(dotenv_get DATABASE_URL); then
    export DATABASE_URL=$value
  fi
  check_go
  check_tesseract
  check_pdf
  check_heif
  check_ops_tools
  check_pg_client
  check_browser_tests
  report
}

main "$@"
