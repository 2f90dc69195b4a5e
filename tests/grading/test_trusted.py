"""The trusted checker: plain data in, the test cell's verdict out; trainee code never takes part."""

import datetime as dt

import pytest

from needling_sim.grading.answers import AnswerSheet
from needling_sim.grading.checks import Unreadable
from needling_sim.grading.context import is_grading, student_id
from needling_sim.grading.trusted import answers_for_grading, check_cell, checked_names

CELL = """
from datetime import date
from needling_sim.grading import answer, passed
answer("next_safe", next_safe).is_date()
answer("next_safe", next_safe).equals(date(2026, 4, 19), why="the sunburn moves it", source="pre.sun.s4")
passed("Question 3")
"""


def test_right_answer_passes():
    outcome = check_cell(CELL, {"next_safe": dt.date(2026, 4, 19)}, student_id="ana")
    assert outcome.passed and outcome.message == "✓ Question 3: correct."


def test_wrong_answer_fails_with_its_message():
    outcome = check_cell(CELL, {"next_safe": dt.date(2026, 4, 13)}, student_id="ana")
    assert not outcome.passed and outcome.message.startswith("next_safe: Not yet. The sunburn moves it.")


def test_only_checked_names_are_bound():
    # An "answer" named like a builtin or helper does not reach the cell.
    cell = "assert len([1, 2]) == 2\nassert 'print' not in globals()\nanswer = None"
    assert check_cell(cell, {"len": 0, "print": 1}, student_id="ana").passed


def test_missing_and_unreadable_answers_fail_kindly():
    assert "no answer cell setting next_safe" in check_cell(CELL, {}, student_id="a").message
    outcome = check_cell(CELL, {"next_safe": Unreadable("not valid Python")}, student_id="a")
    assert outcome.message == "next_safe: Not valid Python."


def test_plain_assertions_and_unexpected_shapes_fail_not_raise():
    assert check_cell("assert False, 'nope'", {}, student_id="a").message == "nope"
    outcome = check_cell('answer("d", d)\nd["Rosa"]', {"d": [1]}, student_id="a")
    assert not outcome.passed and "could not check" in outcome.message


def test_student_id_is_the_graders():
    cell = "from needling_sim.grading import student_id\nassert student_id() == 'ana', student_id()"
    assert check_cell(cell, {}, student_id="ana").passed
    assert not check_cell(cell, {}, student_id="ben").passed
    assert not is_grading() and student_id() != "ana"


def test_student_id_outside_grading_is_the_login(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "trainee-7")
    assert student_id() == "trainee-7"


def test_checked_names():
    assert checked_names(CELL) == ["next_safe"]
    assert checked_names("answer(name, x)\nanswer('not a name', y)") == []


def test_answers_for_grading_merges_literal_and_exported():
    sheet = AnswerSheet(values={"a": 1}, needs_run=frozenset({"b", "c", "d"}), problems={"e": "broken"})
    answers = answers_for_grading(sheet, {"b": {"$date": "2026-04-19"}, "c": {"$date": "nope"}})
    assert answers["a"] == 1 and answers["b"] == dt.date(2026, 4, 19)
    assert isinstance(answers["c"], Unreadable) and "not a real date" in answers["c"].reason
    assert "did not produce d" in answers["d"].reason
    assert answers["e"] == Unreadable("broken")


@pytest.mark.parametrize("exported", [None, {}])
def test_code_answers_without_an_export_are_unreadable(exported):
    sheet = AnswerSheet(needs_run=frozenset({"b"}))
    assert isinstance(answers_for_grading(sheet, exported)["b"], Unreadable)
