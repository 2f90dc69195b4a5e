"""Export grades with what each number means: graded, failed (and why), late, needs hand marking.

nbgrader's own ``nbgrader export`` gives a failed or missing submission a plain 0.0, which an
instructor cannot tell from blank work. :func:`grade_rows` joins the gradebook with the class
run's record (:mod:`needling_sim.grading.classrun`): one row per trainee and assignment, with a
``status`` of ``graded``, ``needs hand marking``, ``failed``, ``not graded yet`` or
``not submitted``, and a score only where there is one.

``make export`` writes ``grades.csv`` with :func:`main`.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from .classrun import load_ledger

__all__ = ["COLUMNS", "grade_rows", "main", "write_csv"]

COLUMNS = ("student_id", "assignment", "status", "score", "max_score", "late", "seconds_late", "reason")


def _row(student, assignment, status, *, score="", max_score="", late="", seconds_late="", reason=""):
    return dict(
        student_id=student,
        assignment=assignment,
        status=status,
        score=score,
        max_score=max_score,
        late=late,
        seconds_late=seconds_late,
        reason=reason,
    )


def grade_rows(root: Path) -> list[dict]:
    """Every trainee x assignment of the gradebook (and every student the class run saw)."""
    from nbgrader.api import Gradebook, MissingEntry

    root = Path(root)
    rows = []
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        assignments = sorted(a.name for a in gb.assignments)
        students = {s.id for s in gb.students}
        ledgers = {a: load_ledger(root, a) for a in assignments}
        for ledger in ledgers.values():
            students |= set(ledger)
        for assignment in assignments:
            for student in sorted(students):
                entry = ledgers[assignment].get(student)
                submitted = (root / "submitted" / student / assignment).is_dir()
                if entry and entry.get("status") == "failed":
                    rows.append(_row(student, assignment, "failed", reason=entry.get("reason", "")))
                    continue
                if entry is not None and entry.get("status") != "graded":
                    reason = "the class run stopped before grading it; run `make grade` again"
                    rows.append(_row(student, assignment, "not graded yet", reason=reason))
                    continue
                try:
                    sub = gb.find_submission(assignment, student)
                except MissingEntry:
                    status = "not graded yet" if submitted else "not submitted"
                    rows.append(_row(student, assignment, status))
                    continue
                status = "needs hand marking" if sub.needs_manual_grade else "graded"
                rows.append(
                    _row(
                        student,
                        assignment,
                        status,
                        score=f"{sub.score:g}",
                        max_score=f"{sub.max_score:g}",
                        late="yes" if sub.total_seconds_late > 0 else "no",
                        seconds_late=f"{sub.total_seconds_late:g}",
                        reason="; ".join(entry.get("notes", [])) if entry else "",
                    )
                )
    return rows


def write_csv(rows: list[dict], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m needling_sim.grading.export", description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=".", help="the course folder (holds gradebook.db); default: here")
    parser.add_argument("--to", default="grades.csv", help="CSV file to write (default: grades.csv)")
    args = parser.parse_args(argv)
    root = Path(args.root)
    if not (root / "gradebook.db").is_file():
        message = f"no gradebook at {root / 'gradebook.db'}; run `nbgrader generate_assignment <assignment> --force`"
        print(f"error: {message}", file=sys.stderr)
        return 2
    rows = grade_rows(root)
    write_csv(rows, Path(args.to))
    counts = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    print(f"{args.to}: {len(rows)} rows (" + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) + ")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
