# Skin Needling Trainer: every set-up step lives here so two commands do it all.
#   make course   create/reuse .venv, install pinned deps, open the course in JupyterLab
#   make test     create/reuse .venv, then run every test
# Other targets: make voila (the planner app), make bench (benchmarks), make lock.

PYTHON ?= python3
VENV := $(CURDIR)/.venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# nbgrader shells out to `alembic` when it creates a gradebook: the venv must be on PATH.
export PATH := $(VENV)/bin:$(PATH)
# Keep Jupyter's and IPython's state in the repo (git-ignored), not in the home directory.
export JUPYTER_CONFIG_DIR := $(CURDIR)/.jupyter/config
export JUPYTER_DATA_DIR := $(CURDIR)/.jupyter/data
export JUPYTER_RUNTIME_DIR := $(CURDIR)/.jupyter/runtime
export JUPYTER_PLATFORM_DIRS := 1
export IPYTHONDIR := $(CURDIR)/.jupyter/ipython
# Plotly's kernel default is mimetype-only, which nbconvert's HTML (nbgrader feedback)
# cannot show; add the self-contained notebook renderer (never a CDN one).
export PLOTLY_RENDERER := plotly_mimetype+notebook

JUPYTER_HOST := 127.0.0.1
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: course test voila bench lock env clean grade export sandbox-tool

env: $(STAMP) sandbox-tool

# Grading runs trainee notebooks in bubblewrap (Debian package `bubblewrap`); install it when missing.
sandbox-tool:
	@command -v bwrap >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing bubblewrap (the grading sandbox) with apt-get"; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null \
			|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; }; \
		else \
			echo "bubblewrap (bwrap) is missing: grading and its tests need it. Install it as root:"; \
			echo "    sudo apt-get install bubblewrap"; \
		fi; }

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

course: $(STAMP)
	@echo "Opening the course at http://$(JUPYTER_HOST):8888 (the full URL with its token follows)."
	$(VENV)/bin/jupyter lab --no-browser --ip=$(JUPYTER_HOST) $(ROOT_FLAG) \
		--ServerApp.root_dir=$(CURDIR)/course \
		--LabApp.default_url=/lab/tree/00_welcome.ipynb

test: $(STAMP) sandbox-tool
	$(PY) -m pytest -n 2 --dist loadfile --cov=needling_sim --cov-report=term --cov-fail-under=90 $(PYTEST_ARGS)

voila: $(STAMP)
	$(VENV)/bin/voila --no-browser --Voila.ip=$(JUPYTER_HOST) apps/planner.ipynb

# Grade every submission of one assignment, each in its own sandbox, in parallel:
#   make grade ASSIGNMENT=02_scheduling        (GRADE_ARGS=--force grades everyone again)
grade: $(STAMP) sandbox-tool
	@test -n "$(ASSIGNMENT)" || { echo "usage: make grade ASSIGNMENT=02_scheduling"; exit 2; }
	$(PY) -m needling_sim.grading.classrun $(ASSIGNMENT) $(GRADE_ARGS)

# grades.csv: per trainee and assignment, graded / needs hand marking / failed (why) / late.
export: $(STAMP)
	$(PY) -m needling_sim.grading.export --to grades.csv

bench: $(STAMP)
	$(PY) benchmarks/run.py

# Re-resolve the pins from pyproject's ranges (needs the package registry).
lock:
	rm -rf $(CURDIR)/.lock-venv && $(PYTHON) -m venv $(CURDIR)/.lock-venv
	$(CURDIR)/.lock-venv/bin/pip install --quiet "setuptools>=77" -e ".[course,test]"
	$(CURDIR)/.lock-venv/bin/pip uninstall --yes --quiet rfc3987-syntax lark
	{ sed -n '/^#/p' requirements.lock; $(CURDIR)/.lock-venv/bin/pip freeze --all \
		| grep -vE '^(pip|needling-sim|-e )'; } > requirements.lock.new
	mv requirements.lock.new requirements.lock && rm -rf $(CURDIR)/.lock-venv

clean:
	rm -rf $(VENV) .jupyter .pytest_cache .hypothesis .coverage htmlcov artifacts
