"""A second, independent implementation of the teaching model, for tests only: one patient, one day at a time.

Written from the model's description (the docstrings and Notes of ``needling_sim.outcome``
and ``needling_sim.kernel``), not from its code: plain Python floats and ``math``, scalar
loops, no numpy, nothing imported from the package. It reads only the inputs the model
reads: a ``ModelParams`` (its attribute values), a plan (its session days, depths and
area's dermis, epidermis and depth limit), a patient (age, Fitzpatrick type, keloid
history) and one multiplier per varied rate. It follows real fibroblasts ``F`` (the
kernel follows ``F`` divided by its recruitment factor) and sums cumulative inflammation
day by day (the kernel uses one closed form per session), so agreement is not a copy.

``tests/oracle/golden.json`` holds cases (inputs) and pinned summary values; rewrite
the values from this oracle with ``.venv/bin/python tests/oracle/per_patient.py --write``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

LN2 = math.log(2.0)
#: The summary's days after the first session, and after the last (3, 6 and 12 months).
AFTER_FIRST = {"6w": 42, "3m": 91, "6m": 182, "12m": 365}
AFTER_LAST = {"3m": 91, "6m": 182, "12m": 365}
VARIABLES = (
    "inflammation",
    "fibroblasts",
    "collagen_synthesis",
    "collagen_iii",
    "collagen_i",
    "collagen_new",
    "improvement",
    "redness",
)
MEDIAN = {
    "injury_gain": 1.0,
    "inflammation_decay": 1.0,
    "fibroblast_gain": 1.0,
    "fibroblast_clearance": 1.0,
    "collagen_synthesis": 1.0,
}


def fragility_at(gap, p) -> float:
    """1 while the skin is still inflamed, 0 once proliferation is over, linear between."""
    if gap is None:
        return 0.0
    if gap <= p.fragile_full_days:
        return 1.0
    if gap >= p.fragile_end_days:
        return 0.0
    return 1.0 - (gap - p.fragile_full_days) / (p.fragile_end_days - p.fragile_full_days)


def sessions_of(plan, p) -> dict[int, dict[str, float]]:
    """Day -> what that session does: impulse sizes, fragility and depth excess."""
    area = plan.area_info
    out = {}
    previous = None
    for day, depth in zip(plan.session_days, plan.depths_mm, strict=True):
        frag = fragility_at(None if previous is None else day - previous, p)
        reached = (depth - area.epidermis_mm) / area.dermis_mm
        out[day] = {
            "relative_depth": depth / area.dermis_mm,
            "dermis_fraction": min(max(reached, 0.0), 1.0),
            "fragility": frag,
            "excess": max(depth / area.depth_limit_mm - 1.0, 0.0),
        }
        previous = day
    return out


def simulate_patient(plan, patient, p, days: int, multipliers: dict[str, float] | None = None) -> dict:
    """One patient's daily values, totals and summary, as plain Python lists and floats."""
    m = MEDIAN if multipliers is None else multipliers
    age_factor = 0.5 ** ((patient.age - p.age_reference_years) / p.age_halving_years)
    gain = p.injury_gain * m["injury_gain"]
    k_inflammation = LN2 / p.inflammation_half_life_days * m["inflammation_decay"]
    k_signal = LN2 / p.growth_factor_half_life_days * m["inflammation_decay"]
    recruit = p.fibroblast_gain_per_day * m["fibroblast_gain"]
    keep_fibroblasts = math.exp(-p.fibroblast_clearance_per_day * m["fibroblast_clearance"])
    synthesis_rate = p.collagen_synthesis_per_day * age_factor * m["collagen_synthesis"]
    # A unit of signal at the start of a day recruits ``recruit`` times its mean over the day.
    recruited_per_signal = recruit * (1.0 - math.exp(-k_signal)) / k_signal
    keep_new = math.exp(-LN2 / p.collagen_half_life_days)
    keep_iii = keep_new * math.exp(-LN2 / p.maturation_days)
    cap = p.collagen_capacity
    sessions = sessions_of(plan, p)

    inflammation = signal = fibroblasts = type_iii = new = 0.0
    peak = cumulative = 0.0
    daily_integral = (1.0 - math.exp(-k_inflammation)) / k_inflammation
    daily = {name: [] for name in VARIABLES}
    for t in range(days):
        s = sessions.get(t)
        if s is not None:
            lost = p.reinjury_collagen_damage * s["fragility"] * type_iii
            type_iii -= lost
            new -= lost
            fibroblasts *= 1.0 - p.reinjury_fibroblast_loss * s["fragility"]
            inflammation += gain * s["relative_depth"] * (1.0 + p.reinjury_inflammation_boost * s["fragility"])
            signal += gain * s["dermis_fraction"]
            peak = max(peak, inflammation)
        # What happens between day t and day t + 1.
        next_fibroblasts = fibroblasts * keep_fibroblasts + recruited_per_signal * signal
        u = synthesis_rate * next_fibroblasts / cap
        laid_down = (cap - new) * u / (1.0 + u)
        daily["inflammation"].append(inflammation)
        daily["fibroblasts"].append(fibroblasts)
        daily["collagen_synthesis"].append(laid_down)
        daily["collagen_iii"].append(type_iii)
        daily["collagen_i"].append(new - type_iii)
        daily["collagen_new"].append(new)
        daily["improvement"].append((new - type_iii + p.type_iii_weight * type_iii) / cap)
        daily["redness"].append(inflammation / (inflammation + p.redness_threshold))
        cumulative += inflammation * daily_integral  # the exact integral of the decay over this day
        fibroblasts = next_fibroblasts
        new = new * keep_new + laid_down
        type_iii = type_iii * keep_iii + laid_down
        signal *= math.exp(-k_signal)
        inflammation *= math.exp(-k_inflammation)

    multiplier = 1.0
    if patient.fitzpatrick >= 4:
        multiplier *= p.risk_multiplier_dark_skin
    if patient.keloid_history:
        multiplier *= p.risk_multiplier_keloid
    hazard = multiplier * (
        p.risk_per_inflammation * cumulative
        + p.risk_per_reinjury * sum(s["fragility"] for s in sessions.values())
        + p.risk_per_depth_excess * sum(s["excess"] for s in sessions.values())
    )
    totals = {"peak_inflammation": peak, "cumulative_inflammation": cumulative, "risk": 1.0 - math.exp(-hazard)}
    return {"daily": daily, "totals": totals, "summary": summarise(daily, totals, sessions, p, days)}


