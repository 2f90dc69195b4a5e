"""Tests for needling_sim.cases: deterministic, distinct, treatable capstone cases."""

import dataclasses
import datetime as dt
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from needling_sim import Patient, Verdict, cases, check_plan, healing_timeline, plan_passes, recommend_plan, screen
from needling_sim.cases import (
    CASE_AGE_RANGE_YEARS,
    CASE_FIRST_DATE,
    CASE_PAIRS,
    VirtualCase,
    case_seed,
    check_student_id,
    virtual_case,
    virtual_patient,
)
from needling_sim.parameters import parameter
from needling_sim.patient import BOOL_FIELDS, DATE_FIELDS, FIELD_LABELS
from needling_sim.waiting import WAITING_WINDOWS

ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,20}", fullmatch=True)


def test_the_same_id_gives_the_same_case():
    assert virtual_case("ana") == virtual_case("ana")
    assert virtual_patient("ana") == virtual_case("ana").patient


def test_the_case_does_not_depend_on_the_process():
    """The seed is a hash, not Python's salted hash(): another interpreter agrees."""
    code = (
        "from needling_sim.cases import virtual_case as v; c = v('ana'); print(c.case_id, c.screening_date)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    out = proc.stdout.split()
    case = virtual_case("ana")
    assert out == [case.case_id, case.screening_date.isoformat()]


def test_a_known_case_stays_the_same():
    """Changing the generator would change every running class's cases: pin one."""
    case = virtual_case("ana")
    assert case.case_id == "36355c48"
    assert (case.patient.age, int(case.patient.fitzpatrick), case.concern.value, case.area.value) == (
        45,
        4,
        "surgical_scars",
        "chest",
    )
    assert case.screening_date == dt.date(2026, 5, 27)


def test_no_two_trainees_in_a_large_class_share_a_case():
    cases = [virtual_case(f"trainee{i:04d}") for i in range(1500)]
    keys = {(c.patient, c.screening_date, c.concern, c.area) for c in cases}
    assert len(keys) == len(cases)
    assert len({c.case_id for c in cases}) == len(cases)


def test_cases_vary_over_every_dimension():
    cases = [virtual_case(f"t{i}") for i in range(300)]
    assert {int(c.patient.fitzpatrick) for c in cases} == set(range(1, 7))
    assert {(c.concern, c.area) for c in cases} == set(CASE_PAIRS)
    assert any(c.patient.herpes_simplex_history for c in cases)
    assert not all(c.patient.herpes_simplex_history for c in cases)
    for field in ("isotretinoin_last_dose", "radiation_last_date", "sun_exposure_last", "retinoid_last_use"):
        assert any(getattr(c.patient, field) for c in cases), field


@settings(max_examples=60, deadline=None)
@given(ids)
def test_every_case_is_deferred_twice_then_treatable(student_id):
    case = virtual_case(student_id)
    assert isinstance(case, VirtualCase) and case.student_id == student_id
    p = case.patient
    assert CASE_AGE_RANGE_YEARS[0] <= p.age <= CASE_AGE_RANGE_YEARS[1]
    span_days = parameter("case_screening_span_days").value
    assert CASE_FIRST_DATE <= case.screening_date < CASE_FIRST_DATE + dt.timedelta(days=span_days)
    assert p.concerns == (case.concern,)
    assert not (p.keloid_history or p.pregnant or p.breastfeeding or p.active_infection or p.open_wounds)
    result = screen(p, case.screening_date)
    assert result.verdict is Verdict.DEFER
    ends = [f.until for f in result.findings if f.severity == "defer"]
    assert len(ends) == 2 and None not in ends and ends[0] != ends[1]
    assert result.earliest_date == max(ends)
    # The capstone's questions rely on this: the recommended plan starts on the first free day,
    # passes its check, and leaves visible redness for at least three days after session 1.
    plan = recommend_plan(p, case.concern, result.earliest_date, area=case.area)
    assert plan.start == result.earliest_date and plan.area is case.area and plan.n_sessions >= 2
    assert plan_passes(check_plan(plan, p))
    timeline = healing_timeline(plan, p)
    assert timeline.loc[timeline["session"] == 1, "redness_visible"].sum() >= 3


def test_describe_names_the_trainee_and_the_history():
    case = virtual_case("ana")
    text = case.describe()
    assert "'ana'" in text and case.case_id in text and case.screening_date.isoformat() in text
    assert "Last radiation treatment: 2026-01-22." in text and "blood thinner" in text


def test_describe_reads_the_patient_field_labels():
    """Every recorded date and every yes is one sentence, worded as the intake form's label."""
    for i in range(40):
        case = virtual_case(f"t{i}")
        p, text = case.patient, case.describe()
        for field in DATE_FIELDS:
            value = getattr(p, field)
            assert (f"{FIELD_LABELS[field]}:" in text) is (value is not None), field
            assert value is None or f"{FIELD_LABELS[field]}: {value.isoformat()}." in text, field
        for field in BOOL_FIELDS:
            assert (f"{FIELD_LABELS[field]}." in text) is getattr(p, field), field


# ----------------------------------------------------------------------------- the numbers the cases use


def test_the_case_numbers_are_parameter_rows_citing_the_case_assumption():
    assert CASE_AGE_RANGE_YEARS == (parameter("case_age_min_years").value, parameter("case_age_max_years").value)
    names = ["case_age_min_years", "case_age_max_years", "case_screening_span_days", "case_cold_sore_probability",
             "case_anticoagulant_probability", "case_isotretinoin_ago_min_days", "case_isotretinoin_ago_max_days",
             "case_radiation_ago_min_days", "case_radiation_ago_max_days"]
    for name in names:
        row = parameter(name)
        assert row.claim_id == "case.design_assumed" and row.low <= row.value <= row.high, name
    for field, event in (("isotretinoin_last_dose", "isotretinoin"), ("radiation_last_date", "radiation")):
        low, high = (parameter(f"case_{event}_ago_{end}_days").value for end in ("min", "max"))
        assert cases._DAYS_AGO[field] == (low, high)


def test_a_range_read_out_of_order_is_refused(monkeypatch):
    real = cases.parameter
    high = real("case_age_max_years").value
    monkeypatch.setattr(cases, "parameter", lambda name: dataclasses.replace(real(name), value=high + 1)
                        if name == "case_age_min_years" else real(name))
    with pytest.raises(ValueError, match=rf"case_age_min_years={high + 1} is above case_age_max_years={high}"):
        cases._ordered_pair("case_age_min_years", "case_age_max_years")


def test_the_event_dates_fall_inside_their_parameter_ranges():
    for i in range(300):
        case = virtual_case(f"t{i}")
        for field in ("isotretinoin_last_dose", "radiation_last_date"):
            last = getattr(case.patient, field)
            if last is not None:
                low, high = cases._DAYS_AGO[field]
                assert low <= (case.screening_date - last).days <= high, field


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (None, TypeError),
        (7, TypeError),
        ("", ValueError),
        (" ana", ValueError),
        ("ana bea", ValueError),
        ("-ana", ValueError),
        ("a" * 65, ValueError),
        ("ana/../bea", ValueError),
    ],
)
def test_bad_ids_are_refused(value, error):
    with pytest.raises(error, match="student_id"):
        check_student_id(value)
    with pytest.raises(error, match="student_id"):
        virtual_case(value)


