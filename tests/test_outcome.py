"""simulate: one patient's course; shapes follow the sources, summaries read the right days."""

import dataclasses
import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from needling_sim import Area, ModelParams, Outcome, Patient, area_info, outcome, plan_course, simulate
from needling_sim.evidence import claim
from needling_sim.kernel import DAILY_VARIABLES
from needling_sim.outcome import REFERENCE_PATIENT, SUMMARY_DAYS, SUMMARY_DAYS_AFTER_LAST
from needling_sim.parameters import parameter

START = dt.date(2026, 3, 2)
DAILY_COLUMNS = [
    "day",
    "date",
    "session",
    "inflammation",
    "fibroblasts",
    "collagen_synthesis",
    "collagen_iii",
    "collagen_i",
    "collagen_new",
    "improvement",
    "redness",
    "redness_visible",
]


def plan(n=3, gap=42, depth=1.0, area="cheek"):
    return plan_course(START, n, gap, depth, area)


# ----------------------------------------------------------------------------- the table


def test_summary_days_and_defaults_equal_the_table():
    assert SUMMARY_DAYS == {k: parameter(f"summary_{k}_days").value for k in ("6w", "3m", "6m", "12m")}
    assert SUMMARY_DAYS_AFTER_LAST == {k: SUMMARY_DAYS[k] for k in ("3m", "6m", "12m")}
    for key, cid in {"6w": "effect.s2_early", "6m": "effect.s3_full", "12m": "collagen.s3_12m"}.items():
        assert parameter(f"summary_{key}_days").claim_id == cid
        assert SUMMARY_DAYS[key] == claim(cid).value_low
    assert len(simulate(plan()).daily) == parameter("simulate_days_default").value
    assert REFERENCE_PATIENT.age == ModelParams().age_reference_years
    longest = parameter("simulate_max_days").value
    with pytest.raises(ValueError, match=f"days={longest + 1}.*to {longest}"):
        simulate(plan(), days=longest + 1)


def test_lessons_read_these_names_from_outcome():
    """course/06 and 08 read outcome.PARAM_SOURCES and outcome.SUMMARY_DAYS_AFTER_LAST; plots reads the cohort names."""
    for name in ("PARAM_SOURCES", "SUMMARY_DAYS_AFTER_LAST", "ModelParams", "simulate_cohort", "CohortOutcome"):
        assert getattr(outcome, name) is not None
    with pytest.raises(AttributeError, match="no_such_name"):
        outcome.no_such_name  # noqa: B018


# ----------------------------------------------------------------------------- simulate


def test_simulate_returns_daily_frame_and_summary():
    out = simulate(plan())
    assert isinstance(out, Outcome) and out.patient == REFERENCE_PATIENT
    assert list(out.daily.columns) == DAILY_COLUMNS
    assert len(out.daily) == 540 and out.daily["day"].tolist() == list(range(540))
    assert out.daily["date"].iloc[42] == START + dt.timedelta(42)
    assert out.daily["session"].iloc[[0, 41, 42, 84, 539]].tolist() == [1, 1, 2, 3, 3]
    s = out.summary
    assert s.collagen_new_12m == pytest.approx(out.daily["collagen_new"].iloc[SUMMARY_DAYS["12m"]])
    assert s.improvement_6m == pytest.approx(out.daily["improvement"].iloc[182])
    assert 0 < s.risk < 1 and s.reinjured_sessions == 0
    assert set(out.to_frame()["metric"]) == set(s.to_dict())
    with pytest.raises(dataclasses.FrozenInstanceError):
        out.summary.risk = 0.0


def test_injury_scales_with_depth_over_dermis():
    for area in ("cheek", "periorbital", "back"):
        out = simulate(plan(1, 42, 0.5, area))
        assert out.daily["inflammation"].iloc[0] == pytest.approx(0.5 / area_info(area).dermis_mm)


def test_inflammation_halves_in_about_1_4_days():
    i = simulate(plan(1)).daily["inflammation"].to_numpy()
    half_life = np.log(2) / np.log(i[0] / i[1])
    assert half_life == pytest.approx(1.4)


