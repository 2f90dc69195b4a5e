"""Golden values: simulate and simulate_cohort agree with an independent per-patient, per-day oracle.

The oracle (``per_patient.py``) is a second implementation of the model's equations in
scalar Python; ``golden.json`` pins summary values of several plans and patients (1, 3
and 6 sessions, 7 to 60 days apart, depths from the epidermis to past the limit,
Fitzpatrick II to V, keloids, ages 20 to 70). Tolerances: float64 ``simulate`` against
the oracle 1e-9 relative (plus 1e-12 absolute for values near 0); float32
``simulate_cohort`` 1e-4 relative (plus 1e-6 absolute); pinned values ``rel_tolerance``
of the file.
"""

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pytest

from needling_sim import ModelParams, Patient, plan_course, simulate, simulate_cohort
from needling_sim.kernel import DAILY_VARIABLES

from .per_patient import VARIABLES, cohort_metrics, draw_multipliers, simulate_patient

GOLDEN = json.loads(Path(__file__).with_name("golden.json").read_text("utf-8"))
START = dt.date.fromisoformat(GOLDEN["start"])
CASES = GOLDEN["cases"]
IDS = [c["name"] for c in CASES]
P = ModelParams()


def inputs(case):
    return plan_course(START, **case["plan"]), Patient(**case["patient"]), case["days"]


def close(a, b, rel):
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)


def test_the_oracle_covers_every_daily_variable():
    assert VARIABLES == DAILY_VARIABLES


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_simulate_matches_the_oracle_day_by_day(case):
    plan, patient, days = inputs(case)
    out = simulate(plan, patient, days=days)
    oracle = simulate_patient(plan, patient, P, days)
    for name in VARIABLES:
        np.testing.assert_allclose(out.daily[name], oracle["daily"][name], rtol=1e-9, atol=1e-12, err_msg=name)
    assert (out.daily["redness_visible"].to_numpy() == (np.array(oracle["daily"]["redness"]) > 0.5)).all()
    mine = out.summary.to_dict()
    wrong = {k: (mine[k], v) for k, v in oracle["summary"].items() if not close(mine[k], v, 1e-9)}
    assert not wrong
    assert set(oracle["summary"]) == set(mine)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_simulate_and_the_oracle_give_the_pinned_values(case):
    plan, patient, days = inputs(case)
    mine = simulate(plan, patient, days=days).summary.to_dict()
    oracle = simulate_patient(plan, patient, P, days)["summary"]
    rel = GOLDEN["rel_tolerance"]
    for key, expected in case["expected"].items():
        assert close(mine[key], expected, rel), (key, mine[key], expected)
        assert close(oracle[key], expected, rel), (key, oracle[key], expected)


@pytest.mark.parametrize("index", [1, 2, 3, 4])
def test_cohort_quantiles_match_the_oracles_patients(index):
    """Each drawn patient run through the oracle; the cohort's daily quantiles are theirs."""
    plan, patient, days = inputs(CASES[index])
    n, seed = 9, 100 + index
    c = simulate_cohort(plan, n=n, seed=seed, patient=patient, days=days, variables=DAILY_VARIABLES)
    runs = [simulate_patient(plan, patient, P, days, m) for m in draw_multipliers(n, seed, P)]
    for name in DAILY_VARIABLES:
        values = np.array([r["daily"][name] for r in runs])  # (patients, days)
        expected = np.quantile(values, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0).T
        got = c.variable(name)[["q05", "q25", "q50", "q75", "q95"]].to_numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6, err_msg=name)
        np.testing.assert_allclose(c.variable(name)["mean"], values.mean(axis=0), rtol=1e-4, atol=1e-6)
    summary = c.summary.set_index("metric")
    for metric in ("peak_inflammation", "cumulative_inflammation", "risk", "collagen_new_12m", "improvement_6m"):
        per_patient = [r["summary"][metric] for r in runs]
        assert summary.loc[metric, "q50"] == pytest.approx(float(np.median(per_patient)), rel=1e-4, abs=1e-7)


def test_the_median_patient_cohort_is_the_oracles_reference_patient():
    plan, patient, days = inputs(CASES[2])
    c = simulate_cohort(plan, n=1, seed=0, patient=patient, days=days, median_patient=True)
    oracle = simulate_patient(plan, patient, P, days)
    for name in c.variables:
        np.testing.assert_allclose(c.variable(name)["q50"], oracle["daily"][name], rtol=1e-4, atol=1e-6)


def test_a_cohort_gives_the_pinned_medians():
    g = GOLDEN["cohort"]
    plan, patient, days = inputs(CASES[g["case"]])
    c = simulate_cohort(plan, n=g["n"], seed=g["seed"], patient=patient, days=days).summary.set_index("metric")
    oracle = cohort_metrics(plan, patient, P, days, g["n"], g["seed"])
    for metric, expected in g["expected_q50"].items():
        assert c.loc[metric, "q50"] == pytest.approx(expected, rel=g["rel_tolerance"]), metric
        assert float(np.median(oracle[metric])) == pytest.approx(expected, rel=1e-12), metric


def test_the_oracle_notices_a_changed_parameter():
    """The comparison can fail: a different half-life moves simulate away from the default-parameter oracle."""
    plan, patient, days = inputs(CASES[1])
    slow = simulate(plan, patient, days=days, params=ModelParams(inflammation_half_life_days=2.0)).summary
    oracle = simulate_patient(plan, patient, P, days)["summary"]
    assert not close(slow.cumulative_inflammation, oracle["cumulative_inflammation"], 1e-9)
