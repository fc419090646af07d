# Everything a fresh machine needs is installed by these targets; see README.md.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# Chalice takes the Lambda runtime from the interpreter that packages it: 3.13.
PYTHON_BOOT ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13.*/bin/python3.13) $(shell command -v python3.13 2>/dev/null))
DEBIAN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils chromium chromium-driver

.PHONY: deps system-deps dynamodb-local browser-test-deps test test-unit test-fast demo serve admin-token package bench clean

deps: $(VENV)/.installed system-deps dynamodb-local browser-test-deps

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@if [ -z "$(PYTHON_BOOT)" ]; then \
	  echo "thidua needs Python 3.13 (Chalice takes the Lambda runtime from it)."; \
	  echo "Install it with: pyenv install 3.13.0   (or your distribution's python3.13)"; exit 1; fi
	$(PYTHON_BOOT) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

# WeasyPrint renders with Pango/HarfBuzz; pdftoppm turns PDFs into PNG pages;
# Chromium and its driver run the admin page's browser test (tests/e2e/test_admin_page.py).
system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing >/dev/null || { \
	    echo "Could not install:$$missing. Install them with apt-get and run again."; exit 1; }; \
	fi

dynamodb-local: $(VENV)/.installed
	@$(PY) -m devtools.dynamodb_local fetch

# axe-core for the browser tests' accessibility checks (tests/e2e/browser.py injects it into the
# page under test; it is never served), from its own lockfile.
AXE_DIR := tests/e2e/axe
browser-test-deps: $(AXE_DIR)/node_modules/.installed

$(AXE_DIR)/node_modules/.installed: $(AXE_DIR)/package.json $(AXE_DIR)/package-lock.json
	cd $(AXE_DIR) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Every tier, in random order (pytest-randomly), on two workers; a test file stays on one worker,
# so module fixtures (a packaged zip, a compiled world) are built once.
test: deps
	$(PY) -m pytest -n 2 --dist loadfile -q

# Pure rules and the HTTP layer over the in-memory store: no Java, seconds.
test-unit: $(VENV)/.installed
	$(PY) -m pytest -q tests/unit

test-fast: deps
	$(PY) -m pytest -q -m "not slow"

demo: deps
	$(PY) -m devtools.demo

serve: deps
	$(PY) -m devtools.serve

admin-token: deps
	$(PY) -m chalicelib.cli admin-token

# The deployable SAM template and zip of one stage in build/$(STAGE)/ (docs/deploy.md). No AWS
# account or credentials needed; REGION only satisfies chalice (the template is region-free).
STAGE ?= dev
REGION ?= $(or $(AWS_REGION),$(AWS_DEFAULT_REGION),ap-southeast-1)
package: $(VENV)/.installed
	$(PY) -m devtools.package --stage $(STAGE) --region $(REGION)

# Every performance figure next to its target and a baseline measured in the same run
# (docs/performance.md). Figures, not a pass/fail gate.
bench: deps
	$(PY) -m bench

clean:
	rm -rf out build .pytest_cache
