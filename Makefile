# kiln — make help lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help setup build demo lint test test-unit bench down fmt vet

help: ## list targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

build: ## build bin/kiln (static: the pack step runs it inside builds)
	CGO_ENABLED=0 go build -trimpath -ldflags "-X github.com/kiln-build/kiln/build.stamp=$$(git describe --tags --always --dirty 2>/dev/null)" -o bin/ ./cmd/kiln

setup: ## install and start everything builds need (idempotent)
	hack/setup.sh

demo: setup ## set up, then build every example for every target into out/
	hack/demo.sh

lint: ## go vet, staticcheck, gofmt, go mod tidy -diff (needs only Go)
	hack/lint.sh

test: ## lint, set up, then run all tests (unit, CLI, integration on a real buildkitd)
	hack/test.sh

# test-unit needs only Go: tests that need a host tool (dpkg-deb, openssl,
# tar, gzip, cc, git, chromium, buildkitd, ...) skip and name it
# (internal/testtool); make test installs them all, and there a missing
# tool fails. "Only Go" means: PATH is Go's bin plus a directory of links
# to sh and coreutils (cat, cp, ls, stat, base64, sha256sum, ...), without
# sed, grep, bash, tar, gzip or compilers.
test-unit: ## go test -short ./...: tests that need no daemon nor host tools (needs only Go)
	go test -short ./...

bench: setup ## benchmarks (ratios against baselines measured in the same run)
	hack/bench.sh

down: ## stop the registry and managed buildkitd that setup started
	hack/down.sh

fmt: ## gofmt the tree
	gofmt -w $$(git ls-files '*.go')

vet: ## go vet
	go vet ./...
