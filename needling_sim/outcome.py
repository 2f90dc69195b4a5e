"""A small mechanistic teaching model of the skin's response to a needling course.

Illustrative only: the shapes and time scales follow EVIDENCE.md section 3 and
the literature it cites; the sizes are not calibrated to human data. Every
parameter cites a claim in the ledger (:data:`PARAM_SOURCES`); most are labelled
teaching-model assumptions. Teaching model, not clinical advice.

The model, in daily steps (day 0 = first session):

- **Injury.** Each session adds an impulse to the inflammation signal ``I``:
  ``injury_gain * depth_mm / dermis_mm`` for the treated area.
- **Inflammation** decays with a half-life of about 1.4 days. Redness is
  ``I / (I + redness_threshold)`` (0 to 1) and is visible while it is above 0.5,
  i.e. while ``I`` exceeds the threshold: about 2 days at 0.5 mm and 4 to 5 days
  at 1.5 to 2.5 mm on the cheek.
- **Growth factors** ``G``: each session also releases a signal from the dermis
  the needle passes through, ``injury_gain * (depth - epidermis) / dermis``
  clipped to 0..1. A needle past the dermis adds injury (inflammation, risk) but
  no more signal: the model never rewards depth beyond the site's dermis. ``G``
  fades with a half-life of about 4 days.
- **Fibroblasts** ``F`` are recruited by ``G`` (about 0.9 per day) and cleared at
  0.12 per day (the slow end of the 0.12 to 0.3 range), so they, and collagen
  synthesis, peak about 5 to 7 days after a session (Guo & DiPietro 2010: around day 7).
- **New collagen.** ``F`` lays down type III collagen at a rate that slows as new
  collagen fills the model's capacity (saturation). In remodelling, type III is
  replaced by type I with a half-time of about 150 days, so type I is still
  being laid down 10 to 12 months after a session (003: up to 12 months); new
  collagen of both types turns over slowly (half-life about 10 years), so the
  total plateaus. ``collagen_new`` is type III + type I in capacity units (0 to 1).
- **Improvement** is ``(type I + 0.25 * type III) / capacity``: immature type III
  counts a quarter (early scars are weak), so the visible result lags the
  collagen and keeps rising past 6 months after the last session (the full-effect
  milestone; Alam et al. 2014: significant at 6 months, not at 3).
- **Re-injury.** A session while the previous wound is still inflamed or
  proliferating (under 21 days, full effect within the first 4) boosts that
  session's inflammation, destroys part of the immature type III collagen and
  kills part of the activated fibroblasts. Sessions 21 or more days apart do not
  interact this way, so spacing matters the way the sources say: packing
  sessions raises inflammation and risk without a matching gain, and 28 against
  42 days stays close (the best interval is not known: Iriarte 2017).
- **Risk score** (0 to 1, a labelled teaching score, not a probability):
  ``1 - exp(-H)`` with a hazard ``H`` from cumulative inflammation, sessions on
  skin still healing and depth beyond the site's limit, multiplied for
  Fitzpatrick IV to VI (pigmentation) and for keloid history or poor healing.
- **Patients.** Age scales collagen synthesis (halving every 40 years above 35).
  :func:`simulate_cohort` draws lognormal multipliers with median 1 on five
  rates, so the median patient is exactly the reference patient of
  :func:`simulate`.

Both :func:`simulate` and :func:`simulate_cohort` run one numpy kernel
(:func:`_run_kernel`), vectorised across patients with a loop over days.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from typing import ClassVar

import numpy as np
import pandas as pd

from ._checks import check_instance, check_int, check_real
from .evidence import require_claims
from .patient import Fitzpatrick, Patient
from .plans import CoursePlan

__all__ = [
    "COHORT_METRICS",
    "COHORT_QUANTILES",
    "COHORT_VARIABLES",
    "DAILY_VARIABLES",
    "PARAM_SOURCES",
    "REFERENCE_PATIENT",
    "SUMMARY_DAYS",
    "SUMMARY_DAYS_AFTER_LAST",
    "CohortOutcome",
    "ModelParams",
    "Outcome",
    "OutcomeSummary",
    "median_multipliers",
    "simulate",
    "simulate_cohort",
]

#: The patient :func:`simulate_cohort` varies around when none is given: 35 years
#: old (the age at which the age factor is 1), Fitzpatrick II, no risk factors.
REFERENCE_PATIENT = Patient(age=35, fitzpatrick=2)

#: Days after the **first** session at which the summary reports values
#: (``improvement_6m`` and so on), with the claims that make those days
#: interesting (early results, Alam 2014's 3 and 6 months, the seed's 12 months
#: of collagen formation). 6 months is 182 days and 3 months 91 everywhere.
SUMMARY_DAYS: dict[str, int] = {"6w": 42, "3m": 91, "6m": 182, "12m": 365}
#: Days after the **last** session at which the summary also reports values
#: (``improvement_6m_after_last`` and so on): the reviews the course schedules
#: (the full effect about 6 months after the last session, 003; collagen forming
#: up to 12 months after it).
SUMMARY_DAYS_AFTER_LAST: dict[str, int] = {"3m": 91, "6m": 182, "12m": 365}
_SUMMARY_SOURCES = require_claims("effect.s2_early", "effect.alam2014", "effect.s3_full", "collagen.s3_12m")
_MIN_DAYS = SUMMARY_DAYS["12m"] + 1
_MAX_DAYS = 3650


@dataclass(frozen=True)
class ModelParams:
    """Parameters of the teaching model; every one cites a claim (:data:`PARAM_SOURCES`).

    Rates are per day. Use ``dataclasses.replace(ModelParams(), ...)`` to explore.

    Examples
    --------
    >>> p = ModelParams()
    >>> p.inflammation_half_life_days, p.fibroblast_gain_per_day
    (1.4, 0.9)
    >>> ModelParams.SOURCES["growth_factor_half_life_days"]
    'model.growth_factor_half_life'
    >>> ModelParams(fibroblast_clearance_per_day=-1)
    Traceback (most recent call last):
    ...
    ValueError: fibroblast_clearance_per_day=-1.0 is not allowed; allowed: a finite number above 0
    """

    injury_gain: float = 1.0
    inflammation_half_life_days: float = 1.4
    growth_factor_half_life_days: float = 5.0
    redness_threshold: float = 0.2
    fibroblast_gain_per_day: float = 0.9
    fibroblast_clearance_per_day: float = 0.12
    collagen_synthesis_per_day: float = 0.006
    collagen_capacity: float = 1.0
    maturation_days: float = 150.0
    collagen_half_life_days: float = 3650.0
    type_iii_weight: float = 0.25
    fragile_full_days: float = 5.0
    fragile_end_days: float = 21.0
    reinjury_inflammation_boost: float = 0.5
    reinjury_collagen_damage: float = 0.6
    reinjury_fibroblast_loss: float = 0.5
    risk_per_inflammation: float = 0.01
    risk_per_reinjury: float = 0.2
    risk_per_depth_excess: float = 0.3
    risk_multiplier_dark_skin: float = 2.0
    risk_multiplier_keloid: float = 3.0
    age_reference_years: float = 35.0
    age_halving_years: float = 40.0
    sigma_injury_gain: float = 0.25
    sigma_inflammation_decay: float = 0.2
    sigma_fibroblast_gain: float = 0.25
    sigma_fibroblast_clearance: float = 0.25
    sigma_collagen_synthesis: float = 0.3

    SOURCES: ClassVar[dict[str, str]] = {
        "injury_gain": "model.injury_gain",
        "inflammation_half_life_days": "model.inflammation_half_life",
        "growth_factor_half_life_days": "model.growth_factor_half_life",
        "redness_threshold": "model.redness_threshold",
        "fibroblast_gain_per_day": "model.fibroblast_gain",
        "fibroblast_clearance_per_day": "model.fibroblast_clearance",
        "collagen_synthesis_per_day": "model.collagen_synthesis",
        "collagen_capacity": "model.collagen_capacity",
        "maturation_days": "model.collagen_maturation",
        "collagen_half_life_days": "model.collagen_half_life",
        "type_iii_weight": "model.type_iii_weight",
        "fragile_full_days": "phase.inflammation.guo2010",
        "fragile_end_days": "phase.proliferation.guo2010",
        "reinjury_inflammation_boost": "model.reinjury_boost",
        "reinjury_collagen_damage": "model.reinjury_damage",
        "reinjury_fibroblast_loss": "model.reinjury_damage",
        "risk_per_inflammation": "model.risk_inflammation",
        "risk_per_reinjury": "model.risk_reinjury",
        "risk_per_depth_excess": "model.risk_depth",
        "risk_multiplier_dark_skin": "model.risk_fitzpatrick",
        "risk_multiplier_keloid": "model.risk_keloid",
        "age_reference_years": "model.age_synthesis",
        "age_halving_years": "model.age_synthesis",
        "sigma_injury_gain": "model.cohort_variation",
        "sigma_inflammation_decay": "model.cohort_variation",
        "sigma_fibroblast_gain": "model.cohort_variation",
        "sigma_fibroblast_clearance": "model.cohort_variation",
        "sigma_collagen_synthesis": "model.cohort_variation",
    }

    _FRACTIONS: ClassVar[frozenset[str]] = frozenset(
        {"reinjury_collagen_damage", "reinjury_fibroblast_loss", "type_iii_weight"}
    )

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in self._FRACTIONS:
                value = check_real(f.name, value, 0, 1)
            elif f.name.startswith("sigma_") or f.name == "reinjury_inflammation_boost":
                value = check_real(f.name, value, 0)
            else:
                value = check_real(f.name, value, 0, low_open=True)
            object.__setattr__(self, f.name, value)
        if self.fragile_full_days >= self.fragile_end_days:
            raise ValueError(
                f"fragile_full_days={self.fragile_full_days} must be below fragile_end_days={self.fragile_end_days}"
            )


#: Each model parameter and the claim id behind it.
PARAM_SOURCES: dict[str, str] = dict(ModelParams.SOURCES)
require_claims(*PARAM_SOURCES.values())

_MULTIPLIERS = (
    "injury_gain",
    "inflammation_decay",
    "fibroblast_gain",
    "fibroblast_clearance",
    "collagen_synthesis",
)


def median_multipliers() -> dict[str, float]:
    """The cohort's random multipliers for the median patient: all exactly 1.

    :func:`simulate_cohort` draws each multiplier as ``exp(sigma * z)`` with ``z``
    standard normal, so the median patient (``z = 0``) is the reference patient of
    :func:`simulate`; ``simulate_cohort(..., median_patient=True)`` uses these.

    Examples
    --------
    >>> median_multipliers()["collagen_synthesis"]
    1.0
    """
    return dict.fromkeys(_MULTIPLIERS, 1.0)


# --------------------------------------------------------------------------- kernel


@dataclass(frozen=True)
class _Schedule:
    """What the plan fixes for every patient: session days and per-session terms."""

    days: tuple[int, ...]
    rel_depth: tuple[float, ...]  # depth / dermis
    dermis_reached: tuple[float, ...]  # fraction of the dermis the needle passes through, 0 to 1
    fragility: tuple[float, ...]  # 0 (healed) to 1 (still inflamed) at each session
    depth_excess: tuple[float, ...]  # max(0, depth / limit - 1)


def _fragility(gap_days: float | None, p: ModelParams) -> float:
    if gap_days is None or gap_days >= p.fragile_end_days:
        return 0.0
    if gap_days <= p.fragile_full_days:
        return 1.0
    return (p.fragile_end_days - gap_days) / (p.fragile_end_days - p.fragile_full_days)


def _schedule(plan: CoursePlan, p: ModelParams) -> _Schedule:
    info = plan.area_info
    days = plan.session_days
    gaps = (None, *plan.intervals_days)
    return _Schedule(
        days=days,
        rel_depth=tuple(d / info.dermis_mm for d in plan.depths_mm),
        dermis_reached=tuple(min(1.0, max(0.0, (d - info.epidermis_mm) / info.dermis_mm)) for d in plan.depths_mm),
        fragility=tuple(_fragility(g, p) for g in gaps),
        depth_excess=tuple(max(0.0, d / info.depth_limit_mm - 1.0) for d in plan.depths_mm),
    )


@dataclass(frozen=True)
class _Rates:
    """Per-patient rates, arrays of shape (n,)."""

    injury: np.ndarray
    decay: np.ndarray  # inflammation decay rate per day
    signal_decay: np.ndarray  # growth-factor decay rate per day
    fib_gain: np.ndarray
    fib_clear: np.ndarray
    synthesis: np.ndarray
    risk_multiplier: float


def _rates(patient: Patient, p: ModelParams, mult: dict[str, np.ndarray], dtype) -> _Rates:
    age_factor = 2.0 ** (-(patient.age - p.age_reference_years) / p.age_halving_years)
    risk = 1.0
    if patient.fitzpatrick >= Fitzpatrick.IV:
        risk *= p.risk_multiplier_dark_skin
    if patient.keloid_history:
        risk *= p.risk_multiplier_keloid
    decay = math.log(2) / p.inflammation_half_life_days
    signal_decay = math.log(2) / p.growth_factor_half_life_days

    def arr(x):
        return np.atleast_1d(np.asarray(x, dtype=dtype))

    return _Rates(
        injury=arr(p.injury_gain * mult["injury_gain"]),
        decay=arr(decay * mult["inflammation_decay"]),
        signal_decay=arr(signal_decay * mult["inflammation_decay"]),
        fib_gain=arr(p.fibroblast_gain_per_day * mult["fibroblast_gain"]),
        fib_clear=arr(p.fibroblast_clearance_per_day * mult["fibroblast_clearance"]),
        synthesis=arr(p.collagen_synthesis_per_day * age_factor * mult["collagen_synthesis"]),
        risk_multiplier=risk,
    )


@dataclass
class _Totals:
    cumulative_inflammation: np.ndarray
    peak_inflammation: np.ndarray
    risk: np.ndarray


def _fibroblast_scale(rates: _Rates) -> np.ndarray:
    """Fibroblasts recruited per unit of growth-factor signal per day; the state holds F over this.

    The factor is the signal's mean over a day per unit at the day's start.
    """
    mean = -np.expm1(-rates.signal_decay) / rates.signal_decay
    return (rates.fib_gain * mean).astype(rates.synthesis.dtype)


@dataclass(frozen=True)
class _Steps:
    """Per-patient daily factors the kernel and :func:`_derive` share, arrays of shape (n,)."""

    fib_scale: np.ndarray  # fibroblasts per unit of scaled state
    d_fib: np.ndarray  # fibroblasts kept per day
    u_per_fib: np.ndarray  # synthesis * fib_scale / capacity: u per unit of scaled fibroblast state


def _steps(rates: _Rates, p: ModelParams) -> _Steps:
    dtype = rates.synthesis.dtype
    fib_scale = _fibroblast_scale(rates)
    return _Steps(
        fib_scale=fib_scale,
        d_fib=np.exp(-rates.fib_clear).astype(dtype),
        u_per_fib=(rates.synthesis * fib_scale / p.collagen_capacity).astype(dtype),
    )


#: Values of the state below this are set to 0 every _FLUSH_EVERY_DAYS days (see _run_kernel).
_TINY = 1e-20
_FLUSH_EVERY_DAYS = 10

#: Rows of the kernel's state array: inflammation, growth factors, scaled fibroblasts, type III, all new collagen.
_I, _G, _F, _C3, _NEW = range(5)
_STATE_ROWS = 5

#: Every variable the model can report per day, derived from the state by :func:`_derive`.
DAILY_VARIABLES: tuple[str, ...] = (
    "inflammation",
    "fibroblasts",
    "collagen_synthesis",
    "collagen_iii",
    "collagen_i",
    "collagen_new",
    "improvement",
    "redness",
)


def _derive(name: str, state: np.ndarray, p: ModelParams, steps: _Steps) -> np.ndarray:
    """One daily variable from recorded states of shape (days, 5, n); returns (days, n).

    ``collagen_synthesis`` is the new collagen laid down during that day (capacity
    units per day): the kernel's production term, rebuilt from the day's state.
    """
    dtype = state.dtype.type
    if name == "inflammation":
        return state[:, _I].copy()
    if name == "fibroblasts":
        return state[:, _F] * steps.fib_scale
    if name == "collagen_synthesis":
        u = (state[:, _F] * steps.d_fib + state[:, _G]) * steps.u_per_fib
        return (dtype(p.collagen_capacity) - state[:, _NEW]) * (u / (u + dtype(1.0)))
    if name == "collagen_iii":
        return state[:, _C3].copy()
    if name == "collagen_i":
        return state[:, _NEW] - state[:, _C3]
    if name == "collagen_new":
        return state[:, _NEW].copy()
    if name == "improvement":
        # (type I + w * type III) / capacity = (new - (1 - w) * type III) / capacity
        out = state[:, _NEW] - state[:, _C3] * dtype(1.0 - p.type_iii_weight)
        out *= dtype(1.0 / p.collagen_capacity)
        return out
    if name == "redness":
        inflam = state[:, _I]
        return inflam / (inflam + state.dtype.type(p.redness_threshold))
    raise ValueError(f"variable {name!r} is not known; allowed: {', '.join(DAILY_VARIABLES)}")


def _derive_day(name: str, state: np.ndarray, p: ModelParams, steps: _Steps, out: np.ndarray) -> None:
    """One day's value of a daily variable written into ``out`` (shape (n,)), without temporaries for
    the variables a cohort reports by default; the others go through :func:`_derive`."""
    if name in ("inflammation", "collagen_new"):
        np.copyto(out, state[_I if name == "inflammation" else _NEW])
    elif name == "improvement":
        dtype = state.dtype.type
        np.multiply(state[_C3], dtype(p.type_iii_weight - 1.0), out=out)
        np.add(out, state[_NEW], out=out)
        if p.collagen_capacity != 1.0:
            np.multiply(out, dtype(1.0 / p.collagen_capacity), out=out)
    else:
        out[...] = _derive(name, state[None], p, steps)[0]


def _run_kernel(
    sched: _Schedule,
    rates: _Rates,
    p: ModelParams,
    days: int,
    sink: Callable[[int, np.ndarray], None],
) -> _Totals:
    """Advance the model day by day for n patients at once.

    The state is one array of shape (5, n): inflammation ``I``, growth factors
    ``G``, fibroblasts over their recruitment factor ``F / f`` (so the update is
    one multiply-add), type III collagen and all new collagen (type III + type I).
    ``sink(t, state)`` receives it on day ``t`` (after that day's session, if any);
    it must copy what it keeps, as the array is updated in place. Every update is
    an explicit numpy ufunc call with ``out=`` so one patient costs microseconds per day.

    Per day, with ``u = s * F / capacity``: ``F' = F * exp(-clearance) + G``,
    ``new' = new * d + (capacity - new) * u' / (1 + u')`` (production fills a
    saturating fraction of the free capacity, never overshooting; no transcendental
    function in the day loop), ``III' = III * d * exp(-m) + production``,
    where ``d`` is the daily turnover and ``m`` the maturation rate; type I is ``new - III``.
    """

    dtype = rates.synthesis.dtype
    n = rates.synthesis.shape[0]
    state = np.zeros((_STATE_ROWS, n), dtype=dtype)
    inflam, signal, fib, c3, new = state
    em, tmp, peak = np.zeros(n, dtype=dtype), np.zeros(n, dtype=dtype), np.zeros(n, dtype=dtype)

    def full(x):
        return np.broadcast_to(np.asarray(x, dtype=dtype), (n,)).copy()

    steps = _steps(rates, p)
    d_infl = full(np.exp(-rates.decay))
    d_signal = full(np.exp(-rates.signal_decay))
    d_fib = full(steps.d_fib)
    u_per_fib = full(steps.u_per_fib)
    one = full(1.0)
    cap = full(p.collagen_capacity)
    loss = math.log(2) / p.collagen_half_life_days
    mature = math.log(2) / p.maturation_days
    d_new = full(math.exp(-loss))
    d_c3 = full(math.exp(-loss - mature))

    impulses = []
    signals = []
    for k in range(len(sched.days)):
        size = sched.rel_depth[k] * (1.0 + p.reinjury_inflammation_boost * sched.fragility[k])
        impulses.append(rates.injury * size)
        signals.append(full(rates.injury * sched.dermis_reached[k]))
    session_on: list[int | None] = [None] * days
    for k, day in enumerate(sched.days):
        session_on[day] = k
    for t, k in enumerate(session_on):
        if k is not None:
            frag = sched.fragility[k]
            if frag > 0.0:
                lost = full(p.reinjury_collagen_damage * frag)
                np.multiply(c3, lost, out=tmp)
                np.subtract(new, tmp, out=new)
                np.subtract(c3, tmp, out=c3)
                np.multiply(fib, full(1.0 - p.reinjury_fibroblast_loss * frag), out=fib)
            np.add(inflam, full(impulses[k]), out=inflam)
            np.add(signal, signals[k], out=signal)
            np.maximum(peak, inflam, out=peak)
        sink(t, state)
        if t % _FLUSH_EVERY_DAYS == 0:
            # Signals that have decayed below _TINY are set to 0 so they never reach float32's
            # subnormal range, where each arithmetic operation costs about a hundred times more.
            np.copyto(state, 0.0, where=state < _TINY)
        # Advance to day t + 1.
        np.multiply(fib, d_fib, out=fib)
        np.add(fib, signal, out=fib)
        np.multiply(fib, u_per_fib, out=em)  # u
        np.add(em, one, out=tmp)
        np.divide(em, tmp, out=em)  # fraction of the free capacity filled today, u / (1 + u)
        np.subtract(cap, new, out=tmp)
        np.multiply(tmp, em, out=tmp)  # production
        np.multiply(new, d_new, out=new)
        np.add(new, tmp, out=new)
        np.multiply(c3, d_c3, out=c3)
        np.add(c3, tmp, out=c3)
        np.multiply(signal, d_signal, out=signal)
        np.multiply(inflam, d_infl, out=inflam)

    # Cumulative inflammation in closed form: each impulse decays exponentially until ``days``.
    cum = np.zeros(n, dtype=np.float64)
    for k, day in enumerate(sched.days):
        cum += np.asarray(impulses[k], dtype=np.float64) * -np.expm1(-rates.decay * (days - day)) / rates.decay
    hazard_fixed = p.risk_per_reinjury * sum(sched.fragility) + p.risk_per_depth_excess * sum(sched.depth_excess)
    hazard = rates.risk_multiplier * (p.risk_per_inflammation * cum + hazard_fixed)
    return _Totals(cum, peak, -np.expm1(-hazard))


# --------------------------------------------------------------------------- validation


def _check_plan(plan: object) -> CoursePlan:
    return check_instance("plan", plan, CoursePlan, "a CoursePlan (see plan_course)")


def _check_patient(patient: object) -> Patient:
    if patient is None:
        return REFERENCE_PATIENT
    return check_instance("patient", patient, Patient, "a needling_sim.Patient or None")


def _check_days(days: object, plan: CoursePlan) -> int:
    low = max(_MIN_DAYS, plan.session_days[-1] + 1)
    why = "at least 12 months after the first session and past the last session"
    return check_int("days", days, low, _MAX_DAYS, note=why)


def _check_params(params: object) -> ModelParams:
    if params is None:
        return ModelParams()
    return check_instance("params", params, ModelParams, "a ModelParams or None")


# --------------------------------------------------------------------------- one patient


@dataclass(frozen=True)
class OutcomeSummary:
    """Headline numbers of one simulated course (teaching model, illustrative units).

    ``improvement_6w`` ... ``collagen_new_12m`` are read 6 weeks, 3, 6 and 12 months
    after the **first** session (:data:`SUMMARY_DAYS`). The ``*_after_last`` fields
    are read 3, 6 and 12 months after the **last** session
    (:data:`SUMMARY_DAYS_AFTER_LAST`), when the course's reviews fall; they are
    NaN when the simulation ends before that day (pass a larger ``days``).
    ``synthesis_peak_day`` is the number of days after the last session at which
    daily collagen synthesis peaks. ``peak_inflammation`` and
    ``cumulative_inflammation`` (unit-days, over the simulated days) measure the
    injury. ``risk`` is the adverse-event risk score, 0 to 1: a teaching score,
    not a probability. ``reinjured_sessions`` counts sessions on skin that was
    still healing; ``redness_days`` counts days with visible redness.
    """

    improvement_6w: float
    improvement_3m: float
    improvement_6m: float
    improvement_12m: float
    collagen_new_6w: float
    collagen_new_3m: float
    collagen_new_6m: float
    collagen_new_12m: float
    improvement_3m_after_last: float
    improvement_6m_after_last: float
    improvement_12m_after_last: float
    collagen_new_6m_after_last: float
    collagen_new_12m_after_last: float
    collagen_i_6m_after_last: float
    collagen_i_12m_after_last: float
    synthesis_peak_day: int
    peak_inflammation: float
    cumulative_inflammation: float
    risk: float
    reinjured_sessions: int
    redness_days: int

    def to_dict(self) -> dict[str, float]:
        """The summary as a plain dict.

        Examples
        --------
        >>> from needling_sim import plan_course
        >>> s = simulate(plan_course(dt.date(2026, 3, 2), 1, 42, 0.5, "cheek")).summary
        >>> s.to_dict()["redness_days"]
        3
        """
        return dataclasses.asdict(self)


@dataclass(frozen=True, eq=False)
class Outcome:
    """The result of :func:`simulate`.

    Attributes
    ----------
    plan : CoursePlan
    patient : Patient
    params : ModelParams
    daily : pandas.DataFrame
        One row per day from the first session: ``day``, ``date``, ``session``
        (latest session so far), ``inflammation``, ``fibroblasts``,
        ``collagen_synthesis`` (new collagen laid down that day), ``collagen_iii``,
        ``collagen_i``, ``collagen_new``, ``improvement``,
        ``redness`` (0 to 1) and ``redness_visible`` (redness above 0.5).
    summary : OutcomeSummary
    """

    plan: CoursePlan
    patient: Patient
    params: ModelParams
    daily: pd.DataFrame = field(repr=False)
    summary: OutcomeSummary

    def to_frame(self) -> pd.DataFrame:
        """The summary as a two-column table (``metric``, ``value``).

        Examples
        --------
        >>> from needling_sim import plan_course
        >>> out = simulate(plan_course(dt.date(2026, 3, 2), 3, 42, 1.0, "cheek"))
        >>> out.to_frame().set_index("metric").loc["redness_days", "value"]
        np.float64(12.0)
        """
        d = self.summary.to_dict()
        return pd.DataFrame({"metric": list(d), "value": [float(v) for v in d.values()]})


def _dates(start: dt.date, days: int) -> np.ndarray:
    """``start + day`` for each day, as an object array of ``datetime.date``."""
    first = np.datetime64(start, "D")
    return np.arange(first, first + days, dtype="datetime64[D]").astype(object)


def simulate(
    plan: CoursePlan,
    patient: Patient | None = None,
    *,
    days: int = 540,
    params: ModelParams | None = None,
) -> Outcome:
    """Simulate one patient's response to a course (teaching model, illustrative units).

    Parameters
    ----------
    plan : CoursePlan
    patient : Patient or None, default None
        None means :data:`REFERENCE_PATIENT` (35 years, Fitzpatrick II).
    days : int, default 540
        Days to simulate from the first session: at least 366 (12 months are
        summarised) and past the last session, at most 3650.
    params : ModelParams or None
        Model parameters; None means the defaults.

    Returns
    -------
    Outcome
        ``.daily`` (one row per day) and ``.summary``.

    Examples
    --------
    >>> from needling_sim import plan_course
    >>> spaced = simulate(plan_course(dt.date(2026, 3, 2), 3, 42, 1.0, "cheek"))
    >>> packed = simulate(plan_course(dt.date(2026, 3, 2), 3, 7, 1.0, "cheek"))
    >>> packed.summary.peak_inflammation > spaced.summary.peak_inflammation
    True
    >>> packed.summary.risk > spaced.summary.risk
    True
    >>> packed.summary.collagen_new_12m < spaced.summary.collagen_new_12m
    True
    >>> list(spaced.daily.columns)[:5]
    ['day', 'date', 'session', 'inflammation', 'fibroblasts']
    """
    plan = _check_plan(plan)
    patient = _check_patient(patient)
    days = _check_days(days, plan)
    p = _check_params(params)
    sched = _schedule(plan, p)
    rates = _rates(patient, p, median_multipliers(), np.float64)
    record = np.empty((days, _STATE_ROWS, 1), dtype=np.float64)
    copyto = np.copyto  # bound once: sink runs every day

    def sink(t, state):
        copyto(record[t], state)

    totals = _run_kernel(sched, rates, p, days, sink)
    steps = _steps(rates, p)
    values = {name: _derive(name, record, p, steps)[:, 0] for name in DAILY_VARIABLES}
    visible = values["redness"] > 0.5
    day = np.arange(days)
    daily = pd.DataFrame(
        {
            "day": day,
            "date": _dates(plan.start, days),
            "session": np.searchsorted(np.asarray(sched.days), day, side="right"),
            **values,
            "redness_visible": visible,
        }
    )
    improvement, new, type_i = values["improvement"], values["collagen_new"], values["collagen_i"]
    last = sched.days[-1]

    def after_last(series: np.ndarray, key: str) -> float:
        d = last + SUMMARY_DAYS_AFTER_LAST[key]
        return float(series[d]) if d < days else math.nan

    synthesis = values["collagen_synthesis"][last:]
    summary = OutcomeSummary(
        **{f"improvement_{k}": float(improvement[d]) for k, d in SUMMARY_DAYS.items()},
        **{f"collagen_new_{k}": float(new[d]) for k, d in SUMMARY_DAYS.items()},
        **{f"improvement_{k}_after_last": after_last(improvement, k) for k in SUMMARY_DAYS_AFTER_LAST},
        collagen_new_6m_after_last=after_last(new, "6m"),
        collagen_new_12m_after_last=after_last(new, "12m"),
        collagen_i_6m_after_last=after_last(type_i, "6m"),
        collagen_i_12m_after_last=after_last(type_i, "12m"),
        synthesis_peak_day=int(np.argmax(synthesis)),
        peak_inflammation=float(totals.peak_inflammation[0]),
        cumulative_inflammation=float(totals.cumulative_inflammation[0]),
        risk=float(totals.risk[0]),
        reinjured_sessions=sum(f > 0 for f in sched.fragility),
        redness_days=int(visible.sum()),
    )
    return Outcome(plan, patient, p, daily, summary)


# --------------------------------------------------------------------------- cohorts

#: Quantiles :func:`simulate_cohort` reports, as (column name, probability).
COHORT_QUANTILES: tuple[tuple[str, float], ...] = (
    ("q05", 0.05),
    ("q25", 0.25),
    ("q50", 0.50),
    ("q75", 0.75),
    ("q95", 0.95),
)
#: Daily variables whose cohort quantiles are reported by default (any of
#: ``DAILY_VARIABLES`` may be asked for; each costs one sort per day).
COHORT_VARIABLES: tuple[str, ...] = ("inflammation", "collagen_new", "improvement")
#: Per-patient metrics whose quantiles :attr:`CohortOutcome.summary` reports.
COHORT_METRICS: tuple[str, ...] = (
    "collagen_new_12m",
    "improvement_6m",
    "improvement_6m_after_last",
    "peak_inflammation",
    "cumulative_inflammation",
    "risk",
)
_BLOCK_DAYS = 10
_MAX_COHORT = 1_000_000
#: From this many patients, each block of days is summarised (means, quantiles) by worker
#: threads while the kernel computes the next block (numpy releases the GIL in both).
_THREADED_FROM_N = 20_000
_WORKERS = 2


@dataclass(frozen=True, eq=False)
class CohortOutcome:
    """The result of :func:`simulate_cohort`.

    Attributes
    ----------
    plan : CoursePlan
    patient : Patient
        The patient the cohort varies around.
    n, seed, days : int
    median_patient : bool
        True when every patient got the median multipliers (all 1).
    variables : tuple of str
        The daily variables in ``quantiles``.
    quantiles : pandas.DataFrame
        Long format, one row per (variable, day): ``variable``, ``day``, ``date``,
        ``q05``, ``q25``, ``q50``, ``q75``, ``q95`` (exact order statistics with
        linear interpolation, as ``numpy.quantile``) and ``mean``.
    summary : pandas.DataFrame
        One row per metric of :data:`COHORT_METRICS` with the same quantile
        columns and ``mean``.
    """

    plan: CoursePlan
    patient: Patient
    n: int
    seed: int
    days: int
    median_patient: bool
    variables: tuple[str, ...]
    quantiles: pd.DataFrame = field(repr=False)
    summary: pd.DataFrame = field(repr=False)

    def variable(self, name: str) -> pd.DataFrame:
        """The quantile rows of one variable, indexed by day.

        Examples
        --------
        >>> from needling_sim import plan_course
        >>> c = simulate_cohort(plan_course(dt.date(2026, 3, 2), 3, 42, 1.0, "cheek"), n=200, seed=1)
        >>> band = c.variable("collagen_new").loc[365]
        >>> bool(band["q05"] <= band["q50"] <= band["q95"])
        True
        """
        if name not in self.variables:
            raise ValueError(f"name={name!r} is not in this cohort; allowed: {', '.join(self.variables)}")
        return self.quantiles[self.quantiles["variable"] == name].set_index("day")


def _quantile_rows(values: np.ndarray) -> np.ndarray:
    """Exact quantiles along the last axis (numpy's 'linear' method); reorders ``values`` in place.

    No full sort is needed. For each quantile's lower order statistic ``lo``, one
    ``partition`` puts it in place within the segment left between order
    statistics already placed (the median first, then the quartiles inside each
    half, then the 5 and 95 % points inside the outer quarters); the next order
    statistic is the minimum of what lies right of ``lo``. That gives exactly
    ``numpy.quantile``'s answer in about half the time of a sort.
    """
    n = values.shape[-1]
    placed: list[int] = []  # order statistics already in place, kept sorted
    out = np.empty((*values.shape[:-1], len(COHORT_QUANTILES)), dtype=np.float64)
    order = sorted(range(len(COHORT_QUANTILES)), key=lambda j: abs(COHORT_QUANTILES[j][1] - 0.5))
    for j in order:
        pos = COHORT_QUANTILES[j][1] * (n - 1)
        lo = math.floor(pos)
        frac = pos - lo
        left = max((k + 1 for k in placed if k < lo), default=0)
        right = min((k for k in placed if k > lo), default=n)
        if lo not in placed:
            values[..., left:right].partition(lo - left, axis=-1)
            placed = sorted({*placed, lo})
        a = values[..., lo].astype(np.float64)
        if lo + 1 < n:
            # The next order statistic is the smallest value right of lo, inside its segment.
            b = values[..., lo + 1 : right].min(axis=-1).astype(np.float64) if lo + 1 < right else values[..., right]
            out[..., j] = a + (np.asarray(b, dtype=np.float64) - a) * frac
        else:
            out[..., j] = a
    return out


def _check_variables(variables: object) -> tuple[str, ...]:
    if isinstance(variables, str) or not isinstance(variables, (tuple, list)) or not variables:
        raise TypeError(f"variables must be a non-empty tuple of variable names, got {variables!r}")
    for v in variables:
        if v not in DAILY_VARIABLES:
            raise ValueError(f"variables: {v!r} is not known; allowed: {', '.join(DAILY_VARIABLES)}")
    if len(set(variables)) != len(variables):
        raise ValueError(f"variables must not repeat a name, got {variables!r}")
    return tuple(variables)


def _multipliers(n: int, seed: int, p: ModelParams, median_patient: bool, dtype) -> dict[str, np.ndarray]:
    if median_patient:
        return {k: np.ones(n, dtype=dtype) for k in _MULTIPLIERS}
    sigmas = np.array(
        [
            p.sigma_injury_gain,
            p.sigma_inflammation_decay,
            p.sigma_fibroblast_gain,
            p.sigma_fibroblast_clearance,
            p.sigma_collagen_synthesis,
        ],
        dtype=dtype,
    )
    z = np.random.default_rng(seed).standard_normal((len(_MULTIPLIERS), n), dtype=dtype)
    return dict(zip(_MULTIPLIERS, np.exp(z * sigmas[:, None]), strict=True))


def simulate_cohort(
    plan: CoursePlan,
    n: int,
    seed: int,
    *,
    patient: Patient | None = None,
    days: int = 540,
    median_patient: bool = False,
    variables: tuple[str, ...] = COHORT_VARIABLES,
    params: ModelParams | None = None,
) -> CohortOutcome:
    """Simulate ``n`` patients who respond differently to the same course.

    Each patient gets five multipliers ``exp(sigma * z)``, ``z`` standard normal
    (lognormal with median 1; ``model.cohort_variation``): on the injury gain
    (sigma 0.25), the inflammation decay rate (0.2), the fibroblast gain (0.25),
    the fibroblast clearance (0.25) and collagen synthesis (0.3). Everything else
    comes from ``patient``. The kernel of :func:`simulate` runs once in float32,
    vectorised across patients with a loop over days; each day's quantiles are
    exact order statistics (numpy.quantile's linear method, found by partitioning; from
    20 000 patients, worker threads summarise each block of 10 days while the kernel runs on).

    Parameters
    ----------
    plan : CoursePlan
    n : int
        Number of patients, 1 to 1 000 000.
    seed : int
        Non-negative seed for ``numpy.random.default_rng``; the same seed gives the
        same result.
    patient : Patient or None
        The patient to vary around; None means :data:`REFERENCE_PATIENT`.
    days : int, default 540
        As for :func:`simulate`.
    median_patient : bool, default False
        Give every patient the median multipliers (all 1, see
        :func:`median_multipliers`): with ``n=1`` the result equals
        :func:`simulate` for ``patient`` up to float32 rounding.
    variables : tuple of str, default ("inflammation", "collagen_new", "improvement")
        Daily variables to report (any of ``DAILY_VARIABLES``); each adds one
        sort of ``n`` values per day.
    params : ModelParams or None

    Returns
    -------
    CohortOutcome

    Examples
    --------
    >>> from needling_sim import plan_course
    >>> plan = plan_course(dt.date(2026, 3, 2), 3, 42, 1.0, "cheek")
    >>> c = simulate_cohort(plan, n=1000, seed=7)
    >>> c.quantiles.columns.tolist()
    ['variable', 'day', 'date', 'q05', 'q25', 'q50', 'q75', 'q95', 'mean']
    >>> risk = c.summary.set_index("metric").loc["risk"]
    >>> bool(risk["q05"] < risk["q50"] < risk["q95"])
    True
    >>> one = simulate_cohort(plan, n=1, seed=0, median_patient=True).variable("collagen_new")
    >>> bool(abs(one.loc[365, "q50"] - simulate(plan).summary.collagen_new_12m) < 1e-5)
    True
    """
    plan = _check_plan(plan)
    patient = _check_patient(patient)
    n = check_int("n", n, 1, _MAX_COHORT, unit="patients")
    seed = check_int("seed", seed, 0)
    if not isinstance(median_patient, bool):
        raise TypeError(f"median_patient must be True or False, got {type(median_patient).__name__}")
    variables = _check_variables(variables)
    days = _check_days(days, plan)
    p = _check_params(params)
    sched = _schedule(plan, p)
    dtype = np.float32
    rates = _rates(patient, p, _multipliers(n, seed, p, median_patient, dtype), dtype)
    steps = _steps(rates, p)

    n_var = len(variables)
    q_out = np.empty((days, n_var, len(COHORT_QUANTILES)), dtype=np.float64)
    mean_out = np.empty((days, n_var), dtype=np.float64)
    keep: dict[str, np.ndarray] = {}
    keep_at = {
        "collagen_new_12m": ("collagen_new", SUMMARY_DAYS["12m"]),
        "improvement_6m": ("improvement", SUMMARY_DAYS["6m"]),
        "improvement_6m_after_last": ("improvement", sched.days[-1] + SUMMARY_DAYS_AFTER_LAST["6m"]),
    }
    block = np.empty((_BLOCK_DAYS, n_var, n), dtype=dtype)
    pool = ThreadPoolExecutor(max_workers=_WORKERS) if n >= _THREADED_FROM_N else None
    pending: deque[Future] = deque()

    def summarise(first_day: int, values: np.ndarray) -> None:
        count = values.shape[0]
        mean_out[first_day : first_day + count] = values.mean(axis=2)
        q_out[first_day : first_day + count] = _quantile_rows(values)

    def sink(t, state):
        nonlocal block
        row = t % _BLOCK_DAYS
        for v, name in enumerate(variables):
            _derive_day(name, state, p, steps, block[row, v])
        for metric, (name, day) in keep_at.items():
            if t == day:
                keep[metric] = _derive(name, state[None], p, steps)[0]
        if row == _BLOCK_DAYS - 1 or t == days - 1:
            first, values = t - row, block[: row + 1]
            if pool is None:
                summarise(first, values)
                return
            pending.append(pool.submit(summarise, first, values))
            block = np.empty_like(block)
            while len(pending) > _WORKERS + 1:  # bound the memory in flight
                pending.popleft().result()

    try:
        totals = _run_kernel(sched, rates, p, days, sink)
        while pending:
            pending.popleft().result()
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)

    day = np.arange(days)
    dates = _dates(plan.start, days)
    frames = []
    for v, name in enumerate(variables):
        cols = {"variable": name, "day": day, "date": dates}
        cols |= {label: q_out[:, v, j] for j, (label, _) in enumerate(COHORT_QUANTILES)}
        cols["mean"] = mean_out[:, v]
        frames.append(pd.DataFrame(cols))
    quantiles = pd.concat(frames, ignore_index=True)

    unreached = np.full(n, np.nan)
    metrics = {
        "collagen_new_12m": keep["collagen_new_12m"],
        "improvement_6m": keep["improvement_6m"],
        "improvement_6m_after_last": keep.get("improvement_6m_after_last", unreached),
        "peak_inflammation": totals.peak_inflammation,
        "cumulative_inflammation": totals.cumulative_inflammation,
        "risk": totals.risk,
    }
    stacked = np.stack([np.asarray(metrics[m], dtype=np.float64) for m in COHORT_METRICS])
    means = stacked.mean(axis=1)
    qs = _quantile_rows(stacked)
    summary = pd.DataFrame({"metric": list(COHORT_METRICS)})
    for j, (label, _) in enumerate(COHORT_QUANTILES):
        summary[label] = qs[:, j]
    summary["mean"] = means
    return CohortOutcome(plan, patient, n, seed, days, median_patient, variables, quantiles, summary)
