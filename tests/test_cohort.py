"""simulate_cohort: quantiles match numpy, seeds repeat, the median patient is simulate's patient."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from needling_sim import Area, CohortOutcome, ModelParams, Patient, cohort, plan_course, simulate, simulate_cohort
from needling_sim.cohort import COHORT_METRICS, COHORT_QUANTILES, COHORT_VARIABLES, quantile_rows
from needling_sim.kernel import DAILY_VARIABLES, STATE_ROWS, daily_steps, derive, patient_rates, run_kernel, schedule
from needling_sim.model_params import MULTIPLIERS
from needling_sim.outcome import REFERENCE_PATIENT
from needling_sim.parameters import parameter

START = dt.date(2026, 3, 2)


def plan(n=3, gap=42, depth=1.0, area="cheek"):
    return plan_course(START, n, gap, depth, area)


plans = st.builds(
    plan_course,
    start=st.just(START),
    sessions=st.integers(1, 6),
    interval_days=st.integers(1, 90),
    depth_mm=st.floats(0.1, 3.0),
    area=st.sampled_from(list(Area)),
)


def test_cohort_settings_equal_the_table():
    assert cohort._BLOCK_DAYS == parameter("cohort_block_days").value
    assert cohort._THREADED_FROM_N == parameter("cohort_threaded_from_patients").value
    assert cohort._WORKERS == parameter("cohort_workers").value
    biggest = parameter("cohort_max_patients").value
    with pytest.raises(ValueError, match=f"n={biggest + 1}.*1 to {biggest} patients"):
        simulate_cohort(plan(), n=biggest + 1, seed=0)


def test_quantile_rows_is_numpy_quantile():
    rng = np.random.default_rng(0)
    for n in (1, 2, 3, 7, 100, 101):
        values = rng.standard_normal((4, n))
        expected = np.quantile(values, [q for _, q in COHORT_QUANTILES], axis=1).T
        np.testing.assert_allclose(quantile_rows(values.copy()), expected, rtol=0, atol=1e-15)


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
    p, n, seed = plan(), 301, 11
    names = ("collagen_new", "fibroblasts", "redness")
    c = simulate_cohort(p, n=n, seed=seed, variables=names)
    params = ModelParams()
    # The documented draw: one standard-normal float32 row per multiplier, in MULTIPLIERS' order.
    z = np.random.default_rng(seed).standard_normal((len(MULTIPLIERS), n), dtype=np.float32)
    sigmas = np.array([getattr(params, s) for s in MULTIPLIERS.values()], dtype=np.float32)
    mult = dict(zip(MULTIPLIERS, np.exp(z * sigmas[:, None]), strict=True))
    rates = patient_rates(REFERENCE_PATIENT, params, mult, np.float32)
    record = np.empty((540, STATE_ROWS, n), dtype=np.float32)
    run_kernel(schedule(p, params), rates, params, 540, lambda t, s: np.copyto(record[t], s))
    for name in names:
        values = derive(name, record, params, daily_steps(rates, params))
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


def test_threaded_summaries_give_the_same_answers(monkeypatch):
    """From _THREADED_FROM_N patients worker threads summarise the blocks; the result must not change."""
    p = plan(3, 28, 1.5, "back")
    serial = simulate_cohort(p, n=3001, seed=4, variables=DAILY_VARIABLES)
    monkeypatch.setattr(cohort, "_THREADED_FROM_N", 1)
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
