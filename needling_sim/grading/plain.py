"""Plain values: the only kind of answer the grader accepts.

A trainee's answer crosses from the trainee's side (their kernel, or the sandbox that runs
their notebook) to the trusted side (the grader) as *plain data*: numbers, text, dates,
``True``/``False``/``None``, and lists and dicts of those. Nothing else crosses, so no object
of the trainee's can take part in a check: an "always equal" object, a ``str`` subclass or a
list with a patched ``__eq__`` is refused here with a reason a trainee can read.

``...`` (Ellipsis) is the plain value of an unanswered question.

Examples
--------
>>> import datetime as dt
>>> to_plain((dt.date(2026, 4, 19), "defer", 3))
[datetime.date(2026, 4, 19), 'defer', 3]
>>> to_json({"Rosa": dt.date(2026, 4, 19)})
{'Rosa': {'$date': '2026-04-19'}}
>>> from_json({"Rosa": {"$date": "2026-04-19"}})
{'Rosa': datetime.date(2026, 4, 19)}
"""

from __future__ import annotations

import datetime as dt
import math

__all__ = ["MAX_ITEMS", "MAX_TEXT_CHARS", "NotPlain", "describe", "from_json", "to_json", "to_plain"]

#: Largest number of items (list entries, dict keys, nested) one answer may hold.
MAX_ITEMS = 10_000
#: Longest text one answer may hold, in characters.
MAX_TEXT_CHARS = 100_000
_SCALARS = (bool, int, float, str, type(None), type(Ellipsis))
_DATE_KEY = "$date"


class NotPlain(ValueError):
    """An answer that is not plain data; the message says why, for a trainee."""


def describe(value: object) -> str:
    """Name the kind of a value the way a trainee would.

    Examples
    --------
    >>> describe(3.5), describe([1]), describe(None)
    ('a number', 'a list', 'nothing (None)')
    """
    kind = type(value)
    if kind is bool:
        return "True or False"
    if kind in (int, float):
        return "a number"
    if kind is str:
        return "text"
    if kind is dt.date:
        return "a date"
    if value is None:
        return "nothing (None)"
    if value is Ellipsis:
        return "no answer yet (...)"
    if kind in (list, tuple):
        return "a list"
    if kind is set:
        return "a set"
    if kind is dict:
        return "a dict"
    return f"a {kind.__name__} object"


def to_plain(value: object, *, _budget: list[int] | None = None) -> object:
    """Return ``value`` as plain data, or raise :class:`NotPlain`.

    Types are checked exactly (``type(x) is int``), never with ``isinstance``, so subclasses of
    the built-in types are refused. Tuples and sets become lists (sets sorted when they can be),
    dict keys must be text, dates stay ``datetime.date`` (a ``datetime`` is refused: give the day).

    Raises
    ------
    NotPlain
        If ``value`` holds anything else, is too big, or holds NaN or an infinity.

    Examples
    --------
    >>> to_plain({"a": (1, 2.5, None)})
    {'a': [1, 2.5, None]}
    >>> class Sneaky(str):
    ...     pass
    >>> to_plain(Sneaky("defer"))
    Traceback (most recent call last):
    ...
    needling_sim.grading.plain.NotPlain: this answer is a Sneaky object; type a plain value: ...
    """
    budget = [MAX_ITEMS] if _budget is None else _budget
    budget[0] -= 1
    if budget[0] < 0:
        raise NotPlain(f"this answer holds more than {MAX_ITEMS} items; an answer is a few values")
    kind = type(value)
    if kind in _SCALARS:
        if kind is float and not math.isfinite(value):
            raise NotPlain("this answer holds a number that is not finite (nan or infinity)")
        if kind is str and len(value) > MAX_TEXT_CHARS:
            raise NotPlain(f"this answer holds more than {MAX_TEXT_CHARS} characters of text")
        return value
    if kind is dt.date:
        return dt.date(value.year, value.month, value.day)
    if kind in (list, tuple):
        return [to_plain(item, _budget=budget) for item in value]
    if kind in (set, frozenset):
        items = [to_plain(item, _budget=budget) for item in value]
        try:
            return sorted(items)
        except TypeError:
            return items
    if kind is dict:
        out = {}
        for key, item in value.items():
            if type(key) is not str:
                raise NotPlain(f"this answer's keys must be text in quotes; one is {describe(key)}")
            out[key] = to_plain(item, _budget=budget)
        return out
    raise NotPlain(
        f"this answer is {describe(value)}; type a plain value: a number, text in quotes, "
        "a date like date(2026, 4, 19), True/False, or a list of those"
    )


def to_json(value: object) -> object:
    """Encode plain data for JSON: dates become ``{"$date": "YYYY-MM-DD"}``; ``...`` stays unanswered.

    Examples
    --------
    >>> to_json([..., 1.5])
    [{'$unanswered': True}, 1.5]
    """
    value = to_plain(value)
    return _encode(value)


def _encode(value: object) -> object:
    if type(value) is dt.date:
        return {_DATE_KEY: value.isoformat()}
    if value is Ellipsis:
        return {"$unanswered": True}
    if type(value) is list:
        return [_encode(item) for item in value]
    if type(value) is dict:
        return {key: _encode(item) for key, item in value.items()}
    return value


def from_json(obj: object) -> object:
    """Decode what :func:`to_json` made (after ``json.loads``), checking it is plain.

    Raises
    ------
    NotPlain
        If ``obj`` is not what :func:`to_json` makes.

    Examples
    --------
    >>> from_json([{"$date": "2026-02-29"}])
    Traceback (most recent call last):
    ...
    needling_sim.grading.plain.NotPlain: '2026-02-29' is not a real date (YYYY-MM-DD)
    """
    if type(obj) is dict:
        if set(obj) == {_DATE_KEY}:
            text = obj[_DATE_KEY]
            try:
                if type(text) is not str or len(text) != 10:
                    raise ValueError
                return dt.date.fromisoformat(text)
            except ValueError:
                raise NotPlain(f"{text!r} is not a real date (YYYY-MM-DD)") from None
        if obj == {"$unanswered": True}:
            return Ellipsis
        return to_plain({key: from_json(item) for key, item in obj.items()})
    if type(obj) is list:
        return [from_json(item) for item in obj]
    return to_plain(obj)
