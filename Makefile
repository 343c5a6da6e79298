# tenantgate — see README.md. Every target works on a fresh clone.
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE    ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
# The same stamp GoReleaser writes (.goreleaser.yaml); internal/version reads it.
VPKG    := github.com/tenantgate/tenantgate/internal/version
LDFLAGS := -s -w -X $(VPKG).version=$(VERSION) -X $(VPKG).commit=$(COMMIT) -X $(VPKG).date=$(DATE)

.PHONY: demo test build vet fmt bench update-golden image release-check release-snapshot startup fuzz

## demo: audit the embedded demo tenant. tenantgate exits 1 on it (the demo
## tenant fails controls: the CI gate works); make reports that exit code in
## words instead of failing the target.
demo:
	@$(GO) build -ldflags "$(LDFLAGS)" -o bin/tenantgate ./cmd/tenantgate
	@bin/tenantgate audit --demo --format table || echo "(exit $$?: the gate failed, as it should on the demo tenant; see README)"

## test: every Go test, including the Rego tests (OPA tester) and the Graph emulator tests
test:
	$(GO) test ./...

## build: bin/tenantgate, static, stamped with version, commit and date
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/tenantgate ./cmd/tenantgate

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt needed"; exit 1; }

## update-golden: rewrite report golden files after an intended change
update-golden:
	$(GO) test ./internal/render/ ./internal/diff/ ./internal/hunt/render/ -update

## bench: benchmarks (evaluation, collection); see docs/performance.md
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/engine/ ./internal/collect/

## image: the container image (linux/amd64 + linux/arm64) without a Docker daemon:
## out/image (OCI layout) and out/tenantgate-image.tar (`docker load -i`); docs/releasing.md
IMAGE_TAG ?= tenantgate:$(VERSION)
image:
	@mkdir -p out/linux_amd64 out/linux_arm64
	CGO_ENABLED=0 GOOS=linux GOARCH=amd64 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o out/linux_amd64/tenantgate ./cmd/tenantgate
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o out/linux_arm64/tenantgate ./cmd/tenantgate
	rm -rf out/image
	$(GO) run ./tools/mkimage -binary linux/amd64=out/linux_amd64/tenantgate -binary linux/arm64=out/linux_arm64/tenantgate \
	  -version $(VERSION) -revision $(COMMIT) -created $$(git log -1 --format=%cI 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ) \
	  -layout out/image -tarball out/tenantgate-image.tar -tag $(IMAGE_TAG) $(if $(PUSH),-push $(PUSH))

## release-check: validate .goreleaser.yaml with goreleaser itself (CI checks the essentials in
## internal/release; goreleaser takes minutes to install, so it is not installed by .ci/run)
GORELEASER ?= goreleaser
release-check:
	$(GORELEASER) check

## release-snapshot: every release artifact, locally, into dist/ (needs goreleaser and cyclonedx-gomod)
release-snapshot:
	$(GORELEASER) release --snapshot --clean

## startup: wall time of `audit --demo` and friends (hyperfine); docs/performance.md
startup:
	bench/startup.sh

## fuzz: run every loader's fuzz target for FUZZTIME each (default 60s), one
## after another; `go test` alone replays their seed corpora (testdata/fuzz).
## A failing input is saved under the package's testdata/fuzz: commit it with
## the fix, as a regression seed. Minimising a new input is capped at 10s
## (FUZZFLAGS): the seeds are whole snapshots, and Go's default (60s) can
## spend a short run minimising. FUZZFLAGS=-parallel=1 runs one worker.
FUZZTIME ?= 60s
FUZZFLAGS ?= -fuzzminimizetime 10s
FUZZ_TARGETS := \
	./internal/snapshot:FuzzParse \
	./internal/engine:FuzzEvaluateSnapshot \
	./internal/engine:FuzzEvaluateBaseline \
	./internal/baseline:FuzzParse \
	./internal/apply:FuzzPlan \
	./internal/apply:FuzzTemplate \
	./internal/diff:FuzzParse \
	./internal/cli:FuzzTenantsFile \
	./internal/hunt/read:FuzzReadCSV \
	./internal/hunt/read:FuzzReadJSON \
	./internal/hunt/read:FuzzReadJSONLines
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "fuzz $${t#*:} in $${t%%:*} for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}\$$" -fuzztime $(FUZZTIME) $(FUZZFLAGS) $${t%%:*}; \
	done
