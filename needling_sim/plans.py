"""Course plans as data: when the sessions fall, how deep the needle goes, on which area.

:func:`plan_course` builds an immutable :class:`CoursePlan` of :class:`Session` objects;
:mod:`needling_sim.plan_checks` says whether a plan is wise and
:mod:`needling_sim.recommend` builds one from sourced defaults.

The seeds disagree on the minimum gap between sessions: a shorter one in
``000_...`` and ``002_...`` and the acne-scar trials (claims ``spacing.s0``,
``spacing.s2``, ``spacing.harris2015``) against a longer one in ``001_...`` and
``003_...`` (``spacing.s1``, ``spacing.s3``). :class:`SpacingPolicy` makes the
choice visible; the conservative reading is the default
(``policy.spacing_default``); :data:`SPACING_MIN_DAYS` reads each policy's minimum
from its claims. A session closer than :data:`HEALING_INTERVAL_DAYS` to the previous
one needles a wound still in its proliferation phase (Guo & DiPietro 2010).

Teaching model, not clinical advice.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from ._checks import check_date, check_depth_mm, check_int
from .areas import DEPTH_STEP_MM, Area, AreaInfo, area_info, parse_area
from .evidence import claim, require_claims
from .parameters import parameter

__all__ = [
    "DEPTH_STEP_MM",
    "HEALING_INTERVAL_DAYS",
    "MAX_DEPTH_MM",
    "MAX_SESSIONS",
    "SPACING_MIN_DAYS",
    "SPACING_SOURCES",
    "CoursePlan",
    "Session",
    "SpacingPolicy",
    "plan_course",
]

#: Deepest needle accepted as input (``input.plan_ranges_assumed``); deeper is an input error.
MAX_DEPTH_MM: float = claim("input.plan_ranges_assumed").value_high
#: Most sessions a plan may hold (``parameter("max_sessions")``, claim ``bound.max_sessions``).
MAX_SESSIONS: int = parameter("max_sessions").value
# DEPTH_STEP_MM (from areas): the cartridge step recommendations move by.


class SpacingPolicy(StrEnum):
    """Which reading of the seeds sets the minimum gap between sessions.

    ``six_weeks`` (the default, conservative): as in ``001_...`` and ``003_...``
    (``spacing.s1``, ``spacing.s3``). ``four_weeks``: as in ``000_...``, ``002_...``
    and the acne-scar trials (``spacing.s0``, ``spacing.s2``, ``spacing.harris2015``).
    :data:`SPACING_MIN_DAYS` holds each one's minimum in days.

    Examples
    --------
    >>> SPACING_MIN_DAYS[SpacingPolicy("four_weeks")]
    28
    """

    SIX_WEEKS = "six_weeks"
    FOUR_WEEKS = "four_weeks"


#: The claims behind each spacing policy.
SPACING_SOURCES: dict[SpacingPolicy, tuple[str, ...]] = {
    SpacingPolicy.SIX_WEEKS: require_claims("spacing.s1", "spacing.s3"),
    SpacingPolicy.FOUR_WEEKS: require_claims("spacing.s0", "spacing.s2", "spacing.harris2015"),
}
#: Minimum interval in days per policy: the lowest figure its sources give.
SPACING_MIN_DAYS: dict[SpacingPolicy, int] = {
    p: int(min(claim(c).value_low for c in ids)) for p, ids in SPACING_SOURCES.items()
}

#: A session closer than this to the previous one needles a wound still healing:
#: the end of the proliferation phase (``phase.proliferation.guo2010``).
HEALING_INTERVAL_DAYS: int = int(claim("phase.proliferation.guo2010").value_high)


@dataclass(frozen=True)
class Session:
    """One treatment visit.

    Attributes
    ----------
    number : int
        1-based position in the course.
    date : datetime.date
    depth_mm : float
        Needle length in mm (above 0, at most ``MAX_DEPTH_MM``).
    area : Area

    Examples
    --------
    >>> Session(1, dt.date(2026, 3, 2), 1.0, "cheek").area
    <Area.CHEEK: 'cheek'>
    """

    number: int
    date: dt.date
    depth_mm: float
    area: Area

    def __post_init__(self) -> None:
        object.__setattr__(self, "number", check_int("number", self.number, 1, MAX_SESSIONS))
        check_date("date", self.date)
        object.__setattr__(self, "depth_mm", check_depth_mm("depth_mm", self.depth_mm, MAX_DEPTH_MM))
        object.__setattr__(self, "area", parse_area(self.area))


@dataclass(frozen=True)
class CoursePlan:
    """An immutable course of sessions on one area.

    Build one with :func:`plan_course` or :func:`~needling_sim.recommend.recommend_plan`.

    Attributes
    ----------
    sessions : tuple of Session
        Numbered 1, 2, ... with strictly increasing dates, all on one area.
    notes : tuple of str
        Why the plan looks as it does (filled by :func:`~needling_sim.recommend.recommend_plan`).
    sources : tuple of str
        Claim ids behind the notes.

    Examples
    --------
    >>> plan = plan_course(dt.date(2026, 3, 2), 3, 42, 1.0, "cheek")
    >>> plan.start, plan.end, plan.intervals_days, plan.n_sessions, plan.area.value
    (datetime.date(2026, 3, 2), datetime.date(2026, 5, 25), (42, 42), 3, 'cheek')
    """

    sessions: tuple[Session, ...]
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        sessions = self.sessions
        if not isinstance(sessions, (tuple, list)) or not sessions:
            raise TypeError(f"sessions must be a non-empty tuple of Session, got {sessions!r}")
        for i, s in enumerate(sessions, start=1):
            if not isinstance(s, Session):
                raise TypeError(f"sessions[{i - 1}] must be a Session, got {type(s).__name__}")
            if s.number != i:
                raise ValueError(f"sessions[{i - 1}].number={s.number}; sessions must be numbered 1, 2, ... in order")
            if i > 1 and s.date <= sessions[i - 2].date:
                raise ValueError(
                    f"session {i} on {s.date} is not after session {i - 1} on {sessions[i - 2].date}; "
                    "dates must strictly increase"
                )
            if s.area is not sessions[0].area:
                raise ValueError(
                    f"session {i} is on {s.area.value}, session 1 on {sessions[0].area.value}; a plan covers one area"
                )
        object.__setattr__(self, "sessions", tuple(sessions))
        if isinstance(self.notes, str) or not all(isinstance(n, str) for n in self.notes):
            raise TypeError(f"notes must be a tuple of str, got {self.notes!r}")
        object.__setattr__(self, "notes", tuple(self.notes))
        if isinstance(self.sources, str):
            raise TypeError(f"sources must be a tuple of claim ids, got {self.sources!r}")
        object.__setattr__(self, "sources", require_claims(*self.sources) if self.sources else ())

    @property
    def start(self) -> dt.date:
        """Date of the first session."""
        return self.sessions[0].date

    @property
    def end(self) -> dt.date:
        """Date of the last session."""
        return self.sessions[-1].date

    @property
    def n_sessions(self) -> int:
        """Number of sessions."""
        return len(self.sessions)

    @property
    def area(self) -> Area:
        """The treated area."""
        return self.sessions[0].area

    @property
    def area_info(self) -> AreaInfo:
        """Dermis thickness, depth limit and size of the treated area."""
        return area_info(self.area)

    @property
    def intervals_days(self) -> tuple[int, ...]:
        """Days between consecutive sessions (empty for one session)."""
        return tuple((b.date - a.date).days for a, b in zip(self.sessions, self.sessions[1:], strict=False))

    @property
    def session_days(self) -> tuple[int, ...]:
        """Each session's day counted from the first session (0 for the first)."""
        return tuple((s.date - self.start).days for s in self.sessions)

    @property
    def depths_mm(self) -> tuple[float, ...]:
        """Needle length of each session."""
        return tuple(s.depth_mm for s in self.sessions)

    def to_frame(self) -> pd.DataFrame:
        """One row per session: number, date, day, interval_days, depth_mm, area.

        Examples
        --------
        >>> plan_course(dt.date(2026, 3, 2), 2, 42, 0.5, "forehead").to_frame()["interval_days"].tolist()
        [nan, 42.0]
        """
        return pd.DataFrame(
            {
                "number": [s.number for s in self.sessions],
                "date": [s.date for s in self.sessions],
                "day": list(self.session_days),
                "interval_days": [math.nan, *self.intervals_days],
                "depth_mm": list(self.depths_mm),
                "area": [s.area.value for s in self.sessions],
            }
        )


