"""Healing after each session, from one simulation: phases, redness, aftercare and milestones.

:func:`timeline` reads an :class:`~needling_sim.outcome.Outcome` and gives a
:class:`Timeline`: each day's :class:`~needling_sim.phases.Phase`, the redness, the days
each aftercare rule of :data:`~needling_sim.aftercare.RULES` holds, and the dated
:class:`Milestone` s with a stable :class:`MilestoneKey`. :func:`healing_timeline`,
:func:`milestones`, :func:`milestones_frame` and :func:`aftercare_on` are views of it that
take a plan; pass ``outcome=`` to reuse a simulation instead of running another.

Redness comes from the teaching model's inflammation signal (:mod:`needling_sim.outcome`),
so it lasts longer after a deeper needle. The phases (:mod:`needling_sim.phases`) and the
rules (:mod:`needling_sim.aftercare`) are re-exported here for older callers.

Teaching model, not clinical advice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from ._checks import check_day, check_instance, check_int, check_name, check_same
from .aftercare import RESTRICTIONS, RULES, AftercareDay, Restriction, RuleKey, RuleKind
from .milestone_rules import MILESTONE_COLUMNS, Milestone, MilestoneKey, course_milestones
from .outcome import ModelParams, Outcome, simulate
from .parameters import parameter
from .patient import Patient
from .phases import PHASES, Phase
from .plans import CoursePlan

__all__ = [
    "PHASES",
    "REDNESS_ROW",
    "RESTRICTIONS",
    "RULES",
    "AftercareDay",
    "Milestone",
    "MilestoneKey",
    "Phase",
    "Restriction",
    "RuleKey",
    "RuleKind",
    "Timeline",
    "aftercare_on",
    "healing_timeline",
    "milestones",
    "milestones_frame",
    "timeline",
    "timeline_for",
]

#: The timeline row of visible redness (beside the phases and the rules; see :meth:`Timeline.mask`).
REDNESS_ROW = "redness_visible"
_RULE_VALUES = frozenset(k.value for k in RuleKey)
_ROWS = (*(p.value for p in Phase), *(k.value for k in RuleKey), REDNESS_ROW)


def _frozen(a) -> np.ndarray:
    a = np.array(a)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class Timeline:
    """One simulated course, day by day: phases, redness, aftercare rules and milestones.

    Made by :func:`timeline` from one :class:`~needling_sim.outcome.Outcome`; every array
    has one read-only entry per simulated day (index = days since the first session).

    Attributes
    ----------
    plan : CoursePlan
    date, session, days_since_session : numpy.ndarray
    phase : numpy.ndarray
        One :class:`Phase` per day (object array).
    redness, redness_visible : numpy.ndarray
    rules : Mapping of RuleKey to numpy.ndarray
        Whether each rule of :data:`RULES` holds, day by day.
    milestones : tuple of Milestone
        Sorted by day.
    """

    plan: CoursePlan
    date: np.ndarray
    session: np.ndarray
    days_since_session: np.ndarray
    phase: np.ndarray
    redness: np.ndarray
    redness_visible: np.ndarray
    rules: Mapping[RuleKey, np.ndarray]
    milestones: tuple[Milestone, ...]

    def __len__(self) -> int:
        return len(self.session)

    def mask(self, row: str) -> np.ndarray:
        """Days a row is on: a :class:`Phase`, a :class:`RuleKey` or :data:`REDNESS_ROW` (values work too)."""
        row = check_name("row", row, _ROWS, noun="timeline row")
        if row == REDNESS_ROW:
            return self.redness_visible
        if row in _RULE_VALUES:
            return self.rules[RuleKey(row)]
        return self.phase == Phase(row)

    def runs(self, row: str) -> list[tuple[int, int]]:
        """(first_day, last_day) of every run of days a row is on, inclusive: the bars of a Gantt row.

        Examples
        --------
        >>> from needling_sim import plan_course, simulate
        >>> t = timeline(simulate(plan_course(dt.date(2026, 3, 2), 2, 42, 1.0, "cheek")))
        >>> t.runs(Phase.INFLAMMATION), t.runs("ointment")
        ([(0, 4), (42, 46)], [(0, 6), (42, 48)])
        """
        m = np.concatenate(([False], self.mask(row), [False])).view(np.int8)
        edges = np.diff(m)
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
        return list(zip(starts.tolist(), ends.tolist(), strict=True))

    def on(self, day: int) -> AftercareDay:
        """What holds on one day (0 = first session).

        Examples
        --------
        >>> from needling_sim import plan_course, simulate
        >>> t = timeline(simulate(plan_course(dt.date(2026, 3, 2), 1, 42, 1.0, "cheek")))
        >>> a = t.on(3)
        >>> a.phase, [r.name for r in a.must_not], [r.name for r in a.should]
        (<Phase.INFLAMMATION: 'inflammation'>, ['no_sun', 'no_actives', 'no_touching'], ['ointment'])
        """
        d = check_int("day", day, 0, len(self) - 1, note="the simulated days")
        return AftercareDay(
            date=self.date[d],
            day=d,
            session=int(self.session[d]),
            days_since_session=int(self.days_since_session[d]),
            phase=self.phase[d],
            redness_visible=bool(self.redness_visible[d]),
            restrictions=tuple(r for r in RULES if self.rules[r.key][d]),
            redness=float(self.redness[d]),
        )

    def milestone(self, key: MilestoneKey | str, session: int | None = None) -> Milestone:
        """The milestone with this key (and session, for :attr:`MilestoneKey.REDNESS_GONE`).

        Examples
        --------
        >>> from needling_sim import plan_course, simulate
        >>> t = timeline(simulate(plan_course(dt.date(2026, 3, 2), 3, 42, 1.0, "cheek")))
        >>> t.milestone(MilestoneKey.FULL_EFFECT).date, t.milestone("redness_gone", session=2).day
        (datetime.date(2026, 11, 23), 46)
        """
        key = MilestoneKey(check_name("key", key, tuple(k.value for k in MilestoneKey), noun="milestone key"))
        found = [m for m in self.milestones if m.key is key and (session is None or m.session == session)]
        if not found:
            raise ValueError(f"key={key.value!r}, session={session!r}: no such milestone in this timeline")
        return found[0]

    def frame(self) -> pd.DataFrame:
        """The timeline as one row per day: the columns of :func:`healing_timeline` (plain values).

        Examples
        --------
        >>> from needling_sim import plan_course, simulate
        >>> f = timeline(simulate(plan_course(dt.date(2026, 3, 2), 1, 42, 1.0, "cheek"))).frame()
        >>> f.loc[3, "phase"], f.loc[30, "sources"]
        ('inflammation', 'phase.remodeling.guo2010')
        """
        index = Phase.ordinal_of(self.days_since_session)
        cols = {
            "day": np.arange(len(self)),
            "date": self.date,
            "session": self.session,
            "days_since_session": self.days_since_session,
            "phase": np.array([p.value for p in Phase], dtype=object)[index],
            "redness": self.redness,
            "redness_visible": self.redness_visible,
            **{key.value: on for key, on in self.rules.items()},
        }
        # Days with the same phase, redness and rules have the same sources: build each text once.
        flags = np.column_stack([self.redness_visible, *self.rules.values()]).astype(np.int64)
        codes = index * 2 ** flags.shape[1] + flags @ (1 << np.arange(flags.shape[1]))
        _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
        texts = [", ".join(self.on(int(d)).sources) for d in first]
        cols["sources"] = np.array(texts, dtype=object)[inverse.reshape(-1)]
        return pd.DataFrame(cols)

    def milestones_frame(self) -> pd.DataFrame:
        """The milestones as a DataFrame (key, name, date, day, sources, note, conflict)."""
        rows = [
            {
                "key": m.key.value,
                "name": m.name,
                "date": m.date,
                "day": m.day,
                "sources": ", ".join(m.sources),
                "note": m.note,
                "conflict": m.conflict,
            }
            for m in self.milestones
        ]
        return pd.DataFrame(rows, columns=MILESTONE_COLUMNS)


def timeline(outcome: Outcome) -> Timeline:
    """The one healing timeline of a simulation: phases, redness, rules and milestones, per day.

    Parameters
    ----------
    outcome : Outcome
        From :func:`~needling_sim.outcome.simulate`; the timeline covers its days.

    Returns
    -------
    Timeline

    Notes
    -----
    The model's peak improvement (:attr:`MilestoneKey.MODEL_PEAK`) is read over the
    simulated days, so it depends on how many were simulated.

    Examples
    --------
    >>> from needling_sim import plan_course, simulate
    >>> t = timeline(simulate(plan_course(dt.date(2026, 3, 2), 3, 42, 1.0, "cheek"), days=450))
    >>> len(t), t.phase[42], t.runs("redness_visible")[:2]
    (450, <Phase.INFLAMMATION: 'inflammation'>, [(0, 3), (42, 45)])
    """
    outcome = check_instance("outcome", outcome, Outcome, "an Outcome (see needling_sim.simulate)")
    plan, daily = outcome.plan, outcome.daily
    session = daily["session"].to_numpy()
    since = daily["day"].to_numpy() - np.asarray(plan.session_days)[session - 1]
    visible = daily["redness_visible"].to_numpy().astype(bool)
    return Timeline(
        plan=plan,
        date=_frozen(daily["date"].to_numpy()),
        session=_frozen(session),
        days_since_session=_frozen(since),
        phase=_frozen(Phase.of(since)),
        redness=_frozen(daily["redness"].to_numpy()),
        redness_visible=_frozen(visible),
        rules=MappingProxyType({r.key: _frozen(r.holds(since, visible)) for r in RULES}),
        milestones=course_milestones(plan, visible, daily["improvement"].to_numpy()),
    )


_DAYS_AFTER_LAST = parameter("timeline_days_after_last")


def timeline_for(
    plan: CoursePlan,
    patient: Patient | None = None,
    *,
    days_after_last: int = _DAYS_AFTER_LAST.value,
    params: ModelParams | None = None,
    outcome: Outcome | None = None,
) -> Timeline:
    """The :class:`Timeline` of a plan: of ``outcome`` if given (checked against the plan), else of a new simulation.

    Parameters
    ----------
    plan : CoursePlan
    patient, params
        For :func:`~needling_sim.outcome.simulate`; with ``outcome`` they may be
        omitted, or must be the ones it was simulated with.
    days_after_last : int, default 365
        Days a new simulation covers after the last session (``timeline_days_after_last``
        in the parameter table is the default and the least).
    outcome : Outcome or None

    Examples
    --------
    >>> from needling_sim import plan_course
    >>> len(timeline_for(plan_course(dt.date(2026, 3, 2), 2, 42, 1.0, "cheek"))) == 42 + 365 + 1
    True
    """
    plan = check_instance("plan", plan, CoursePlan, "a CoursePlan (see plan_course)")
    if outcome is None:
        days_after_last = check_int("days_after_last", days_after_last, _DAYS_AFTER_LAST.value)
        return timeline(simulate(plan, patient, days=plan.session_days[-1] + days_after_last + 1, params=params))
    outcome = check_instance("outcome", outcome, Outcome, "an Outcome (see needling_sim.simulate) or None")
    check_same("plan", plan, outcome.plan, "the outcome")
    check_same("patient", patient, outcome.patient, "the outcome")
    check_same("params", params, outcome.params, "the outcome")
    return timeline(outcome)


def healing_timeline(
    plan: CoursePlan,
    patient: Patient | None = None,
    *,
    days_after_last: int = _DAYS_AFTER_LAST.value,
    params: ModelParams | None = None,
    outcome: Outcome | None = None,
) -> pd.DataFrame:
    """Day-by-day healing and aftercare for a course (:meth:`Timeline.frame` of one simulation).

    Parameters
    ----------
    plan : CoursePlan
    patient : Patient or None
        Passed to :func:`~needling_sim.outcome.simulate` for the redness; None means
        the reference patient (or, with ``outcome``, the outcome's patient).
    days_after_last : int, default 365
        Days to cover after the last session (at least ``timeline_days_after_last``
        in the parameter table).
    params : ModelParams or None
        Model parameters for the redness.
    outcome : Outcome or None
        A simulation of ``plan`` to read instead of simulating again; it must cover
        ``days_after_last`` days after the last session.

    Returns
    -------
    pandas.DataFrame
        One row per day from the first session (day 0) to ``days_after_last`` days
        after the last: ``day``, ``date``, ``session`` (latest session number),
        ``days_since_session``, ``phase`` (a :class:`Phase` value, restarting at each
        session), ``redness`` (0 to 1), ``redness_visible``, one boolean per rule
        (:class:`RuleKey` values, :data:`RULES` order) and ``sources`` (claim ids
        behind that day's phase, redness and rules, comma-separated).

    Examples
    --------
    >>> from needling_sim import plan_course
    >>> t = healing_timeline(plan_course(dt.date(2026, 3, 2), 2, 42, 1.0, "cheek"))
    >>> t.loc[[0, 3, 5, 21, 42], ["day", "session", "phase", "redness_visible", "no_touching"]]
        day  session          phase  redness_visible  no_touching
    0     0        1   inflammation             True         True
    3     3        1   inflammation             True         True
    5     5        1  proliferation            False        False
    21   21        1     remodeling            False        False
    42   42        2   inflammation             True         True
    >>> len(t) == 42 + 365 + 1
    True
    """
    t = timeline_for(plan, patient, days_after_last=days_after_last, params=params, outcome=outcome)
    if outcome is None:
        return t.frame()
    last = plan.session_days[-1]
    days_after_last = check_int(
        "days_after_last", days_after_last, _DAYS_AFTER_LAST.value, len(t) - 1 - last, note="the outcome's days"
    )
    return t.frame().iloc[: last + days_after_last + 1]


def aftercare_on(
    plan: CoursePlan,
    when: dt.date | int,
    patient: Patient | None = None,
    *,
    params: ModelParams | None = None,
    outcome: Outcome | None = None,
) -> AftercareDay:
    """What holds on a given day of a course, with the sources.

    Parameters
    ----------
    plan : CoursePlan
    when : datetime.date or int
        A date on or after the first session, or a day number (0 = first session).
    patient, params, outcome
        As for :func:`healing_timeline`.

    Returns
    -------
    AftercareDay

    Examples
    --------
    >>> from needling_sim import plan_course
    >>> plan = plan_course(dt.date(2026, 3, 2), 1, 42, 1.0, "cheek")
    >>> [r.name for r in aftercare_on(plan, dt.date(2026, 3, 3)).restrictions]
    ['no_sun', 'no_actives', 'no_exercise', 'no_touching', 'ointment']
    >>> [r.name for r in aftercare_on(plan, 9).restrictions]
    []
    """
    plan = check_instance("plan", plan, CoursePlan, "a CoursePlan (see plan_course)")
    day = check_day("when", when, plan.start, day_0="the first session")
    after_last = max(_DAYS_AFTER_LAST.value, day - plan.session_days[-1])
    return timeline_for(plan, patient, days_after_last=after_last, params=params, outcome=outcome).on(day)


def milestones(
    plan: CoursePlan,
    patient: Patient | None = None,
    *,
    params: ModelParams | None = None,
    outcome: Outcome | None = None,
) -> tuple[Milestone, ...]:
    """Dated milestones of a course, each with a stable key, sources and, where sources disagree, a conflict note.

    Redness gone after each session (teaching model); collagen synthesis starting
    (literature: within a day; a seed says weeks); early results; the full effect
    (after the last session); collagen formation possibly continuing; and the
    model's own peak improvement (:class:`MilestoneKey`).

    Parameters
    ----------
    plan : CoursePlan
    patient, params, outcome
        As for :func:`healing_timeline` (a new simulation covers the default
        ``timeline_days_after_last`` days after the last session).

    Returns
    -------
    tuple of Milestone
        Sorted by day. :func:`milestones_frame` gives the same as a DataFrame.

    Examples
    --------
    >>> from needling_sim import plan_course
    >>> ms = milestones(plan_course(dt.date(2026, 3, 2), 3, 42, 1.0, "cheek"))
    >>> start = next(m for m in ms if m.key is MilestoneKey.SYNTHESIS_STARTS)
    >>> start.day, start.name, "collagen.s3_start" in start.conflict
    (1, 'collagen synthesis starts', True)
    """
    return timeline_for(plan, patient, params=params, outcome=outcome).milestones


def milestones_frame(
    plan: CoursePlan,
    patient: Patient | None = None,
    *,
    params: ModelParams | None = None,
    outcome: Outcome | None = None,
) -> pd.DataFrame:
    """:func:`milestones` as a DataFrame (key, name, date, day, sources, note, conflict).

    Examples
    --------
    >>> from needling_sim import plan_course
    >>> f = milestones_frame(plan_course(dt.date(2026, 3, 2), 1, 42, 1.0, "cheek"))
    >>> f.columns.tolist()
    ['key', 'name', 'date', 'day', 'sources', 'note', 'conflict']
    >>> f.set_index("key").loc["full_effect", "date"]
    datetime.date(2026, 8, 31)
    """
    return timeline_for(plan, patient, params=params, outcome=outcome).milestones_frame()
