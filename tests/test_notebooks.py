"""Static checks on the lessons: committed clean, lint-free, complete, thin, and readable without code.

Running them is nbval's job (the suite collects ``course/*.ipynb`` with ``--nbval-lax``);
the lesson guard in ``conftest.py`` checks every code cell ran, in order.

This file is the authority on committed outputs: a code cell keeps its outputs exactly when it
is tagged ``nbval-check-output`` (nbval then compares them); every other cell is committed
without outputs. nbval's instructions live in cell tags, never in comments a trainee would see.
"""

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "course").glob("*.ipynb"))
CHECK_TAG = "nbval-check-output"
# The tags nbval 0.11 reads (``nbval.plugin.metadata_tags``) that the lessons may use.
NBVAL_TAGS = {CHECK_TAG, "raises-exception"}
# A comment nbval would act on: ``# NBVAL_CHECK_OUTPUT``, ``# NBVAL_SKIP``, ``# PYTEST_VALIDATE_IGNORE_OUTPUT``...
NBVAL_COMMENT = re.compile(r"^\s*#+\s*(NBVAL_|PYTEST_VALIDATE_)", re.MULTILINE | re.IGNORECASE)
# An open (unfolded) code cell is a settings cell: its first line sets one value and says how to change it.
# (An answer cell is one too: its value is ``...``, "not answered yet".)
SETTING = re.compile(r'^[a-z_][a-z0-9_]* = (\d+(\.\d+)?|True|False|"[a-z_]+"|\.\.\.)  # <- .*change', re.IGNORECASE)
MAX_OPEN_LINES = 4
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
        if CHECK_TAG in cell.metadata.get("tags", []):
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


def _tags(cell):
    return set(cell.metadata.get("tags", []))


def _folded(cell):
    return cell.metadata.get("jupyter", {}).get("source_hidden", False)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_no_lesson_cell_shows_nbval_comment_markers(path):
    """nbval reads cell tags as well as comments: the lessons use tags, which a trainee never sees."""
    for i, cell in enumerate(read(path).cells):
        assert not NBVAL_COMMENT.search(cell.source), f"{path.name} cell {i}: use a cell tag, not {cell.source!r}"
        unknown = {t for t in _tags(cell) if t.startswith("nbval") or t == "raises-exception"} - NBVAL_TAGS
        assert not unknown, f"{path.name} cell {i}: nbval tag(s) {unknown} are not used by this course"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_code_is_folded_except_cells_with_one_value_to_change(path):
    """A trainee reads prose, charts and apps: code is folded, except a short cell that says which value to change."""
    for i, cell in enumerate(read(path).cells):
        if cell.cell_type != "code" or _folded(cell):
            continue
        lines = cell.source.splitlines()
        assert SETTING.match(lines[0]), (
            f"{path.name} cell {i} is unfolded but does not start with one value and a '# <- change ...' comment; "
            'fold it (metadata "jupyter": {"source_hidden": true}) or make it a settings cell')
        assert len(lines) <= MAX_OPEN_LINES, f"{path.name} cell {i}: an open cell has at most {MAX_OPEN_LINES} lines"
        assert not _tags(cell) & NBVAL_TAGS, f"{path.name} cell {i}: a cell a trainee edits cannot have checked output"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_try_this_names_a_setting_or_a_control(path):
    """No *Try this* asks for code: it changes the one value of an open cell, or uses an app or a chart."""
    nb = read(path)
    settings = {cell.source.split(" = ")[0] for cell in nb.cells if cell.cell_type == "code" and not _folded(cell)}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown" or "try this" not in cell.source.lower():
            continue
        for name in re.findall(r"`([a-z_]+) = [^`]+`", cell.source):
            assert name in settings, f"{path.name} cell {i}: Try this changes `{name}`, which no open cell sets"
        for forbidden in ("add `", "the loop", "edit the cell", "in the code cell", "replace `"):
            assert forbidden not in cell.source, f"{path.name} cell {i}: Try this asks for a code edit ({forbidden!r})"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_each_lesson_gives_a_time_estimate(path):
    first = read(path).cells[0].source
    assert re.search(r"\*About \d+ minutes\.", first), f"{path.name}: the first cell says 'About N minutes.'"


def _practice_cells():
    cells = read(ROOT / "course" / "00_welcome.ipynb").cells
    i = next(i for i, c in enumerate(cells) if c.cell_type == "code" and c.source.startswith("shortest_gap_days = "))
    return cells[i], cells[i + 1]


def test_the_practice_question_is_committed_unanswered_and_nbval_expects_its_check_to_fail():
    answer_cell, check_cell = _practice_cells()
    assert answer_cell.source.startswith("shortest_gap_days = ...  #"), "the committed practice answer is ..."
    assert "raises-exception" in _tags(check_cell), "the unanswered check raises WrongAnswer: tag raises-exception"
    assert _folded(check_cell)


@pytest.mark.parametrize(("value", "message"), [
    (..., "No answer yet"),
    ("28", "should be a whole number"),
    (4, "number of weeks"),
    (42, "longest gap of the range"),
    (30, "28 to 42 days"),
])
def test_the_practice_check_explains_each_wrong_answer(value, message):
    from needling_sim.grading import WrongAnswer

    _, check_cell = _practice_cells()
    with pytest.raises(WrongAnswer, match=message):
        exec(check_cell.source, {"shortest_gap_days": value})


def test_the_practice_check_passes_the_right_answer(capsys):
    _, check_cell = _practice_cells()
    exec(check_cell.source, {"shortest_gap_days": 28})
    assert "✓ Practice question" in capsys.readouterr().out

