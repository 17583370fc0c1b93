# mhdq: build, test, demo and benchmarks. `make setup` installs the system libraries the build needs,
# and python3-openpyxl, the second XLSX reader the tests check exceptions.xlsx with.
SWIFT ?= swift
BIN := .build/release/mhdq
DEMO_OUT ?= out/demo

APT_PACKAGES := libxml2-dev zlib1g-dev libsqlite3-dev pkg-config python3-openpyxl

.PHONY: setup build test demo bench clean report-screenshot

setup:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	else echo "system libraries present: $(APT_PACKAGES)"; fi

# The Swift runtime and Foundation are linked statically: the binary deploys as one file to a server without
# the toolchain, and starts in half the time (no dynamic symbol binding of the Swift libraries).
build:
	$(SWIFT) build -c release --static-swift-stdlib

test: setup
	$(SWIFT) test

# The demo exits 1 when it finds rejections (it does: the extracts carry realistic defects); that is its job.
demo: setup build
	@$(BIN) run Samples/demo/pipeline.toml --out $(DEMO_OUT); code=$$?; \
	if [ $$code -gt 1 ]; then exit $$code; fi

# A full-page PNG of the demo's report.html (out/report.png) by headless Chromium, which `make setup` does not
# install: `apt-get install -y chromium`. Reuses $(DEMO_OUT)/latest when it has a report, else runs the demo.
report-screenshot:
	@if [ ! -f $(DEMO_OUT)/latest/report.html ]; then $(MAKE) demo; fi
	python3 scripts/report_screenshot.py $(DEMO_OUT)/latest/report.html out/report.png

bench: build
	python3 Benchmarks/run.py

clean:
	rm -rf .build out