def test_collagen_rises_within_a_day_and_matures():
    d = simulate(plan(1)).daily
    assert d["collagen_new"].iloc[1] > 0  # literature: synthesis rises within a day (collagen.lit_start)
    assert d["collagen_iii"].iloc[20] > d["collagen_i"].iloc[20]
    assert d["collagen_i"].iloc[182] > d["collagen_iii"].iloc[182]
    assert (d["collagen_new"] <= 1.0).all()


def test_redness_lasts_longer_after_deeper_needles():
    days = {d: simulate(plan(1, 42, d)).summary.redness_days for d in (0.25, 0.5, 1.0, 1.5, 2.5)}
    assert list(days.values()) == sorted(days.values())
    assert 2 <= days[0.5] <= 3  # about 2 days at 0.5 mm (EVIDENCE.md section 3)
    assert 4 <= days[1.5] <= 6 and days[2.5] <= 7  # 4 to 5 days at 1.5 to 2.5 mm, within a week
    red = simulate(plan(1)).daily
    assert ((red["redness"] > 0.5) == red["redness_visible"]).all()
    assert ((red["inflammation"] > ModelParams().redness_threshold) == red["redness_visible"]).all()
    assert red["redness"].between(0, 1).all()


def test_packed_sessions_raise_inflammation_and_risk_without_gain():
    spaced, packed = simulate(plan(3, 42)).summary, simulate(plan(3, 7)).summary
    assert packed.peak_inflammation > spaced.peak_inflammation
    assert packed.cumulative_inflammation > spaced.cumulative_inflammation
    assert packed.risk > spaced.risk
    assert packed.reinjured_sessions == 2
    assert packed.collagen_new_12m < spaced.collagen_new_12m
    assert packed.collagen_new_12m / packed.risk < spaced.collagen_new_12m / spaced.risk
    fortnight = simulate(plan(3, 14)).summary
    assert spaced.collagen_new_12m > fortnight.collagen_new_12m > packed.collagen_new_12m


def test_more_sessions_at_safe_spacing_give_more_collagen_at_12_months():
    one = simulate(plan(1)).summary.collagen_new_12m
    three = simulate(plan(3)).summary.collagen_new_12m
    six = simulate(plan(6)).summary.collagen_new_12m
    assert one < three < six


def test_improvement_keeps_rising_to_six_months_as_in_the_trial():
    # Alam 2014: 3 sessions 2 weeks apart, significant at 6 months but not at 3.
    s = simulate(plan(3, 14)).summary
    assert s.improvement_6m > s.improvement_3m > s.improvement_6w


@pytest.mark.parametrize(
    ("patient", "risk_up", "collagen_down"),
    [
        (Patient(age=70, fitzpatrick=2), False, True),
        (Patient(age=35, fitzpatrick=5), True, False),
        (Patient(age=35, fitzpatrick=2, keloid_history=True), True, False),
    ],
)
def test_patient_factors_change_rates_or_risk(patient, risk_up, collagen_down):
    base = simulate(plan()).summary
    other = simulate(plan(), patient).summary
    assert (other.risk > base.risk) is risk_up
    assert (other.collagen_new_12m < base.collagen_new_12m) is collagen_down
    young = simulate(plan(), Patient(age=20, fitzpatrick=2)).summary
    assert young.collagen_new_12m > base.collagen_new_12m


def test_depth_beyond_the_site_raises_the_risk():
    inside = simulate(plan(3, 42, 0.5, "periorbital")).summary
    beyond = simulate(plan(3, 42, 2.5, "periorbital")).summary
    assert beyond.risk > 3 * inside.risk


def test_params_change_the_model():
    slow = dataclasses.replace(ModelParams(), inflammation_half_life_days=3.0)
    assert simulate(plan(1), params=slow).summary.redness_days > simulate(plan(1)).summary.redness_days


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"plan": "plan"}, TypeError, "plan must be a CoursePlan"),
        ({"patient": {"age": 30}}, TypeError, "patient must be a needling_sim.Patient or None"),
        ({"days": 100}, ValueError, "days=100.*366 to 3650"),
        ({"days": 5000}, ValueError, "days=5000"),
        ({"days": 540.0}, TypeError, "days must be a whole number"),
        ({"days": True}, TypeError, "days must be a whole number"),
        ({"params": {}}, TypeError, "params must be a ModelParams"),
    ],
)
def test_simulate_rejects_bad_input(kwargs, error, match):
    args = {"plan": plan(), "patient": None} | kwargs
    with pytest.raises(error, match=match):
        simulate(args.pop("plan"), args.pop("patient"), **args)


