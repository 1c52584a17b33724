# credchain: `make test` is what CI runs.
SHELL := bash
GO        ?= go
PKGS      := ./...
STATICCHECK_VERSION := v0.8.2
FUZZTIME  ?= 30s

.PHONY: test dist disttool apicheck mutants docs oldgo race front unit vet fmtcheck lint fuzz bench bench-peers bench-serve tidycheck build install crossbuild difftest

# Everything CI checks: formatting, vet, module tidiness, and every test
# (botocore differential suites included) under the race detector.
test: fmtcheck vet tidycheck disttool apicheck crossbuild oldgo race front

# The oldest Go go.mod allows (its go line: what x/sys, x/term and x/sync
# need) builds and vets everything; GOTOOLCHAIN fetches it from the module
# proxy.
# The exported API against the last v0.x tag: an incompatible change must be
# named in CHANGELOG.md's Unreleased section (scripts/apicheck.sh).
apicheck:
	bash scripts/apicheck.sh

GOMIN := $(shell awk '/^go /{print $$2}' go.mod)
oldgo:
	GOTOOLCHAIN=go$(GOMIN) $(GO) build ./...
	GOTOOLCHAIN=go$(GOMIN) $(GO) build $(FRONT) ./cmd/credchain
	GOTOOLCHAIN=go$(GOMIN) $(GO) vet ./...

# Release targets, static: both binaries build for each, and every package
# and test type-checks for Windows and macOS (the front's too).
TARGETS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
FRONT   := -tags credchain_front
crossbuild:
	@set -e; for t in $(TARGETS); do \
		echo "build $$t"; \
		CGO_ENABLED=0 GOOS=$${t%/*} GOARCH=$${t#*/} $(GO) build -trimpath -ldflags="-s -w" $(FRONT) -o /dev/null ./cmd/credchain; \
		CGO_ENABLED=0 GOOS=$${t%/*} GOARCH=$${t#*/} $(GO) build -trimpath -ldflags="-s -w" -o /dev/null ./cmd/credchain-aws; \
	done
	CGO_ENABLED=0 GOOS=windows $(GO) vet $(PKGS)
	CGO_ENABLED=0 GOOS=darwin $(GO) vet $(PKGS)
	for os in linux windows darwin; do CGO_ENABLED=0 GOOS=$$os $(GO) vet $(FRONT) ./cmd/credchain ./internal/cli; done

# The acceptance scripts again with the scripts' credchain built as the
# front (cmd/credchain/front_test.go): every flow as an install of both
# binaries runs it, handing over to credchain-aws.
front:
	$(GO) test -race -count=1 $(FRONT) -run '^TestScripts$$' ./cmd/credchain

# The generated differential run of make test: a seed derived from the
# commit under test (so CI keeps exploring, and a local make test of the same
# commit runs exactly what CI runs), printed with the count.
DIFF_SEED  ?= $(shell v=$$(git rev-parse --short=8 HEAD 2>/dev/null) && printf '%d' 0x$$v || echo 1)
DIFF_COUNT ?= 1000

race:
	@echo "difftest seed $(DIFF_SEED), $(DIFF_COUNT) scenarios (rerun: make difftest SEED=$(DIFF_SEED) COUNT=$(DIFF_COUNT))"
	CREDCHAIN_REQUIRE_ORACLE=1 CREDCHAIN_DIFF_SEED=$(DIFF_SEED) CREDCHAIN_DIFF_COUNT=$(DIFF_COUNT) $(GO) test -race -count=1 $(PKGS)

# Any seed of the generated differential suite against botocore, library
# and CLI: make difftest SEED=123 COUNT=2000. Failing scenarios are written
# to difftest-failures/ (pin them in testdata/difftest/regressions.json).
SEED  ?= $(DIFF_SEED)
COUNT ?= 2000
# Planted rule-breaks (mutants_test.go), each in a scratch copy of the module,
# replayed against one botocore pass over generated scenarios: prints
# "mutant NAME: caught (K mismatches)" or "mutant NAME: missed" and fails
# under 90% caught or when one of the three issue 21 names is missed.
# MUTANTS_SEED/MUTANTS_COUNT choose the scenarios.
MUTANTS_SEED  ?= 20261206
MUTANTS_COUNT ?= 1500
mutants:
	@set -o pipefail; CREDCHAIN_MUTANTS=1 CREDCHAIN_MUTANTS_SEED=$(MUTANTS_SEED) CREDCHAIN_MUTANTS_COUNT=$(MUTANTS_COUNT) \
		$(GO) test -count=1 -timeout 60m -run '^TestMutants$$' -v . | grep -E '^(mutant|mutants:)|mutants_test.go|--- FAIL|^FAIL|^ok' | cut -c1-300

