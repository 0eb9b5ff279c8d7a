# SnapNote developer tasks. `make` alone lists them.
.DEFAULT_GOAL := help

GO                    ?= go
BIN                   := bin/snapnote
IMAGE                 ?= snapnote:local
PG_MAJOR              ?= 15
OCR_LANGS             ?= eng
GOLANGCI_LINT_VERSION ?= v2.15.0
BENCH                 ?= .
ARGS                  ?=

.PHONY: help dev test browser-test build vet fmt lint migrate bench bench-ocr bench-upload bench-pipeline bench-reads bench-memory deps docker clean

help: ## Show this list
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

dev: ## Run everything locally: deps, Postgres, build, `snapnote dev`
	bash scripts/dev.sh

test: ## Run the CI checks: gofmt, vet, race tests (ARGS="-run X" to narrow)
	bash scripts/test.sh $(ARGS)

browser-test: ## Browser tests of the web app (UPDATE_SCREENSHOT=1 also refreshes docs/app-phone.png and docs/screenshots/)
	bash scripts/browser-test.sh

build: ## Build bin/snapnote
	$(GO) build -o $(BIN) ./cmd/snapnote

vet: ## go vet ./...
	$(GO) vet ./...

fmt: ## Format the Go code (gofmt)
	$(GO) fmt ./...

lint: ## golangci-lint (built with go run; slow the first time)
	$(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION) run ./...

migrate: build ## Apply migrations to DATABASE_URL
	$(BIN) migrate up

bench: ## Run the Go benchmarks (BENCH=regexp to choose)
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem ./...

SNAPNOTE_BENCH := $(GO) run ./cmd/snapnote-bench

bench-ocr: ## Warm OCR engines vs `tesseract FILE -`, corpus pages and 12 MP photos (ARGS="-pages 4")
	$(SNAPNOTE_BENCH) ocr $(ARGS)

bench-upload: ## Uploads through the API vs the same inserts direct (ARGS="-clients 8 -n 200")
	$(SNAPNOTE_BENCH) upload $(ARGS)

bench-pipeline: ## The River worker with instant stages vs bare River; stage pickup latency
	$(SNAPNOTE_BENCH) pipeline $(ARGS)

bench-reads: ## Seed notes and time list, get and search (ARGS="-users 10 all"; DATABASE_URL to keep them)
	$(SNAPNOTE_BENCH) reads $(or $(ARGS),all)

bench-memory: build ## Peak RSS of `snapnote worker` and its engines reading 12 MP photos and a PNG bomb
	$(SNAPNOTE_BENCH) memory -snapnote $(BIN) $(ARGS)

deps: ## Install tesseract and a matching pg_dump (root on Debian/Ubuntu)
	bash scripts/deps.sh

docker: ## Build the image snapnote:local (IMAGE=, PG_MAJOR= the server's major, OCR_LANGS=eng+deu)
	docker build --build-arg PG_MAJOR=$(PG_MAJOR) --build-arg OCR_LANGS=$(OCR_LANGS) -t $(IMAGE) .

clean: ## Remove bin/
	rm -rf bin