def test_days_must_reach_past_the_last_session():
    long = plan_course(START, 4, 200, 0.5, "cheek")
    with pytest.raises(ValueError, match="allowed: 601 to"):
        simulate(long, days=540)
    assert len(simulate(long, days=601).daily) == 601


# ----------------------------------------------------------------------------- properties

plans = st.builds(
    plan_course,
    start=st.just(START),
    sessions=st.integers(1, 6),
    interval_days=st.integers(1, 90),
    depth_mm=st.floats(0.1, 3.0),
    area=st.sampled_from(list(Area)),
)


@settings(max_examples=40, deadline=None)
@given(p=plans)
def test_collagen_is_never_negative_and_improvement_stays_in_range(p):
    d = simulate(p, days=max(540, p.session_days[-1] + 1)).daily
    for col in ("inflammation", "fibroblasts", "collagen_iii", "collagen_i", "collagen_new"):
        assert (d[col] >= 0).all(), col
    assert d["improvement"].between(0, 1).all()


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 5),
    gap=st.integers(28, 90),
    extra_gap=st.integers(28, 200),
    depth=st.sampled_from([0.25, 0.5, 1.0, 1.5]),
    area=st.sampled_from(list(Area)),
    age=st.integers(18, 90),
)
def test_adding_a_session_at_safe_spacing_never_lowers_collagen_at_12_months(
    n, gap, extra_gap, depth, area, age
):
    patient = Patient(age=age, fitzpatrick=3)
    base = plan_course(START, n, gap, depth, area)
    more = plan_course(START, n + 1, [gap] * (n - 1) + [extra_gap], depth, area)
    days = more.session_days[-1] + 1 if more.session_days[-1] >= 540 else 540
    a = simulate(base, patient, days=days).summary.collagen_new_12m
    b = simulate(more, patient, days=days).summary.collagen_new_12m
    assert b >= a - 1e-12


def test_daily_variables_cover_the_frame():
    assert set(DAILY_VARIABLES) <= set(DAILY_COLUMNS)


# ----------------------------------------------------------------------------- time course (issue #10, section 1)

#: Plans whose needle reaches into the dermis (shallower needles make no new collagen in the model).
spaced_plans = st.builds(
    plan_course,
    start=st.just(START),
    sessions=st.integers(1, 6),
    interval_days=st.integers(28, 120),
    depth_mm=st.floats(0.3, 3.0),
    area=st.sampled_from(list(Area)),
)
any_interval_plans = st.builds(
    plan_course,
    start=st.just(START),
    sessions=st.integers(1, 6),
    interval_days=st.integers(1, 120),
    depth_mm=st.floats(0.3, 3.0),
    area=st.sampled_from(list(Area)),
)


def _through_a_year_after_last(p):
    return simulate(p, days=max(540, p.session_days[-1] + 366)).daily


@settings(max_examples=40, deadline=None)
@given(p=spaced_plans)
def test_synthesis_peaks_5_to_10_days_after_each_session(p):
    """Guo & DiPietro 2010: synthesis peaks around day 7 (collagen.lit_start), not on day 1 or 2."""
    synthesis = _through_a_year_after_last(p)["collagen_synthesis"].to_numpy()
    for day in p.session_days:
        peak = int(np.argmax(synthesis[day : day + 28]))
        assert 5 <= peak <= 10, (day, peak)
        assert synthesis[day + 1] > 0  # it rises within a day


@settings(max_examples=40, deadline=None)
@given(p=any_interval_plans)
def test_improvement_keeps_rising_to_the_full_effect_milestone(p):
    """003: the full effect shows about 6 months after the last session; the curve must not fall before it."""
    d = _through_a_year_after_last(p)
    last = p.session_days[-1]
    full = last + claim("effect.s3_full").value_low
    assert full == last + SUMMARY_DAYS_AFTER_LAST["6m"]
    rise = np.diff(d["improvement"].to_numpy()[last : int(full) + 1])
    assert rise.min() >= -1e-12
    s = simulate(p, days=len(d)).summary
    assert s.improvement_12m_after_last >= s.improvement_6m_after_last > s.improvement_3m_after_last


