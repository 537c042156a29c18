# Rapport — `make site` builds the sample site, `make test` runs every test.
# A virtual environment is created in .venv unless one is already active.

SHELL := /bin/bash
PYTHON ?= python3
DATA ?= data
OUT ?= output

ifdef VIRTUAL_ENV
  ENV_DIR := $(VIRTUAL_ENV)
  MAKE_ENV :=
else
  ENV_DIR := .venv
  MAKE_ENV := $(ENV_DIR)/bin/python
endif
PY := $(ENV_DIR)/bin/python
INSTALLED := $(ENV_DIR)/.rapport-installed
TEST_INSTALLED := $(ENV_DIR)/.rapport-test-installed
NODE_INSTALLED := node_modules/.rapport-installed
PLOTLY_BUNDLE := $(ENV_DIR)/.rapport-plotly-basic

.DEFAULT_GOAL := help
.PHONY: help site test lint fmt validate report serve publish bench audit lock messages clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

site: $(INSTALLED) $(PLOTLY_BUNDLE) ## Set up (first run only) and build output/ from data/
	$(PY) -m generator build --data $(DATA) --out $(OUT)

test: $(TEST_INSTALLED) $(NODE_INSTALLED) $(PLOTLY_BUNDLE) lint ## Set up (first run only), check style and types, and run every test, browser tests included
	$(PY) -m pytest

lint: $(TEST_INSTALLED) ## Check style (ruff) and types (mypy --strict on generator/): no finding allowed
	$(PY) -m ruff check generator tests benchmarks scripts
	$(PY) -m mypy

fmt: $(TEST_INSTALLED) ## Fix what ruff can fix by itself (import order, modern syntax)
	$(PY) -m ruff check --fix generator tests benchmarks scripts

validate: $(INSTALLED) ## Check data/ and list every problem with file and line
	$(PY) -m generator validate --data $(DATA)

report: $(INSTALLED) ## Print the client metrics table for data/
	$(PY) -m generator report --data $(DATA)

serve: $(INSTALLED) ## Preview on 127.0.0.1 with rebuild on change and the local collector
	$(PY) -m generator serve --data $(DATA) --out $(OUT)

publish: $(INSTALLED) ## Build, check for leaks and push output/public/ to GitHub Pages (REMOTE=, CNAME=, DRY_RUN=1)
	$(PY) -m generator publish --data $(DATA) --out $(OUT) $(if $(REMOTE),--remote $(REMOTE)) $(if $(CNAME),--cname $(CNAME)) $(if $(DRY_RUN),--dry-run)

bench: $(INSTALLED) ## Time 1,000 and 10,000-client builds, rebuilds and rapport serve; print the speed targets as ratios to Pelican
	$(PY) benchmarks/run.py

audit: $(INSTALLED) $(NODE_INSTALLED) $(PLOTLY_BUNDLE) ## Lighthouse medians of 3 runs: overview, a client page, a survey page, the inbox of a 1,000-client demo
	$(PY) scripts/audit.py

# pip-tools resolves pyproject.toml and writes every pin with the hash of each of its files
PIP_COMPILE = $(PY) -m piptools compile --quiet --generate-hashes --allow-unsafe --all-build-deps --strip-extras \
	--no-emit-index-url --no-emit-find-links

lock: $(INSTALLED) ## Re-pin the Python dependencies with hashes (requirements*.lock) after a change to pyproject.toml
	$(PY) -m pip install --quiet --disable-pip-version-check pip-tools
	$(PIP_COMPILE) --output-file requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra test --output-file requirements-test.lock pyproject.toml

messages: $(INSTALLED) ## Extract the texts clients read (generator/texts/en.yaml) and merge them into every generator/locale/<lang>/LC_MESSAGES/rapport.po
	$(ENV_DIR)/bin/pybabel extract -F babel.cfg --project=Rapport --version=1 --copyright-holder=Rapport --width=100 --omit-header -o generator/locale/rapport.pot .
	$(ENV_DIR)/bin/pybabel update -i generator/locale/rapport.pot -d generator/locale -D rapport --width=100 --no-fuzzy-matching --ignore-pot-creation-date

clean: ## Remove output/ and the virtual environment
	rm -rf $(OUT) .venv

$(MAKE_ENV):
	$(PYTHON) -m venv $(ENV_DIR)

# Dependencies exactly as locked, each file checked against its hash; then Rapport itself, which
# brings nothing else (--no-deps) and builds with the locked setuptools (--no-build-isolation).
# Editable as a plain path (editable_mode=compat): setuptools' default import hook costs every
# Python start in the environment 9 ms, a third of what a `rapport build` handed to a warm build
# server spends in its own process.
$(INSTALLED): pyproject.toml requirements.lock | $(MAKE_ENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . --config-settings editable_mode=compat
	touch $@

$(TEST_INSTALLED): pyproject.toml requirements-test.lock $(INSTALLED)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-test.lock
	touch $@

# The dashboards' plotly.js: the official basic bundle of the same version, from the npm registry
# over HTTPS (no Node.js needed), sha512-checked and cached in the environment. Offline it says so,
# the build uses the full bundle of the plotly package, and the next make tries again.
$(PLOTLY_BUNDLE): $(INSTALLED)
	$(PY) -m generator.charts.bundle --stamp $@

# axe-core, the Nu HTML checker and Lighthouse, at the exact versions of package-lock.json
$(NODE_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@
