"""A broken submission is named with a reason an instructor can act on, without running it."""

import json

import nbformat
import pytest

from needling_sim.grading.validate_submission import submission_problem

NAME = "02_scheduling.ipynb"


def _notebook(**cell_meta):
    cell = nbformat.v4.new_code_cell("x = 1")
    if cell_meta:
        cell.metadata["nbgrader"] = {"grade_id": "a", "grade": False, "solution": True, "locked": False, **cell_meta}
    return nbformat.v4.new_notebook(cells=[cell])


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "ana" / "02_scheduling"


def _write(folder, text, name=NAME):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_a_good_notebook_has_no_problem(folder):
    _write(folder, nbformat.writes(_notebook(schema_version=3)))
    assert submission_problem(folder, [NAME]) is None


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ('{"cells": [', NAME, "is not valid JSON (line 1"),
        ("[1, 2]", NAME, "JSON but not a notebook"),
        (json.dumps({"cells": [], "metadata": {}, "nbformat": 3, "nbformat_minor": 0}), NAME, "notebook format 3"),
        (nbformat.writes(_notebook(schema_version=1)), NAME, "schema version 1"),
        (nbformat.writes(_notebook(schema_version=3)), "02_scheduling (1).ipynb", "was renamed"),
    ],
    ids=["invalid-json", "not-a-notebook", "old-format", "old-schema", "renamed"],
)
def test_a_broken_submission_is_named_with_its_reason(folder, text, name, expected):
    _write(folder, text, name)
    assert expected in submission_problem(folder, [NAME])


def test_missing_notebook_and_missing_folder(folder):
    assert submission_problem(folder, [NAME]) == "no submission folder"
    _write(folder, "hello", "notes.txt")
    assert submission_problem(folder, [NAME]) == f"{NAME} is missing from the submission"


def test_binary_file_under_the_notebook_name(folder):
    folder.mkdir(parents=True)
    (folder / NAME).write_bytes(b"\xff\xfe\x00")
    assert "not UTF-8" in submission_problem(folder, [NAME])
