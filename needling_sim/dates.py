"""Calendar arithmetic used by the rules (months and weeks as the seeds state them)."""

from __future__ import annotations

import calendar
import datetime as dt

from ._checks import check_date, check_int  # check_date is re-exported (it lives with the other checks)

__all__ = ["add_months", "check_date"]


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
    >>> add_months(dt.date(2026, 1, 31), -1)
    Traceback (most recent call last):
    ...
    ValueError: months=-1 is not allowed; allowed: at least 0
    """
    check_date("day", day)
    # Any bad ``months`` is a ValueError (the documented contract), a wrong type too.
    months = check_int("months", months, 0, type_error=ValueError)
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))