@settings(max_examples=40, deadline=None)
@given(p=any_interval_plans)
def test_type_i_collagen_is_still_laid_down_months_after_the_last_session(p):
    """003: collagen formation continues for up to 12 months; the total may plateau."""
    d = _through_a_year_after_last(p)
    last = p.session_days[-1]
    type_i, new = d["collagen_i"].to_numpy(), d["collagen_new"].to_numpy()
    assert type_i[last + 330] > type_i[last + 300] > type_i[last + 182]
    late = new[last + 182 : last + 366]
    assert late.max() - late.min() <= 0.1 * late.max()  # a plateau, not a fall


def test_summary_reads_the_reviews_after_the_last_session():
    p = plan(3, 42)
    out = simulate(p)
    last = p.session_days[-1]
    s = out.summary
    for key, day in SUMMARY_DAYS_AFTER_LAST.items():
        assert getattr(s, f"improvement_{key}_after_last") == pytest.approx(out.daily["improvement"].iloc[last + day])
    assert s.collagen_i_12m_after_last == pytest.approx(out.daily["collagen_i"].iloc[last + 365])
    assert s.improvement_6m_after_last > s.improvement_6m  # the first-session figure hides the course's tail
    assert 5 <= s.synthesis_peak_day <= 10
    long = simulate(plan_course(START, 6, 60, 1.0, "cheek"))  # last session on day 300: 12 months after is day 665
    assert np.isnan(long.summary.improvement_12m_after_last) and not np.isnan(long.summary.improvement_6m_after_last)
    assert simulate(plan_course(START, 6, 60, 1.0, "cheek"), days=666).summary.improvement_12m_after_last > 0


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 6),
    area=st.sampled_from(list(Area)),
    extra_mm=st.floats(0.01, 0.8),
)
def test_depth_beyond_the_dermis_is_not_rewarded(n, area, extra_mm):
    """EVIDENCE.md section 4: keep within the local dermis. Deeper adds risk and no collagen."""
    limit = area_info(area).depth_limit_mm
    at, beyond = plan_course(START, n, 42, limit, area), plan_course(START, n, 42, limit + extra_mm, area)
    a, b = simulate(at).summary, simulate(beyond).summary
    assert b.improvement_6m_after_last == pytest.approx(a.improvement_6m_after_last, rel=1e-12)
    assert b.collagen_new_12m == pytest.approx(a.collagen_new_12m, rel=1e-12)
    assert b.risk > a.risk and b.peak_inflammation > a.peak_inflammation


def test_a_needle_in_the_epidermis_only_makes_no_new_collagen():
    s = simulate(plan(3, 42, 0.1)).summary  # 0.1 mm is inside the cheek's 0.17 mm epidermis
    assert s.collagen_new_12m == 0 and s.peak_inflammation > 0


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(2, 6),
    packed_gap=st.integers(3, 14),
    depth=st.sampled_from([0.5, 0.75, 1.0]),
    area=st.sampled_from(["cheek", "forehead", "neck", "back"]),
)
def test_packed_sessions_raise_inflammation_and_risk_without_a_matching_gain(n, packed_gap, depth, area):
    spaced = simulate(plan_course(START, n, 42, depth, area), days=900).summary
    packed = simulate(plan_course(START, n, packed_gap, depth, area), days=900).summary
    assert packed.risk > spaced.risk
    assert packed.cumulative_inflammation >= spaced.cumulative_inflammation - 1e-9
    assert packed.reinjured_sessions == n - 1
    assert packed.improvement_6m_after_last < spaced.improvement_6m_after_last
    assert packed.improvement_12m_after_last / packed.risk < spaced.improvement_12m_after_last / spaced.risk


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 6), depth=st.sampled_from([0.5, 0.75, 1.0]), area=st.sampled_from(list(Area)))
def test_28_against_42_days_stays_unresolved(n, depth, area):
    """Iriarte 2017: the best interval is not known. The model must not pick a clear winner."""
    four = simulate(plan_course(START, n, 28, depth, area), days=900).summary
    six = simulate(plan_course(START, n, 42, depth, area), days=900).summary
    assert four.improvement_6m_after_last == pytest.approx(six.improvement_6m_after_last, rel=0.06)
    assert four.risk == pytest.approx(six.risk, rel=1e-9)  # neither re-injures: same inflammation


