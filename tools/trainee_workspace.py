"""Make (or refresh) the trainee's workspace that ``make course`` opens in JupyterLab.

The committed lessons stay untouched: the trainee works on copies, in a folder git ignores::

    workspace/
      course/       copies of course/ (the lessons); run, edit and save them freely
      exercises/    copies of exercises/<assignment>/, where nbgrader's Assignment List expects them

and, for nbgrader on a single machine (no JupyterHub), a local exchange holding the committed
release and a configuration pointing the trainee's Assignment List at it::

    .jupyter/exchange/<course_id>/{outbound,inbound,feedback}/
    .jupyter/trainee/config/nbgrader_config.py

Refreshing is safe to repeat. A lesson the trainee never saved is replaced when the committed one
changes; a lesson the trainee saved is moved to ``workspace/old-versions/`` first. An assignment
folder that exists is never touched (it holds the trainee's answers).

    .venv/bin/python tools/trainee_workspace.py           # what `make course` runs
    .venv/bin/python tools/trainee_workspace.py --help
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COURSE_ID = "skin-needling-trainer"
MANIFEST = ".origin.json"  # inside workspace/: the hash of each lesson as it was copied
SKIP = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc")

NBGRADER_CONFIG = '''\
"""nbgrader for the trainee of a single-machine course (written by tools/trainee_workspace.py).

A local exchange replaces the class's shared one (/srv/nbgrader/exchange on JupyterHub), so the
Assignment List shows the released exercises instead of an error, and Submit works.
"""

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = {course_id!r}
c.Exchange.root = {exchange!r}
c.Exchange.cache = {cache!r}
c.Exchange.assignment_dir = {assignment_dir!r}
'''


@dataclass(frozen=True)
class Layout:
    """Where the workspace and the trainee's single-machine nbgrader state live."""

    repo: Path
    workspace: Path
    state: Path  # the repository's Jupyter state folder (.jupyter/)

    @property
    def course(self) -> Path:
        return self.workspace / "course"

    @property
    def exercises(self) -> Path:
        return self.workspace / "exercises"

    @property
    def exchange(self) -> Path:
        return self.state / "exchange"

    @property
    def trainee_config(self) -> Path:
        return self.state / "trainee" / "config"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts
                  and "__pycache__" not in p.parts)


def sync_lessons(layout: Layout, log=print) -> None:
    """Copy new or changed lessons into ``workspace/course/`` without losing a saved copy."""
    manifest_path = layout.workspace / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    source = layout.repo / "course"
    for src in _files(source):
        rel = src.relative_to(source).as_posix()
        dest = layout.course / rel
        committed = _digest(src)
        if dest.is_file():
            if manifest.get(rel) == committed:
                continue  # up to date (the trainee's outputs and edits stay)
            if manifest.get(rel) != _digest(dest):  # the trainee saved it since it was copied
                backup = layout.workspace / "old-versions" / "course" / rel
                backup.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(dest, backup)
                log(f"course/{rel} was updated; your previous copy is in {backup.relative_to(layout.workspace)}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)
        manifest[rel] = committed
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def sync_exercises(layout: Layout, log=print) -> None:
    """Copy each released assignment that the workspace does not hold yet; never overwrite one."""
    source = layout.repo / "exercises"
    for assignment in sorted(p for p in source.iterdir() if p.is_dir()):
        dest = layout.exercises / assignment.name
        if not dest.exists():
            shutil.copytree(assignment, dest, ignore=SKIP)


def release_locally(layout: Layout) -> None:
    """Put the committed release into a local exchange, as ``nbgrader release_assignment`` would."""
    course = layout.exchange / COURSE_ID
    outbound = course / "outbound"
    for sub in ("inbound", "feedback"):
        (course / sub).mkdir(parents=True, exist_ok=True)
    source = layout.repo / "exercises"
    released = sorted(p.name for p in source.iterdir() if p.is_dir())
    if outbound.is_dir():
        for stale in outbound.iterdir():
            if stale.name not in released:
                shutil.rmtree(stale)
    for name in released:
        shutil.copytree(source / name, outbound / name, ignore=SKIP, dirs_exist_ok=True)


def write_nbgrader_config(layout: Layout) -> Path:
    layout.trainee_config.mkdir(parents=True, exist_ok=True)
    (layout.state / "trainee" / "cache").mkdir(parents=True, exist_ok=True)
    path = layout.trainee_config / "nbgrader_config.py"
    path.write_text(NBGRADER_CONFIG.format(
        course_id=COURSE_ID, exchange=str(layout.exchange), cache=str(layout.state / "trainee" / "cache"),
        assignment_dir=str(layout.exercises)))
    return path


def make_workspace(layout: Layout, log=print) -> None:
    """Everything ``make course`` needs before it starts JupyterLab."""
    layout.workspace.mkdir(parents=True, exist_ok=True)
    sync_lessons(layout, log)
    sync_exercises(layout, log)
    release_locally(layout)
    write_nbgrader_config(layout)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workspace", type=Path, default=ROOT / "workspace", help="default: workspace/")
    parser.add_argument("--state", type=Path, default=ROOT / ".jupyter", help="default: .jupyter/")
    args = parser.parse_args(argv)
    make_workspace(Layout(ROOT, args.workspace.resolve(), args.state.resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
