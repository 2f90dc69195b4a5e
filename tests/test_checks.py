"""Shared argument checks: types, bounds, and messages that name the field, the value and what is allowed."""

import math
from enum import StrEnum

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from needling_sim._checks import check_choice, check_instance, check_int, check_real


class Colour(StrEnum):
    RED = "red"
    ORANGE = "orange"


# --------------------------------------------------------------------------- check_choice


def test_check_choice_returns_the_member_for_a_value_or_a_member():
    assert check_choice("colour", "red", Colour, noun="colour") is Colour.RED
    assert check_choice("colour", Colour.ORANGE, Colour, noun="colour") is Colour.ORANGE


def test_check_choice_unknown_value_lists_every_allowed_value():
    with pytest.raises(ValueError, match=r"^colour='blue' is not a known colour; allowed: red, orange$"):
        check_choice("colour", "blue", Colour, noun="colour")


@pytest.mark.parametrize("value", [None, 1, b"red", ["red"], True])
def test_check_choice_rejects_non_strings_with_type_error(value):
    expected = rf"^colour must be a colour name \(str\), got {type(value).__name__} "
    with pytest.raises(TypeError, match=expected):
        check_choice("colour", value, Colour, noun="colour")


def test_check_choice_article_follows_the_noun():
    with pytest.raises(TypeError, match="must be an orange name"):
        check_choice("x", 1, Colour, noun="orange")


# --------------------------------------------------------------------------- check_int


@pytest.mark.parametrize("value", [0, 1, 24, np.int64(5), np.int32(24)])
def test_check_int_accepts_whole_numbers_in_range_as_plain_int(value):
    out = check_int("n", value, 0, 24)
    assert out == value and type(out) is int


@pytest.mark.parametrize("value", [True, False, 3.0, "3", None, np.float64(3.0), np.bool_(True)])
def test_check_int_rejects_non_integers(value):
    with pytest.raises(TypeError, match=r"^n must be a whole number, got "):
        check_int("n", value, 0, 24)