def summarise(daily: dict, totals: dict, sessions: dict, p, days: int) -> dict:
    """The headline numbers, read on the summary days (NaN past the simulated days)."""
    last = max(sessions)

    def at(name: str, day: int) -> float:
        return daily[name][day] if day < days else math.nan

    out = {}
    for key, day in AFTER_FIRST.items():
        out[f"improvement_{key}"] = at("improvement", day)
        out[f"collagen_new_{key}"] = at("collagen_new", day)
    for key, day in AFTER_LAST.items():
        out[f"improvement_{key}_after_last"] = at("improvement", last + day)
    for key in ("6m", "12m"):
        out[f"collagen_new_{key}_after_last"] = at("collagen_new", last + AFTER_LAST[key])
        out[f"collagen_i_{key}_after_last"] = at("collagen_i", last + AFTER_LAST[key])
    tail = daily["collagen_synthesis"][last:]
    out["synthesis_peak_day"] = tail.index(max(tail))
    out.update(totals)
    out["reinjured_sessions"] = sum(1 for s in sessions.values() if s["fragility"] > 0)
    out["redness_days"] = sum(1 for i in daily["inflammation"] if i > p.redness_threshold)
    return out


def draw_multipliers(n: int, seed: int, p) -> list[dict[str, float]]:
    """Each cohort patient's multipliers, drawn as ``simulate_cohort`` documents them.

    ``numpy.random.default_rng(seed).standard_normal((5, n), dtype=float32)``: one row per
    rate (injury gain, inflammation decay, fibroblast gain, fibroblast clearance,
    collagen synthesis), each patient's multiplier ``exp(sigma * z)`` in float32.
    """
    import numpy as np

    sigmas = {
        "injury_gain": p.sigma_injury_gain,
        "inflammation_decay": p.sigma_inflammation_decay,
        "fibroblast_gain": p.sigma_fibroblast_gain,
        "fibroblast_clearance": p.sigma_fibroblast_clearance,
        "collagen_synthesis": p.sigma_collagen_synthesis,
    }
    z = np.random.default_rng(seed).standard_normal((len(sigmas), n), dtype=np.float32)
    rows = {k: np.exp(z[i] * np.float32(s)) for i, (k, s) in enumerate(sigmas.items())}
    return [{k: float(v[j]) for k, v in rows.items()} for j in range(n)]


def cohort_metrics(plan, patient, p, days: int, n: int, seed: int) -> dict[str, list[float]]:
    """Per-patient cohort metrics (as ``simulate_cohort``'s summary lists them) of ``n`` drawn patients."""
    out: dict[str, list[float]] = {
        k: [] for k in ("collagen_new_12m", "improvement_6m", "peak_inflammation", "cumulative_inflammation", "risk")
    }
    for m in draw_multipliers(n, seed, p):
        summary = simulate_patient(plan, patient, p, days, m)["summary"]
        for k, values in out.items():
            values.append(summary[k])
    return out


GOLDEN = Path(__file__).with_name("golden.json")


def _write() -> None:  # pragma: no cover - run by hand
    """Rewrite golden.json's pinned values from this oracle (the cases' inputs stay)."""
    import datetime as dt

    from needling_sim import ModelParams, Patient, plan_course

    data = json.loads(GOLDEN.read_text("utf-8"))
    for case in data["cases"]:
        plan = plan_course(dt.date.fromisoformat(data["start"]), **case["plan"])
        result = simulate_patient(plan, Patient(**case["patient"]), ModelParams(), case["days"])
        case["expected"] = {k: result["summary"][k] for k in data["pinned"]}
    c = data["cohort"]
    case = data["cases"][c["case"]]
    plan = plan_course(dt.date.fromisoformat(data["start"]), **case["plan"])
    metrics = cohort_metrics(plan, Patient(**case["patient"]), ModelParams(), case["days"], c["n"], c["seed"])
    c["expected_q50"] = {k: sorted(v)[c["n"] // 2] for k, v in metrics.items()}  # n is odd: the middle patient
    GOLDEN.write_text(json.dumps(data, indent=2) + "\n", "utf-8")


if __name__ == "__main__":  # pragma: no cover
    import sys

    if sys.argv[1:] != ["--write"]:
        raise SystemExit("usage: .venv/bin/python tests/oracle/per_patient.py --write")
    _write()
