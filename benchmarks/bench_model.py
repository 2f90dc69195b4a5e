"""The outcome model: one simulated plan and a 100 000-patient cohort.

Both use the same plan: 3 sessions 42 days apart at 1.0 mm on the cheek, 540 days
(``simulate``'s and ``simulate_cohort``'s default horizon).
"""

from __future__ import annotations

import datetime as dt
import time

from bench_common import Figure, Goal, failed, timed
from bench_profile import profile_callable

N_COHORT = 100_000
SEED = 20260302
DAYS = 540
PLAN_ARGS = (dt.date(2026, 3, 2), 3, 42, 1.0, "cheek")


def _import_outcome():
    try:
        from needling_sim import outcome, plan_course
    except ImportError as exc:
        return None, None, f"needling_sim.outcome has not landed ({exc})"
    return outcome, plan_course, None


def simulate_ms(runs: int, goal: Goal | None, diagnose: bool, batch: int = 10) -> Figure:
    """Milliseconds per ``simulate(plan)`` call; each run is the mean of ``batch`` calls."""
    key = "simulate_ms"
    outcome, plan_course, error = _import_outcome()
    if error:
        return failed(key, goal, error)
    plan = plan_course(*PLAN_ARGS)
    for _ in range(3):
        outcome.simulate(plan, days=DAYS)  # warm-up
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for _ in range(batch):
            outcome.simulate(plan, days=DAYS)
        samples.append((time.perf_counter() - t0) / batch * 1000)
    fig = Figure(
        key,
        samples,
        goal,
        {"what": f"simulate(plan, days={DAYS}), mean of {batch} calls per run", "plan": _plan_text()},
    )
    if diagnose and fig.goal_met is False:
        fig.details["profile"] = profile_callable(lambda: [outcome.simulate(plan, days=DAYS) for _ in range(batch)])
    return fig


def _plan_text() -> str:
    start, n, interval, depth, area = PLAN_ARGS
    return f"plan_course({start.isoformat()}, {n} sessions, {interval} days apart, {depth} mm, {area})"


def cohort(runs: int, goal_time: Goal, diagnose: bool) -> list[Figure]:
    """``cohort_100k_s``: simulate_cohort for 100 000 patients (its answers are pinned in tests/oracle/)."""
    outcome, plan_course, error = _import_outcome()
    if error:
        return [failed("cohort_100k_s", goal_time, error)]
    plan = plan_course(*PLAN_ARGS)
    outcome.simulate_cohort(plan, 1000, SEED, days=DAYS)  # warm-up
    cohort_s = [timed(lambda: outcome.simulate_cohort(plan, N_COHORT, SEED, days=DAYS))[0] for _ in range(runs)]
    time_fig = Figure(
        "cohort_100k_s",
        cohort_s,
        goal_time,
        {"plan": _plan_text(), "days": DAYS, "seed": SEED,
         "what": f"simulate_cohort(plan, n={N_COHORT}) (float32, quantiles of 3 variables)"},
    )
    if diagnose and time_fig.goal_met is False:
        time_fig.details["profile"] = profile_callable(lambda: outcome.simulate_cohort(plan, N_COHORT, SEED, days=DAYS))
    return [time_fig]
