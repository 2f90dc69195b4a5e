"""A small mechanistic teaching model of the skin's response to a needling course.

Illustrative only: the shapes and time scales follow EVIDENCE.md section 3 and
the literature it cites; the sizes are not calibrated to human data. Every
parameter is a row of ``data/parameters.csv`` citing a claim in the ledger
(:data:`PARAM_SOURCES`); most are labelled teaching-model assumptions. Teaching
model, not clinical advice.

The model, in daily steps (day 0 = first session; the names in brackets are the
:class:`~needling_sim.model_params.ModelParams` fields that set each part, and the
equations are in the Notes of :mod:`needling_sim.kernel`):

- **Injury.** Each session adds an impulse to the inflammation signal ``I``:
  ``injury_gain * depth_mm / dermis_mm`` for the treated area.
- **Inflammation** decays exponentially (``inflammation_half_life_days``). Redness
  is ``I / (I + redness_threshold)`` (0 to 1) and is visible while ``I`` exceeds
  the threshold: about 2 days at 0.5 mm and 4 to 5 days at 1.5 to 2.5 mm on the
  cheek (claim ``model.redness_threshold``).
- **Growth factors** ``G``: each session also releases a signal from the dermis
  the needle passes through, ``injury_gain * (depth - epidermis) / dermis``
  clipped to 0..1. A needle past the dermis adds injury (inflammation, risk) but
  no more signal: the model never rewards depth beyond the site's dermis. ``G``
  fades exponentially (``growth_factor_half_life_days``).
- **Fibroblasts** ``F`` are recruited by ``G`` (``fibroblast_gain_per_day``) and
  cleared slowly (``fibroblast_clearance_per_day``), so they, and collagen
  synthesis, peak about a week after a session (Guo & DiPietro 2010: around day 7).
- **New collagen.** ``F`` lays down type III collagen at a rate
  (``collagen_synthesis_per_day``) that slows as new collagen fills the model's
  capacity (saturation). In remodelling, type III is replaced by type I
  (``maturation_days``), so type I is still being laid down 10 to 12 months after
  a session (003: up to 12 months); new collagen of both types turns over slowly
  (``collagen_half_life_days``), so the total plateaus. ``collagen_new`` is
  type III + type I in capacity units (0 to 1).
- **Improvement** is ``(type I + type_iii_weight * type III) / capacity``: immature
  type III counts less (early scars are weak), so the visible result lags the
  collagen and keeps rising past 6 months after the last session (the full-effect
  milestone; Alam et al. 2014: significant at 6 months, not at 3).
- **Re-injury.** A session while the previous wound is still inflamed or
  proliferating (closer than ``fragile_end_days``, in full within
  ``fragile_full_days``) boosts that session's inflammation, destroys part of the
  immature type III collagen and kills part of the activated fibroblasts. Sessions
  further apart do not interact this way, so spacing matters the way the sources
  say: packing sessions raises inflammation and risk without a matching gain, and
  28 against 42 days stays close (the best interval is not known: Iriarte 2017).
- **Risk score** (0 to 1, a labelled teaching score, not a probability):
  ``1 - exp(-H)`` with a hazard ``H`` from cumulative inflammation, sessions on
  skin still healing and depth beyond the site's limit, multiplied for
  Fitzpatrick IV to VI (pigmentation) and for keloid history or poor healing.
- **Patients.** Age scales collagen synthesis (halving every ``age_halving_years``
  above ``age_reference_years``). :func:`~needling_sim.cohort.simulate_cohort` draws
  lognormal multipliers with median 1 on five rates, so the median patient is
  exactly the reference patient of :func:`simulate`.

Both :func:`simulate` and :func:`~needling_sim.cohort.simulate_cohort` run one numpy
kernel (:func:`needling_sim.kernel.run_kernel`), vectorised across patients with a loop
over days. This module also gives the cohort's names (``CohortOutcome``,
``simulate_cohort``, ``COHORT_*``) for code that reads them from here.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._checks import check_instance, check_int
from .kernel import (
    DAILY_VARIABLES,
    STATE_ROWS,
    Schedule,
    Totals,
    daily_steps,
    dates,
    derive,
    patient_rates,
    run_kernel,
    schedule,
)
from .model_params import PARAM_SOURCES, ModelParams, default_params, median_multipliers
from .parameters import parameter
from .patient import Fitzpatrick, Patient
from .plans import CoursePlan

__all__ = [
    "DAILY_VARIABLES",
    "PARAM_SOURCES",
    "REFERENCE_PATIENT",
    "SUMMARY_DAYS",
    "SUMMARY_DAYS_AFTER_LAST",
    "ModelParams",
    "Outcome",
    "OutcomeSummary",
    "checked_inputs",
    "median_multipliers",
    "simulate",
]

#: The patient :func:`~needling_sim.cohort.simulate_cohort` varies around when none is
#: given: at the age where the age factor is 1 (``age_reference_years``), Fitzpatrick
#: II, no risk factors.
REFERENCE_PATIENT = Patient(age=round(default_params().age_reference_years), fitzpatrick=Fitzpatrick.II)

#: Days after the **first** session at which the summary reports values
#: (``improvement_6m`` and so on): rows ``summary_6w_days`` ... ``summary_12m_days``
#: of ``parameters.csv``, with the claims that make those days interesting (early
#: results, Alam 2014's 3 and 6 months, the seed's 12 months of collagen formation).
SUMMARY_DAYS: dict[str, int] = {k: parameter(f"summary_{k}_days").value for k in ("6w", "3m", "6m", "12m")}
#: Days after the **last** session at which the summary also reports values
#: (``improvement_6m_after_last`` and so on): the reviews the course schedules
#: (the full effect about 6 months after the last session, 003; collagen forming
#: up to 12 months after it). The same durations as :data:`SUMMARY_DAYS`.
SUMMARY_DAYS_AFTER_LAST: dict[str, int] = {k: SUMMARY_DAYS[k] for k in ("3m", "6m", "12m")}
_MIN_DAYS = SUMMARY_DAYS["12m"] + 1
_MAX_DAYS = parameter("simulate_max_days").value
_DEFAULT_DAYS = parameter("simulate_days_default").value

#: Cohort names this module gives on first use (from :mod:`needling_sim.cohort`, which imports this one).
_COHORT_NAMES = frozenset(
    {"COHORT_METRICS", "COHORT_QUANTILES", "COHORT_VARIABLES", "CohortOutcome", "simulate_cohort"}
)


def __getattr__(name: str):
    """``outcome.simulate_cohort`` and the other cohort names, imported on first use (PEP 562)."""
    if name in _COHORT_NAMES:
        return getattr(importlib.import_module(".cohort", __package__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def checked_inputs(
    plan: object, patient: object, days: object, params: object
) -> tuple[CoursePlan, Patient, int, ModelParams]:
    """Check the inputs :func:`simulate` and ``simulate_cohort`` share; fill in the defaults.

    Parameters
    ----------
    plan : CoursePlan
    patient : Patient or None
        None means :data:`REFERENCE_PATIENT`.
    days : int
        At least 12 months after the first session and past the last session, at
        most the ``simulate_max_days`` row of ``parameters.csv``.
    params : ModelParams or None
        None means the defaults.

    Returns
    -------
    tuple
        ``(plan, patient, days, params)``.

    Examples
    --------
    >>> import datetime as dt
    >>> from needling_sim import plan_course
    >>> plan = plan_course(dt.date(2026, 3, 2), 1, 42, 0.5, "cheek")
    >>> checked_inputs(plan, None, 540, None)[1] == REFERENCE_PATIENT
    True
    >>> checked_inputs(plan, None, 100, None)
    Traceback (most recent call last):
    ...
    ValueError: days=100 is not allowed; allowed: 366 to 3650 (at least 12 months after the first session ...)
    """
    plan = check_instance("plan", plan, CoursePlan, "a CoursePlan (see plan_course)")
    if patient is None:
        patient = REFERENCE_PATIENT
    patient = check_instance("patient", patient, Patient, "a needling_sim.Patient or None")
    low = max(_MIN_DAYS, plan.session_days[-1] + 1)
    why = "at least 12 months after the first session and past the last session"
    days = check_int("days", days, low, _MAX_DAYS, note=why)
    params = default_params() if params is None else params
    params = check_instance("params", params, ModelParams, "a ModelParams or None")
    return plan, patient, days, params


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
        >>> import datetime as dt
        >>> import datetime as dt
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
        ``redness`` (0 to 1) and ``redness_visible`` (inflammation above
        ``redness_threshold``, that is redness above one half).
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
        >>> import datetime as dt
        >>> import datetime as dt
    >>> from needling_sim import plan_course
        >>> out = simulate(plan_course(dt.date(2026, 3, 2), 3, 42, 1.0, "cheek"))
        >>> out.to_frame().set_index("metric").loc["redness_days", "value"]
        np.float64(12.0)
        """
        d = self.summary.to_dict()
        return pd.DataFrame({"metric": list(d), "value": [float(v) for v in d.values()]})


