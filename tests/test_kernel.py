"""The day-loop kernel: fragility, per-session terms, one array of patients equals each alone, derived variables."""

import datetime as dt

import numpy as np
import pytest

from needling_sim import ModelParams, Patient, area_info, plan_course
from needling_sim.kernel import (
    DAILY_VARIABLES,
    STATE_ROWS,
    daily_steps,
    derive,
    derive_into,
    fragility,
    patient_rates,
    run_kernel,
    schedule,
)
from needling_sim.model_params import MULTIPLIERS, median_multipliers
from needling_sim.parameters import parameter

START = dt.date(2026, 3, 2)
P = ModelParams()


def record(plan, patient, mult, dtype, days=400, p=P):
    rates = patient_rates(patient, p, mult, dtype)
    out = np.empty((days, STATE_ROWS, rates.synthesis.shape[0]), dtype=dtype)
    totals = run_kernel(schedule(plan, p), rates, p, days, lambda t, s: np.copyto(out[t], s))
    return out, totals, daily_steps(rates, p)


def test_fragility_is_full_then_falls_linearly_to_zero():
    full, end = P.fragile_full_days, P.fragile_end_days
    assert [fragility(g, P) for g in (None, 0, 1, full)] == [0.0, 1.0, 1.0, 1.0]
    assert [fragility(g, P) for g in (end, end + 1, 400)] == [0.0, 0.0, 0.0]
    inside = np.linspace(full, end, 9)
    np.testing.assert_allclose([fragility(g, P) for g in inside], np.linspace(1, 0, 9), atol=1e-12)


def test_schedule_clips_the_dermis_reached_and_measures_the_excess():
    info = area_info("cheek")
    shallow, deep = info.epidermis_mm / 2, info.depth_limit_mm * 1.5
    s = schedule(plan_course(START, 3, [3, 60], [shallow, 1.0, deep], "cheek"), P)
    assert s.days == (0, 3, 63)
    assert s.dermis_reached[0] == 0.0 and s.dermis_reached[2] == 1.0
    assert s.dermis_reached[1] == pytest.approx((1.0 - info.epidermis_mm) / info.dermis_mm)
    assert s.rel_depth[1] == pytest.approx(1.0 / info.dermis_mm)
    assert s.depth_excess[:2] == (0.0, 0.0) and s.depth_excess[2] == pytest.approx(0.5)
    assert s.fragility == (0.0, 1.0, 0.0)


def test_one_array_of_patients_equals_each_patient_alone():
    plan = plan_course(START, 3, [7, 30], 1.25, "forehead")
    patient = Patient(age=60, fitzpatrick=4, keloid_history=True)
    rng = np.random.default_rng(2)
    mult = {k: np.exp(0.3 * rng.standard_normal(3)) for k in MULTIPLIERS}
    together, totals, _ = record(plan, patient, mult, np.float64)
    for i in range(3):
        alone, one, _ = record(plan, patient, {k: v[i] for k, v in mult.items()}, np.float64)
        np.testing.assert_allclose(together[:, :, i], alone[:, :, 0], rtol=1e-13, atol=1e-300)
        for name in ("cumulative_inflammation", "peak_inflammation", "risk"):
            assert getattr(totals, name)[i] == pytest.approx(getattr(one, name)[0], rel=1e-13)


def test_float32_tracks_float64():
    plan = plan_course(START, 4, 28, 1.0, "neck")
    patient = Patient(age=35, fitzpatrick=2)
    wide, _, _ = record(plan, patient, median_multipliers(), np.float64)
    narrow, _, _ = record(plan, patient, median_multipliers(), np.float32)
    np.testing.assert_allclose(narrow.astype(np.float64), wide, rtol=2e-5, atol=1e-6)


def test_tiny_values_are_flushed_so_float32_never_goes_subnormal():
    plan = plan_course(START, 1, 42, 0.5, "cheek")
    states, _, _ = record(plan, Patient(age=35, fitzpatrick=2), median_multipliers(), np.float32, days=1000)
    tiny = np.finfo(np.float32).tiny  # the smallest normal float32
    flushed = states[:: parameter("kernel_flush_every_days").value][1:]
    assert not ((flushed > 0) & (flushed < tiny)).any()
    assert (states[-1, 0] == 0).all()  # inflammation gone to exactly 0 long after the session


def test_derive_into_equals_derive_and_unknown_names_are_rejected():
    plan = plan_course(START, 2, 10, 1.0, "cheek")
    mult = {k: np.full(4, 1.1) for k in MULTIPLIERS}
    states, _, steps = record(plan, Patient(age=40, fitzpatrick=3), mult, np.float32)
    out = np.empty(4, dtype=np.float32)
    for name in DAILY_VARIABLES:
        derive_into(name, states[50], P, steps, out)
        np.testing.assert_array_equal(out, derive(name, states[50][None], P, steps)[0])
    with pytest.raises(ValueError, match="'collagen' is not known; allowed: inflammation"):
        derive("collagen", states, P, steps)


def test_risk_is_one_minus_exp_of_the_hazard():
    plan = plan_course(START, 2, 3, 2.5, "periorbital")  # re-injury and depth beyond the limit
    _, totals, _ = record(plan, Patient(age=35, fitzpatrick=5), median_multipliers(), np.float64)
    s = schedule(plan, P)
    hazard = P.risk_multiplier_dark_skin * (
        P.risk_per_inflammation * totals.cumulative_inflammation[0]
        + P.risk_per_reinjury * sum(s.fragility)
        + P.risk_per_depth_excess * sum(s.depth_excess)
    )
    assert totals.risk[0] == pytest.approx(1 - np.exp(-hazard), rel=1e-12)
