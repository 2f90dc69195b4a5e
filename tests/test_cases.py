"""Tests for needling_sim.cases: deterministic, distinct, treatable capstone cases."""

import datetime as dt
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from needling_sim import Patient, Verdict, check_plan, healing_timeline, plan_passes, recommend_plan, screen
from needling_sim.cases import (
    CASE_AGE_RANGE_YEARS,
    CASE_FIRST_DATE,
    CASE_PAIRS,
    VirtualCase,
    case_seed,
    check_student_id,
    grading_student_id,
    resolve_trainee_id,
    virtual_case,
    virtual_patient,
)

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
    assert CASE_FIRST_DATE <= case.screening_date < CASE_FIRST_DATE + dt.timedelta(days=181)
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


@pytest.mark.parametrize(
    ("path", "assignment", "expected"),
    [
        ("/c/autograded/ana/06_capstone", None, "ana"),
        ("/c/submitted/ana/06_capstone", "06_capstone", "ana"),
        ("/c/autograded/ana/05_claims", "06_capstone", None),
        ("/c/feedback/ana/06_capstone", None, None),
        ("/home/ana/06_capstone", None, None),
        ("06_capstone", None, None),
        ("/c/autograded/ an/06_capstone", None, None),
    ],
)
def test_grading_student_id_reads_nbgraders_layout(path, assignment, expected):
    assert grading_student_id(path, assignment) == expected


def test_grading_student_id_validates_its_arguments():
    with pytest.raises(TypeError, match="path"):
        grading_student_id(42)
    with pytest.raises(TypeError, match="assignment"):
        grading_student_id("/c/autograded/ana/x", 6)


def test_the_graders_id_wins_over_the_typed_one():
    assert resolve_trainee_id("bea", "/c/autograded/ana/06_capstone", "06_capstone") == "ana"
    assert resolve_trainee_id("bea", "/home/bea/06_capstone", "06_capstone") == "bea"
    assert resolve_trainee_id("bea") == "bea"
    with pytest.raises(ValueError, match="student_id"):
        resolve_trainee_id("", "/home/x/06_capstone")


def test_a_case_patient_round_trips_through_intake():
    p = virtual_patient("ana")
    assert Patient.from_intake(p.to_intake()) == p
