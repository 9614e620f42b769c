# Flamingo: `make dev` runs the whole stack locally, `make test` runs every
# test. Both set up what they need first (scripts/setup.sh).
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

WORKER := edge-api/build/index.js
WORKER_SRC := $(shell find edge-api/src edge-api/build.rs edge-api/Cargo.toml durable-state/src durable-state/Cargo.toml migrations -type f 2>/dev/null) Cargo.lock
UI := edge-ui/dist/index.html
UI_SRC := $(shell find edge-ui/src edge-ui/public docs/api.md edge-ui/index.html edge-ui/package.json edge-ui/package-lock.json \
  edge-ui/vite.config.ts edge-ui/tsconfig*.json -type f 2>/dev/null | LC_ALL=C sort)
# The web app rebuilds when its sources' content changes, not their mtime:
# `cargo test` rewrites the generated API types (byte for byte the same) on
# every run, and a needless rebuild empties edge-ui/dist under every
# `wrangler dev` serving it (the whole-system tests run `make dev` beside
# other tests).
UI_INPUTS := target/ui-inputs.sha256

.PHONY: help setup build worker ui tunnel-host dev test lint unit system size clean FORCE

help:
	@echo "make dev    set up, build and run Flamingo locally (http://127.0.0.1:8787)"
	@echo "make test   set up, build and run every test"

setup:
	@scripts/setup.sh

$(WORKER): $(WORKER_SRC)
	scripts/build-worker.sh

worker: $(WORKER)

$(UI_INPUTS): FORCE
	@mkdir -p $(@D); sum=$$(sha256sum $(UI_SRC) | sha256sum); \
	  [ "$$(cat $@ 2>/dev/null)" = "$$sum" ] || echo "$$sum" > $@

$(UI): $(UI_INPUTS)
	cd edge-ui && npm run build

ui: $(UI)

tunnel-host:
	cargo build -p tunnel-host

build: setup
	@$(MAKE) --no-print-directory ui worker tunnel-host

dev: build
	scripts/dev.sh

test: build
	@$(MAKE) --no-print-directory lint unit system size

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p edge-api -p durable-state --target wasm32-unknown-unknown -- -D warnings
	cd edge-ui && npm run typecheck && npm run lint

unit:
	cargo test --workspace
	@# cargo test regenerates the API's TypeScript types; they must match what is committed.
	@git diff --exit-code --stat -- edge-ui/src/api/generated && test -z "$$(git status --porcelain -- edge-ui/src/api/generated)" \
	  || { echo "edge-ui/src/api/generated drifted from the Rust types: commit the regenerated files"; exit 1; }
	cd edge-ui && npm test

system:
	SCREENSHOT_DIR=$(CURDIR)/test-results/screenshots scripts/with-tools.sh node --test --test-concurrency=2 --test-timeout=300000 tests/
	@echo "screenshots: test-results/screenshots"

size:
	scripts/with-tools.sh bench/worker-size.sh

clean:
	cargo clean
	rm -rf edge-api/build edge-ui/dist
