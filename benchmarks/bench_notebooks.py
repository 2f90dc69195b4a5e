"""Notebook-running overhead: nbval over the lessons and nbgrader autograding, each against a floor.

The floor is what any run of that shape must pay: starting a kernel and executing one empty
cell, through the same tool.

- ``lesson_beyond_kernel_worst_s`` and ``nbval_lessons_wall_s``: see :func:`lessons` (they
  replace the retired ratio of nbval over as many empty notebooks, which weighed the lessons'
  real work against nothing).
- ``autograde_ratio_vs_floor``: wall time of ``nbgrader autograde <assignment> --force`` on 10
  submissions (the released notebook, unanswered, as each trainee's) in a temporary course, over
  a fresh process that executes a one-empty-cell notebook 10 times, one after another, with
  nbclient (nbgrader's executor).

Course and floor runs alternate, and each ratio pairs one course run with the floor run after it.
"""

from __future__ import annotations

import json
import pstats
import shutil
import statistics
from collections import defaultdict
from pathlib import Path

import nbformat
from bench_common import PY, ROOT, SCRATCH, VENV_BIN, Figure, Goal, failed, jupyter_env, run_timed
from bench_profile import cumulative_ms, summarize_profile

N_SUBMISSIONS = 10


def _floor_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("")])
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    return nb


def _spread(xs: list[float], digits: int = 2) -> dict:
    return {
        "median": round(statistics.median(xs), digits),
        "min": round(min(xs), digits),
        "max": round(max(xs), digits),
    }


# ------------------------------------------------------------------------------------------- nbval


def nbval_cmd(paths: list[str], junit: Path) -> list[str]:
    """The lessons' nbval run, one process: pyproject's config (filterwarnings=error, the
    rootdir conftest's lesson guard) without its addopts (doctests, coverage, strictness)."""
    return [
        PY,
        "-m",
        "pytest",
        "-c",
        str(ROOT / "pyproject.toml"),
        "--rootdir",
        str(ROOT),
        "-o",
        "addopts=",
        "--nbval-lax",
        "--nbval-current-env",
        "-p",
        "no:cacheprovider",
        "-q",
        f"--junitxml={junit}",
        *paths,
    ]


def lessons(runs: int, state: Path, goal: Goal) -> list[Figure]:
    """Each lesson's time beyond a kernel start, and the wall time of nbval over all of them.

    ``lesson_beyond_kernel_worst_s``: per run, the slowest lesson's seconds from a started kernel
    to its last cell done and the kernel shut down (nbclient, as nbval and nbgrader run them),
    minus the same for a one-empty-cell notebook measured in that run; ``details`` has every
    lesson and its slowest cells. ``nbval_lessons_wall_s``: ``pytest --nbval-lax`` over
    ``course/`` in one process, the lessons' share of the test command.
    """
    paths = sorted((ROOT / "course").glob("*.ipynb"))
    if not paths:
        return [
            failed("lesson_beyond_kernel_worst_s", goal, "no lessons in course/"),
            failed("nbval_lessons_wall_s", None, "no lessons in course/"),
        ]
    env = jupyter_env(state)
    floor = SCRATCH / "lesson_floor" / "floor.ipynb"
    floor.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(_floor_notebook(), floor)
    kernel_cell_times(floor, env)  # warm-up: IPython profile, disk cache
    worst, walls, per_lesson, kernel_starts, exit_codes = [], [], defaultdict(list), [], []
    slowest: dict[str, list] = {}
    junit = SCRATCH / "nbval_course.xml"
    for _ in range(runs):
        base = kernel_cell_times(floor, env)
        kernel_starts.append(base["kernel_start_s"])
        beyond = {}
        for path in paths:
            info = kernel_cell_times(path, env, top=3)
            beyond[path.name] = info["cells_and_shutdown_s"] - base["cells_and_shutdown_s"]
            per_lesson[path.name].append(round(beyond[path.name], 2))
            slowest[path.name] = info["slowest_cells"]
        worst.append(max(beyond.values()))
        tc, proc = run_timed(nbval_cmd(["course"], junit), cwd=ROOT, env=env, check=False)
        walls.append(tc)
        exit_codes.append(proc.returncode)
    details = {
        "beyond_kernel_s_per_lesson": dict(per_lesson),
        "slowest_cells_last_run": slowest,
        "kernel_start_s": _spread(kernel_starts),
        "goal_per_lesson": str(goal),
    }
    error = None if not any(exit_codes) else f"nbval over the lessons exited with {exit_codes}"
    return [
        Figure("lesson_beyond_kernel_worst_s", worst, goal, details),
        Figure("nbval_lessons_wall_s", walls, None, {"command": " ".join(nbval_cmd(["course"], junit)[1:])}, error),
    ]


