"""Cohorts: many patients who respond differently to the same course.

:func:`simulate_cohort` runs the kernel of :mod:`needling_sim.kernel` once, in float32,
for ``n`` patients whose rates are multiplied by lognormal draws with median 1
(``model.cohort_variation``), and reports each day's exact quantiles. Teaching model,
not clinical advice.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._checks import check_bool, check_int, check_names
from .kernel import DAILY_VARIABLES, Steps, daily_steps, dates, derive, derive_into, patient_rates, run_kernel, schedule
from .model_params import MULTIPLIERS, ModelParams
from .outcome import SUMMARY_DAYS, SUMMARY_DAYS_AFTER_LAST, checked_inputs
from .parameters import parameter
from .patient import Patient
from .plans import CoursePlan

__all__ = [
    "COHORT_METRICS",
    "COHORT_QUANTILES",
    "COHORT_VARIABLES",
    "CohortOutcome",
    "quantile_rows",
    "simulate_cohort",
]

#: Quantiles :func:`simulate_cohort` reports, as (column name, probability). The names are
#: the columns of :attr:`CohortOutcome.quantiles`, so the probabilities stay beside them here.
COHORT_QUANTILES: tuple[tuple[str, float], ...] = (
    ("q05", 0.05),
    ("q25", 0.25),
    ("q50", 0.50),
    ("q75", 0.75),
    ("q95", 0.95),
)
#: Daily variables whose cohort quantiles are reported by default (any of
#: ``DAILY_VARIABLES`` may be asked for; each costs one partition per day).
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
_BLOCK_DAYS = parameter("cohort_block_days").value
_MAX_COHORT = parameter("cohort_max_patients").value
#: From this many patients, each block of days is summarised (means, quantiles) by worker
#: threads while the kernel computes the next block (numpy releases the GIL in both).
_THREADED_FROM_N = parameter("cohort_threaded_from_patients").value
_WORKERS = parameter("cohort_workers").value
_DEFAULT_DAYS = parameter("simulate_days_default").value


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


def quantile_rows(values: np.ndarray) -> np.ndarray:
    """Exact :data:`COHORT_QUANTILES` along the last axis (numpy's 'linear' method); reorders ``values`` in place.

    No full sort is needed. For each quantile's lower order statistic ``lo``, one
    ``partition`` puts it in place within the segment left between order
    statistics already placed (the median first, then the quartiles inside each
    half, then the 5 and 95 % points inside the outer quarters); the next order
    statistic is the minimum of what lies right of ``lo``. That gives exactly
    ``numpy.quantile``'s answer in about half the time of a sort.

    Examples
    --------
    >>> values = np.array([[5.0, 1.0, 4.0, 2.0, 3.0]])
    >>> quantile_rows(values.copy())
    array([[1.2, 2. , 3. , 4. , 4.8]])
    >>> np.quantile(values, [p for _, p in COHORT_QUANTILES], axis=1).T
    array([[1.2, 2. , 3. , 4. , 4.8]])
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


def _multipliers(n: int, seed: int, p: ModelParams, median_patient: bool, dtype) -> dict[str, np.ndarray]:
    """Each patient's multipliers: ``exp(sigma * z)``, one standard-normal row per rate in MULTIPLIERS' order."""
    if median_patient:
        return {k: np.ones(n, dtype=dtype) for k in MULTIPLIERS}
    sigmas = np.array([getattr(p, sigma) for sigma in MULTIPLIERS.values()], dtype=dtype)
    z = np.random.default_rng(seed).standard_normal((len(MULTIPLIERS), n), dtype=dtype)
    return dict(zip(MULTIPLIERS, np.exp(z * sigmas[:, None]), strict=True))


class _DailySummaries:
    """The kernel's sink for a cohort: each day's variables, summarised per block of days.

    From ``_THREADED_FROM_N`` patients the blocks are summarised by worker threads while
    the kernel computes the next block; :meth:`finish` waits for them.
    """

    def __init__(self, variables, p: ModelParams, steps: Steps, days: int, n: int, keep_at: dict, dtype):
        self.variables, self.p, self.steps, self.days, self.keep_at = variables, p, steps, days, keep_at
        self.q_out = np.empty((days, len(variables), len(COHORT_QUANTILES)), dtype=np.float64)
        self.mean_out = np.empty((days, len(variables)), dtype=np.float64)
        self.keep: dict[str, np.ndarray] = {}
        self.block = np.empty((_BLOCK_DAYS, len(variables), n), dtype=dtype)
        self.pool = ThreadPoolExecutor(max_workers=_WORKERS) if n >= _THREADED_FROM_N else None
        self.pending: deque[Future] = deque()

    def summarise(self, first_day: int, values: np.ndarray) -> None:
        count = values.shape[0]
        self.mean_out[first_day : first_day + count] = values.mean(axis=2)
        self.q_out[first_day : first_day + count] = quantile_rows(values)

    def __call__(self, t: int, state: np.ndarray) -> None:
        row = t % _BLOCK_DAYS
        for v, name in enumerate(self.variables):
            derive_into(name, state, self.p, self.steps, self.block[row, v])
        for metric, (name, day) in self.keep_at.items():
            if t == day:
                self.keep[metric] = derive(name, state[None], self.p, self.steps)[0]
        if row == _BLOCK_DAYS - 1 or t == self.days - 1:
            first, values = t - row, self.block[: row + 1]
            if self.pool is None:
                self.summarise(first, values)
                return
            self.pending.append(self.pool.submit(self.summarise, first, values))
            self.block = np.empty_like(self.block)
            while len(self.pending) > _WORKERS + 1:  # bound the memory in flight
                self.pending.popleft().result()

    def finish(self) -> None:
        while self.pending:
            self.pending.popleft().result()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def _quantile_frame(sink: _DailySummaries, start: dt.date, days: int) -> pd.DataFrame:
    day, when = np.arange(days), dates(start, days)
    frames = []
    for v, name in enumerate(sink.variables):
        cols = {"variable": name, "day": day, "date": when}
        cols |= {label: sink.q_out[:, v, j] for j, (label, _) in enumerate(COHORT_QUANTILES)}
        cols["mean"] = sink.mean_out[:, v]
        frames.append(pd.DataFrame(cols))
    return pd.concat(frames, ignore_index=True)


def _metric_frame(metrics: dict[str, np.ndarray]) -> pd.DataFrame:
    stacked = np.stack([np.asarray(metrics[m], dtype=np.float64) for m in COHORT_METRICS])
    means = stacked.mean(axis=1)
    qs = quantile_rows(stacked)
    summary = pd.DataFrame({"metric": list(COHORT_METRICS)})
    for j, (label, _) in enumerate(COHORT_QUANTILES):
        summary[label] = qs[:, j]
    summary["mean"] = means
    return summary


def simulate_cohort(
    plan: CoursePlan,
    n: int,
    seed: int,
    *,
    patient: Patient | None = None,
    days: int = _DEFAULT_DAYS,
    median_patient: bool = False,
    variables: tuple[str, ...] = COHORT_VARIABLES,
    params: ModelParams | None = None,
) -> CohortOutcome:
    """Simulate ``n`` patients who respond differently to the same course.

    Each patient gets five multipliers ``exp(sigma * z)``, ``z`` standard normal
    (lognormal with median 1; ``model.cohort_variation``), one per key of
    :data:`~needling_sim.model_params.MULTIPLIERS`: on the injury gain, the
    inflammation and growth-factor decay rates, the fibroblast gain, the fibroblast
    clearance and collagen synthesis, with the ``sigma_*`` fields of ``params``.
    Everything else comes from ``patient``. The kernel of
    :func:`~needling_sim.outcome.simulate` runs once in float32, vectorised across
    patients with a loop over days; each day's quantiles are exact order statistics
    (numpy.quantile's linear method, found by partitioning; for large cohorts worker
    threads summarise each block of days while the kernel runs on).

    Parameters
    ----------
    plan : CoursePlan
    n : int
        Number of patients, 1 to ``cohort_max_patients`` (``parameters.csv``).
    seed : int
        Non-negative seed for ``numpy.random.default_rng``; the same seed gives the
        same result.
    patient : Patient or None
        The patient to vary around; None means
        :data:`~needling_sim.outcome.REFERENCE_PATIENT`.
    days : int, default 540 (row ``simulate_days_default``)
        As for :func:`~needling_sim.outcome.simulate`.
    median_patient : bool, default False
        Give every patient the median multipliers (all 1, see
        :func:`~needling_sim.model_params.median_multipliers`): with ``n=1`` the
        result equals ``simulate`` for ``patient`` up to float32 rounding.
    variables : tuple of str, default ("inflammation", "collagen_new", "improvement")
        Daily variables to report (any of ``DAILY_VARIABLES``); each adds one
        partition of ``n`` values per day.
    params : ModelParams or None

    Returns
    -------
    CohortOutcome

    Examples
    --------
    >>> from needling_sim import plan_course, simulate
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
    n = check_int("n", n, 1, _MAX_COHORT, unit="patients")
    seed = check_int("seed", seed, 0)
    median_patient = check_bool("median_patient", median_patient)
    variables = check_names("variables", variables, DAILY_VARIABLES, noun="variable")
    plan, patient, days, p = checked_inputs(plan, patient, days, params)
    sched = schedule(plan, p)
    dtype = np.float32
    rates = patient_rates(patient, p, _multipliers(n, seed, p, median_patient, dtype), dtype)
    keep_at = {
        "collagen_new_12m": ("collagen_new", SUMMARY_DAYS["12m"]),
        "improvement_6m": ("improvement", SUMMARY_DAYS["6m"]),
        "improvement_6m_after_last": ("improvement", sched.days[-1] + SUMMARY_DAYS_AFTER_LAST["6m"]),
    }
    sink = _DailySummaries(variables, p, daily_steps(rates, p), days, n, keep_at, dtype)
    try:
        totals = run_kernel(sched, rates, p, days, sink)
        sink.finish()
    finally:
        sink.close()
    metrics = {
        "collagen_new_12m": sink.keep["collagen_new_12m"],
        "improvement_6m": sink.keep["improvement_6m"],
        "improvement_6m_after_last": sink.keep.get("improvement_6m_after_last", np.full(n, np.nan)),
        "peak_inflammation": totals.peak_inflammation,
        "cumulative_inflammation": totals.cumulative_inflammation,
        "risk": totals.risk,
    }
    return CohortOutcome(
        plan, patient, n, seed, days, median_patient, variables, _quantile_frame(sink, plan.start, days),
        _metric_frame(metrics),
    )
