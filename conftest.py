"""Suite-wide set-up: Jupyter state out of the home directory, and the lesson guards.

Every lesson notebook runs under nbval in a fresh kernel. The suite runs with
``--dist loadfile``, so one worker runs a notebook top to bottom in one kernel. At the end of the
session a guard checks that every code cell of every lesson executed and passed, in order.
nbval's instructions are cell tags (``nbval-check-output``; ``raises-exception`` on lesson 00's
unanswered practice check, which passes by raising), so no cell is skipped: a cell that nbval
skips (an ``nbval-skip`` tag) fails the guard like one that did not run.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
_STATE = ROOT / ".jupyter" / "test"
for _name, _sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                    ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")):
    os.environ.setdefault(_name, str(_STATE / _sub))
    # Create them: IPython warns (an error under this suite's settings) when its folder is missing.
    Path(os.environ[_name]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
os.environ.setdefault("PLOTLY_RENDERER", "plotly_mimetype+notebook")
# nbgrader shells out to alembic: the environment's bin folder must be on PATH.
_BIN = str(Path(os.sys.executable).parent)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")

_CELL = re.compile(r"^(?P<nb>.+\.ipynb)::Cell (?P<n>\d+)(@.*)?$")
_ran: dict[str, list[tuple[int, str]]] = defaultdict(list)
_collected: set[str] = set()


def pytest_configure(config):
    """Do not measure coverage inside lesson kernels.

    With pytest-cov active, nbval starts coverage in each kernel on the worker's own data
    file; under xdist that races with the worker writing the same file and breaks the final
    combine. The package's coverage is measured by its unit tests instead.
    """
    import nbval.plugin

    nbval.plugin.setup_coverage = _no_kernel_coverage
    nbval.plugin.teardown_coverage = _no_kernel_coverage


def _no_kernel_coverage(*_args, **_kwargs):
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        m = _CELL.match(item.nodeid)
        if m:
            _collected.add(m["nb"])


def pytest_runtest_logreport(report):
    m = _CELL.match(report.nodeid)
    if m and (report.when == "call" or (report.when == "setup" and not report.passed)):
        _ran[m["nb"]].append((int(m["n"]), report.outcome))


def pytest_sessionfinish(session, exitstatus):
    """Fail the run when a collected lesson did not execute every code cell, in order, passing."""
    if hasattr(session.config, "workerinput") or session.config.option.collectonly:
        return  # on an xdist worker (the controller sees every report), or nothing ran
    import nbformat

    problems = []
    notebooks = {nb for nb in _collected} | set(_ran)
    for nb in sorted(notebooks):
        n_code = sum(c.cell_type == "code" for c in nbformat.read(ROOT / nb, as_version=4).cells)
        ran = _ran.get(nb, [])
        order = [n for n, _ in ran]
        if order != list(range(n_code)) or any(outcome != "passed" for _, outcome in ran):
            problems.append(f"{nb}: {n_code} code cells; ran {order} with outcomes "
                            f"{sorted({o for _, o in ran})}")
    if problems and session.config.getoption("keyword", "") == "" and not session.config.getoption("lf", False):
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter:
            reporter.write_line("Lesson guard: not every code cell ran, in order, and passed:", red=True)
            for p in problems:
                reporter.write_line(f"  {p}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