def _summary(values: dict[str, np.ndarray], visible: np.ndarray, sched: Schedule, totals: Totals) -> OutcomeSummary:
    """The headline numbers of one patient's daily values."""
    improvement, new, type_i = values["improvement"], values["collagen_new"], values["collagen_i"]
    days, last = len(improvement), sched.days[-1]

    def after_last(series: np.ndarray, key: str) -> float:
        d = last + SUMMARY_DAYS_AFTER_LAST[key]
        return float(series[d]) if d < days else math.nan

    return OutcomeSummary(
        **{f"improvement_{k}": float(improvement[d]) for k, d in SUMMARY_DAYS.items()},
        **{f"collagen_new_{k}": float(new[d]) for k, d in SUMMARY_DAYS.items()},
        **{f"improvement_{k}_after_last": after_last(improvement, k) for k in SUMMARY_DAYS_AFTER_LAST},
        collagen_new_6m_after_last=after_last(new, "6m"),
        collagen_new_12m_after_last=after_last(new, "12m"),
        collagen_i_6m_after_last=after_last(type_i, "6m"),
        collagen_i_12m_after_last=after_last(type_i, "12m"),
        synthesis_peak_day=int(np.argmax(values["collagen_synthesis"][last:])),
        peak_inflammation=float(totals.peak_inflammation[0]),
        cumulative_inflammation=float(totals.cumulative_inflammation[0]),
        risk=float(totals.risk[0]),
        reinjured_sessions=sum(f > 0 for f in sched.fragility),
        redness_days=int(visible.sum()),
    )