# ONLY=FROM-TO runs only those scenarios of the seed (indexes).
ONLY ?=
difftest:
	@set -o pipefail; CREDCHAIN_REQUIRE_ORACLE=1 CREDCHAIN_DIFF_SEED=$(SEED) CREDCHAIN_DIFF_COUNT=$(COUNT) CREDCHAIN_DIFF_ONLY=$(ONLY) \
		$(GO) test -count=1 -timeout 60m -run '^TestDifferentialGenerated$$' -v . | grep -E '^(difftest:|\s+diff(erential|test)_test.go|--- FAIL|FAIL|ok)' | cut -c1-400

unit:
	$(GO) test -count=1 $(PKGS)

vet:
	$(GO) vet $(PKGS)

fmtcheck:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# Every module of the repository (the library, and the tools kept in
# modules of their own so that its go.mod stays clean) is tidy.
MODULES := . tools/dist tools/apidiff
tidycheck:
	@for m in $(MODULES); do \
		(cd $$m && $(GO) mod tidy -diff) || { echo "go mod tidy changes $$m/go.mod or go.sum"; exit 1; }; \
	done

lint:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) $(PKGS)

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/ini
	$(GO) test -run '^$$' -fuzz '^FuzzShlexSplit$$' -fuzztime $(FUZZTIME) ./internal/pystr
	$(GO) test -run '^$$' -fuzz '^FuzzJoin$$' -fuzztime $(FUZZTIME) ./internal/pystr
	$(GO) test -run '^$$' -fuzz '^FuzzQuotePOSIX$$' -fuzztime $(FUZZTIME) ./shellenv
	$(GO) test -run '^$$' -fuzz '^FuzzApply$$' -fuzztime $(FUZZTIME) ./internal/configedit

# Every speed and memory figure of the project, each as a ratio against its
# peer or floor measured in the same run, with its target (a few minutes;
# the serve part needs wrk).
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./bench/... ./internal/ini ./internal/configedit
	$(GO) test -run '^$$' -bench 'AdvisoryWindow|MandatoryDeadline' -benchmem .
	./scripts/bench-peers.sh
	./scripts/bench-serve.sh

bench-peers:
	./scripts/bench-peers.sh

bench-serve:
	./scripts/bench-serve.sh

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null)
# Two binaries (internal/cli/handover.go): the front, credchain, without
# AWS clients, and the full build, credchain-aws, that it runs for anything
# that calls AWS. Install them side by side.
BUILDFLAGS = -trimpath -ldflags "-s -w -X github.com/credchain/credchain/internal/cli.buildVersion=$(VERSION)"
build:
	CGO_ENABLED=0 $(GO) build $(BUILDFLAGS) $(FRONT) -o bin/credchain ./cmd/credchain
	CGO_ENABLED=0 $(GO) build $(BUILDFLAGS) -o bin/credchain-aws ./cmd/credchain-aws

PREFIX ?= /usr/local
# Man pages and completions from the command tree (tools/gendocs, cobra's
# doc package): they never drift from --help.
docs:
	$(GO) run ./tools/gendocs -man build/man -completions build/completions

# The release, built as it is published (nothing is published from here):
# per target an archive with both binaries, README, LICENSE, CHANGELOG,
# completions and man pages, and its CycloneDX SBOM; .deb, .rpm and .apk
# (nfpm, packaging/nfpm.yaml); checksums.txt; a Homebrew formula and a Scoop
# manifest. tools/dist is a module of its own, so the library's go.mod
# stays free of the packagers. DIST_TARGETS narrows it (GOOS/GOARCH,...).
DIST_TARGETS ?= linux/amd64,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/arm64
dist:
	cd tools/dist && $(GO) run . -root ../.. -out ../../dist -targets $(DIST_TARGETS)

# tools/dist's own checks (the snapshot it builds is installed and used by
# packaging/release_test.go, in make race; its tidiness is tidycheck's): vet,
# its tests and the release configuration's validation.
disttool:
	cd tools/dist && $(GO) vet ./... && $(GO) test -count=1 ./... && $(GO) run . -root ../.. -check

install: build docs
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 bin/credchain bin/credchain-aws $(DESTDIR)$(PREFIX)/bin/
	ln -sf credchain $(DESTDIR)$(PREFIX)/bin/docker-credential-credchain
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 0644 build/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 build/completions/credchain.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/credchain
	install -m 0644 build/completions/_credchain $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_credchain
	install -m 0644 build/completions/credchain.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/credchain.fish
