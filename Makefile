# Skin Needling Trainer: every set-up step lives here so two commands do it all.
#   make course   create/reuse .venv, install pinned deps, open the course in JupyterLab
#   make test     create/reuse .venv, then run every test
# Other targets: make instructor (nbgrader's instructor tools), make voila (the planner app), make bench (benchmarks), make lock.
# Class hub (root): make hub-demo (a local class on 127.0.0.1), make test-hub (the class test), make hub-clean.

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

.PHONY: course instructor test voila bench lock env clean collect hub-env hub-demo test-hub hub-clean grade export sandbox-tool

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

# The trainee works in workspace/ (git-ignored copies of course/ and exercises/, made and refreshed
# by tools/trainee_workspace.py), so saving never writes into the committed lessons. roles/trainee/
# hides the instructor tools and the news; the trainee's own settings live in .jupyter/trainee/.
course: $(STAMP)
	$(PY) tools/trainee_workspace.py
	@echo "Opening the course at http://$(JUPYTER_HOST):8888 (the full URL with its token follows)."
	JUPYTER_CONFIG_PATH=$(CURDIR)/roles/trainee JUPYTER_CONFIG_DIR=$(CURDIR)/.jupyter/trainee/config \
	$(VENV)/bin/jupyter lab --no-browser --ip=$(JUPYTER_HOST) --ServerApp.port=8888 $(ROOT_FLAG) \
		--ServerApp.root_dir=$(CURDIR)/workspace \
		--LabApp.default_url=/lab/tree/course/00_welcome.ipynb

# The instructor's JupyterLab (formgrader, create assignment) on the repository itself, port 8889.
instructor: $(STAMP)
	@echo "Opening the instructor's JupyterLab at http://$(JUPYTER_HOST):8889 (the full URL with its token follows)."
	JUPYTER_CONFIG_PATH=$(CURDIR)/roles/instructor JUPYTER_CONFIG_DIR=$(CURDIR)/.jupyter/instructor/config \
	$(VENV)/bin/jupyter lab --no-browser --ip=$(JUPYTER_HOST) --ServerApp.port=8889 $(ROOT_FLAG) \
		--ServerApp.root_dir=$(CURDIR) \
		--LabApp.default_url=/lab/tree/docs/INSTRUCTOR_GUIDE.md

test: $(STAMP) sandbox-tool
	$(PY) -m pytest -n 2 --dist loadfile --cov=needling_sim --cov-report=term --cov-fail-under=90 -m "not hub" $(PYTEST_ARGS)

# --- a class on JupyterHub (root; docs/INSTRUCTOR_GUIDE.md Part B) ------------------------------
# hub-env builds /opt/needling-hub: an interpreter every account can run, the hub's and the trainees'
# (non-editable) environments, the role folders, and configurable-http-proxy (npm ci in hub/).
HUB_PREFIX ?= /opt/needling-hub
export NEEDLING_HUB_PREFIX := $(HUB_PREFIX)

hub-env: $(STAMP)
	$(PY) hub/install.py --prefix $(HUB_PREFIX)

hub-demo: hub-env
	$(PY) hub/classroom.py demo --prefix $(HUB_PREFIX)

test-hub: hub-env
	$(PY) -m pytest -m hub tests/hub $(PYTEST_ARGS)

hub-clean:
	$(PY) hub/classroom.py teardown --prefix $(HUB_PREFIX)

# Class on JupyterHub: quarantine submissions not written by the student they name, then
# nbgrader collect --update (run as the instructor, in the course folder; docs/INSTRUCTOR_GUIDE.md Part B).
collect: $(STAMP)
	@test -n "$(ASSIGNMENT)" || { echo "usage: make collect ASSIGNMENT=01_screening"; exit 2; }
	$(PY) -m needling_sim.grading.collect $(ASSIGNMENT)

# roles/trainee/voila.json: Font Awesome from Voila's own bundle (no CDN; the template is in
# roles/trainee/data), no labextensions the app does not use, and kernels of closed pages culled.
voila: $(STAMP)
	JUPYTER_CONFIG_PATH=$(CURDIR)/roles/trainee JUPYTER_PATH=$(CURDIR)/roles/trainee/data \
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
