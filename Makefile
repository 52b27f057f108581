# warmmap: `make demo` runs it, `make test` tests it. Both install what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: demo test lint bench db tools assets install serve clean notebook audit

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP) assets

# The web map's MapLibre GL JS, from npm (web/package-lock.json), copied where warmmap serves it.
assets:
	@scripts/bootstrap-assets

db:
	@scripts/bootstrap-db

tools:
	@scripts/bootstrap-tools

demo: db install
	$(BIN)/warmmap db upgrade
	$(BIN)/warmmap demo

test: db tools install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Known vulnerabilities in the Python packages (pip-audit) and the web map's npm packages (npm
# audit, for each package.json there is); see scripts/audit.
audit: install
	@BIN=$(BIN) scripts/audit

# The planner notebook, executed top to bottom into build/notebooks/ (needs WARMMAP_DATABASE_URL
# with the demo loaded); the same command as the README's, run by tests/test_notebook.py.
notebook: install
	$(BIN)/jupyter nbconvert --to notebook --execute notebooks/planner.ipynb --output-dir build/notebooks

# spopt (the coverage benchmark's baseline) and its heavy dependencies live in their own venv.
SPOPT_VENV := bench/.venv-spopt
$(SPOPT_VENV)/.installed:
	@test -x $(SPOPT_VENV)/bin/python || $(PYTHON) -m venv $(SPOPT_VENV)
	$(SPOPT_VENV)/bin/python -m pip install -q spopt pulp
	@touch $@

# tipg (the layers benchmark's baseline) in its own venv too, pinned to a version that installs here.
TIPG_VENV := bench/.venv-tipg
$(TIPG_VENV)/.installed:
	@test -x $(TIPG_VENV)/bin/python || $(PYTHON) -m venv $(TIPG_VENV)
	$(TIPG_VENV)/bin/python -m pip install -q 'tipg==1.6.1' 'uvicorn[standard]'
	@touch $@

# locust (the load scenario's client) in its own venv: gevent patches the process it runs in.
LOCUST_VENV := bench/.venv-locust
$(LOCUST_VENV)/.installed:
	@test -x $(LOCUST_VENV)/bin/python || $(PYTHON) -m venv $(LOCUST_VENV)
	$(LOCUST_VENV)/bin/python -m pip install -q 'locust>=2.30,<3'
	@touch $@

bench: db install $(SPOPT_VENV)/.installed $(TIPG_VENV)/.installed $(LOCUST_VENV)/.installed
	@command -v wrk >/dev/null || apt-get install -y -q wrk || (apt-get update -q && apt-get install -y -q wrk)
	@command -v ogr2ogr >/dev/null || (apt-get update -qq && apt-get install -y -qq gdal-bin)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache web/node_modules geo_api/webmap/static/vendor
