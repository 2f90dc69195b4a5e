"""Argument checks shared by the package: a wrong type raises TypeError, a bad value ValueError.

Every message names the field and the value it got, and says what is allowed, e.g.
``interval_days=0 is not allowed; allowed: at least 1``. ``bool`` is never
accepted as a number. Nothing is coerced except to the plain Python type
(``numpy.int64(3)`` becomes ``3``), and nothing is clipped.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from enum import StrEnum
from typing import TypeVar

import numpy as np

__all__ = [
    "check_bool",
    "check_choice",
    "check_course_plan",
    "check_date",
    "check_depth_mm",
    "check_instance",
    "check_int",
    "check_patient",
    "check_real",
]

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


def check_choice(name: str, value: object, enum_cls: type[E], *, noun: str) -> E:
    """Return ``value`` as a member of the string enum ``enum_cls``.

    Parameters
    ----------
    name : str
        The field's name, used in messages.
    value : object
        A member's value (``"cheek"``) or the member itself.
    enum_cls : type of StrEnum
        The allowed choices.
    noun : str
        What one choice is called in messages (``"area"``, ``"spacing policy"``).

    Returns
    -------
    StrEnum
        The member of ``enum_cls``.

    Raises
    ------
    TypeError
        ``value`` is not a str.
    ValueError
        ``value`` is not one of the members' values; the message lists them all.

    Examples
    --------
    >>> from needling_sim.areas import Area
    >>> check_choice("area", "neck", Area, noun="area")
    <Area.NECK: 'neck'>
    >>> check_choice("area", "knee", Area, noun="area")
    Traceback (most recent call last):
    ...
    ValueError: area='knee' is not a known area; allowed: forehead, cheek, periorbital, perioral, ...
    >>> check_choice("area", 3, Area, noun="area")
    Traceback (most recent call last):
    ...
    TypeError: area must be an area name (str), got int 3
    """
    if not isinstance(value, str):
        raise TypeError(f"{name} must be {_article(noun)} {noun} name (str), got {type(value).__name__} {value!r}")
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum_cls)
        raise ValueError(f"{name}={value!r} is not a known {noun}; allowed: {allowed}") from None


def _range_text(low: object, high: object, *, low_open: bool, high_open: bool, unbounded: str) -> str:
    """Say in words what lies between ``low`` and ``high`` (either may be None)."""
    if low is not None and high is not None:
        if not low_open and not high_open:
            return f"{low} to {high}"
        lower = f"above {low}" if low_open else f"at least {low}"
        upper = f"below {high}" if high_open else f"at most {high}"
        return f"{lower} and {upper}"
    if low is not None:
        bound = f"above {low}" if low_open else f"at least {low}"
    elif high is not None:
        bound = f"below {high}" if high_open else f"at most {high}"
    else:
        return unbounded
    if not unbounded:
        return bound
    # "a finite number above 0", "a finite number of at least 0"
    return f"{unbounded} {bound}" if bound.startswith(("above", "below")) else f"{unbounded} of {bound}"


def _allowed(text: str, unit: str, note: str) -> str:
    return text + (f" {unit}" if unit else "") + (f" ({note})" if note else "")


def check_int(
    name: str,
    value: object,
    low: int | None = None,
    high: int | None = None,
    *,
    unit: str = "",
    note: str = "",
    type_error: type[Exception] = TypeError,
) -> int:
    """Return ``value`` as an int if it is a whole number from ``low`` to ``high`` (inclusive).

    Parameters
    ----------
    name : str
        The field's name, used in messages.
    value : object
        Any ``numbers.Integral`` except bool (``numpy.int64`` is fine).
    low, high : int or None
        Inclusive bounds; None means no bound on that side.
    unit : str, optional
        What is counted (``"patients"``), added to the messages after the bounds.
    note : str, optional
        Why the bounds are what they are, added in brackets after them.
    type_error : type of Exception, default TypeError
        What a value that is not a whole number raises; only for a function whose
        documented contract is a ValueError for any bad argument (``dates.add_months``).

    Returns
    -------
    int

    Raises
    ------
    TypeError
        ``value`` is a bool, a float or anything else that is not a whole number
        (``type_error`` instead, when given).
    ValueError
        ``value`` is below ``low`` or above ``high``.

    Examples
    --------
    >>> check_int("sessions", 3, 1, 24)
    3
    >>> check_int("interval_days", 0, 1)
    Traceback (most recent call last):
    ...
    ValueError: interval_days=0 is not allowed; allowed: at least 1
    >>> check_int("n", 0, 1, 1000, unit="patients")
    Traceback (most recent call last):
    ...
    ValueError: n=0 is not allowed; allowed: 1 to 1000 patients
    >>> check_int("sessions", 3.0)
    Traceback (most recent call last):
    ...
    TypeError: sessions must be a whole number, got float 3.0
    >>> check_int("months", "3", 0, type_error=ValueError)
    Traceback (most recent call last):
    ...
    ValueError: months must be a whole number, got str '3'
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        of = f" of {unit}" if unit else ""
        raise type_error(f"{name} must be a whole number{of}, got {type(value).__name__} {value!r}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        text = _range_text(low, high, low_open=False, high_open=False, unbounded="")
        raise ValueError(f"{name}={value} is not allowed; allowed: {_allowed(text, unit, note)}")
    return value


def check_real(
    name: str,
    value: object,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
    unit: str = "",
    note: str = "",
) -> float:
    """Return ``value`` as a float if it is a finite number between ``low`` and ``high``.

    Parameters
    ----------
    name : str
        The field's name, used in messages.
    value : object
        Any ``numbers.Real`` except bool (ints and numpy floats are fine).
    low, high : float or None
        Bounds, inclusive unless ``low_open`` / ``high_open``; None means no
        bound on that side. NaN and infinities are never allowed.
    low_open, high_open : bool, default False
        Exclude the bound itself (``low=0, low_open=True``: above 0).
    unit : str, optional
        The unit (``"mm"``), added to the messages after the value and the bounds.
    note : str, optional
        Why the bounds are what they are, added in brackets after them.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        ``value`` is a bool, a str or anything else that is not a real number.
    ValueError
        ``value`` is NaN, infinite or outside the bounds.

    Examples
    --------
    >>> check_real("depth_mm", 1, 0, 3.0, low_open=True, unit="mm")
    1.0
    >>> check_real("depth_mm", 0, 0, 3.0, low_open=True, unit="mm")
    Traceback (most recent call last):
    ...
    ValueError: depth_mm=0.0 mm is not allowed; allowed: above 0 and at most 3.0 mm
    >>> check_real("gain", float("nan"), 0, low_open=True)
    Traceback (most recent call last):
    ...
    ValueError: gain=nan is not allowed; allowed: a finite number above 0
    >>> check_real("depth_mm", "1.0", unit="mm")
    Traceback (most recent call last):
    ...
    TypeError: depth_mm must be a number in mm, got str '1.0'
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        in_unit = f" in {unit}" if unit else ""
        raise TypeError(f"{name} must be a number{in_unit}, got {type(value).__name__} {value!r}")
    value = float(value)
    ok = math.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        text = _range_text(low, high, low_open=low_open, high_open=high_open, unbounded="a finite number")
        shown = f"{value!r} {unit}" if unit else f"{value!r}"
        raise ValueError(f"{name}={shown} is not allowed; allowed: {_allowed(text, unit, note)}")
    return value


def check_instance(name: str, value: object, cls: type[T], what: str) -> T:
    """Return ``value`` if it is an instance of ``cls``, else raise TypeError.

    The message names the type received, not its repr: the objects checked this
    way (plans, patients, parameter sets) have long reprs.

    Parameters
    ----------
    name : str
        The field's name, used in messages.
    value : object
    cls : type
    what : str
        What is allowed, in words (``"a CoursePlan (see plan_course)"``).

    Returns
    -------
    object
        ``value``, unchanged.

    Examples
    --------
    >>> from needling_sim.patient import Patient
    >>> check_instance("patient", Patient(age=30, fitzpatrick=2), Patient, "a needling_sim.Patient").age
    30
    >>> check_instance("patient", {"age": 30}, Patient, "a needling_sim.Patient")
    Traceback (most recent call last):
    ...
    TypeError: patient must be a needling_sim.Patient, got dict
    """
    if not isinstance(value, cls):
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}")
    return value


# --------------------------------------------------------------------------- patients, plans and depths


def check_bool(name: str, value: object) -> bool:
    """Return ``value`` as a bool if it is ``True``/``False`` (a ``numpy.bool_`` too), else raise TypeError.

    Examples
    --------
    >>> check_bool("pregnant", np.bool_(True))
    True
    >>> check_bool("pregnant", "yes")
    Traceback (most recent call last):
    ...
    TypeError: pregnant must be True or False, got str 'yes'
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")


def check_depth_mm(name: str, value: object, max_mm: float) -> float:
    """Return a needle depth as a float if it is above 0 and at most ``max_mm`` mm.

    Examples
    --------
    >>> check_depth_mm("depth_mm", 1, 3.0)
    1.0
    >>> check_depth_mm("depth_mm[2]", 9.0, 3.0)
    Traceback (most recent call last):
    ...
    ValueError: depth_mm[2]=9.0 mm is not allowed; allowed: above 0 and at most 3.0 mm
    """
    return check_real(name, value, 0, max_mm, low_open=True, unit="mm")


def check_course_plan(name: str, value: object) -> object:
    """Return ``value`` if it is a :class:`~needling_sim.plans.CoursePlan`, else raise TypeError.

    The one check for a plan argument (simulation, healing, figures and apps).

    Examples
    --------
    >>> import datetime as dt
    >>> from needling_sim.plans import plan_course
    >>> check_course_plan("plan", plan_course(dt.date(2026, 3, 2), 2, 42, 1.0, "cheek")).n_sessions
    2
    >>> check_course_plan("plan", {"sessions": 3})
    Traceback (most recent call last):
    ...
    TypeError: plan must be a CoursePlan (see plan_course), got dict
    """
    from .plans import CoursePlan  # plans imports this module

    return check_instance(name, value, CoursePlan, "a CoursePlan (see plan_course)")


def check_patient(name: str, value: object, *, optional: bool = False) -> object:
    """Return ``value`` if it is a :class:`~needling_sim.Patient` (or None when ``optional``), else raise.

    Examples
    --------
    >>> check_patient("patient", None, optional=True) is None
    True
    >>> check_patient("patient", {"age": 30})
    Traceback (most recent call last):
    ...
    TypeError: patient must be a needling_sim.Patient, got dict
    """
    from .patient import Patient  # patient imports this module

    if optional and value is None:
        return None
    what = "a needling_sim.Patient or None" if optional else "a needling_sim.Patient"
    return check_instance(name, value, Patient, what)


def check_date(name: str, value: object, *, optional: bool = False) -> dt.date | None:
    """Return ``value`` if it is a ``datetime.date`` (not a datetime), else raise TypeError.

    With ``optional=True``, None is allowed too and returned as is.

    Examples
    --------
    >>> check_date("on", dt.date(2026, 1, 1))
    datetime.date(2026, 1, 1)
    >>> check_date("retinoid_last_use", None, optional=True) is None
    True
    >>> check_date("on", "2026-01-01")
    Traceback (most recent call last):
    ...
    TypeError: on must be a datetime.date (not a datetime), got str '2026-01-01'
    """
    if optional and value is None:
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        or_none = " or None" if optional else ""
        raise TypeError(
            f"{name} must be a datetime.date (not a datetime){or_none}, got {type(value).__name__} {value!r}"
        )
    return value
# --- healing (helper "healing"): a day given as a date or a day number, a text, a choice among names ---

__all__ += ["check_day", "check_name", "check_same", "check_text"]


def check_day(name: str, value: object, start: dt.date, *, day_0: str = "day 0") -> int:
    """Return a day number (0 = ``start``) from a ``datetime.date`` on or after ``start`` or a whole number.

    Parameters
    ----------
    name : str
        The field's name, used in messages.
    value : object
        A ``datetime.date`` (not a ``datetime``) or a whole number of days (not bool).
    start : datetime.date
        Day 0.
    day_0 : str, optional
        What day 0 is, for the message (``"the first session"``).

    Returns
    -------
    int

    Examples
    --------
    >>> check_day("when", dt.date(2026, 3, 5), dt.date(2026, 3, 2)), check_day("when", 7, dt.date(2026, 3, 2))
    (3, 7)
    >>> check_day("when", -1, dt.date(2026, 3, 2))
    Traceback (most recent call last):
    ...
    ValueError: when=-1 is before day 0 on 2026-03-02; allowed: from day 0
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        day = int(value)
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = (value - start).days
    else:
        raise TypeError(
            f"{name} must be a datetime.date or a whole number of days, got {type(value).__name__} {value!r}"
        )
    if day < 0:
        raise ValueError(f"{name}={value!r} is before {day_0} on {start}; allowed: from day 0")
    return day


def check_text(name: str, value: object) -> str:
    """Return ``value`` if it is a str with something other than spaces in it.

    Examples
    --------
    >>> check_text("title", "Aftercare")
    'Aftercare'
    >>> check_text("title", " ")
    Traceback (most recent call last):
    ...
    TypeError: title must be a non-empty str, got ' '
    """
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"{name} must be a non-empty str, got {value!r}")
    return value


def check_name(name: str, value: object, allowed: tuple[str, ...], *, noun: str) -> str:
    """Return ``value`` if it is one of the ``allowed`` names (a str, or a str enum member, equal to one).

    Unlike :func:`check_choice`, the names may come from several enums (a timeline row is a
    phase, an aftercare rule or the redness).

    Examples
    --------
    >>> check_name("row", "b", ("a", "b"), noun="row")
    'b'
    >>> check_name("row", "c", ("a", "b"), noun="row")
    Traceback (most recent call last):
    ...
    ValueError: row='c' is not a known row; allowed: a, b
    """
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str (one of {', '.join(allowed)}), got {type(value).__name__} {value!r}")
    if value not in allowed:
        raise ValueError(f"{name}={str(value)!r} is not a known {noun}; allowed: {', '.join(allowed)}")
    return value


def check_same(name: str, value: object, expected: object, source: str) -> None:
    """Raise ValueError unless ``value`` is None or equals ``expected`` (what ``source`` was made from).

    Examples
    --------
    >>> check_same("patient", None, 3, "the outcome")
    >>> check_same("patient", 2, 3, "the outcome")
    Traceback (most recent call last):
    ...
    ValueError: patient differs from the one the outcome was made from; allowed: None or that same patient
    """
    if value is not None and value != expected:
        raise ValueError(
            f"{name} differs from the one {source} was made from; allowed: None or that same {name}"
        )


# --------------------------------------------------------------------------- params helper's block
# Checks read from data/parameters.csv, cross-field order, flags and name tuples.

__all__ += ["check_less", "check_names", "check_parameter"]

#: Units of parameters.csv that read badly after a number in a message; they are left out.
_UNITLESS = frozenset({"1", "fraction", "multiplier", "log-sd"})


def check_parameter(name: str, value: object, *, field: str | None = None) -> int | float:
    """Check ``value`` against the bounds of the row ``name`` of ``data/parameters.csv``.

    The row's ``low`` and ``high`` are inclusive (empty: unbounded); an int row
    (``max_sessions``) takes a whole number, any other a finite real.

    Parameters
    ----------
    name : str
        The parameter's row in the table (:func:`needling_sim.parameters.parameter`).
    value : object
        The value to check.
    field : str or None
        The name used in messages; None means ``name``.

    Returns
    -------
    int or float
        ``value`` as the row's type.

    Raises
    ------
    TypeError
        ``value`` is not a number (or not a whole number, for an int row).
    ValueError
        ``value`` lies outside the row's bounds; the message says ``(parameters.csv)``.

    Examples
    --------
    >>> check_parameter("type_iii_weight", 0.5)
    0.5
    >>> check_parameter("type_iii_weight", 1.5)
    Traceback (most recent call last):
    ...
    ValueError: type_iii_weight=1.5 is not allowed; allowed: 0 to 1 (parameters.csv)
    >>> check_parameter("max_sessions", 30, field="sessions")
    Traceback (most recent call last):
    ...
    ValueError: sessions=30 is not allowed; allowed: 1 to 24 sessions (parameters.csv)
    """
    from .parameters import parameter

    row = parameter(name)
    label = name if field is None else field
    unit = "" if row.unit in _UNITLESS else row.unit
    if isinstance(row.value, int):
        return check_int(label, value, row.low, row.high, unit=unit, note="parameters.csv")
    return check_real(label, value, row.low, row.high, unit=unit, note="parameters.csv")


def check_less(name: str, value: float, bound_name: str, bound: float) -> float:
    """Return ``value`` if it is below the other field ``bound_name``'s value ``bound``.

    Examples
    --------
    >>> check_less("fragile_full_days", 5.0, "fragile_end_days", 21.0)
    5.0
    >>> check_less("fragile_full_days", 30.0, "fragile_end_days", 21.0)
    Traceback (most recent call last):
    ...
    ValueError: fragile_full_days=30.0 is not allowed; allowed: below fragile_end_days=21.0
    """
    if not value < bound:
        raise ValueError(f"{name}={value!r} is not allowed; allowed: below {bound_name}={bound!r}")
    return value



def check_names(name: str, value: object, allowed: tuple[str, ...], *, noun: str = "name") -> tuple[str, ...]:
    """Return ``value`` as a tuple if it is a non-empty tuple or list of distinct names from ``allowed``.

    Examples
    --------
    >>> check_names("variables", ["a", "b"], ("a", "b", "c"), noun="variable")
    ('a', 'b')
    >>> check_names("variables", ("d",), ("a", "b"), noun="variable")
    Traceback (most recent call last):
    ...
    ValueError: variables: 'd' is not known; allowed: a, b
    >>> check_names("variables", "a", ("a",), noun="variable")
    Traceback (most recent call last):
    ...
    TypeError: variables must be a non-empty tuple of variable names, got 'a'
    """
    if isinstance(value, str) or not isinstance(value, (tuple, list)) or not value:
        raise TypeError(f"{name} must be a non-empty tuple of {noun} names, got {value!r}")
    for item in value:
        if item not in allowed:
            raise ValueError(f"{name}: {item!r} is not known; allowed: {', '.join(allowed)}")
    if len(set(value)) != len(value):
        raise ValueError(f"{name} must not repeat a name, got {value!r}")
    return tuple(value)
