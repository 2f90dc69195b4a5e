"""The trusted side: check a test cell on plain data, where no trainee code has run.

The grader never asks a trainee's kernel whether an answer is right. It takes the answers as
plain data (read from the answer cells' text by :mod:`needling_sim.grading.answers`, or
exported from the sandboxed run for the optional programming questions) and runs each test
cell's source, as stored in nbgrader's gradebook, in a fresh namespace of this process that
holds only the answer names that cell checks. No object, monkeypatch, input transformer,
cell-runner wrapper, working folder or environment variable of the trainee's exists here.

Examples
--------
>>> source = '''
... from needling_sim.grading import answer, passed
... answer("verdict", verdict).is_choice(["proceed", "defer"]).equals("defer", why="sun in the last 2 weeks")
... passed("Question 1")'''
>>> check_cell(source, {"verdict": "defer"}, student_id="ana")
CheckOutcome(passed=True, message='✓ Question 1: correct.')
>>> check_cell(source, {"verdict": "proceed"}, student_id="ana").message
'verdict: Not yet. Sun in the last 2 weeks.'
>>> check_cell(source, {}, student_id="ana").message
'verdict: The grader found no answer cell setting verdict; keep the answer cell and type your answer there.'
"""

from __future__ import annotations

import ast
import contextlib
import io
from collections.abc import Mapping
from dataclasses import dataclass

from .answers import AnswerSheet
from .checks import Unreadable, WrongAnswer
from .context import grading_as
from .plain import NotPlain, from_json, to_plain

__all__ = ["CheckOutcome", "answers_for_grading", "check_cell", "checked_names"]

#: Characters of a check's message or printed output kept in the feedback.
MAX_MESSAGE_CHARS = 2_000


@dataclass(frozen=True)
class CheckOutcome:
    """The result of one test cell: did it pass, and the one message to show."""

    passed: bool
    message: str


def checked_names(source: str) -> list[str]:
    """The answer names a test cell checks: the first argument of each ``answer("name", ...)``.

    Examples
    --------
    >>> checked_names('answer("a", a).is_date()\\ngrading.answer("b", b)')
    ['a', 'b']
    """
    names: list[str] = []
    calls = [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call) and node.args]
    for node in sorted(calls, key=lambda call: (call.lineno, call.col_offset)):
        func = node.func
        called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        first = node.args[0]
        if called == "answer" and isinstance(first, ast.Constant) and type(first.value) is str:
            if first.value.isidentifier() and first.value not in names:
                names.append(first.value)
    return names


def answers_for_grading(sheet: AnswerSheet, exported: Mapping[str, object] | None) -> dict:
    """Every answer as plain data (or :class:`~needling_sim.grading.checks.Unreadable`).

    Literal answers come from ``sheet``; names that need the sandboxed run come from
    ``exported`` (JSON data decoded with :func:`~needling_sim.grading.plain.from_json`).
    """
    answers: dict = dict(sheet.values)
    for name, reason in sheet.problems.items():
        answers[name] = Unreadable(reason)
    for name in sheet.needs_run:
        if exported is None or name not in exported:
            answers[name] = Unreadable(
                f"this answer is computed by code, and the grader's run of your notebook did not produce "
                f"{name} (it stopped early, failed, or the cell does not set it); run your notebook top to "
                "bottom, or type the value itself"
            )
            continue
        try:
            answers[name] = from_json(exported[name])
        except NotPlain as error:
            answers[name] = Unreadable(str(error))
    return answers


def _cut(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MAX_MESSAGE_CHARS else text[:MAX_MESSAGE_CHARS] + " ..."


def check_cell(source: str, answers: Mapping[str, object], *, student_id: str) -> CheckOutcome:
    """Run one test cell's ``source`` on plain ``answers`` for ``student_id``.

    Only the answers the cell checks (:func:`checked_names`) are bound; one it checks but
    ``answers`` lacks is reported as missing. A wrong answer never raises: it is a failed
    :class:`CheckOutcome` with the check's message.
    """
    namespace: dict = {"__name__": "__grader__"}
    for name in checked_names(source):
        if name in answers:
            value = answers[name]
            namespace[name] = value if type(value) is Unreadable else to_plain(value)
        else:
            namespace[name] = Unreadable(
                f"The grader found no answer cell setting {name}; keep the answer cell and type your answer there"
            )
    printed = io.StringIO()
    try:
        code = compile(source, "<test cell>", "exec")
        with grading_as(student_id), contextlib.redirect_stdout(printed):
            exec(code, namespace)  # noqa: S102 - instructor's test cell from the gradebook, on plain data
    except WrongAnswer as error:
        return CheckOutcome(False, _cut(str(error)))
    except AssertionError as error:
        return CheckOutcome(False, _cut(str(error) or "A check of this question failed."))
    except Exception as error:  # an answer of an unexpected shape met a check that assumed another
        return CheckOutcome(False, _cut(f"The grader could not check this answer ({type(error).__name__}: {error})."))
    return CheckOutcome(True, _cut(printed.getvalue()) or "✓ Correct.")
