"""The teaching model: parameters cite claims, shapes follow the sources, cohort agrees with simulate."""

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from needling_sim import (
    Area,
    CohortOutcome,
    ModelParams,
    Outcome,
    Patient,
    area_info,
    median_multipliers,
    plan_course,
    simulate,
    simulate_cohort,
)
from needling_sim.evidence import claim, claim_ids
from needling_sim.outcome import (
    COHORT_METRICS,
    COHORT_VARIABLES,
    DAILY_VARIABLES,
    PARAM_SOURCES,
    REFERENCE_PATIENT,
    SUMMARY_DAYS,
    SUMMARY_DAYS_AFTER_LAST,
)

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


# ----------------------------------------------------------------------------- parameters


def test_every_parameter_cites_a_claim_in_the_ledger():
    names = {f.name for f in dataclasses.fields(ModelParams)}
    assert names == set(PARAM_SOURCES) == set(ModelParams.SOURCES)
    assert set(PARAM_SOURCES.values()) <= claim_ids()


def test_parameter_defaults_lie_within_their_claims():
    p = ModelParams()
    for name, cid in PARAM_SOURCES.items():
        c = claim(cid)
        value = getattr(p, name)
        if c.value_low is not None and cid != "model.age_synthesis":
            assert c.value_low <= value <= c.value_high, (name, value, cid)
    assert (p.age_reference_years, p.age_halving_years) == (
        claim("model.age_synthesis").value_low,
        claim("model.age_synthesis").value_high,
    )
    # Phase windows come straight from the literature claims.
    assert p.fragile_full_days == claim("phase.inflammation.guo2010").value_high
    assert p.fragile_end_days == claim("phase.proliferation.guo2010").value_high


def test_model_assumptions_are_labelled_as_such():
    for cid in set(PARAM_SOURCES.values()):
        if cid.startswith("model."):
            c = claim(cid)
            assert c.source_kind == "assumption" and "ssumption" in c.source


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"fibroblast_clearance_per_day": -1}, ValueError, "fibroblast_clearance_per_day=-1.0"),
        ({"inflammation_half_life_days": float("nan")}, ValueError, "inflammation_half_life_days=nan"),
        ({"reinjury_collagen_damage": 1.5}, ValueError, "0 to 1"),
        ({"sigma_injury_gain": -0.1}, ValueError, "at least 0"),
        ({"injury_gain": True}, TypeError, "injury_gain must be a number"),
        ({"fragile_full_days": 30.0}, ValueError, "must be below fragile_end_days"),
    ],
)
def test_bad_parameters_are_rejected(changes, error, match):
    with pytest.raises(error, match=match):
        ModelParams(**changes)


def test_zero_spread_and_zero_penalties_are_allowed():
    p = ModelParams(sigma_collagen_synthesis=0, reinjury_collagen_damage=0, reinjury_inflammation_boost=0)
    assert p.sigma_collagen_synthesis == 0.0


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


# ----------------------------------------------------------------------------- cohorts


def test_median_multipliers_are_all_one():
    assert set(median_multipliers().values()) == {1.0} and len(median_multipliers()) == 5


def test_cohort_frames_and_quantile_order():
    c = simulate_cohort(plan(), n=500, seed=3)
    assert isinstance(c, CohortOutcome) and c.variables == COHORT_VARIABLES
    q = c.quantiles
    assert list(q.columns) == ["variable", "day", "date", "q05", "q25", "q50", "q75", "q95", "mean"]
    assert len(q) == 540 * len(COHORT_VARIABLES)
    cols = q[["q05", "q25", "q50", "q75", "q95"]].to_numpy()
    assert (np.diff(cols, axis=1) >= 0).all()
    assert list(c.summary["metric"]) == list(COHORT_METRICS)
    band = c.variable("collagen_new")
    assert band.index.tolist() == list(range(540)) and band.loc[365, "q05"] < band.loc[365, "q95"]
    with pytest.raises(ValueError, match="not in this cohort"):
        c.variable("fibroblasts")


def test_cohort_quantiles_match_numpy():
    """The blocked sort gives numpy.quantile's answer for every day (rebuilt from the same draws)."""
    from needling_sim import outcome as om

    p, n, seed = plan(), 301, 11
    names = ("collagen_new", "fibroblasts", "redness")
    c = simulate_cohort(p, n=n, seed=seed, variables=names)
    params = ModelParams()
    rates = om._rates(
        REFERENCE_PATIENT, params, om._multipliers(n, seed, params, False, np.float32), np.float32
    )
    record = np.empty((540, om._STATE_ROWS, n), dtype=np.float32)
    om._run_kernel(om._schedule(p, params), rates, params, 540, lambda t, s: np.copyto(record[t], s))
    for name in names:
        values = om._derive(name, record, params, om._steps(rates, params))
        expected = np.quantile(values.astype(np.float64), [0.05, 0.25, 0.5, 0.75, 0.95], axis=1).T
        got = c.variable(name)[["q05", "q25", "q50", "q75", "q95"]].to_numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(c.variable(name)["mean"], values.mean(axis=1), rtol=1e-5, atol=1e-9)
    assert c.variable("redness")[["q05", "q95"]].to_numpy().max() < 1


