# Everything a fresh machine needs is installed by these targets; see README.md.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# Chalice takes the Lambda runtime from the interpreter that packages it: 3.13.
PYTHON_BOOT ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13.*/bin/python3.13) $(shell command -v python3.13 2>/dev/null))
DEBIAN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils chromium chromium-driver

.PHONY: deps system-deps dynamodb-local browser-test-deps deploy-tools web node pki test test-unit test-fast demo serve admin-token package bench bench-scale docx-preview clean

deps: $(VENV)/.installed system-deps dynamodb-local browser-test-deps deploy-tools

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@if [ -z "$(PYTHON_BOOT)" ]; then \
	  echo "thidua needs Python 3.13 (Chalice takes the Lambda runtime from it)."; \
	  echo "Install it with: pyenv install 3.13.0   (or your distribution's python3.13)"; exit 1; fi
	$(PYTHON_BOOT) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

# WeasyPrint renders with Pango/HarfBuzz; pdftoppm turns PDFs into PNG pages;
# Chromium and its driver run the browser tests of the portal and the office's screens (tests/e2e/).
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

# docs/deploy.md's tool-chain for the tests (the AWS CLI, samtranslator, cfn-lint, moto's server), pinned in
# requirements-deploy.txt, in a venv of its own under .cache/ (its pins clash with the Lambda's): made once.
deploy-tools: $(VENV)/.installed
	@$(PY) -m devtools.deploy_tools >/dev/null

# axe-core for the browser tests' accessibility checks (tests/e2e/browser.py injects it into the
# page under test; it is never served), from its own lockfile.
AXE_DIR := tests/e2e/axe
browser-test-deps: $(AXE_DIR)/node_modules/.installed

$(AXE_DIR)/node_modules/.installed: $(AXE_DIR)/package.json $(AXE_DIR)/package-lock.json | node
	cd $(AXE_DIR) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# The unit portal (web/, README "The web portal"): TypeScript + Preact bundled by Vite into web/dist,
# which the app serves at / (and `chalice package` ships through vendor/portal). Node and npm come
# from the machine (Debian's or the image's); packages only from web/package-lock.json (`npm ci`,
# rerun when the lockfile changes); the typed client is generated from the app's own OpenAPI document.
# Rebuilt only when a source, the lockfile or the OpenAPI document changed.
NODE_MIN := 20.19
WEB_SOURCES := $(shell find web/src web/sw web/scripts web/public -type f -not -name schema.d.ts 2>/dev/null) \
	web/index.html web/vite.config.ts web/tsconfig.json web/package.json
web: web/dist/index.html

node:
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || { \
	  echo "The web portal needs Node.js >= $(NODE_MIN) and npm, which are not installed."; \
	  echo "Install them (e.g. apt-get install nodejs npm, or the image's Node.js) and run make again."; exit 1; }
	@node web/scripts/check-node.mjs $(NODE_MIN)

web/node_modules/.installed: web/package-lock.json web/package.json | node
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Written only when the document changed, so a Python edit that leaves the API alone rebuilds nothing.
web/openapi.json: $(VENV)/.installed $(shell find chalicelib -name '*.py' -o -name '*.json' 2>/dev/null)
	@$(PY) -m devtools.openapi_json > $@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; touch -r $@ $@ 2>/dev/null; else mv $@.tmp $@; fi

web/dist/index.html: web/node_modules/.installed web/openapi.json $(WEB_SOURCES) | node
	cd web && npm run --silent build
	touch $@

# The test PKI (devtools/pki.py): a test CA and a PKCS#12 per issuer of the catalog, which the demo
# and the local stages sign issued documents with (the cloud's come from Secrets Manager). Always run:
# it makes only what is missing (a tenth of a second when nothing is), keeps the CA and what it issued.
PKI_DIR := .cache/pki
pki: | $(VENV)/.installed
	@$(PY) -m devtools.pki $(PKI_DIR)

# Every tier, in random order (pytest-randomly), on two workers; a test file stays on one worker,
# so module fixtures (a packaged zip, a compiled world) are built once.
test: deps web pki
	$(PY) -m pytest -n 2 --dist loadfile -q

# Pure rules and the HTTP layer over the in-memory store: no Java, seconds.
test-unit: $(VENV)/.installed
	$(PY) -m pytest -q tests/unit

test-fast: deps
	$(PY) -m pytest -q -m "not slow"

demo: deps web pki
	$(PY) -m devtools.demo

serve: deps web pki
	$(PY) -m devtools.serve

admin-token: deps
	$(PY) -m chalicelib.cli admin-token

# The deployable SAM template and zip of one stage in build/$(STAGE)/ (docs/deploy.md), and their size. No AWS
# account or credentials needed; REGION only satisfies chalice (the template is region-free).
STAGE ?= dev
REGION ?= $(or $(AWS_REGION),$(AWS_DEFAULT_REGION),ap-southeast-1)
package: $(VENV)/.installed web
	$(PY) -m devtools.package --stage $(STAGE) --region $(REGION)

# Every performance figure next to its target and a baseline measured in the same run
# (docs/performance.md). Figures, not a pass/fail gate.
bench: deps web
	$(PY) -m bench

# Only the ministry at 160, 700 and 11,000 units (issue 20; about 20 minutes): SIZES=160,700 for fewer.
bench-scale: deps
	$(PY) -m bench.scale run $(if $(SIZES),--sizes $(SIZES))

# The demo documents as DOCX, converted to PDF by LibreOffice (Debian's, headless) into
# out/docx-preview/ to look at (e.g. `pdftoppm -png -r 60`) next to the WeasyPrint PDF of the same
# model. A large install, so not part of `make deps`/`make test`. fonts-liberation2 gives
# LibreOffice its metric-compatible stand-in for the documents' Times New Roman.
DOCX_PREVIEW_PACKAGES := libreoffice-writer-nogui fonts-liberation2
docx-preview: $(VENV)/.installed system-deps
	@missing=""; for p in $(DOCX_PREVIEW_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null || { \
	    echo "Could not install:$$missing. Install them with apt-get and run again."; exit 1; }; \
	fi
	rm -rf out/docx-preview
	$(PY) -m devtools.docx_preview out/docx-preview
	soffice --headless --norestore -env:UserInstallation=file://$(CURDIR)/.cache/libreoffice \
	  --convert-to pdf --outdir out/docx-preview out/docx-preview/*.docx >/dev/null
	@ls -1 out/docx-preview/*.pdf

clean:
	rm -rf out build .pytest_cache web/dist web/openapi.json