@pytest.mark.parametrize(
    ("low", "high", "value", "message"),
    [
        (1, 24, 0, "n=0 is not allowed; allowed: 1 to 24"),
        (1, 24, 25, "n=25 is not allowed; allowed: 1 to 24"),
        (1, None, 0, "n=0 is not allowed; allowed: at least 1"),
        (None, 5, 6, "n=6 is not allowed; allowed: at most 5"),
    ],
)
def test_check_int_out_of_range_names_field_value_and_range(low, high, value, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        check_int("n", value, low, high)


def test_check_int_unit_and_note_appear_in_the_messages():
    with pytest.raises(TypeError, match=r"^n must be a whole number of patients, got float 2\.0$"):
        check_int("n", 2.0, 1, 10, unit="patients")
    with pytest.raises(ValueError, match=r"^n=0 is not allowed; allowed: 1 to 10 patients$"):
        check_int("n", 0, 1, 10, unit="patients")
    expected = r"^days=5 is not allowed; allowed: 10 to 20 \(past the last session\)$"
    with pytest.raises(ValueError, match=expected):
        check_int("days", 5, 10, 20, note="past the last session")


@given(st.integers(-1000, 1000), st.integers(-1000, 1000), st.integers(-1000, 1000))
def test_check_int_accepts_exactly_the_closed_range(value, a, b):
    low, high = min(a, b), max(a, b)
    if low <= value <= high:
        assert check_int("n", value, low, high) == value
    else:
        with pytest.raises(ValueError, match=f"n={value} "):
            check_int("n", value, low, high)


# --------------------------------------------------------------------------- check_real


@pytest.mark.parametrize("value", [0.5, 1, 3.0, np.float32(0.5), np.int64(2)])
def test_check_real_accepts_numbers_in_range_as_plain_float(value):
    out = check_real("depth_mm", value, 0, 3.0, low_open=True, unit="mm")
    assert out == float(value) and type(out) is float


@pytest.mark.parametrize("value", [True, "1.0", None, 1j, [1.0]])
def test_check_real_rejects_non_numbers(value):
    with pytest.raises(TypeError, match=r"^depth_mm must be a number in mm, got "):
        check_real("depth_mm", value, 0, 3.0, low_open=True, unit="mm")


@pytest.mark.parametrize(
    ("kwargs", "value", "message"),
    [
        ({"low": 0, "high": 3.0, "low_open": True, "unit": "mm"}, 0,
         "depth_mm=0.0 mm is not allowed; allowed: above 0 and at most 3.0 mm"),
        ({"low": 0, "high": 3.0, "low_open": True, "unit": "mm"}, 3.5,
         "depth_mm=3.5 mm is not allowed; allowed: above 0 and at most 3.0 mm"),
        ({"low": 0, "high": 1}, 1.5, "depth_mm=1.5 is not allowed; allowed: 0 to 1"),
        ({"low": 0, "high": 1, "high_open": True}, 1,
         "depth_mm=1.0 is not allowed; allowed: at least 0 and below 1"),
        ({"low": 0}, -0.1, "depth_mm=-0.1 is not allowed; allowed: a finite number of at least 0"),
        ({"low": 0, "low_open": True}, 0, "depth_mm=0.0 is not allowed; allowed: a finite number above 0"),
        ({"high": 2}, 2.5, "depth_mm=2.5 is not allowed; allowed: a finite number of at most 2"),
        ({"high": 2, "high_open": True}, 2, "depth_mm=2.0 is not allowed; allowed: a finite number below 2"),
        ({}, math.inf, "depth_mm=inf is not allowed; allowed: a finite number"),
        ({"low": 0, "high": 1, "note": "a fraction"}, 2,
         r"depth_mm=2.0 is not allowed; allowed: 0 to 1 \(a fraction\)"),
    ],
)
def test_check_real_out_of_range_names_field_value_and_range(kwargs, value, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        check_real("depth_mm", value, **kwargs)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_check_real_never_accepts_nan_or_infinity(value):
    with pytest.raises(ValueError, match=f"x={value!r} is not allowed"):
        check_real("x", value)
    with pytest.raises(ValueError, match=f"x={value!r} is not allowed"):
        check_real("x", value, -math.inf, math.inf)


@given(st.floats(-10, 10), st.floats(-10, 10), st.floats(-10, 10), st.booleans(), st.booleans())
def test_check_real_accepts_exactly_its_interval(value, a, b, low_open, high_open):
    low, high = min(a, b), max(a, b)
    inside = (value > low if low_open else value >= low) and (value < high if high_open else value <= high)
    if inside:
        assert check_real("x", value, low, high, low_open=low_open, high_open=high_open) == value
    else:
        with pytest.raises(ValueError, match="x=.* is not allowed; allowed: "):
            check_real("x", value, low, high, low_open=low_open, high_open=high_open)


# --------------------------------------------------------------------------- check_instance


def test_check_instance_returns_the_value_unchanged():
    value = Colour.RED
    assert check_instance("colour", value, Colour, "a Colour") is value


def test_check_instance_names_the_field_what_is_allowed_and_the_type_received():
    with pytest.raises(TypeError, match=r"^colour must be a Colour \(see the enum\), got str$"):
        check_instance("colour", "red", Colour, "a Colour (see the enum)")


# --------------------------------------------------------------------------- patients, plans and depths (rules helper)


def test_check_bool_takes_python_and_numpy_bools_only():
    import numpy as np

    from needling_sim._checks import check_bool

    assert check_bool("pregnant", np.bool_(False)) is False and check_bool("pregnant", True) is True
    for bad in (1, "yes", None):
        with pytest.raises(TypeError, match="pregnant must be True or False"):
            check_bool("pregnant", bad)


def test_check_course_plan_and_check_patient_name_the_field_and_the_type():
    import datetime as dt

    from needling_sim import Patient, plan_course
    from needling_sim._checks import check_course_plan, check_depth_mm, check_patient

    plan = plan_course(dt.date(2026, 3, 2), 1, 42, 1.0, "cheek")
    assert check_course_plan("plan", plan) is plan
    with pytest.raises(TypeError, match=r"^plan must be a CoursePlan \(see plan_course\), got str$"):
        check_course_plan("plan", "plan")
    patient = Patient(age=30, fitzpatrick=2)
    assert check_patient("patient", patient) is patient and check_patient("p", None, optional=True) is None
    with pytest.raises(TypeError, match=r"^patient must be a needling_sim.Patient or None, got int$"):
        check_patient("patient", 3, optional=True)
    with pytest.raises(TypeError, match=r"^patient must be a needling_sim.Patient, got NoneType$"):
        check_patient("patient", None)
    with pytest.raises(ValueError, match=r"depth_mm=0.0 mm is not allowed; allowed: above 0 and at most 2.0 mm"):
        check_depth_mm("depth_mm", 0, 2.0)
