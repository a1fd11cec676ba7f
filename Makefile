# Ensemble: the two commands of the README, and the setup they need.
#
#   make demo   install what is missing, build the web app, serve it on :8080
#   make test   install what tests need, run every test (browser tests included)
#
# Tools are pinned and installed under $(CACHE) (outside the checkout, so fresh
# clones reuse them); every setup step checks before it installs, so a second run
# does nothing. Nothing is downloaded except from the package registries.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CACHE ?= $(HOME)/.cache/ensemble
TOOLS := $(CACHE)/tools
VENV := $(CACHE)/venv
TRUNK_VERSION := 0.21.14
BINARYEN_VERSION := 132.0.0
PLAYWRIGHT_VERSION := 1.65.2
# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
WASM_BINDGEN_VERSION := $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/^version = "\(.*\)"/\1/p;}' Cargo.lock)

export PATH := $(TOOLS)/bin:$(TOOLS)/binaryen/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# Trunk must never try to download a tool.
export TRUNK_OFFLINE := true

ENSEMBLE := target/release/ensemble

.PHONY: help demo test web native setup-web setup-test setup-rust setup-trunk \
        setup-wasm-bindgen setup-wasm-opt setup-chromium setup-playwright \
        test-rust test-browser lint sweep bench clean-tools web-report

help:
	@echo "make demo    build the web app and serve it at http://127.0.0.1:8080"
	@echo "make test    run every test (installs what tests need)"
	@echo "make sweep   longer seed sweeps (SEEDS=20000, CHAOS_SEEDS=100000)"
	@echo "make bench   simulator throughput, then a real local 3-node ensemble (ensemble bench)"
	@echo "make web-report  the web app's download, file by file, against its budget"

demo: web native
	$(ENSEMBLE) demo

test: setup-test lint test-rust web test-browser

# ---- builds -------------------------------------------------------------------

native:
	cargo build --release --locked -p ensemble-native

web: setup-web
	cargo fetch --locked
	trunk build --release
	@bash tests/tools/web-report.sh www/dist | tail -1

# The initial download, file by file, against its budget.
web-report: web
	bash tests/tools/web-report.sh www/dist

# ---- tests --------------------------------------------------------------------

lint:
	cargo fmt --all -- --check
	cargo clippy --locked --all-targets -- -D warnings
	cargo clippy --locked -p ensemble-web --target wasm32-unknown-unknown -- -D warnings

test-rust:
	cargo test --locked
	cargo test --locked -p ensemble-web

# The binary `cargo test` built (same features, so no second build after test-rust).
test-browser:
	cargo test --locked --no-run
	ENSEMBLE=target/debug/ensemble PYTHON=$(VENV)/bin/python bash tests/browser/run.sh

SEEDS ?= 20000
CHAOS_SEEDS ?= 100000
sweep:
	ENSEMBLE_SWEEP_SEEDS=$(SEEDS) cargo test --release --locked -p ensemble-tests --test sweeps --test sweep_zab -- --nocapture
	ENSEMBLE_CHAOS_SEEDS=$(CHAOS_SEEDS) cargo test --release --locked -p ensemble-tests --test sweep_zab_chaos -- --nocapture

bench: native
	$(ENSEMBLE) bench-sim
	$(ENSEMBLE) bench

# ---- setup (idempotent) ---------------------------------------------------------

setup-web: setup-rust setup-trunk setup-wasm-bindgen setup-wasm-opt
setup-test: setup-web setup-chromium setup-playwright

setup-rust:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
	@rustup component list --installed | grep -q '^clippy' || rustup component add clippy

setup-trunk:
	@if [ "$$(trunk --version 2>/dev/null)" != "trunk $(TRUNK_VERSION)" ]; then \
	  echo "installing trunk $(TRUNK_VERSION) (takes several minutes, once)"; \
	  cargo install --locked trunk --version $(TRUNK_VERSION) --root $(TOOLS); fi

# Without --locked: its own lockfile pins a crate version the registry lacks.
setup-wasm-bindgen:
	@test -n "$(WASM_BINDGEN_VERSION)" || { echo "no wasm-bindgen in Cargo.lock"; exit 1; }
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (a few minutes, once)"; \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --root $(TOOLS); fi

# Debian's binaryen is too old for the wasm rustc emits; the npm package is current.
setup-wasm-opt:
	@command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm; }
	@if ! wasm-opt --version 2>/dev/null | grep -q 'version 132'; then \
	  npm install --silent --prefix $(TOOLS)/binaryen binaryen@$(BINARYEN_VERSION); fi

setup-chromium:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  echo "installing Debian chromium and chromium-driver"; \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq; \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq chromium chromium-driver; fi
	@# A CJK font: without one every Chinese character renders as an empty box.
	@if ! dpkg-query -W -f='$${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'install ok installed'; then \
	  echo "installing Debian fonts-noto-cjk"; \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq; \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq fonts-noto-cjk; fi

# Playwright drives Debian's chromium; it never downloads a browser of its own.
setup-playwright:
	@test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	@$(VENV)/bin/python -c 'import playwright' 2>/dev/null || \
	  $(VENV)/bin/pip install -q playwright==$(PLAYWRIGHT_VERSION)

clean-tools:
	rm -rf $(CACHE)