_FLOOR_SCRIPT = """\
import os, sys, time
t0 = time.perf_counter()
import nbformat
from nbclient import NotebookClient
path, n = sys.argv[1], int(sys.argv[2])
t1 = time.perf_counter()
for _ in range(n):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": os.path.dirname(path)}}).execute()
print(repr(t1 - t0), repr(time.perf_counter() - t1))
"""


def _nbgrader(course: Path, *args: str, env: dict) -> tuple[float, object]:
    return run_timed([str(Path(VENV_BIN) / "nbgrader"), *args], cwd=course, env=env)


def prepare_course(work: Path, assignment: str, env: dict) -> tuple[Path, list[str]]:
    """A temporary nbgrader course with ``assignment`` released and 10 trainees' submissions."""
    course = work / "course"
    shutil.rmtree(course, ignore_errors=True)
    course.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(
        ROOT / "solutions",
        course / "solutions",
        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
    )
    _nbgrader(course, "generate_assignment", assignment, "--force", env=env)
    release = course / "exercises" / assignment
    notebooks = sorted(p.name for p in release.glob("*.ipynb"))
    for i in range(1, N_SUBMISSIONS + 1):
        shutil.copytree(release, course / "submitted" / f"trainee_{i:02d}" / assignment)
    return course, notebooks


def _check_autograded(course: Path, assignment: str, notebooks: list[str]) -> None:
    missing = [
        f"{s}/{nb}"
        for s in (f"trainee_{i:02d}" for i in range(1, N_SUBMISSIONS + 1))
        for nb in notebooks
        if not (course / "autograded" / s / assignment / nb).exists()
    ]
    if missing:
        raise RuntimeError(f"autograde did not produce {missing}")


def autograde_ratio(runs: int, state: Path, goal: Goal, assignment: str | None, diagnose: bool) -> Figure:
    key = "autograde_ratio_vs_floor"
    if not (ROOT / "nbgrader_config.py").exists() or not (ROOT / "solutions").is_dir():
        return failed(key, goal, "nbgrader_config.py or solutions/ has not landed")
    assignments = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir() and list(p.glob("*.ipynb")))
    assignment = assignment or (assignments[0] if assignments else None)
    if assignment not in assignments:
        return failed(key, goal, f"assignment {assignment!r} not in solutions/ ({assignments})")
    work = SCRATCH / "autograde"
    env = jupyter_env(state)
    course, notebooks = prepare_course(work, assignment, env)
    floor_nb = work / "floor" / "floor.ipynb"
    floor_nb.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(_floor_notebook(), floor_nb)
    floor_cmd = [PY, "-c", _FLOOR_SCRIPT, str(floor_nb), str(N_SUBMISSIONS * len(notebooks))]
    grade = ["autograde", assignment, "--force"]
    _nbgrader(course, *grade, env=env)  # warm-up, and creates the trainees in the gradebook
    _check_autograded(course, assignment, notebooks)
    run_timed(floor_cmd, cwd=work, env=env)
    grade_s, floor_s, floor_exec_s, floor_import_s, ratios = [], [], [], [], []
    for _ in range(runs):
        tg, _ = _nbgrader(course, *grade, env=env)
        _check_autograded(course, assignment, notebooks)
        tf, proc = run_timed(floor_cmd, cwd=work, env=env)
        imp, exe = (float(x) for x in proc.stdout.split())
        grade_s.append(tg)
        floor_s.append(tf)
        floor_exec_s.append(exe)
        floor_import_s.append(imp)
        ratios.append(tg / tf)
    details = {
        "assignment": assignment,
        "notebooks_per_submission": len(notebooks),
        "submissions": N_SUBMISSIONS,
        "autograde_s": _spread(grade_s),
        "floor_process_s": _spread(floor_s),
        "floor_kernel_runs_s": _spread(floor_exec_s),
        "floor_imports_s": _spread(floor_import_s),
        "per_submission_overhead_s": round(
            (statistics.median(grade_s) - statistics.median(floor_s)) / N_SUBMISSIONS, 2
        ),
    }
    fig = Figure(key, ratios, goal, details)
    if diagnose and fig.goal_met is False:
        fig.details["profile_of_grader_process"] = profile_autograde(course, assignment, env)
        fig.details["kernel_cell_seconds"] = {
            nb: kernel_cell_times(course / "submitted" / "trainee_01" / assignment / nb, env) for nb in notebooks
        }
        fig.details["floor_kernel_cell_seconds"] = kernel_cell_times(floor_nb, env)
        from bench_imports import heaviest_imports

        fig.details["grader_imports_ms"] = heaviest_imports("nbgrader.apps.nbgraderapp", top=6)
    return fig


