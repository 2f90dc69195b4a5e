"""The one vectorised day-loop kernel of the teaching model, and the variables read from it.

:func:`run_kernel` advances ``n`` patients at once, one numpy ufunc per term and a
Python loop over days; :func:`needling_sim.outcome.simulate` runs it for one patient in
float64, :func:`needling_sim.cohort.simulate_cohort` for many in float32. The inputs are
built here too: :func:`schedule` (what the plan fixes), :func:`patient_rates` (what the
patient and the cohort's multipliers fix) and :func:`daily_steps` (per-day factors).

Notes
-----
The state holds five rows per patient (:data:`STATE_ROWS`): inflammation ``I``, growth
factors ``G``, fibroblasts scaled by their recruitment factor ``F / f``, type III
collagen ``III`` and all new collagen ``new`` (type I is ``new - III``). On a session
day, before the day is read: ``I += injury * depth / dermis * (1 + boost * frag)``,
``G += injury * clip((depth - epidermis) / dermis, 0, 1)``; on fragile skin
(``frag > 0``, :func:`fragility`) ``frag * reinjury_collagen_damage`` of ``III`` is lost
from ``III`` and ``new``, and ``F`` shrinks by ``frag * reinjury_fibroblast_loss``. Then,
to the next day, with ``u = s * f * F' / capacity``::

    F'   = F * exp(-clearance) + G
    new' = new * d + (capacity - new) * u / (1 + u)
    III' = III * d * exp(-m) + (capacity - new) * u / (1 + u)
    G'   = G * exp(-ln 2 / growth_factor_half_life)
    I'   = I * exp(-ln 2 / inflammation_half_life)

where ``d = exp(-ln 2 / collagen_half_life)`` and ``m = ln 2 / maturation``; ``f`` is
the fibroblast gain times the growth-factor signal's mean over a day per unit at its
start. Cumulative inflammation integrates each impulse's exponential decay up to the
last simulated day; the risk score is ``1 - exp(-H)`` with
``H = multiplier * (risk_per_inflammation * cumulative + risk_per_reinjury * sum(frag)
+ risk_per_depth_excess * sum(excess))``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from .model_params import ModelParams
from .parameters import parameter
from .patient import Fitzpatrick, Patient
from .plans import CoursePlan

__all__ = [
    "DAILY_VARIABLES",
    "STATE_ROWS",
    "Rates",
    "Schedule",
    "Steps",
    "Totals",
    "daily_steps",
    "dates",
    "derive",
    "derive_into",
    "fragility",
    "patient_rates",
    "run_kernel",
    "schedule",
]

#: Rows of the kernel's state array: inflammation, growth factors, scaled fibroblasts, type III, all new collagen.
_I, _G, _F, _C3, _NEW = range(5)
#: Number of rows of the kernel's state (see :func:`run_kernel`).
STATE_ROWS = 5

#: Values of the state below this are set to 0 every _FLUSH_EVERY_DAYS days (see run_kernel).
_TINY = parameter("kernel_tiny_value").value
_FLUSH_EVERY_DAYS = parameter("kernel_flush_every_days").value

#: Every variable the model can report per day, derived from the state by :func:`derive`.
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


@dataclass(frozen=True)
class Schedule:
    """What the plan fixes for every patient: session days and per-session terms.

    Attributes
    ----------
    days : tuple of int
        Session days from the first session (day 0).
    rel_depth : tuple of float
        Needle depth over the site's dermis.
    dermis_reached : tuple of float
        Fraction of the dermis the needle passes through, 0 to 1.
    fragility : tuple of float
        0 (healed) to 1 (still inflamed) at each session (:func:`fragility`).
    depth_excess : tuple of float
        ``max(0, depth / limit - 1)``.
    """

    days: tuple[int, ...]
    rel_depth: tuple[float, ...]
    dermis_reached: tuple[float, ...]
    fragility: tuple[float, ...]
    depth_excess: tuple[float, ...]


def fragility(gap_days: float | None, p: ModelParams) -> float:
    """How fragile the skin still is ``gap_days`` after the previous session: 0 to 1.

    1 up to ``fragile_full_days``, falling linearly to 0 at ``fragile_end_days``;
    0 for a first session (``gap_days=None``).

    Examples
    --------
    >>> p = ModelParams()
    >>> fragility(None, p), fragility(p.fragile_full_days, p), fragility(p.fragile_end_days, p)
    (0.0, 1.0, 0.0)
    >>> midway = (p.fragile_full_days + p.fragile_end_days) / 2
    >>> fragility(midway, p)
    0.5
    """
    if gap_days is None or gap_days >= p.fragile_end_days:
        return 0.0
    if gap_days <= p.fragile_full_days:
        return 1.0
    return (p.fragile_end_days - gap_days) / (p.fragile_end_days - p.fragile_full_days)


def schedule(plan: CoursePlan, p: ModelParams) -> Schedule:
    """The per-session terms of ``plan`` that are the same for every patient.

    Examples
    --------
    >>> from needling_sim import plan_course
    >>> s = schedule(plan_course(dt.date(2026, 3, 2), 2, 7, 0.5, "cheek"), ModelParams())
    >>> s.days, s.fragility[0], 0 < s.fragility[1] < 1
    ((0, 7), 0.0, True)
    """
    info = plan.area_info
    gaps = (None, *plan.intervals_days)
    return Schedule(
        days=plan.session_days,
        rel_depth=tuple(d / info.dermis_mm for d in plan.depths_mm),
        dermis_reached=tuple(min(1.0, max(0.0, (d - info.epidermis_mm) / info.dermis_mm)) for d in plan.depths_mm),
        fragility=tuple(fragility(g, p) for g in gaps),
        depth_excess=tuple(max(0.0, d / info.depth_limit_mm - 1.0) for d in plan.depths_mm),
    )


@dataclass(frozen=True)
class Rates:
    """Per-patient rates, arrays of shape (n,), and the patient's risk multiplier.

    Attributes
    ----------
    injury, decay, signal_decay, fib_gain, fib_clear, synthesis : numpy.ndarray
        Injury gain; inflammation and growth-factor decay rates per day;
        fibroblast gain and clearance per day; collagen synthesis per day
        (with the age factor).
    risk_multiplier : float
        Product of the patient's risk multipliers (Fitzpatrick IV to VI, keloids).
    """

    injury: np.ndarray
    decay: np.ndarray
    signal_decay: np.ndarray
    fib_gain: np.ndarray
    fib_clear: np.ndarray
    synthesis: np.ndarray
    risk_multiplier: float


def patient_rates(patient: Patient, p: ModelParams, mult: Mapping[str, object], dtype) -> Rates:
    """The rates of ``patient`` under ``p``, times the cohort's multipliers ``mult``.

    Parameters
    ----------
    patient : Patient
    p : ModelParams
    mult : mapping
        One multiplier (a float or an array of shape (n,)) per key of
        :data:`~needling_sim.model_params.MULTIPLIERS`.
    dtype : numpy dtype
        ``numpy.float64`` for one patient, ``numpy.float32`` for a cohort.

    Examples
    --------
    >>> from needling_sim.model_params import median_multipliers
    >>> p = ModelParams()
    >>> r = patient_rates(Patient(age=75, fitzpatrick=5), p, median_multipliers(), np.float64)
    >>> bool(r.synthesis[0] == p.collagen_synthesis_per_day / 2), r.risk_multiplier == p.risk_multiplier_dark_skin
    (True, True)
    """
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

    return Rates(
        injury=arr(p.injury_gain * mult["injury_gain"]),
        decay=arr(decay * mult["inflammation_decay"]),
        signal_decay=arr(signal_decay * mult["inflammation_decay"]),
        fib_gain=arr(p.fibroblast_gain_per_day * mult["fibroblast_gain"]),
        fib_clear=arr(p.fibroblast_clearance_per_day * mult["fibroblast_clearance"]),
        synthesis=arr(p.collagen_synthesis_per_day * age_factor * mult["collagen_synthesis"]),
        risk_multiplier=risk,
    )


@dataclass(frozen=True)
class Steps:
    """Per-patient daily factors that :func:`run_kernel` and :func:`derive` share, arrays of shape (n,).

    Attributes
    ----------
    fib_scale : numpy.ndarray
        Fibroblasts per unit of the kernel's scaled fibroblast state.
    d_fib : numpy.ndarray
        Fraction of fibroblasts kept per day.
    u_per_fib : numpy.ndarray
        ``synthesis * fib_scale / capacity``: ``u`` per unit of scaled fibroblast state.
    """

    fib_scale: np.ndarray
    d_fib: np.ndarray
    u_per_fib: np.ndarray


def daily_steps(rates: Rates, p: ModelParams) -> Steps:
    """The daily factors of ``rates``.

    The fibroblast scale is the fibroblast gain times the growth-factor signal's
    mean over one day per unit at the day's start, ``(1 - exp(-k)) / k``.

    Examples
    --------
    >>> from needling_sim.model_params import median_multipliers
    >>> p = ModelParams()
    >>> s = daily_steps(patient_rates(Patient(age=35, fitzpatrick=2), p, median_multipliers(), np.float64), p)
    >>> bool(np.isclose(s.d_fib[0], np.exp(-p.fibroblast_clearance_per_day)))
    True
    """
    dtype = rates.synthesis.dtype
    mean = -np.expm1(-rates.signal_decay) / rates.signal_decay
    fib_scale = (rates.fib_gain * mean).astype(dtype)
    return Steps(
        fib_scale=fib_scale,
        d_fib=np.exp(-rates.fib_clear).astype(dtype),
        u_per_fib=(rates.synthesis * fib_scale / p.collagen_capacity).astype(dtype),
    )


@dataclass(frozen=True)
class Totals:
    """What :func:`run_kernel` sums over the whole simulation, per patient (arrays of shape (n,)).

    Attributes
    ----------
    cumulative_inflammation, peak_inflammation, risk : numpy.ndarray
    """

    cumulative_inflammation: np.ndarray
    peak_inflammation: np.ndarray
    risk: np.ndarray


def _session_terms(sched: Schedule, rates: Rates, p: ModelParams, full) -> tuple[list, list]:
    """Each session's inflammation and growth-factor impulses, arrays of shape (n,)."""
    impulses = []
    signals = []
    for k in range(len(sched.days)):
        size = sched.rel_depth[k] * (1.0 + p.reinjury_inflammation_boost * sched.fragility[k])
        impulses.append(full(rates.injury * size))
        signals.append(full(rates.injury * sched.dermis_reached[k]))
    return impulses, signals


