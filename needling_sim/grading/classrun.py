"""Grade a whole class: every submission of an assignment, each in its own sandbox, in parallel.

``make grade ASSIGNMENT=02_scheduling`` runs :func:`main`. For one assignment it

1. finds every ``submitted/<student>/<assignment>/`` folder and checks it without running
   anything (:mod:`needling_sim.grading.validate_submission`): a broken notebook (invalid JSON,
   wrong format, renamed, missing, old nbgrader metadata) is reported by student and reason,
   and everyone else is graded;
2. runs the good ones in bubblewrap sandboxes (:mod:`needling_sim.grading.sandbox`), as many
   at once as the machine has cores, each with its own time, memory, process and output limits;
3. then, one after the other in this trusted process, lets nbgrader autograde each student
   (``NbGraderAPI.autograde``) with :class:`~needling_sim.grading.preprocessors.TrustedExecute`
   reusing the sandbox result: checks run here, on plain values, and nbgrader writes the
   gradebook. No trainee code runs in this process, and no sandbox can reach the gradebook.

Progress is kept in ``.grading/<assignment>/status.json`` (written atomically after every
student), so a run that is killed part-way leaves an exact record: the students marked
``graded`` are done; the others are redone by the next run (``--force`` redoes everyone).
A submission that changed since it was graded is graded again.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from queue import Queue

import nbformat

from .answers import read_answers
from .preprocessors import cached_result_path
from .sandbox import ALLOW_UNSANDBOXED_FLAG, Limits, SandboxUnavailable, bwrap_path, run_notebook, submission_digest
from .validate_submission import submission_problem

__all__ = ["ClassReport", "grade_assignment", "ledger_path", "load_ledger", "main"]

STATE_DIR = ".grading"


def ledger_path(root: Path, assignment: str) -> Path:
    """The class run's record for ``assignment``: student -> status, reason, notes."""
    return Path(root) / STATE_DIR / assignment / "status.json"


def load_ledger(root: Path, assignment: str) -> dict:
    path = ledger_path(root, assignment)
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return {}


