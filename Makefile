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

.PHONY: help setup build worker ui tunnel-host dev test lint unit rust-checks web-checks system size clean FORCE

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

# Three chains at once on CI's 2 cores: the Rust checks and tests (one after
# another: they share target/debug, which cargo builds one at a time), the
# release Worker (its own target dirs; its LTO link runs on one core) and the
# web app's build and checks. Then the whole-system tests, which need all of it.
# Cargo lines start with `+` so cargo shares make's job slots (-j3 in all);
# make runs `+` lines even under `make -n`, so `make -n test` builds and tests.
test: setup
	@$(MAKE) --no-print-directory -j3 --output-sync=target rust-checks worker web-checks
	@$(MAKE) --no-print-directory system size

lint:
	$(RUST_LINT)
	$(WEB_LINT)

unit:
	$(RUST_UNIT)
	$(WEB_UNIT)

rust-checks:
	$(RUST_LINT)
	$(RUST_UNIT)
	+cargo build -p tunnel-host

web-checks: $(UI)
	$(WEB_LINT)
	$(WEB_UNIT)

define RUST_LINT
cargo fmt --all --check
+cargo clippy --workspace --all-targets -- -D warnings
+cargo clippy -p edge-api -p durable-state --target wasm32-unknown-unknown -- -D warnings
endef

# cargo test writes the API's TypeScript types (ts-rs); here into target/, not
# over the files the web checks read meanwhile. They must match what is
# committed in edge-ui/src/api/generated.
GENERATED := target/ts-generated
define RUST_UNIT
rm -rf $(GENERATED)
+TS_RS_EXPORT_DIR=$(CURDIR)/$(GENERATED) cargo test --workspace
@diff -r $(GENERATED) edge-ui/src/api/generated \
  || { echo "edge-ui/src/api/generated drifted from the Rust types: run cargo test -p edge-api and commit the regenerated files"; exit 1; }
endef

define WEB_LINT
cd edge-ui && npm run typecheck && npm run lint
endef

define WEB_UNIT
cd edge-ui && npm test
endef

system:
	SCREENSHOT_DIR=$(CURDIR)/test-results/screenshots scripts/with-tools.sh node --test --test-concurrency=2 --test-timeout=300000 tests/
	@echo "screenshots: test-results/screenshots"

size:
	scripts/with-tools.sh bench/worker-size.sh

clean:
	cargo clean
	rm -rf edge-api/build edge-ui/dist
