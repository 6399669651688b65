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
# make release: static binaries (no cgo; the SQLite driver is pure Go) for these platforms,
# as tarballs with sha256sums.txt in $(DIST).
RELEASE_PLATFORMS ?= linux/amd64 linux/arm64 darwin/arm64
DIST      ?= dist
# make image: built with buildah from a context prepared here (no registry needed: the
# image is FROM scratch with the static binary, the build host's CA bundle and a passwd).
IMAGE     ?= hero_exporter:$(VERSION)
IMAGE_ARCH ?= $(shell $(GO) env GOARCH)
CA_BUNDLE ?= /etc/ssl/certs/ca-certificates.crt
BUILDAH   ?= buildah
BUILDAH_FLAGS ?= --storage-driver vfs
IMAGE_CONTEXT ?= .build/image

.PHONY: all build run test unit fuzz lint bench clean mixin chart release image

all: lint build test

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BINARY) ./cmd/hero_exporter

run: build
	./$(BINARY) --demo $(DEMO_ARGS)

# Every test: unit, conformance, end-to-end (the binary, promtool, Prometheus), race
# detector, the Helm chart (deploy/charttest, a module of its own with the Helm SDK), and
# a short run of every fuzz target.
test: lint
	$(GO) test -race -count=1 -timeout 12m ./...
	cd deploy/charttest && $(GO) test -count=1 -timeout 10m ./...
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
	cd deploy/charttest && $(GO) vet ./...

# Static, stamped binaries for RELEASE_PLATFORMS: $(DIST)/$(BINARY)-$(VERSION).<os>-<arch>.tar.gz
# (binary, LICENSE, README.md, CHANGELOG.md, example configurations) and sha256sums.txt.
release:
	@set -e; rm -rf $(DIST); mkdir -p $(DIST); \
	for p in $(RELEASE_PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; name=$(BINARY)-$(VERSION).$$os-$$arch; \
	  echo "release $$name"; mkdir -p $(DIST)/$$name; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags "$(LDFLAGS)" \
	    -o $(DIST)/$$name/$(BINARY) ./cmd/hero_exporter; \
	  cp LICENSE README.md CHANGELOG.md examples/hero.yml examples/demo.yml $(DIST)/$$name/; \
	  tar -C $(DIST) --owner=0 --group=0 --numeric-owner --sort=name -czf $(DIST)/$$name.tar.gz $$name; \
	  rm -rf $(DIST)/$$name; \
	done; \
	cd $(DIST) && sha256sum *.tar.gz > sha256sums.txt && cat sha256sums.txt

# The container image (Dockerfile): FROM scratch, so the build context carries everything
# the image holds -- the static binary, the CA bundle of this machine, a passwd/group with
# the non-root user, the demo configuration and the empty store and tmp directories.
image:
	@command -v $(BUILDAH) >/dev/null || { echo "make image needs buildah (apt-get install -y buildah)"; exit 1; }
	@test -s $(CA_BUNDLE) || { echo "no CA bundle at $(CA_BUNDLE) (apt-get install -y ca-certificates)"; exit 1; }
	rm -rf $(IMAGE_CONTEXT)
	mkdir -p $(IMAGE_CONTEXT)/etc/ssl/certs $(IMAGE_CONTEXT)/etc/hero_exporter $(IMAGE_CONTEXT)/var/lib/hero_exporter $(IMAGE_CONTEXT)/tmp
	CGO_ENABLED=0 GOOS=linux GOARCH=$(IMAGE_ARCH) $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(IMAGE_CONTEXT)/hero_exporter ./cmd/hero_exporter
	cp $(CA_BUNDLE) $(IMAGE_CONTEXT)/etc/ssl/certs/ca-certificates.crt
	printf 'root:x:0:0:root:/:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nhero:x:10001:10001:hero_exporter:/var/lib/hero_exporter:/sbin/nologin\n' > $(IMAGE_CONTEXT)/etc/passwd
	printf 'root:x:0:\nnobody:x:65534:\nhero:x:10001:\n' > $(IMAGE_CONTEXT)/etc/group
	cp examples/demo.yml $(IMAGE_CONTEXT)/etc/hero_exporter/hero.yml
	cp LICENSE $(IMAGE_CONTEXT)/LICENSE
	chmod 1777 $(IMAGE_CONTEXT)/tmp
	$(BUILDAH) $(BUILDAH_FLAGS) build --isolation chroot --arch $(IMAGE_ARCH) --build-arg VERSION=$(VERSION) \
	  --build-arg REVISION=$(REVISION) -f Dockerfile -t $(IMAGE) $(IMAGE_CONTEXT)
	@$(BUILDAH) $(BUILDAH_FLAGS) images --format '{{.Name}}:{{.Tag}} {{.Size}}' $(IMAGE)

# Regenerate rules/ and dashboards/ from the monitoring mixin (mixin/); go test ./mixin/
# fails when the checked-in files differ from it.
mixin:
	$(GO) run ./mixin/cmd/mixin
	$(MAKE) chart

# The Helm chart carries the rule files and dashboards byte for byte (deploy/charttest
# fails on drift): copy them in after every change to rules/ or dashboards/.
CHART := deploy/helm/hero-exporter
chart:
	rm -f $(CHART)/files/rules/*.yml $(CHART)/files/dashboards/*.json
	cp rules/*.yml $(CHART)/files/rules/
	cp dashboards/*.json $(CHART)/files/dashboards/

# Benchmarks; results and the commands behind them are recorded in docs/benchmarks.md.
bench: build
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x -timeout 60m ./internal/incident/ ./internal/store/ ./internal/engine/ ./collector/ ./internal/logscan/ ./internal/report/
	scripts/bench-scan.sh ./$(BINARY)

clean:
	rm -rf $(BINARY) data/ $(DIST) .build/