def _save_ledger(root: Path, assignment: str, ledger: dict) -> None:
    path = ledger_path(root, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(ledger, indent=1, sort_keys=True, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


@dataclass(frozen=True)
class ClassReport:
    """The outcome of one class run: student -> ledger entry, and the run's wall-clock time."""

    assignment: str
    students: dict
    seconds: float

    def failed(self) -> dict:
        return {s: e["reason"] for s, e in self.students.items() if e["status"] == "failed"}

    def graded(self) -> list:
        return sorted(s for s, e in self.students.items() if e["status"] == "graded")

    def summary(self) -> str:
        lines = [f"{self.assignment}: {len(self.graded())} graded, {len(self.failed())} failed, {self.seconds:.0f} s"]
        for student, entry in sorted(self.students.items()):
            line = f"  {student:<24} {entry['status']}"
            if entry.get("score") is not None:
                line += f"  {entry['score']:g}/{entry['max_score']:g}"
            if entry.get("reason"):
                line += f"  ({entry['reason']})"
            lines.append(line)
            lines.extend(f"  {'':<24}   note: {note}" for note in entry.get("notes", []))
        return "\n".join(lines)


def _nbgrader_api(root: Path, results_dir: Path, allow_unsandboxed: bool):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config, PyFileConfigLoader

    config = Config()
    config.merge(PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config())
    config.CourseDirectory.root = str(root)
    config.TrustedExecute.results_dir = str(results_dir)
    if allow_unsandboxed:
        config.TrustedExecute.allow_unsandboxed = True
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _release_notebooks(root: Path, assignment: str) -> list[str]:
    for folder in (root / "exercises" / assignment, root / "release" / assignment, root / "solutions" / assignment):
        names = sorted(p.name for p in folder.glob("*.ipynb")) if folder.is_dir() else []
        if names:
            return names
    raise FileNotFoundError(f"no notebooks for assignment {assignment!r} in exercises/ or solutions/ under {root}")


def _limits(root: Path) -> Limits:
    """The per-submission limits from nbgrader_config.py (c.Execute.timeout, c.TrustedExecute.*)."""
    from traitlets.config import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    trusted = config.get("TrustedExecute", {})
    cell = trusted.get("timeout") or config.get("Execute", {}).get("timeout") or 120
    kwargs = {"cell_timeout_s": int(cell), "total_timeout_s": trusted.get("total_timeout")}
    if trusted.get("output_chars_per_cell"):
        kwargs["output_chars_per_cell"] = int(trusted["output_chars_per_cell"])
    return Limits(**kwargs)


def _sandbox_one(folder: Path, notebooks: list[str], student: str, results: Path, limits, slots, allow):
    slot = slots.get()
    try:
        notes, seconds = [], 0.0
        for name in notebooks:
            nb = nbformat.read(folder / name, as_version=4)
            result = run_notebook(
                nb,
                student_id=student,
                resources_dir=folder,
                export_names=sorted(read_answers(nb).needs_run),
                limits=limits,
                slot=slot,
                allow_unsandboxed=allow,
            )
            path = cached_result_path(results, student, Path(name).stem)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(result.to_json()), encoding="utf-8")
            os.replace(tmp, path)
            notes.extend(result.notes)
            seconds += result.seconds
        return notes, seconds
    finally:
        slots.put(slot)


def _score(root: Path, assignment: str, student: str):
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return None, None
        return float(submission.score), float(submission.max_score)


def grade_assignment(
    root: Path,
    assignment: str,
    *,
    jobs: int | None = None,
    force: bool = False,
    allow_unsandboxed: bool = False,
    limits: Limits | None = None,
    log=print,
) -> ClassReport:
    """Grade every submission of ``assignment`` in the course at ``root``; see the module text."""
    started = time.monotonic()
    root = Path(root).resolve()
    if not allow_unsandboxed:
        bwrap_path()  # refuse now, with the install instructions, rather than per student
    if not (root / "gradebook.db").is_file():
        raise FileNotFoundError(
            f"There is no gradebook at {root / 'gradebook.db'}. It is not kept in git: create it with "
            f"`nbgrader generate_assignment {assignment} --force` (run from {root}; it rebuilds "
            "exercises/ exactly as committed, see docs/INSTRUCTOR_GUIDE.md) before grading."
        )
    limits = limits or _limits(root)
    jobs = jobs or os.cpu_count() or 1
    notebooks = _release_notebooks(root, assignment)
    state = root / STATE_DIR / assignment
    results = state / "results"
    ledger = load_ledger(root, assignment)
    submitted = root / "submitted"
    folders = {p.parent.name: p for p in sorted(submitted.glob(f"*/{assignment}")) if p.is_dir()}

    todo = {}
    for student, folder in folders.items():
        digest = submission_digest(folder)
        previous = ledger.get(student, {})
        if not force and previous.get("status") == "graded" and previous.get("digest") == digest:
            continue
        problem = submission_problem(folder, notebooks)
        if problem:
            ledger[student] = {"status": "failed", "reason": problem, "digest": digest, "notes": []}
            log(f"{student}: not graded: {problem}")
            continue
        ledger[student] = {"status": "queued", "reason": "", "digest": digest, "notes": []}
        todo[student] = folder
    for student in set(ledger) - set(folders):
        ledger[student] = {"status": "failed", "reason": "the submission folder is gone", "notes": []}
    _save_ledger(root, assignment, ledger)

    shutil.rmtree(results, ignore_errors=True)
    slots: Queue = Queue()
    for slot in range(jobs):
        slots.put(slot)
    log(f"{assignment}: running {len(todo)} submission(s) in sandboxes, {jobs} at a time")
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {
            pool.submit(_sandbox_one, folder, notebooks, student, results, limits, slots, allow_unsandboxed): student
            for student, folder in todo.items()
        }
        for future in as_completed(futures):
            student = futures[future]
            try:
                notes, seconds = future.result()
                ledger[student].update(status="sandboxed", notes=notes, sandbox_seconds=seconds)
            except Exception as error:  # noqa: BLE001 - one submission's failure is reported, the run goes on
                ledger[student].update(status="failed", reason=f"the sandboxed run failed: {error}")
            _save_ledger(root, assignment, ledger)

    api = _nbgrader_api(root, results, allow_unsandboxed)
    for student in sorted(todo):
        if ledger[student]["status"] != "sandboxed":
            continue
        outcome = api.autograde(assignment, student, force=True, create=True)
        with open(root / ".nbgrader.log", "a", encoding="utf-8") as logfile:
            logfile.write(
                f"--- autograde {assignment} {student} ---\n{outcome.get('log', '')}\n{outcome.get('error') or ''}"
            )
        if outcome.get("success"):
            score, max_score = _score(root, assignment, student)
            ledger[student].update(status="graded", reason="", score=score, max_score=max_score)
        else:
            last = [line for line in (outcome.get("error") or outcome.get("log") or "").splitlines() if line.strip()]
            reason = last[-1][:300] if last else "nbgrader could not grade it"
            ledger[student].update(status="failed", reason=f"nbgrader autograde failed: {reason}")
        _save_ledger(root, assignment, ledger)
    shutil.rmtree(results, ignore_errors=True)
    report = ClassReport(assignment, ledger, round(time.monotonic() - started, 1))
    log(report.summary())
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m needling_sim.grading.classrun",
        description="Grade every submission of one assignment, each in its own sandbox, in parallel.",
    )
    parser.add_argument("assignment", help="assignment name, e.g. 02_scheduling")
    parser.add_argument("--root", default=".", help="the course folder (holds nbgrader_config.py); default: here")
    parser.add_argument("--jobs", type=int, default=None, help="sandboxes at once (default: the number of cores)")
    parser.add_argument("--force", action="store_true", help="grade again even submissions already graded")
    parser.add_argument(
        ALLOW_UNSANDBOXED_FLAG,
        dest="allow_unsandboxed",
        action="store_true",
        help="DANGEROUS: run trainee code without bubblewrap when it is missing (it then runs with your rights)",
    )
    args = parser.parse_args(argv)
    try:
        grade_assignment(
            Path(args.root), args.assignment, jobs=args.jobs, force=args.force, allow_unsandboxed=args.allow_unsandboxed
        )
    except (SandboxUnavailable, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