def simulate(
    plan: CoursePlan,
    patient: Patient | None = None,
    *,
    days: int = _DEFAULT_DAYS,
    params: ModelParams | None = None,
) -> Outcome:
    """Simulate one patient's response to a course (teaching model, illustrative units).

    Parameters
    ----------
    plan : CoursePlan
    patient : Patient or None, default None
        None means :data:`REFERENCE_PATIENT`.
    days : int, default 540 (row ``simulate_days_default``)
        Days to simulate from the first session: at least 366 (12 months are
        summarised) and past the last session, at most ``simulate_max_days``.
    params : ModelParams or None
        Model parameters; None means the defaults.

    Returns
    -------
    Outcome
        ``.daily`` (one row per day) and ``.summary``.

    Examples
    --------
    >>> import datetime as dt
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
    plan, patient, days, p = checked_inputs(plan, patient, days, params)
    sched = schedule(plan, p)
    rates = patient_rates(patient, p, median_multipliers(), np.float64)
    record = np.empty((days, STATE_ROWS, 1), dtype=np.float64)
    copyto = np.copyto  # bound once: sink runs every day

    def sink(t, state):
        copyto(record[t], state)

    totals = run_kernel(sched, rates, p, days, sink)
    steps = daily_steps(rates, p)
    values = {name: derive(name, record, p, steps)[:, 0] for name in DAILY_VARIABLES}
    visible = values["inflammation"] > p.redness_threshold
    day = np.arange(days)
    daily = pd.DataFrame(
        {
            "day": day,
            "date": dates(plan.start, days),
            "session": np.searchsorted(np.asarray(sched.days), day, side="right"),
            **values,
            "redness_visible": visible,
        }
    )
    return Outcome(plan, patient, p, daily, _summary(values, visible, sched, totals))