def plan_course(
    start: dt.date,
    sessions: int,
    interval_days: int | Sequence[int],
    depth_mm: float | Sequence[float],
    area: str | Area,
) -> CoursePlan:
    """Lay out a course of sessions.

    Parameters
    ----------
    start : datetime.date
        Date of the first session (a ``date``, not a datetime or a string).
    sessions : int
        Number of sessions, 1 to :data:`MAX_SESSIONS`.
    interval_days : int or sequence of int
        Days between sessions (at least 1): one number for every gap, or one per
        gap (``sessions - 1`` values).
    depth_mm : float or sequence of float
        Needle length in mm (above 0, at most :data:`MAX_DEPTH_MM`): one number, or one per session.
    area : str or Area
        One of :class:`~needling_sim.areas.Area`.

    Returns
    -------
    CoursePlan

    Raises
    ------
    TypeError
        A wrong type (a str date, a bool or float session count, ...).
    ValueError
        A value out of range, an unknown area, or a list of the wrong length.

    Examples
    --------
    >>> plan = plan_course(dt.date(2026, 3, 2), 3, [42, 56], [0.5, 1.0, 1.0], "cheek")
    >>> [(s.number, s.date.isoformat(), s.depth_mm) for s in plan.sessions]
    [(1, '2026-03-02', 0.5), (2, '2026-04-13', 1.0), (3, '2026-06-08', 1.0)]
    >>> plan_course(dt.date(2026, 3, 2), 3, 0, 1.0, "cheek")
    Traceback (most recent call last):
    ...
    ValueError: interval_days=0 is not allowed; allowed: at least 1
    """
    check_date("start", start)
    n = check_int("sessions", sessions, 1, MAX_SESSIONS)
    if isinstance(interval_days, (list, tuple)):
        if len(interval_days) != n - 1:
            raise ValueError(
                f"interval_days has {len(interval_days)} values; a plan of {n} sessions needs "
                f"one number or {n - 1} values (one per gap)"
            )
        gaps = [check_int(f"interval_days[{i}]", v, 1) for i, v in enumerate(interval_days)]
    else:
        gaps = [check_int("interval_days", interval_days, 1)] * (n - 1)
    if isinstance(depth_mm, (list, tuple)):
        if len(depth_mm) != n:
            raise ValueError(
                f"depth_mm has {len(depth_mm)} values; a plan of {n} sessions needs one number "
                f"or {n} values (one per session)"
            )
        depths = [check_depth_mm(f"depth_mm[{i}]", v, MAX_DEPTH_MM) for i, v in enumerate(depth_mm)]
    else:
        depths = [check_depth_mm("depth_mm", depth_mm, MAX_DEPTH_MM)] * n
    where = parse_area(area)
    dates = [start]
    for g in gaps:
        dates.append(dates[-1] + dt.timedelta(days=g))
    return CoursePlan(tuple(Session(i + 1, d, depths[i], where) for i, d in enumerate(dates)))
