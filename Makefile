# hero_exporter — `make run` starts the demo, `make test` runs every test.
GO        ?= go
BINARY    ?= hero_exporter
PKG       := github.com/hero-exporter/hero_exporter
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION  ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
BRANCH    ?= $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
LDFLAGS   := -X github.com/prometheus/common/version.Version=$(VERSION) \
             -X github.com/prometheus/common/version.Revision=$(REVISION) \
             -X github.com/prometheus/common/version.Branch=$(BRANCH) \
             -X github.com/prometheus/common/version.BuildUser=hero_exporter \
             -X github.com/prometheus/common/version.BuildDate=$(shell date -u +%Y%m%d-%H:%M:%S)
# Reference material (vendor API specs, real logs) for conformance tests; CI has it
# beside the clone.
HERO_REFERENCE_DIR ?= $(shell test -d ../shared/reference && cd ../shared/reference && pwd)
export HERO_REFERENCE_DIR
# An execution count, not a duration: Go 1.26's fuzz coordinator can fail a target with
# "context deadline exceeded" when a -fuzztime duration ends mid-run under load
# (golang/go#75804, fixed in Go 1.27). A count has no deadline to race.
FUZZTIME  ?= 20000x
DEMO_ARGS ?= --storage.path=data/

.PHONY: all build run test unit fuzz lint bench clean mixin

all: lint build test

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BINARY) ./cmd/hero_exporter

run: build
	./$(BINARY) --demo $(DEMO_ARGS)

# Every test: unit, conformance, end-to-end (the binary, promtool, Prometheus), race
# detector, and a short run of every fuzz target.
test: lint
	$(GO) test -race -count=1 -timeout 12m ./...
	$(MAKE) fuzz

fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
	  for f in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go 2>/dev/null | sed 's/func //'); do \
	    echo "fuzz $$pkg $$f ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

lint:
	@out=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# Regenerate rules/ and dashboards/ from the monitoring mixin (mixin/); go test ./mixin/
# fails when the checked-in files differ from it.
mixin:
	$(GO) run ./mixin/cmd/mixin

# Benchmarks; results and the commands behind them are recorded in docs/benchmarks.md.
bench: build
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x -timeout 60m ./internal/incident/ ./internal/store/ ./internal/engine/ ./collector/ ./internal/logscan/ ./internal/report/
	scripts/bench-scan.sh ./$(BINARY)

clean:
	rm -rf $(BINARY) data/
