"""The reference for ``cohort_speedup_vs_loop``: the cohort model written the straightforward way.

One patient at a time, one day at a time, in plain Python floats (``math``, no arrays), from the
equations documented in ``needling_sim/outcome.py`` (module docstring and ``_run_kernel``), with
the same :class:`~needling_sim.outcome.ModelParams`, the same plan and the cohort's own per-patient
multipliers. It produces what ``simulate_cohort`` produces (per-day quantiles and means of the
reported variables, quantiles and means of the per-patient metrics), and :func:`compare` checks
that it agrees with ``simulate_cohort`` so the speed-up compares like with like.

If ``outcome.py``'s equations change, :func:`compare` fails and this file must follow them.
"""

from __future__ import annotations

import math

import numpy as np

from needling_sim import outcome
from needling_sim.patient import Fitzpatrick, Patient
from needling_sim.plans import CoursePlan

_MULTIPLIERS = (
    "injury_gain",
    "inflammation_decay",
    "fibroblast_gain",
    "fibroblast_clearance",
    "collagen_synthesis",
)


def cohort_multipliers(n: int, seed: int, p: outcome.ModelParams) -> list[dict[str, float]]:
    """The per-patient multipliers ``simulate_cohort(plan, n, seed)`` draws, as Python floats."""
    drawn = outcome._multipliers(n, seed, p, False, np.float32)
    return [{k: float(drawn[k][i]) for k in _MULTIPLIERS} for i in range(n)]


def _schedule(plan: CoursePlan, p: outcome.ModelParams) -> list[tuple[int, float, float, float, float]]:
    """(day, depth / dermis, fragility 0..1, depth beyond the site's limit, dermis reached 0..1) per session."""
    info = plan.area_info
    out = []
    gaps = (None, *plan.intervals_days)
    for day, depth, gap in zip(plan.session_days, plan.depths_mm, gaps, strict=True):
        if gap is None or gap >= p.fragile_end_days:
            frag = 0.0
        elif gap <= p.fragile_full_days:
            frag = 1.0
        else:
            frag = (p.fragile_end_days - gap) / (p.fragile_end_days - p.fragile_full_days)
        reached = min(1.0, max(0.0, (depth - info.epidermis_mm) / info.dermis_mm))
        out.append((day, depth / info.dermis_mm, frag, max(0.0, depth / info.depth_limit_mm - 1.0), reached))
    return out


