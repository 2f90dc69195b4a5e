"""Check a submission folder before grading it, and say plainly what is wrong.

A notebook that is not valid JSON, was saved in an old notebook format, carries old nbgrader
metadata or was renamed used to stop nbgrader's class run or fail with a misleading message.
:func:`submission_problem` reads the folder without running anything and returns one sentence
for the instructor (``None`` when the submission can be graded); the class run reports it by
student and grades everyone else.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "02_scheduling.ipynb").write_text("{not json")
>>> submission_problem(folder, ["02_scheduling.ipynb"])
'02_scheduling.ipynb is not valid JSON (line 1, column 2: Expecting property name enclosed in double quotes); ...'
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

__all__ = ["MAX_NOTEBOOK_BYTES", "SCHEMA_VERSION", "submission_problem"]

#: Largest notebook file the grader reads (an honest one is well under 1 MB).
MAX_NOTEBOOK_BYTES = 20 * 2**20
#: The nbgrader cell-metadata version this course's nbgrader (0.9) writes.
SCHEMA_VERSION = 3


def _notebook_problem(path: Path) -> str | None:
    name = path.name
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        return f"{name} is {size / 2**20:.0f} MB, more than the grader reads ({MAX_NOTEBOOK_BYTES // 2**20} MB)"
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        return f"{name} is not a text file (it is not UTF-8); was another file saved under this name?"
    except json.JSONDecodeError as error:
        return (
            f"{name} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
            "the file was damaged or edited outside JupyterLab: ask the trainee to submit it again"
        )
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return f"{name} is JSON but not a notebook (it has no list of cells)"
    major = data.get("nbformat")
    if major != 4:
        return f"{name} is saved in notebook format {major!r}; the grader reads format 4 (re-save it in JupyterLab)"
    try:
        nbformat.validate(nbformat.from_dict(data))
    except nbformat.ValidationError as error:
        return f"{name} is not a valid notebook ({str(error).splitlines()[0][:200]})"
    for index, cell in enumerate(data["cells"], start=1):
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta is None:
            continue
        version = meta.get("schema_version", 1) if isinstance(meta, dict) else None
        if meta and version != SCHEMA_VERSION:
            return (
                f"{name}: cell {index} carries nbgrader metadata of schema version {version!r} "
                f"(this grader reads version {SCHEMA_VERSION}); run `nbgrader update` on this submission "
                "folder after checking it, then grade again"
            )
    return None


def submission_problem(folder: Path, expected: list[str]) -> str | None:
    """Why the submission in ``folder`` cannot be graded, or None.

    ``expected`` are the notebook file names of the assignment (from its release).
    """
    folder = Path(folder)
    if not folder.is_dir():
        return "no submission folder"
    present = sorted(p.name for p in folder.glob("*.ipynb") if p.is_file())
    for name in expected:
        path = folder / name
        if not path.is_file():
            others = [p for p in present if p not in expected]
            if others:
                return (
                    f"{name} is missing but {', '.join(others)} is there: the notebook was renamed; rename it "
                    f"back to {name} (or ask the trainee to submit it under its original name)"
                )
            return f"{name} is missing from the submission"
        problem = _notebook_problem(path)
        if problem:
            return problem
    return None
