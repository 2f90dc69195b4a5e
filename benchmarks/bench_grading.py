"""Grading a class: the sandboxed, parallel class run against nbgrader's plain serial ``autograde``.

One run builds two identical courses from ``solutions/<assignment>`` with 30 honest submissions
(the model answers, typed in), then times

- ``plain``: ``nbgrader autograde <assignment>`` with nbgrader's own ``Execute`` (the pipeline
  before the sandbox: every notebook in turn, checks in the trainee's kernel);
- ``sandboxed``: ``python -m needling_sim.grading.classrun <assignment>`` (what ``make grade``
  runs: bubblewrap sandboxes in parallel on every core, then the trusted checks and gradebook
  writes in one process).

Both must give every trainee the same score; the figure is plain / sandboxed (goal: >= 1).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import nbformat
from bench_common import PY, ROOT, SCRATCH, VENV_BIN, Figure, Goal, failed, jupyter_env

STUDENTS = 30
#: Appended to the course's nbgrader_config.py for the plain run: nbgrader's own Execute back in place.
PLAIN_EXECUTE = """
from nbgrader.preprocessors import Execute as _Execute
c.Autograde.autograde_preprocessors = [
    _Execute if step is TrustedExecute else step for step in c.Autograde.autograde_preprocessors
]
"""
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def _course(base: Path, assignment: str, plain: bool, env) -> Path:
    course = base / ("plain" if plain else "sandboxed")
    (course / "solutions").mkdir(parents=True)
    config = (ROOT / "nbgrader_config.py").read_text()
    (course / "nbgrader_config.py").write_text(config + (PLAIN_EXECUTE if plain else ""))
    shutil.copytree(ROOT / "solutions" / assignment, course / "solutions" / assignment)
    subprocess.run(
        [f"{VENV_BIN}/nbgrader", "generate_assignment", assignment],
        cwd=course,
        env=env,
        check=True,
        capture_output=True,
    )
    solution = nbformat.read(course / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    answers = {
        cell.metadata["nbgrader"]["grade_id"]: "\n".join(
            line for line in cell.source.split("\n") if line.strip() not in MARKERS
        )
        for cell in solution.cells
        if cell.cell_type == "code" and (cell.metadata.get("nbgrader") or {}).get("solution")
    }
    release_dir = course / "exercises" / assignment
    release = nbformat.read(release_dir / f"{assignment}.ipynb", as_version=4)
    for cell in release.cells:
        gid = (cell.metadata.get("nbgrader") or {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    for n in range(1, STUDENTS + 1):
        folder = course / "submitted" / f"trainee{n:02d}" / assignment
        folder.mkdir(parents=True)
        for extra in release_dir.iterdir():
            if extra.suffix != ".ipynb":
                shutil.copy(extra, folder / extra.name)
        nbformat.write(release, folder / f"{assignment}.ipynb")
    return course


def _scores(course: Path, assignment: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {s.student.id: float(s.score) for s in gb.find_assignment(assignment).submissions}


def grading_speedup(runs: int, goal: Goal | None, assignment: str | None) -> list[Figure]:
    """Figures ``grading_30_plain_s``, ``grading_30_sandboxed_s`` and ``grading_speedup_vs_plain``."""
    assignment = assignment or "02_scheduling"
    if shutil.which("bwrap") is None:
        return [failed("grading_speedup_vs_plain", goal, "bubblewrap is not installed (make env installs it)")]
    plain_s, sandboxed_s, details = [], [], {"assignment": assignment, "students": STUDENTS}
    for run in range(runs):
        base = SCRATCH / "grading" / f"run{run}"
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        env = jupyter_env(base / "state")
        plain = _course(base, assignment, True, env)
        sandboxed = _course(base, assignment, False, env)
        start = time.perf_counter()
        proc = subprocess.run(
            [f"{VENV_BIN}/nbgrader", "autograde", assignment], cwd=plain, env=env, capture_output=True, text=True
        )
        plain_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        proc2 = subprocess.run(
            [PY, "-m", "needling_sim.grading.classrun", assignment],
            cwd=sandboxed,
            env=env,
            capture_output=True,
            text=True,
        )
        sandboxed_s.append(time.perf_counter() - start)
        if proc.returncode or proc2.returncode:
            return [
                failed(
                    "grading_speedup_vs_plain",
                    goal,
                    f"a grading run failed:\n{proc.stderr[-800:]}\n{proc2.stderr[-800:]}",
                )
            ]
        a, b = _scores(plain, assignment), _scores(sandboxed, assignment)
        details[f"run{run}_same_scores"] = a == b
        details[f"run{run}_plain_scores"] = sorted(set(a.values()))
        details[f"run{run}_sandboxed_scores"] = sorted(set(b.values()))
        if a != b:
            details[f"run{run}_differences"] = {
                s: (a.get(s), b.get(s)) for s in set(a) | set(b) if a.get(s) != b.get(s)
            }
    speedups = [p / s for p, s in zip(plain_s, sandboxed_s, strict=True)]
    return [
        Figure("grading_30_plain_s", plain_s, None, details),
        Figure("grading_30_sandboxed_s", sandboxed_s, None, details),
        Figure("grading_speedup_vs_plain", speedups, goal, details),
    ]


if __name__ == "__main__":
    for fig in grading_speedup(1, Goal(">=", 1), None):
        print(fig.key, [round(x, 2) for x in fig.samples], fig.details, fig.error or "")