def one_patient(
    plan_sched,
    patient: Patient,
    p: outcome.ModelParams,
    m: dict[str, float],
    days: int,
    variables: tuple[str, ...],
) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Daily values of ``variables`` and the summary metrics for one patient."""
    age_factor = 2.0 ** (-(patient.age - p.age_reference_years) / p.age_halving_years)
    risk_mult = 1.0
    if patient.fitzpatrick >= Fitzpatrick.IV:
        risk_mult *= p.risk_multiplier_dark_skin
    if patient.keloid_history:
        risk_mult *= p.risk_multiplier_keloid
    injury = p.injury_gain * m["injury_gain"]
    decay = math.log(2) / p.inflammation_half_life_days * m["inflammation_decay"]
    signal_decay = math.log(2) / p.growth_factor_half_life_days * m["inflammation_decay"]
    fib_gain = p.fibroblast_gain_per_day * m["fibroblast_gain"]
    fib_clear = p.fibroblast_clearance_per_day * m["fibroblast_clearance"]
    synthesis = p.collagen_synthesis_per_day * age_factor * m["collagen_synthesis"]

    # Fibroblasts recruited per unit of growth-factor signal per day (the signal's mean over the day).
    fib_scale = fib_gain * (-math.expm1(-signal_decay) / signal_decay)
    d_infl = math.exp(-decay)
    d_signal = math.exp(-signal_decay)
    d_fib = math.exp(-fib_clear)
    u_per_fib = synthesis * fib_scale / p.collagen_capacity
    cap = p.collagen_capacity
    loss = math.log(2) / p.collagen_half_life_days
    mature = math.log(2) / p.maturation_days
    d_new = math.exp(-loss)
    d_c3 = math.exp(-loss - mature)
    sessions = {
        day: (injury * rel * (1.0 + p.reinjury_inflammation_boost * frag), frag, injury * reached)
        for day, rel, frag, _, reached in plan_sched
    }

    inflam = signal = fib = c3 = new = peak = 0.0
    daily: dict[str, list[float]] = {v: [] for v in variables}
    at: dict[int, tuple[float, float]] = {}
    for t in range(days):
        if t in sessions:
            impulse, frag, signal_impulse = sessions[t]
            if frag > 0.0:
                lost = c3 * p.reinjury_collagen_damage * frag
                new -= lost
                c3 -= lost
                fib *= 1.0 - p.reinjury_fibroblast_loss * frag
            inflam += impulse
            signal += signal_impulse
            peak = max(peak, inflam)
        for v in variables:
            if v == "inflammation":
                daily[v].append(inflam)
            elif v == "collagen_new":
                daily[v].append(new)
            elif v == "improvement":
                daily[v].append((new - (1.0 - p.type_iii_weight) * c3) / p.collagen_capacity)
            elif v == "collagen_iii":
                daily[v].append(c3)
            elif v == "collagen_i":
                daily[v].append(new - c3)
            elif v == "fibroblasts":
                daily[v].append(fib * fib_scale)
            elif v == "redness":
                daily[v].append(inflam / (inflam + p.redness_threshold))
        at[t] = (new, c3)
        if t % outcome._FLUSH_EVERY_DAYS == 0:  # the kernel's flush of tiny values
            inflam, signal, fib = (x if x >= outcome._TINY else 0.0 for x in (inflam, signal, fib))
        # Advance to day t + 1.
        fib = fib * d_fib + signal
        u = fib * u_per_fib
        production = (cap - new) * u / (1.0 + u)
        new = new * d_new + production
        c3 = c3 * d_c3 + production
        signal *= d_signal
        inflam *= d_infl

    cum = sum(
        injury * rel * (1.0 + p.reinjury_inflammation_boost * frag) * -math.expm1(-decay * (days - day)) / decay
        for day, rel, frag, _, _ in plan_sched
    )
    hazard = risk_mult * (
        p.risk_per_inflammation * cum
        + p.risk_per_reinjury * sum(s[2] for s in plan_sched)
        + p.risk_per_depth_excess * sum(s[3] for s in plan_sched)
    )
    new12, _ = at[outcome.SUMMARY_DAYS["12m"]]
    new6, c36 = at[outcome.SUMMARY_DAYS["6m"]]
    after = plan_sched[-1][0] + outcome.SUMMARY_DAYS_AFTER_LAST["6m"]
    new6l, c36l = at.get(after, (math.nan, math.nan))
    metrics = {
        "collagen_new_12m": new12,
        "improvement_6m": (new6 - (1.0 - p.type_iii_weight) * c36) / p.collagen_capacity,
        "improvement_6m_after_last": (new6l - (1.0 - p.type_iii_weight) * c36l) / p.collagen_capacity,
        "peak_inflammation": peak,
        "cumulative_inflammation": cum,
        "risk": -math.expm1(-hazard),
    }
    return daily, metrics


_QS = [q for _, q in outcome.COHORT_QUANTILES]


def cohort_loop(
    plan: CoursePlan,
    n: int,
    seed: int,
    *,
    days: int = 540,
    variables: tuple[str, ...] = outcome.COHORT_VARIABLES,
    patient: Patient | None = None,
) -> dict[str, np.ndarray]:
    """The cohort by a loop over patients; returns per-day quantiles+mean per variable
    (shape (days, 6)) and per-metric quantiles+mean (shape (6,)), like ``simulate_cohort``."""
    p = outcome.ModelParams()
    patient = patient or outcome.REFERENCE_PATIENT
    sched = _schedule(plan, p)
    per_day = {v: np.empty((days, n)) for v in variables}
    per_metric = {m: np.empty(n) for m in outcome.COHORT_METRICS}
    for i, mult in enumerate(cohort_multipliers(n, seed, p)):
        daily, metrics = one_patient(sched, patient, p, mult, days, variables)
        for v in variables:
            per_day[v][:, i] = daily[v]
        for k in outcome.COHORT_METRICS:
            per_metric[k][i] = metrics[k]
    out = {}
    for v in variables:
        x = per_day[v]
        out[v] = np.column_stack([np.quantile(x, _QS, axis=1).T, x.mean(axis=1)])
    for k in outcome.COHORT_METRICS:
        x = per_metric[k]
        out[k] = np.append(np.quantile(x, _QS), x.mean())
    return out


def from_cohort(c: outcome.CohortOutcome) -> dict[str, np.ndarray]:
    """``simulate_cohort``'s result in the shape :func:`cohort_loop` returns."""
    cols = [label for label, _ in outcome.COHORT_QUANTILES] + ["mean"]
    out = {v: c.variable(v)[cols].to_numpy(dtype=float) for v in c.variables}
    summary = c.summary.set_index("metric")
    for k in outcome.COHORT_METRICS:
        out[k] = summary.loc[k, cols].to_numpy(dtype=float)
    return out


def compare(
    loop: dict[str, np.ndarray], vectorised: dict[str, np.ndarray], *, rtol: float = 2e-3, atol: float = 2e-4
) -> float:
    """Raise AssertionError unless every quantity agrees (float32 against float64); returns
    the largest absolute difference seen."""
    worst = 0.0
    for key, want in loop.items():
        got = vectorised[key]
        if got.shape != want.shape:
            raise AssertionError(f"{key}: shape {got.shape} from simulate_cohort, {want.shape} from the loop")
        diff = np.abs(got - want)
        worst = max(worst, float(diff.max()))
        bad = diff > atol + rtol * np.abs(want)
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            raise AssertionError(
                f"{key}{list(idx)}: simulate_cohort {got[idx]!r}, loop {want[idx]!r} "
                f"({int(bad.sum())} values outside rtol={rtol}, atol={atol})"
            )
    return worst