def test_cohort_is_deterministic_per_seed():
    a = simulate_cohort(plan(), n=200, seed=5)
    b = simulate_cohort(plan(), n=200, seed=5)
    c = simulate_cohort(plan(), n=200, seed=6)
    pd.testing.assert_frame_equal(a.quantiles, b.quantiles)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    assert not a.summary.equals(c.summary)


def test_cohort_median_tracks_the_reference_patient():
    single = simulate(plan()).summary
    c = simulate_cohort(plan(), n=4001, seed=1).summary.set_index("metric")
    assert c.loc["collagen_new_12m", "q25"] < single.collagen_new_12m < c.loc["collagen_new_12m", "q75"]


def test_median_patient_cohort_equals_simulate():
    p = plan(3, 28, 1.5, "back")
    patient = Patient(age=52, fitzpatrick=5)
    out = simulate(p, patient)
    c = simulate_cohort(
        p,
        n=3,
        seed=0,
        patient=patient,
        median_patient=True,
        variables=("inflammation", "fibroblasts", "collagen_new", "improvement", "redness"),
    )
    for name in c.variables:
        band = c.variable(name)
        np.testing.assert_allclose(band["q50"], out.daily[name], rtol=2e-5, atol=1e-6)
        np.testing.assert_allclose(band["q05"], band["q95"], rtol=0, atol=0)
    summary = c.summary.set_index("metric")["q50"]
    assert summary["risk"] == pytest.approx(out.summary.risk, rel=1e-5)
    assert summary["peak_inflammation"] == pytest.approx(out.summary.peak_inflammation, rel=1e-5)
    assert summary["collagen_new_12m"] == pytest.approx(out.summary.collagen_new_12m, rel=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n": 0}, ValueError, "n=0.*1 to 1000000"),
        ({"n": 2.0}, TypeError, "n must be a whole number"),
        ({"n": True}, TypeError, "n must be a whole number"),
        ({"seed": -1}, ValueError, "seed=-1"),
        ({"seed": "x"}, TypeError, "seed must be a whole number"),
        ({"median_patient": 1}, TypeError, "median_patient must be True or False"),
        ({"variables": "collagen_new"}, TypeError, "variables must be a non-empty tuple"),
        ({"variables": ("collagen",)}, ValueError, "'collagen' is not known"),
        ({"variables": ("redness", "redness")}, ValueError, "must not repeat"),
        ({"days": 10}, ValueError, "days=10"),
        ({"patient": "p"}, TypeError, "patient must be"),
    ],
)
def test_cohort_rejects_bad_input(kwargs, error, match):
    args = {"n": 10, "seed": 1} | kwargs
    with pytest.raises(error, match=match):
        simulate_cohort(plan(), **args)


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


@settings(max_examples=30, deadline=None)
@given(p=plans, age=st.integers(18, 90), fitz=st.integers(1, 6), keloid=st.booleans())
def test_cohort_of_the_median_patient_agrees_with_simulate(p, age, fitz, keloid):
    patient = Patient(age=age, fitzpatrick=fitz, keloid_history=keloid)
    days = max(540, p.session_days[-1] + 1)
    out = simulate(p, patient, days=days)
    c = simulate_cohort(p, n=1, seed=0, patient=patient, days=days, median_patient=True)
    for name in COHORT_VARIABLES:
        np.testing.assert_allclose(c.variable(name)["q50"], out.daily[name], rtol=1e-4, atol=1e-6)
    assert c.summary.set_index("metric").loc["risk", "q50"] == pytest.approx(
        out.summary.risk, rel=1e-5, abs=1e-9
    )


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


def test_threaded_summaries_give_the_same_answers(monkeypatch):
    """From _THREADED_FROM_N patients worker threads summarise the blocks; the result must not change."""
    from needling_sim import outcome as om

    p = plan(3, 28, 1.5, "back")
    serial = simulate_cohort(p, n=3001, seed=4, variables=DAILY_VARIABLES)
    monkeypatch.setattr(om, "_THREADED_FROM_N", 1)
    threaded = simulate_cohort(p, n=3001, seed=4, variables=DAILY_VARIABLES)
    pd.testing.assert_frame_equal(serial.quantiles, threaded.quantiles)
    pd.testing.assert_frame_equal(serial.summary, threaded.summary)


def test_cohort_summary_reads_six_months_after_the_last_session():
    p = plan(3, 42)
    c = simulate_cohort(p, n=1, seed=0, median_patient=True).summary.set_index("metric")
    expected = simulate(p).summary.improvement_6m_after_last
    assert c.loc["improvement_6m_after_last", "q50"] == pytest.approx(expected, rel=1e-4)
    late = simulate_cohort(plan_course(START, 4, 120, 1.0, "cheek"), n=5, seed=0).summary.set_index("metric")
    assert np.isnan(late.loc["improvement_6m_after_last", "q50"])  # day 542 is past the 540 simulated days