def test_ids_are_case_sensitive_and_not_stripped():
    assert case_seed("Ana") != case_seed("ana")
    assert check_student_id("a" * 64) == "a" * 64


@pytest.mark.parametrize("login", ["José", "Øyvind.berg", "李雷", "zoë@clinic", "ana_1"])
def test_non_ascii_logins_get_their_own_case(login):
    case = virtual_case(login)
    assert case.student_id == login and case == virtual_case(login)
    assert case != virtual_case("ana")


def test_both_unicode_forms_of_a_login_give_the_same_case():
    composed, decomposed = "Jos\u00e9", "Jose\u0301"
    assert virtual_case(decomposed) == virtual_case(composed)
    assert virtual_case(decomposed).student_id == composed
    assert case_seed(decomposed) == case_seed(composed)


@pytest.mark.parametrize("login", ["ana\u200b", "_ana", "ana\tbea", "ana/bea", "\u00e9" * 65])
def test_unusable_logins_are_refused_with_a_clear_message(login):
    with pytest.raises(ValueError, match="is not a trainee id; allowed: 1 to 64 letters"):
        virtual_case(login)


def test_the_capstone_takes_its_id_from_the_grader_not_the_notebook_folder():
    """The grader's student id (the gradebook's) decides the case, wherever the notebook runs."""
    import os

    from needling_sim.grading import student_id
    from needling_sim.grading.context import grading_as

    with grading_as("ana"):
        assert virtual_case(student_id()) == virtual_case("ana")
    assert not hasattr(__import__("needling_sim.cases", fromlist=["x"]), "grading_student_id")
    assert student_id() == (os.environ.get("JUPYTERHUB_USER") or __import__("getpass").getuser())


def test_a_case_patient_round_trips_through_intake():
    p = virtual_patient("ana")
    assert Patient.from_intake(p.to_intake()) == p


@settings(max_examples=40, deadline=None)
@given(ids)
def test_the_cases_waits_are_screenings_own_windows(student_id):
    case = virtual_case(student_id)
    result = screen(case.patient, case.screening_date)
    waits = {f.rule: f.until for f in result.findings if f.severity == "defer"}
    expected = {w.rule: w.end(getattr(case.patient, w.field)) for w in WAITING_WINDOWS
                if getattr(case.patient, w.field) is not None}
    assert waits == expected and len(expected) == 2
