"""Answer cells are read from their text: literal values only, nothing executed."""

import datetime as dt

import nbformat
import pytest

from needling_sim.grading.answers import assigned_names, read_answers, read_literal_cell


def notebook(*sources, solution=True):
    nb = nbformat.v4.new_notebook()
    for i, source in enumerate(sources):
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["nbgrader"] = {
            "solution": solution,
            "grade_id": f"answer-{i}",
            "grade": False,
            "locked": False,
            "schema_version": 3,
            "task": False,
        }
        nb.cells.append(cell)
    return nb


@pytest.mark.parametrize(
    "source, expected",
    [
        ("x = date(2026, 4, 19)", {"x": dt.date(2026, 4, 19)}),
        ("x = dt.date(2026, 4, 19)", {"x": dt.date(2026, 4, 19)}),
        ("x = datetime.date(2026, 4, 19)", {"x": dt.date(2026, 4, 19)}),
        ("x = -0.5", {"x": -0.5}),
        ("x: str = 'defer'", {"x": "defer"}),
        ("x = ...  # your answer", {"x": Ellipsis}),
        ("x = {'Rosa': date(2026, 4, 19), 'Mei': None}", {"x": {"Rosa": dt.date(2026, 4, 19), "Mei": None}}),
        ("x = ('a', 'b')\ny = {'b', 'a'}", {"x": ["a", "b"], "y": ["a", "b"]}),
        ("x = 1\nx = 2", {"x": 2}),
        ("a = b = True", {"a": True, "b": True}),
        ("x = 3\nx", {"x": 3}),
        ("", {}),
    ],
)
def test_literal_cells(source, expected):
    assert read_literal_cell(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "x = max(1, 2)",
        "x = date(2026, 4, day)",
        "x = date(year=2026, month=4, day=19)",
        "x = [i for i in range(3)]",
        "import os\nx = 1",
        "x = __import__('os').system('touch /tmp/pwned')",
        "x = 1 + 1",
        "x.y = 1",
        "x, y = 1, 2",
        "x = {**other}",
        "x = -'a'",
        "print('hi')",
    ],
)
def test_other_code_is_not_literal(source):
    assert read_literal_cell(source) is None


def test_reading_never_executes(tmp_path):
    marker = tmp_path / "ran"
    sheet = read_answers(notebook(f"x = open({str(marker)!r}, 'w').write('1')"))
    assert not marker.exists()
    assert sheet.needs_run == {"x"} and "x" not in sheet.values


def test_sheet_combines_cells_last_wins():
    sheet = read_answers(notebook("x = 1", "x = 2\ny = 'a'", "z = len('abc')"))
    assert sheet.values == {"x": 2, "y": "a"}
    assert sheet.needs_run == {"z"}


def test_a_later_literal_cell_overrides_code():
    sheet = read_answers(notebook("x = len('ab')", "x = 2"))
    assert sheet.values == {"x": 2} and not sheet.needs_run


def test_syntax_errors_and_impossible_dates_are_problems_for_that_answer():
    sheet = read_answers(notebook("x = date(2026, 4, 19", "y = date(2026, 2, 30)"))
    assert "not valid Python" in sheet.problems["x"]
    assert "not a real date" in sheet.problems["y"]


@pytest.mark.parametrize("source, reason", [
    ("x = {[1]}", "a set"), ("x = {[1]: 2}", "keys must be text"), ("x = {1: 'a'}", "keys must be text"),
    ("x = 1e999", "not finite"),
])
def test_literals_that_are_not_plain_are_problems_not_crashes(source, reason):
    assert reason in read_answers(notebook(source)).problems["x"]


def test_only_answer_cells_count():
    nb = notebook("x = 1", solution=False)
    assert read_answers(nb).values == {}


def test_assigned_names():
    assert assigned_names("a = 1\nb: int = 2\nif a:\n    c = 3") == ["a", "b"]
    assert assigned_names("a = (") == []
