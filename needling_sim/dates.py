"""Calendar arithmetic used by the rules (months and weeks as the seeds state them)."""

from __future__ import annotations

import calendar
import datetime as dt

__all__ = ["add_months", "check_date"]


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


def add_months(day: dt.date, months: int) -> dt.date:
    """Add calendar months, keeping the day of month where it exists.

    A day that does not exist in the target month moves to that month's last day,
    so a 3-month window from 30 November ends on 28 or 29 February.

    Examples
    --------
    >>> add_months(dt.date(2026, 1, 31), 1)
    datetime.date(2026, 2, 28)
    >>> add_months(dt.date(2026, 3, 15), 12)
    datetime.date(2027, 3, 15)
    """
    check_date("day", day)
    if isinstance(months, bool) or not isinstance(months, int) or months < 0:
        raise ValueError(f"months must be a non-negative int, got {months!r}")
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))
