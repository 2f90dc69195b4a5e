"""Static checks on the lessons: committed clean, lint-free, complete, and thin.

Running them is nbval's job (the suite collects ``course/*.ipynb`` with ``--nbval-lax``);
the lesson guard in ``conftest.py`` checks every code cell ran, in order.
"""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "course").glob("*.ipynb"))
CHECK_MARK = "# NBVAL_CHECK_OUTPUT"
EXPECTED = ["00_welcome", "01_what_is_needling", "02_healing_timeline", "03_screening", "04_planning",
            "05_treatment_day", "06_outcomes", "07_reading_claims", "08_capstone"]


def read(path):
    return nbformat.read(path, as_version=4)


def test_the_nine_lessons_are_there_in_order():
    assert [p.stem for p in LESSONS] == EXPECTED


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lessons_are_committed_without_outputs_except_checked_cells(path):
    for i, cell in enumerate(read(path).cells):
        if cell.cell_type != "code":
            continue
        if CHECK_MARK in cell.source:
            assert cell.outputs, f"{path.name} cell {i}: nbval checks this cell, so it needs its output"
        else:
            assert cell.execution_count is None and not cell.outputs, (
                f"{path.name} cell {i} carries stale output; run tools/clean_notebooks.py")


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lessons_have_the_teaching_parts(path):
    nb = read(path)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown").lower()
    assert "learning objectives" in text or "by the end" in text, "learning objectives"
    assert "summary" in text, "a summary"
    assert "not clinical advice" in text or "teaching model" in text, "the teaching-model disclaimer"
    if path.stem != "00_welcome":
        assert "<details>" in text, "check-your-understanding answers that open on demand"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_markdown_is_not_accidentally_indented_into_code_blocks(path):
    """Headings and bold question lines indented by 4+ spaces render as code, not text."""
    for cell in read(path).cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                stripped = line.lstrip(" ")
                if len(line) - len(stripped) >= 4:
                    assert not stripped.startswith(("#", "**", "<details>")), f"{path.name}: {line!r}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lessons_are_thin(path):
    """Logic lives in needling_sim: no function or class definitions in lesson cells."""
    for cell in read(path).cells:
        if cell.cell_type == "code":
            for line in cell.source.splitlines():
                assert not line.lstrip().startswith(("def ", "class ")), f"{path.name}: move {line!r} to needling_sim"


def test_ruff_lints_the_notebooks_code_cells():
    paths = [str(p) for p in LESSONS]
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *paths],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
