# tenantgate — see README.md. Every target works on a fresh clone.
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE    ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
# The same stamp GoReleaser writes (.goreleaser.yaml); internal/version reads it.
VPKG    := github.com/tenantgate/tenantgate/internal/version
LDFLAGS := -s -w -X $(VPKG).version=$(VERSION) -X $(VPKG).commit=$(COMMIT) -X $(VPKG).date=$(DATE)

.PHONY: demo test build vet fmt bench update-golden

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
	$(GO) test ./internal/render/ ./internal/diff/ -update

## bench: benchmarks (evaluation, collection); see docs/performance.md
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/engine/ ./internal/collect/
