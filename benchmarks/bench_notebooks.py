"""Notebook-running overhead: nbval over the lessons and nbgrader autograding, each against a floor.

The floor is what any run of that shape must pay: starting a kernel and executing one empty
cell, as many times as the real run starts kernels, through the same tool. A ratio near 1 means
the lessons (or the grading) add little beyond the kernels themselves.

- ``nbval_ratio_vs_floor``: wall time of ``pytest --nbval-lax --nbval-current-env course``
  (one process, no xdist, the suite's addopts switched off) over the same command on as many
  generated one-empty-cell notebooks.
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
import xml.etree.ElementTree as ET
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


def _junit_cells(junit: Path) -> list[tuple[str, int, float, str]]:
    """(notebook, cell number, seconds incl. set-up and tear-down, outcome) per nbval item."""
    out = []
    for case in ET.parse(junit).iter("testcase"):
        name = case.get("name", "")
        if not name.startswith("Cell "):
            continue
        nb = case.get("file") or case.get("classname", "")
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed"
            elif child.tag == "skipped":
                outcome = "skipped"
        out.append((nb, int(name.split()[1].split("@")[0]), float(case.get("time", 0.0)), outcome))
    return out


def _cell_source(nb_path: Path, n: int) -> str:
    try:
        code = [c for c in nbformat.read(nb_path, as_version=4).cells if c.cell_type == "code"]
        first = next((ln for ln in code[n].source.splitlines() if ln.strip() and not ln.startswith("#")), "")
        return first[:90]
    except (OSError, IndexError, ValueError):
        return ""


def _per_notebook(cells: list[tuple[str, int, float, str]], lessons: list[Path]) -> list[dict]:
    by_nb: dict[str, list[tuple[int, float, str]]] = defaultdict(list)
    for nb, n, sec, outcome in cells:
        # junit's classname is the path with dots: "course.00_welcome.ipynb"
        by_nb[nb.removesuffix(".ipynb").rsplit(".", 1)[-1]].append((n, sec, outcome))
    paths = {p.stem: p for p in lessons}
    rows = []
    for stem, items in sorted(by_nb.items()):
        slow = sorted(items, key=lambda x: -x[1])[:3]
        rows.append(
            {
                "notebook": stem,
                "seconds": round(sum(s for _, s, _ in items), 2),
                "cells": len(items),
                "not_passed": sum(o != "passed" for _, _, o in items),
                "slowest_cells": [
                    {
                        "cell": n,
                        "seconds": round(s, 2),
                        "code": _cell_source(paths[stem], n) if stem in paths else "",
                    }
                    for n, s, _ in slow
                ],
            }
        )
    return sorted(rows, key=lambda r: -r["seconds"])


def nbval_ratio(runs: int, state: Path, goal: Goal, diagnose: bool = True) -> Figure:
    key = "nbval_ratio_vs_floor"
    lessons = sorted((ROOT / "course").glob("*.ipynb"))
    if not lessons:
        return failed(key, goal, "no lessons in course/")
    floor_dir = SCRATCH / "nbval_floor"
    shutil.rmtree(floor_dir, ignore_errors=True)
    floor_dir.mkdir(parents=True)
    for i in range(len(lessons)):
        nbformat.write(_floor_notebook(), floor_dir / f"floor_{i:02d}.ipynb")
    env = jupyter_env(state)
    junit_c, junit_f = SCRATCH / "nbval_course.xml", SCRATCH / "nbval_floor.xml"
    floor_arg = str(floor_dir.relative_to(ROOT))
    run_timed(nbval_cmd([floor_arg], junit_f), cwd=ROOT, env=env)  # warm-up: IPython profile, disk cache
    course_s, floor_s, ratios, exit_codes = [], [], [], []
    for _ in range(runs):
        tc, proc = run_timed(nbval_cmd(["course"], junit_c), cwd=ROOT, env=env, check=False)
        tf, _ = run_timed(nbval_cmd([floor_arg], junit_f), cwd=ROOT, env=env)
        course_s.append(tc)
        floor_s.append(tf)
        ratios.append(tc / tf)
        exit_codes.append(proc.returncode)
    cells = _junit_cells(junit_c)
    floor_cells = _junit_cells(junit_f)
    not_passed = sum(o != "passed" for *_, o in cells)
    details = {
        "notebooks": len(lessons),
        "code_cells": len(cells),
        "course_s": _spread(course_s),
        "floor_s": _spread(floor_s),
        "floor_per_notebook_s": round(sum(s for _, _, s, _ in floor_cells) / len(lessons), 2),
        "pytest_exit_codes": exit_codes,
        "per_notebook_last_run": _per_notebook(cells, lessons),
        "command": " ".join(nbval_cmd(["course"], Path("<junit.xml>"))[1:]),
    }
    error = None
    if any(exit_codes) or not_passed:
        error = f"the lessons did not all pass under nbval (exit codes {exit_codes}, {not_passed} cells not passed)"
    fig = Figure(key, ratios, goal, details, error)
    if diagnose and fig.goal_met is False:
        from bench_imports import heaviest_imports

        # What the lessons' kernels import beyond a bare kernel (fresh interpreters, this machine).
        fig.details["lesson_stages_in_a_kernel"] = lesson_stage_times(env)
        fig.details["lesson_imports_ms"] = {
            m: heaviest_imports(m, top=5) for m in ("needling_sim", "needling_sim.plots", "needling_sim.widgets")
        }
    return fig


_STAGES = (
    "import needling_sim as ns",
    "from needling_sim import plots",
    "fig = plots.conflicts_figure('redness')",
    "fig",
    "fig2 = plots.conflicts_figure('spacing')",
    "fig2",
    "from needling_sim import widgets",
    "app = widgets.planner_app()",
    "app",
    "app2 = widgets.planner_app()",
)


def lesson_stage_times(env: dict) -> dict:
    """What a typical lesson pays in its kernel beyond the floor, stage by stage: the package
    import, the first figure built, the first figure shown (with the renderer the run uses, and
    with the mimetype renderer alone), a second figure, then the planner app twice."""
    nb = _floor_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in _STAGES]
    path = SCRATCH / "diag" / "lesson_stages.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    out = {}
    for renderer in dict.fromkeys((env.get("PLOTLY_RENDERER", ""), "plotly_mimetype")):
        timing = kernel_cell_times(path, {**env, "PLOTLY_RENDERER": renderer}, top=len(_STAGES))
        timing["cells"] = {
            c["code"]: c["seconds"] for c in sorted(timing.pop("slowest_cells"), key=lambda c: c["cell"])
        }
        out[f"PLOTLY_RENDERER={renderer}"] = timing
    return out


# --------------------------------------------------------------------------------------- autograde

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
