# Every target runs inside the project's own virtual environment, .venv, built on first use
# from pyproject.toml (what we depend on) and requirements.lock (the exact versions).
#
#   make reports   execute every notebook and build the offline course site in build/reports/
#   make test      lint + format check (notebooks too), then the test suite
#   make check     the quick loop: lint, then every test that starts no kernel and no browser
#   make slides    reveal.js slides of every notebook, offline, in build/slides/
#   make handouts  one PDF per notebook, printed from the reports, in build/handouts/
#   make class     the class kit in build/class/: two decks, worksheet, exit tickets, answer key
#   make lab       JupyterLab on notebooks/ (RISE presents them live as slides)
#   make bench     the engine benchmark, then the explorers timed in JupyterLab
#   make lock      re-resolve requirements.lock from pyproject.toml in a throwaway venv
#   make clean     remove build/

# The newest Python 3.11 or later on PATH that runs (pyproject.toml: requires-python >= 3.11);
# a name that is only a shim for a version not installed (pyenv) is passed over.
_PY_OK := import sys; sys.version_info >= (3, 11) and print(sys.executable)
PYTHON ?= $(firstword $(foreach v,3.14 3.13 3.12 3.11,$(shell python$(v) -c '$(_PY_OK)' 2>/dev/null)) python3.11)
# Resolved once, before PATH below puts the venv first, so new venvs never nest in .venv.
BASE_PYTHON := $(shell command -v $(PYTHON))
VENV ?= .venv
PY := $(VENV)/bin/python
LOCK := requirements.lock
# Lives inside the venv, so deleting .venv also forgets that it was installed.
INSTALLED := $(VENV)/.installed
# reveal.js, vendored at build time for the offline slides (see the slides target).
REVEAL := build/vendor/reveal.js-5.2.1/package/dist/reveal.js
# axe-core, the accessibility checker the browser tests inject into every page (tests only).
AXE := build/vendor/axe-core-4.10.3/package/axe.min.js
PIP_FLAGS := --disable-pip-version-check --progress-bar off
MATHJAX3 := @jupyterlab/mathjax3-extension
# pytest on the two cores: two xdist workers, each running one test at a time, and an idle one
# takes tests queued on the other (worksteal). Override with `make test PYTEST_ARGS=...`.
PYTEST_ARGS ?= -n 2 --dist worksteal

# Anything started from make (kernels, jupyter, subprocesses in notebooks) finds the venv's
# python first, and nothing from the caller's shell redirects imports elsewhere.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export VIRTUAL_ENV := $(CURDIR)/$(VENV)
export JUPYTER_PREFER_ENV_PATH := 1
unexport PYTHONPATH PYTHONHOME PYTHONSTARTUP
# Bytecode is written on first import and read after (the project's own modules, which an
# editable install does not compile): where the caller's shell forbids it, each of the suite's
# kernels, servers and builds would compile them again.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: all reports slides handouts class test check lint lab bench lock clean

all: test

$(PY):
	@test -n "$(BASE_PYTHON)" || { echo "$(PYTHON) not found: make PYTHON=/path/to/python3.11"; exit 1; }
	@$(BASE_PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "$(PYTHON) is older than 3.11: make PYTHON=/path/to/python3.11"; exit 1; }
	$(BASE_PYTHON) -m venv $(VENV)

# uv installs the same locked versions as pip, in about 9 s instead of about 30; where uv cannot
# (no route to its index, no uv for the platform), pip does it. The venv's own pip only installs
# uv. Compiled to bytecode at install, as pip does, on both cores: compiled on first import
# instead, the suite's first kernels and builds, which start together, each compile the same
# modules (a fresh-clone run measured the reports' build 4 s slower that way).
$(INSTALLED): pyproject.toml $(LOCK) | $(PY)
	$(PY) -m pip install $(PIP_FLAGS) -c $(LOCK) uv
	$(VENV)/bin/uv pip install --compile-bytecode --python $(PY) -c $(LOCK) -e '.[test]' \
	  || $(PY) -m pip install $(PIP_FLAGS) -c $(LOCK) -e '.[test]'
	# jupyterlab_rise requires jupyterlab-mathjax3, a JupyterLab 3 extension that JupyterLab 4
	# flags as incompatible (JupyterLab 4 renders math itself): installed, but off and locked.
	$(VENV)/bin/jupyter labextension disable --level=sys_prefix $(MATHJAX3)
	$(VENV)/bin/jupyter labextension lock --level=sys_prefix $(MATHJAX3)
	touch $@

# REPORT_ARGS adds launch buttons, e.g. "--repository-url URL --binder-url https://mybinder.org"
# (see python -m comsim.publish.report --help); none by default.
REPORT_ARGS ?=
reports: $(INSTALLED)
	$(PY) -m comsim.publish.report $(REPORT_ARGS)

# Headless Chromium (Debian's /usr/bin/chromium) prints each report to PDF.
handouts: reports
	$(PY) -m comsim.publish.handouts

# The class kit: the decks (their notebooks executed once in the projector style, then kept
# while unchanged), the worksheet, one exit ticket per student and the answer key, all offline.
class: $(INSTALLED) $(REVEAL)
	$(PY) -m comsim.publish.classkit

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint $(REVEAL) $(AXE)
	$(PY) -m pytest $(PYTEST_ARGS)

# Tests marked kernel (run a notebook or JupyterLab), browser (drive Chromium) or slow are left
# out: see tests/conftest.py.
check: lint
	$(PY) -m pytest $(PYTEST_ARGS) -m "not kernel and not browser and not slow"

# reveal.js for the offline slides, and axe-core for the browser tests, come from their npm
# packages, fetched once at build time (never by the tests themselves).
$(REVEAL): | $(INSTALLED)
	$(PY) -m comsim.publish.vendor

$(AXE): | $(INSTALLED)
	$(PY) -m testkit.vendor

# Reuses the notebooks that `make reports` executed when they are newer than the sources.
slides: $(INSTALLED) $(REVEAL)
	$(PY) -m comsim.publish.slides

lab: $(INSTALLED)
	$(VENV)/bin/jupyter lab notebooks/

# bench_lab.py times the explorers in JupyterLab in headless Chromium and reads each kernel's
# peak memory (build/bench_lab.md).
bench: $(INSTALLED)
	$(PY) -m bench.bench
	$(PY) -m bench.bench_lab
	$(PY) -m bench.kernels

# Resolve the newest versions that pyproject.toml's ranges allow in a fresh venv and freeze the
# result; the project itself is left out of the lock. Run the whole suite on the new lock.
lock:
	@test -n "$(BASE_PYTHON)" || { echo "$(PYTHON) not found: make PYTHON=/path/to/python3.11"; exit 1; }
	rm -rf build/lock-venv
	$(BASE_PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/python -m pip install $(PIP_FLAGS) --upgrade pip
	build/lock-venv/bin/python -m pip install $(PIP_FLAGS) -e '.[test]' uv
	{ echo "# Generated by 'make lock' from pyproject.toml with Python 3.11; do not edit."; \
	  echo "# Used as pip constraints: pip install -c $(LOCK) -e '.[test]'"; \
	  build/lock-venv/bin/python -m pip freeze --all --exclude-editable --exclude comsim --exclude pip; \
	} > $(LOCK).tmp
	mv $(LOCK).tmp $(LOCK)
	rm -rf build/lock-venv

clean:
	rm -rf build/