def _totals(sched: Schedule, rates: Rates, p: ModelParams, days: int, impulses: list, peak: np.ndarray) -> Totals:
    """Cumulative inflammation in closed form (each impulse decays until ``days``) and the risk score."""
    cum = np.zeros(peak.shape[0], dtype=np.float64)
    for k, day in enumerate(sched.days):
        cum += np.asarray(impulses[k], dtype=np.float64) * -np.expm1(-rates.decay * (days - day)) / rates.decay
    hazard_fixed = p.risk_per_reinjury * sum(sched.fragility) + p.risk_per_depth_excess * sum(sched.depth_excess)
    hazard = rates.risk_multiplier * (p.risk_per_inflammation * cum + hazard_fixed)
    return Totals(cum, peak, -np.expm1(-hazard))


def run_kernel(
    sched: Schedule,
    rates: Rates,
    p: ModelParams,
    days: int,
    sink: Callable[[int, np.ndarray], None],
) -> Totals:
    """Advance the model day by day for n patients at once (the equations are in the module Notes).

    ``sink(t, state)`` receives the state, shape (:data:`STATE_ROWS`, n), on day ``t``
    (after that day's session, if any); it must copy what it keeps, as the array is
    updated in place. Every update is an explicit numpy ufunc call with ``out=`` so
    one patient costs microseconds per day; production fills a saturating fraction
    of the free capacity (never overshooting) with no transcendental function in
    the day loop.

    Examples
    --------
    >>> from needling_sim import plan_course
    >>> from needling_sim.model_params import median_multipliers
    >>> p = ModelParams()
    >>> plan = plan_course(dt.date(2026, 3, 2), 1, 42, 0.5, "cheek")
    >>> rates = patient_rates(Patient(age=35, fitzpatrick=2), p, median_multipliers(), np.float64)
    >>> seen = []
    >>> totals = run_kernel(schedule(plan, p), rates, p, 400, lambda t, s: seen.append(s[0, 0]))
    >>> len(seen), bool(totals.peak_inflammation[0] == seen[0] > seen[1])
    (400, True)
    """
    dtype = rates.synthesis.dtype
    n = rates.synthesis.shape[0]
    state = np.zeros((STATE_ROWS, n), dtype=dtype)
    inflam, signal, fib, c3, new = state
    em, tmp, peak = np.zeros(n, dtype=dtype), np.zeros(n, dtype=dtype), np.zeros(n, dtype=dtype)

    def full(x):
        return np.broadcast_to(np.asarray(x, dtype=dtype), (n,)).copy()

    steps = daily_steps(rates, p)
    d_infl, d_signal = full(np.exp(-rates.decay)), full(np.exp(-rates.signal_decay))
    d_fib, u_per_fib, one, cap = full(steps.d_fib), full(steps.u_per_fib), full(1.0), full(p.collagen_capacity)
    loss = math.log(2) / p.collagen_half_life_days
    d_new, d_c3 = full(math.exp(-loss)), full(math.exp(-loss - math.log(2) / p.maturation_days))
    impulses, signals = _session_terms(sched, rates, p, full)
    session_on: list[int | None] = [None] * days
    for k, day in enumerate(sched.days):
        session_on[day] = k
    for t, k in enumerate(session_on):
        if k is not None:
            frag = sched.fragility[k]
            if frag > 0.0:
                np.multiply(c3, full(p.reinjury_collagen_damage * frag), out=tmp)
                np.subtract(new, tmp, out=new)
                np.subtract(c3, tmp, out=c3)
                np.multiply(fib, full(1.0 - p.reinjury_fibroblast_loss * frag), out=fib)
            np.add(inflam, impulses[k], out=inflam)
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
    return _totals(sched, rates, p, days, impulses, peak)


