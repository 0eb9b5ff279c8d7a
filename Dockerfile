# syntax=docker/dockerfile:1
# The snapnote binary in a small Debian image with Tesseract (OCR) and pg_dump (backups).
#
#   docker build -t snapnote:local .                       (make docker)
#   docker build --build-arg PG_MAJOR=16 -t snapnote:local .
#   docker build --build-arg OCR_LANGS=eng+deu+ita -t snapnote:local .
#
# One image runs every subcommand: `api` by default, or `worker`, `migrate up`, `token`, ...
# Its HEALTHCHECK fits `api`; give a worker container `snapnote worker --check` instead
# (compose.yaml does), and a one-shot `migrate up` none.

FROM golang:1.26-bookworm AS build
# The worker's warm OCR engines call libtesseract, and its photo decoding libjpeg, through cgo
# (the image has gcc; libjpeg62-turbo itself comes with leptonica at run time).
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends libtesseract-dev libleptonica-dev libjpeg-dev; \
    rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/snapnote ./cmd/snapnote

FROM debian:bookworm-slim

# pg_dump must have the same major version as the PostgreSQL server it backs up, so set
# PG_MAJOR to the server's major. Bookworm itself ships 15; any other major comes from
# PostgreSQL's own apt repository (PGDG), added with the script and signing key that
# Debian's postgresql-common package carries.
ARG PG_MAJOR=15

# Tesseract languages, written as OCR_LANG is (eng+deu): OCR_LANG, what a course is read in
# unless it names its own language, and OCR_LANGS, those a course may ask for. Each gets its
# Debian pack (chi_sim → tesseract-ocr-chi-sim), and osd (orientation detection) always.
ARG OCR_LANG=eng
ARG OCR_LANGS=eng+fra+deu+spa

RUN set -eux; \
    export DEBIAN_FRONTEND=noninteractive; \
    for langs in "$OCR_LANG" "$OCR_LANGS"; do \
        case "$langs" in \
            ''|+*|*+|*++*|*[!A-Za-z_+]*) echo "OCR_LANG, OCR_LANGS: '$langs' is not tesseract language codes joined by +, like eng+deu" >&2; exit 1;; \
        esac; \
    done; \
    ocr_langs=$(echo "$OCR_LANG+$OCR_LANGS" | tr '+' '\n' | sort -u | tr '\n' ' '); \
    ocr_pkgs=tesseract-ocr-osd; \
    for lang in $ocr_langs; do \
        ocr_pkgs="$ocr_pkgs tesseract-ocr-$(echo "$lang" | tr '_A-Z' '-a-z')"; \
    done; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates libtesseract5 tesseract-ocr $ocr_pkgs poppler-utils libheif-examples util-linux; \
    if [ "$PG_MAJOR" != 15 ]; then \
        apt-get install -y --no-install-recommends postgresql-common; \
        /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y; \
    fi; \
    apt-get install -y --no-install-recommends "postgresql-client-$PG_MAJOR"; \
    rm -rf /var/lib/apt/lists/*; \
    "/usr/lib/postgresql/$PG_MAJOR/bin/pg_dump" --version; \
    pdftoppm -v; prlimit --version; \
    for lang in $ocr_langs osd; do \
        tesseract --list-langs 2>/dev/null | grep -qx "$lang" || { echo "tesseract lacks $lang" >&2; exit 1; }; \
    done; \
    groupadd --gid 10001 snapnote; \
    useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin snapnote; \
    install -d -o snapnote -g snapnote /data

# The real client programs come first, not Debian's version-picking wrapper.
# OMP_THREAD_LIMIT: Tesseract's OpenMP threads spin; pages run side by side instead (the
# worker sets it for its engines too, but the variable must be there before a process starts).
ENV PATH=/usr/lib/postgresql/${PG_MAJOR}/bin:$PATH \
    OMP_THREAD_LIMIT=1 \
    DATA_DIR=/data \
    PORT=8080 \
    OCR_LANG=${OCR_LANG}

COPY --from=build /out/snapnote /usr/local/bin/snapnote

USER 10001:10001
WORKDIR /data
EXPOSE 8080
# The binary asks the API's readiness route (/api/health/db on PORT, 503 while Postgres is
# down) itself: the image has no curl.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 CMD ["snapnote", "health"]
ENTRYPOINT ["snapnote"]
CMD ["api"]
