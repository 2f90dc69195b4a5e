"""The checks a test cell makes of an answer, with short, kind messages.

A test cell reads like the question's marking scheme::

    answer("next_safe_rosa", next_safe_rosa).is_date().equals(
        date(2026, 4, 19), why="the sunburn moves the date past the spacing date", source="pre.sun.s4")
    passed("Question 3")

:func:`answer` turns the value into plain data first (:mod:`needling_sim.grading.plain`), so
a check only ever compares numbers, text, dates and lists of them. Each method returns the
check, so they chain, and raises :class:`WrongAnswer` at the first failure. A
:class:`WrongAnswer` shows as one short message in JupyterLab, never a traceback.

The same checks run in a trainee's kernel (the visible ones, to teach) and in the trusted
grader (:mod:`needling_sim.grading.trusted`, all of them, on plain data only).

Examples
--------
>>> import datetime as dt
>>> answer("verdict", "Defer ").is_choice(["proceed", "caution", "defer"]).equals("defer", why="...").value
'defer'
>>> answer("next_safe", dt.date(2026, 4, 13)).is_date().rejects(
...     {dt.date(2026, 4, 13): "that is the spacing date alone."})
Traceback (most recent call last):
...
needling_sim.grading.checks.WrongAnswer: next_safe: Not yet. That is the spacing date alone.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from .context import is_grading
from .plain import NotPlain, describe, to_plain

__all__ = ["Check", "Unreadable", "WrongAnswer", "answer", "passed", "same"]

_EXAMPLES = {
    "date": "a date, like date(2026, 4, 19)",
    "number": "a number, like 42 or 0.5",
    "whole": "a whole number, like 42",
    "text": 'text in quotes, like "defer"',
    "list": 'a list in square brackets, like ["rule_a", "rule_b"]',
    "dict": 'a dict in curly brackets, like {"Rosa": date(2026, 4, 19)}',
}


class WrongAnswer(AssertionError):
    """A wrong or malformed answer: one short message for the trainee.

    It is an ``AssertionError`` so nbgrader counts the test cell as failed; IPython shows
    only :meth:`_render_traceback_`, the message, instead of a traceback.
    """

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


@dataclass(frozen=True)
class Unreadable:
    """Stands for an answer the grader could not read (the reason is for the trainee)."""

    reason: str


def _cite(source: str | Iterable[str] | None) -> str:
    if source is None:
        return ""
    ids = [source] if isinstance(source, str) else list(source)
    return f" (Source: {', '.join(_source_label(cid) for cid in ids)}.)"


def _source_label(claim_id: str) -> str:
    """``claim_id`` with the name of the page or paper behind it, when the ledger has it."""
    from ..evidence import claim, claim_ids

    if claim_id not in claim_ids():
        return claim_id
    return f"{claim_id}, {claim(claim_id).source}"


def _sentence(text: str) -> str:
    text = text.strip()
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", ")")) else text + "."


def same(a: object, b: object, *, tolerance: float | None = None, ignore_order: bool = False) -> bool:
    """Compare plain values strictly: ``True`` is not ``1``, text is not a number.

    Examples
    --------
    >>> same(1, 1.0), same(True, 1), same([2, 1], [1, 2], ignore_order=True), same(0.31, 0.3, tolerance=0.02)
    (True, False, True, True)
    """
    numbers = (int, float)
    if type(a) in numbers and type(b) in numbers:
        if tolerance is None:
            return a == b
        return math.isclose(a, b, rel_tol=0.0, abs_tol=tolerance)
    if type(a) is not type(b):
        return False
    if type(a) is list:
        if len(a) != len(b):
            return False
        if ignore_order:
            rest = list(b)
            for item in a:
                match = next((i for i, other in enumerate(rest) if same(item, other, tolerance=tolerance)), None)
                if match is None:
                    return False
                rest.pop(match)
            return True
        return all(same(x, y, tolerance=tolerance) for x, y in zip(a, b, strict=True))
    if type(a) is dict:
        return set(a) == set(b) and all(
            same(a[key], b[key], tolerance=tolerance, ignore_order=ignore_order) for key in a
        )
    return a == b


@dataclass(frozen=True)
class Check:
    """One answer under check: its ``name`` and its plain ``value``."""

    name: str
    value: object

    def fail(self, text: str, source: str | Iterable[str] | None = None) -> None:
        """Raise :class:`WrongAnswer` for this answer with ``text`` (and its source)."""
        raise WrongAnswer(f"{self.name}: {_sentence(text)}{_cite(source)}")

    def _answered(self, kind: str) -> None:
        if self.value is Ellipsis:
            self.fail(f"no answer yet. Replace the ... with {_EXAMPLES[kind]}")

    def is_date(self) -> Check:
        """The answer is a date (``date(2026, 4, 19)``)."""
        self._answered("date")
        if type(self.value) is not dt.date:
            self.fail(f"this should be {_EXAMPLES['date']}; it is {describe(self.value)}")
        return self

    def is_number(self, low: float | None = None, high: float | None = None, unit: str = "") -> Check:
        """The answer is a number, between ``low`` and ``high`` (inclusive) when given."""
        self._answered("number")
        if type(self.value) not in (int, float):
            self.fail(f"this should be {_EXAMPLES['number']} (no quotes, no unit); it is {describe(self.value)}")
        self._in_range(low, high, unit)
        return self

    def is_whole_number(self, low: int | None = None, high: int | None = None, unit: str = "") -> Check:
        """The answer is a whole number (``42``; ``42.0`` counts), between ``low`` and ``high``."""
        self._answered("whole")
        value = self.value
        if type(value) is float and value.is_integer():
            value = int(value)
        if type(value) is not int:
            self.fail(f"this should be {_EXAMPLES['whole']} (no quotes, no unit); it is {describe(self.value)}")
        checked = replace(self, value=value)
        checked._in_range(low, high, unit)
        return checked

    def _in_range(self, low, high, unit) -> None:
        unit_text = f" {unit}" if unit else ""
        if low is not None and self.value < low or high is not None and self.value > high:
            if low is not None and high is not None:
                span = f"between {low} and {high}{unit_text}"
            elif low is not None:
                span = f"at least {low}{unit_text}"
            else:
                span = f"at most {high}{unit_text}"
            self.fail(f"{self.value}{unit_text} is outside what this question allows: {span}")

    def is_text(self) -> Check:
        """The answer is non-empty text."""
        self._answered("text")
        if type(self.value) is not str or not self.value.strip():
            self.fail(f"this should be {_EXAMPLES['text']}; it is {describe(self.value)}")
        return replace(self, value=self.value.strip())

    def is_choice(self, options: Iterable[str]) -> Check:
        """The answer is one of ``options`` (case and surrounding spaces do not matter)."""
        options = list(options)
        self._answered("text")
        listed = ", ".join(f'"{option}"' for option in options)
        if type(self.value) is not str:
            self.fail(f"this should be one of {listed} (in quotes); it is {describe(self.value)}")
        canonical = _canonical(self.value, options)
        if canonical is None:
            self.fail(f'"{self.value}" is not one of the options: {listed}')
        return replace(self, value=canonical)

    def is_list(
        self, options: Iterable[str] | None = None, length: int | None = None, kind: str | None = None
    ) -> Check:
        """The answer is a list; of ``kind`` ("date", "text", "number"), from ``options``, of ``length``."""
        self._answered("list")
        if type(self.value) is not list:
            self.fail(f"this should be {_EXAMPLES['list']}; it is {describe(self.value)}")
        items = list(self.value)
        checkers = {"date": "is_date", "text": "is_text", "number": "is_number"}
        if kind is not None:
            if kind not in checkers:
                raise ValueError(f"kind must be one of {sorted(checkers)}; got {kind!r}")
            for position, item in enumerate(items, start=1):
                try:
                    getattr(Check(self.name, item), checkers[kind])()
                except WrongAnswer:
                    self.fail(f"item {position} of the list should be {_EXAMPLES[kind]}; it is {describe(item)}")
        if options is not None:
            options = list(options)
            canonical = []
            for item in items:
                match = _canonical(item, options) if type(item) is str else None
                if match is None:
                    self.fail(f"{item!r} is not on the menu; pick from: {', '.join(map(repr, options))}")
                if match in canonical:
                    self.fail(f"{match!r} is listed twice; name each one once")
                canonical.append(match)
            items = canonical
        if length is not None and len(items) != length:
            self.fail(f"this list should hold {length} items; it holds {len(items)}")
        return replace(self, value=items)

    def is_dict(self, keys: Iterable[str]) -> Check:
        """The answer is a dict with exactly ``keys``."""
        keys = list(keys)
        self._answered("dict")
        if type(self.value) is not dict:
            self.fail(f"this should be {_EXAMPLES['dict']}; it is {describe(self.value)}")
        missing = [key for key in keys if key not in self.value]
        extra = [key for key in self.value if key not in keys]
        if missing or extra:
            wanted = ", ".join(map(repr, keys))
            self.fail(
                f"use exactly the keys {wanted}"
                + (
                    f"; missing {', '.join(map(repr, missing))}"
                    if missing
                    else f"; not expected: {', '.join(map(repr, extra))}"
                )
            )
        return self

    def equals(
        self,
        expected: object,
        why: str,
        source: str | Iterable[str] | None = None,
        *,
        tolerance: float | None = None,
        ignore_order: bool = False,
    ) -> Check:
        """The answer is ``expected``; otherwise the message gives ``why`` and ``source``."""
        if self.value is Ellipsis:
            self.fail("no answer yet. Replace the ... with your answer")
        if not same(self.value, to_plain(expected), tolerance=tolerance, ignore_order=ignore_order):
            self.fail(f"not yet. {_sentence(why)}", source)
        return self

    def rejects(
        self, wrong: Mapping[object, str], source: str | Iterable[str] | None = None, *, ignore_order: bool = False
    ) -> Check:
        """Common wrong answers, each with the reason it is wrong (list answers as tuples)."""
        for value, reason in wrong.items():
            if same(self.value, to_plain(value), ignore_order=ignore_order):
                self.fail(f"not yet. {_sentence(reason)}", source)
        return self


def _canonical(text: str, options: list[str]) -> str | None:
    folded = text.strip().casefold()
    return next((option for option in options if option.casefold() == folded), None)


def answer(name: str, value: object) -> Check:
    """Start checking the answer called ``name`` (the variable's own name) holding ``value``.

    Raises
    ------
    WrongAnswer
        If ``value`` is not plain data, or could not be read by the grader.
    """
    if type(name) is not str or not name.isidentifier():
        raise ValueError(f"name must be the answer variable's name; got {name!r}")
    if type(value) is Unreadable:
        raise WrongAnswer(f"{name}: {_sentence(value.reason)}")
    try:
        return Check(name, to_plain(value))
    except NotPlain as error:
        raise WrongAnswer(f"{name}: {_sentence(str(error))}") from None


def passed(label: str) -> None:
    """Say that ``label`` (e.g. "Question 3") passed: fully in the grader, visibly in a trainee's kernel."""
    if is_grading():
        print(f"✓ {label}: correct.")
    else:
        print(f"✓ {label}: passes the checks shown here. The grader checks it in full after you submit.")
