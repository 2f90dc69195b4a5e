import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needling_sim.dates import add_months, check_date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
        (dt.date(2026, 8, 15), 6, dt.date(2027, 2, 15)),
        (dt.date(2026, 8, 15), 0, dt.date(2026, 8, 15)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


@given(st.dates(max_value=dt.date(9000, 1, 1)), st.integers(0, 240))
def test_add_months_moves_forward_by_about_the_right_amount(day, months):
    out = add_months(day, months)
    assert 28 * months <= (out - day).days <= 31 * months


@pytest.mark.parametrize(
    ("months", "message"),
    [
        (-1, "months=-1 is not allowed; allowed: at least 0"),
        (1.5, "months must be a whole number, got float 1.5"),
        (True, "months must be a whole number, got bool True"),
        ("3", "months must be a whole number, got str '3'"),
    ],
)
def test_add_months_rejects_bad_months(months, message):
    """Any bad ``months`` is a ValueError (a wrong type too), naming the value and what is allowed."""
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        add_months(dt.date(2026, 1, 1), months)


@pytest.mark.parametrize("value", ["2026-01-01", dt.datetime(2026, 1, 1), None])
def test_check_date_rejects_non_dates(value):
    with pytest.raises(TypeError, match="when"):
        check_date("when", value)


def test_check_date_optional_allows_none_and_says_so():
    assert check_date("when", None, optional=True) is None
    assert check_date("when", dt.date(2026, 1, 1), optional=True) == dt.date(2026, 1, 1)
    with pytest.raises(TypeError, match=r"^when must be a datetime.date \(not a datetime\) or None, got str"):
        check_date("when", "2026-01-01", optional=True)
    with pytest.raises(TypeError, match=r"^when must be a datetime.date \(not a datetime\), got NoneType"):
        check_date("when", None)
