# tenantgate — see README.md. Every target works on a fresh clone.
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE    ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
# The same stamp GoReleaser writes (.goreleaser.yaml); internal/version reads it.
VPKG    := github.com/tenantgate/tenantgate/internal/version
LDFLAGS := -s -w -X $(VPKG).version=$(VERSION) -X $(VPKG).commit=$(COMMIT) -X $(VPKG).date=$(DATE)

.PHONY: demo test build vet fmt bench update-golden fuzz

## demo: audit the embedded demo tenant (exits 1: the demo tenant fails controls)
demo:
	$(GO) run ./cmd/tenantgate audit --demo --format table

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
	$(GO) test ./internal/render/ ./internal/diff/ -update

## bench: benchmarks (evaluation, collection); see docs/performance.md
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/engine/ ./internal/collect/

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
	./internal/cli:FuzzTenantsFile
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "fuzz $${t#*:} in $${t%%:*} for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}\$$" -fuzztime $(FUZZTIME) $(FUZZFLAGS) $${t%%:*}; \
	done