#: Where an ``nbgrader autograde`` process spends its time (see :func:`bench_profile.cumulative_ms`).
_AUTOGRADE_PARTS = {
    "whole process": ("nbgrader/apps/nbgraderapp.py", "main"),
    "importing modules": ("<frozen importlib._bootstrap>", "_find_and_load"),
    "all preprocessors": ("nbconvert/preprocessors/base.py", "__call__"),
    "execute preprocessor": ("nbconvert/preprocessors/execute.py", "preprocess"),
    "  kernel start and shutdown": ("nbclient/client.py", "setup_kernel"),
    "  cells running in the kernel": ("nbconvert/preprocessors/execute.py", "preprocess_cell"),
    "writing notebooks": ("nbconvert/writers/files.py", "write"),
    "gradebook commits": ("sqlalchemy/orm/session.py", "commit"),
}


def profile_autograde(course: Path, assignment: str, env: dict, top: int = 15) -> dict:
    """cProfile of one ``nbgrader autograde`` (the grader process; the kernels are other processes)."""
    prof = SCRATCH / "autograde.prof"
    run_timed(
        [PY, "-m", "cProfile", "-o", str(prof), "-m", "nbgrader", "autograde", assignment, "--force"],
        cwd=course,
        env=env,
    )
    stats = pstats.Stats(str(prof))
    summary = summarize_profile(stats, top, focus=("nbgrader/preprocessors/", "nbgrader_config"))
    summary["breakdown_ms"] = cumulative_ms(stats, _AUTOGRADE_PARTS)
    return summary


_CELL_TIMES = """import datetime as dt, json, os, sys, time
import nbformat
from nbclient import NotebookClient
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
t0 = time.perf_counter()
client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                        resources={"metadata": {"path": os.path.dirname(path)}})
with client.setup_kernel():
    t1 = time.perf_counter()
    for i, cell in enumerate(nb.cells):
        client.execute_cell(cell, i)
t2 = time.perf_counter()
cells = []
for i, cell in enumerate(nb.cells):
    ex = cell.get("metadata", {}).get("execution")
    if cell.cell_type != "code" or not ex:
        continue
    a, b = (dt.datetime.fromisoformat(ex[k].replace("Z", "+00:00"))
            for k in ("iopub.execute_input", "shell.execute_reply"))
    first = next((ln for ln in cell.source.splitlines() if ln.strip() and not ln.startswith("#")), "")
    errored = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
    cells.append({"cell": i, "seconds": round((b - a).total_seconds(), 3), "error": errored,
                  "code": first[:90]})
print(json.dumps({"kernel_start_s": round(t1 - t0, 3), "cells_and_shutdown_s": round(t2 - t1, 3),
                  "slowest_cells": sorted(cells, key=lambda c: -c["seconds"])[:int(sys.argv[2])]}))
"""


def kernel_cell_times(path: Path, env: dict, top: int = 6) -> dict:
    """Kernel start-up and per-cell execution seconds of one notebook (nbclient's own timing):
    the ``top`` slowest cells."""
    path = path.resolve()
    _, proc = run_timed([PY, "-c", _CELL_TIMES, str(path), str(top)], cwd=path.parent, env=env)
    return json.loads(proc.stdout.strip().splitlines()[-1])
