"""Recommended plans: recommend_plan and the concern defaults (needling_sim.recommend)."""

import dataclasses
import datetime as dt

import pytest

from needling_sim import Area, Concern, Patient, check_plan, plan_passes, recommend, recommend_plan
from needling_sim.evidence import claim, claim_ids
from needling_sim.parameters import parameter
from needling_sim.recommend import CONCERN_DEFAULTS, concern_default

START = dt.date(2026, 3, 2)
HEALTHY = Patient(age=35, fitzpatrick=2, concerns=["acne_scars"])

# ----------------------------------------------------------------------------- recommend_plan


@pytest.mark.parametrize("concern", list(Concern))
@pytest.mark.parametrize("area", ["cheek", "periorbital", "back"])
def test_every_concern_gets_a_plan_that_passes(concern, area):
    plan = recommend_plan(HEALTHY, concern, START, area=area)
    assert plan_passes(check_plan(plan, HEALTHY))
    assert all(d <= plan.area_info.dermis_mm for d in plan.depths_mm)
    assert plan.notes and set(plan.sources) <= claim_ids()
    assert plan.n_sessions == CONCERN_DEFAULTS[concern].sessions


def test_acne_scars_follow_the_trials_within_the_site():
    back = recommend_plan(HEALTHY, "acne_scars", START, area="back")
    assert back.depths_mm == (1.5,) * 3 and back.n_sessions == 3
    assert {"course.harris2015", "sessions.harris2015", "depth.singh2016"} <= set(back.sources)
    cheek = recommend_plan(HEALTHY, "acne_scars", START)
    assert cheek.area is Area.CHEEK and cheek.depths_mm == (0.75,) * 3
    assert any("capped" in n for n in cheek.notes)
    assert recommend_plan(HEALTHY, "fine_lines", START, area="periorbital").depths_mm[0] <= 0.5


def test_spacing_follows_the_policy():
    assert recommend_plan(HEALTHY, "acne_scars", START).intervals_days == (42, 42)
    assert recommend_plan(HEALTHY, "acne_scars", START, policy="four_weeks").intervals_days == (28, 28)


def test_darker_skin_gets_a_shallower_needle():
    dark = dataclasses.replace(HEALTHY, fitzpatrick=6)
    a = recommend_plan(HEALTHY, "wrinkles", START, area="back").depths_mm[0]
    b = recommend_plan(dark, "wrinkles", START, area="back").depths_mm[0]
    assert b == a - 0.25
    assert "policy.fitzpatrick_depth_assumed" in recommend_plan(dark, "wrinkles", START).sources
    assert recommend_plan(dark, "rosacea", START).depths_mm[0] == 0.25  # never below one step


def test_start_moves_past_a_deferral_with_a_known_end():
    patient = dataclasses.replace(HEALTHY, isotretinoin_last_dose=dt.date(2026, 1, 10))
    plan = recommend_plan(patient, "acne_scars", START)
    assert plan.start == dt.date(2026, 7, 10)
    assert plan_passes(check_plan(plan, patient))
    assert recommend_plan(patient, "acne_scars", START, isotretinoin_policy="seed").start == dt.date(
        2026, 4, 10
    )


def test_the_reschedule_guard_is_a_parameter_and_says_when_it_stops(monkeypatch):
    row = parameter("max_reschedules")
    assert recommend._MAX_RESCHEDULES == row.value and row.claim_id == "bound.max_reschedules"
    patient = dataclasses.replace(HEALTHY, isotretinoin_last_dose=dt.date(2026, 1, 10))
    monkeypatch.setattr(recommend, "_MAX_RESCHEDULES", 1)  # the first plan defers: one try is not enough
    with pytest.raises(ValueError, match="screening kept deferring after 1 reschedules"):
        recommend_plan(patient, "acne_scars", START)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"keloid_history": True}, "keloid_history means do not treat"),
        ({"pregnant": True}, "pregnancy defers treatment with no known end"),
        ({"active_infection": True}, "active_infection"),
    ],
)
def test_no_plan_when_screening_refuses_or_defers_without_end(changes, match):
    with pytest.raises(ValueError, match=match):
        recommend_plan(dataclasses.replace(HEALTHY, **changes), "acne_scars", START)


def test_recommend_plan_rejects_bad_arguments():
    with pytest.raises(ValueError, match="concern='freckles'"):
        recommend_plan(HEALTHY, "freckles", START)
    with pytest.raises(TypeError, match="concern must be"):
        recommend_plan(HEALTHY, 1, START)
    with pytest.raises(TypeError, match="patient must be"):
        recommend_plan(None, "acne_scars", START)
    with pytest.raises(TypeError, match="start must be"):
        recommend_plan(HEALTHY, "acne_scars", "2026-03-02")
    with pytest.raises(ValueError, match="area='knee'"):
        recommend_plan(HEALTHY, "acne_scars", START, area="knee")


@pytest.mark.parametrize(("anticoagulants", "depth"), [(False, 0.75), (True, 0.5)])
def test_recommend_plan_acts_on_blood_thinners(anticoagulants, depth):
    p = dataclasses.replace(HEALTHY, anticoagulants=anticoagulants)
    plan = recommend_plan(p, "acne_scars", START)
    assert plan.depths_mm == (depth,) * 3
    assert any("blood thinners" in n for n in plan.notes) is anticoagulants
    assert ("policy.anticoagulant_depth_assumed" in plan.sources) is anticoagulants
    screening = next(f for f in check_plan(plan, p) if f.rule == "anticoagulants") if anticoagulants else None
    if screening is not None:
        assert "one 0.25 mm step shallower" in screening.message


# ----------------------------------------------------------------------------- defaults from the tables


@pytest.mark.parametrize("concern", list(Concern))
def test_concern_depths_are_the_parameter_rows_inside_their_claims_range(concern):
    row = parameter(f"default_depth_{concern.value}_mm")
    assert CONCERN_DEFAULTS[concern].depth_mm == row.value
    assert row.unit == "mm" and row.claim_id in CONCERN_DEFAULTS[concern].sources
    source = claim("course.concern_depth_assumed")
    assert source.value_low <= row.value <= source.value_high


def test_concern_session_counts_are_read_from_their_claims():
    assert CONCERN_DEFAULTS[Concern.ACNE_SCARS].sessions == claim("sessions.harris2015").value_low
    for concern in set(Concern) - {Concern.ACNE_SCARS}:
        assert CONCERN_DEFAULTS[concern].sessions == claim("course.concern_sessions_assumed").value_low
    assert concern_default("wrinkles") == CONCERN_DEFAULTS[Concern.WRINKLES]
    with pytest.raises(ValueError, match="concern='freckles'"):
        concern_default("freckles")
