"""The outcome model: one simulated plan, a 100 000-patient cohort, and the cohort against a loop.

All three use the same plan: 3 sessions 42 days apart at 1.0 mm on the cheek, 540 days
(``simulate``'s and ``simulate_cohort``'s default horizon).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

from bench_common import Figure, Goal, failed, timed
from bench_profile import profile_callable

N_COHORT = 100_000
N_LOOP = 500
SEED = 20260302
DAYS = 540
PLAN_ARGS = (dt.date(2026, 3, 2), 3, 42, 1.0, "cheek")
#: Plans the reference loop is checked against (the timed one, and two that re-injure healing skin).
CHECK_PLANS = (
    (dt.date(2026, 3, 2), 3, 42, 1.0, "cheek"),
    (dt.date(2026, 3, 2), 4, 14, 1.5, "cheek"),
    (dt.date(2026, 3, 2), 3, 3, 0.5, "forehead"),
)


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


def cohort(runs: int, goal_time: Goal, goal_speedup: Goal, diagnose: bool) -> list[Figure]:
    """``cohort_100k_s`` and ``cohort_speedup_vs_loop``, run alternately."""
    import reference_loop as ref

    outcome, plan_course, error = _import_outcome()
    if error:
        return [
            failed("cohort_100k_s", goal_time, error),
            failed("cohort_speedup_vs_loop", goal_speedup, error),
        ]
    plan = plan_course(*PLAN_ARGS)
    # Honesty first: the loop must compute what simulate_cohort computes.
    worst = 0.0
    for args in CHECK_PLANS:
        check_plan = plan_course(*args)
        worst = max(
            worst,
            ref.compare(
                ref.cohort_loop(check_plan, N_LOOP, SEED, days=DAYS),
                ref.from_cohort(outcome.simulate_cohort(check_plan, N_LOOP, SEED, days=DAYS)),
            ),
        )
    outcome.simulate_cohort(plan, 1000, SEED, days=DAYS)  # warm-up
    cohort_s, loop_s, speedups = [], [], []
    for _ in range(runs):
        t_vec, _ = timed(lambda: outcome.simulate_cohort(plan, N_COHORT, SEED, days=DAYS))
        t_loop, _ = timed(lambda: ref.cohort_loop(plan, N_LOOP, SEED, days=DAYS))
        cohort_s.append(t_vec)
        loop_s.append(t_loop)
        speedups.append(t_loop * (N_COHORT / N_LOOP) / t_vec)
    common = {"plan": _plan_text(), "days": DAYS, "seed": SEED}
    time_fig = Figure(
        "cohort_100k_s",
        cohort_s,
        goal_time,
        {**common, "what": f"simulate_cohort(plan, n={N_COHORT}) (float32, quantiles of 3 variables)"},
    )
    loop_median = statistics.median(loop_s)
    speed_fig = Figure(
        "cohort_speedup_vs_loop",
        speedups,
        goal_speedup,
        {
            **common,
            "what": (
                f"a per-patient, per-day loop in plain Python floats (benchmarks/reference_loop.py) on "
                f"n={N_LOOP} of the same cohort, scaled linearly to {N_COHORT}, over simulate_cohort's time"
            ),
            "loop_n": N_LOOP,
            "loop_s": round(loop_median, 4),
            "loop_per_patient_ms": round(loop_median / N_LOOP * 1000, 3),
            "loop_scaled_to_100k_s": round(loop_median * N_COHORT / N_LOOP, 2),
            "loop_matches_simulate_cohort": True,
            "largest_abs_difference": worst,
            "checked_plans": [f"{n} sessions {i} days apart {d} mm {a}" for _, n, i, d, a in CHECK_PLANS],
        },
    )
    if diagnose and (time_fig.goal_met is False or speed_fig.goal_met is False):
        time_fig.details["profile"] = profile_callable(lambda: outcome.simulate_cohort(plan, N_COHORT, SEED, days=DAYS))
    return [time_fig, speed_fig]