def derive(name: str, state: np.ndarray, p: ModelParams, steps: Steps) -> np.ndarray:
    """One daily variable from recorded states of shape (days, :data:`STATE_ROWS`, n); returns (days, n).

    ``collagen_synthesis`` is the new collagen laid down during that day (capacity
    units per day): the kernel's production term, rebuilt from the day's state.
    ``improvement`` is ``(type I + type_iii_weight * type III) / capacity`` and
    ``redness`` is ``I / (I + redness_threshold)``.

    Examples
    --------
    >>> p = ModelParams()
    >>> state = np.zeros((1, STATE_ROWS, 1))
    >>> state[0, 0, 0] = p.redness_threshold  # inflammation at the threshold
    >>> steps = Steps(np.ones(1), np.ones(1), np.ones(1))
    >>> derive("redness", state, p, steps)
    array([[0.5]])
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
        return inflam / (inflam + dtype(p.redness_threshold))
    raise ValueError(f"variable {name!r} is not known; allowed: {', '.join(DAILY_VARIABLES)}")


def derive_into(name: str, state: np.ndarray, p: ModelParams, steps: Steps, out: np.ndarray) -> None:
    """One day's value of a daily variable, from a state of shape (:data:`STATE_ROWS`, n), written into ``out``.

    The variables a cohort reports by default are computed without temporaries; the
    others go through :func:`derive`.

    Examples
    --------
    >>> p = ModelParams()
    >>> state = np.zeros((STATE_ROWS, 2))
    >>> state[4] = 0.5  # all new collagen, none of it type III
    >>> out = np.empty(2)
    >>> derive_into("improvement", state, p, Steps(np.ones(2), np.ones(2), np.ones(2)), out)
    >>> out
    array([0.5, 0.5])
    """
    if name in ("inflammation", "collagen_new"):
        np.copyto(out, state[_I if name == "inflammation" else _NEW])
    elif name == "improvement":
        dtype = state.dtype.type
        np.multiply(state[_C3], dtype(p.type_iii_weight - 1.0), out=out)
        np.add(out, state[_NEW], out=out)
        if p.collagen_capacity != 1.0:
            np.multiply(out, dtype(1.0 / p.collagen_capacity), out=out)
    else:
        out[...] = derive(name, state[None], p, steps)[0]


def dates(start: dt.date, days: int) -> np.ndarray:
    """``start + day`` for each day, as an object array of ``datetime.date``.

    Examples
    --------
    >>> dates(dt.date(2026, 3, 2), 2).tolist()
    [datetime.date(2026, 3, 2), datetime.date(2026, 3, 3)]
    """
    first = np.datetime64(start, "D")
    return np.arange(first, first + days, dtype="datetime64[D]").astype(object)
