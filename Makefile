# carelake: `make test` is the test command (CI runs .ci/run, which calls it).
GO            ?= go
VERSION       ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT        ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS       := -X main.version=$(VERSION) -X main.commit=$(COMMIT)
BIN           := bin/carelake
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := $(shell $(GO) env GOPATH)/bin/golangci-lint-$(GOLANGCI_LINT_VERSION)
FUZZTIME      ?= 10s
# Whole-system benchmarks run once each (minutes of real time: the extract's
# budget, the transform at national scale, the receiver under load, its
# restart on a 10,000,000-call log and under an unauthenticated flood); the
# others are micro-benchmarks timed the usual way.
SYSTEM_BENCH  := ^(BenchmarkBudgetUse|BenchmarkTransform|BenchmarkIntake|BenchmarkNational|BenchmarkCQCYear|BenchmarkRestart|BenchmarkFlood)$$

.PHONY: build test lint bench fuzz demo compat tidy-check clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/carelake

# The command package runs the pipeline a few dozen times as child
# processes under the race detector (about 10 minutes on 2 cores): past go
# test's default 10-minute limit per package.
test:
	$(GO) test -race -shuffle=on -timeout 30m ./...

$(GOLANGCI_LINT):
	GOBIN=$(dir $(GOLANGCI_LINT)) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(dir $(GOLANGCI_LINT))golangci-lint $(GOLANGCI_LINT)

lint: $(GOLANGCI_LINT)
	$(GO) vet ./...
	$(GOLANGCI_LINT) run ./...

# Every Fuzz target, briefly (FUZZTIME each). Go runs one fuzz target per invocation.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; done

# Benchmarks; results and how to read them are in docs/benchmarks.md.
bench:
	$(GO) test -run '^$$' -bench . -skip '$(SYSTEM_BENCH)' -benchmem ./...
	$(GO) test -run '^$$' -bench '$(SYSTEM_BENCH)' -benchtime 1x -timeout 120m ./...

demo: build
	$(BIN) demo

# The catalog opens, and answers as carelake's DuckDB 2.0 does, in DuckDB 1.4
# and 1.5 (@duckdb/node-api from npm; needs node and npm).
compat: build
	internal/compat/run.sh $(BIN)

tidy-check:
	$(GO) mod tidy
	git diff --exit-code go.mod go.sum

clean:
	rm -rf bin
