"""Course plans: when the sessions fall, how deep the needle goes, and whether that is wise.

:func:`plan_course` builds an immutable :class:`CoursePlan`; :func:`check_plan`
returns :class:`~needling_sim.findings.Finding` objects (the same type as
:func:`~needling_sim.screen`); :func:`plan_passes` says whether a plan may go
ahead (no finding above ``caution``, ``policy.plan_passes``);
:func:`recommend_plan` builds a plan that passes from sourced defaults.

The seeds disagree on the minimum gap between sessions: 4 weeks
(``000_...``, about a month in ``002_...``, and the acne-scar trials) against
6 to 8 weeks (``001_...`` and ``003_...``). :class:`SpacingPolicy` makes the
choice visible; the conservative six weeks is the default
(``policy.spacing_default``). Whatever the policy, a session less than 21 days
after the previous one needles a wound that is still in its proliferation phase
(Guo & DiPietro 2010) and is flagged ``defer`` (``policy.healing_interval``).

Teaching model, not clinical advice.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from ._checks import check_choice, check_instance, check_int, check_real
from .areas import DEPTH_STEP_MM, Area, AreaInfo, area_info, parse_area
from .dates import check_date
from .evidence import claim, require_claims
from .findings import Finding, Severity, most_severe
from .patient import Concern, Fitzpatrick, Patient
from .screening import IsotretinoinPolicy, screen

__all__ = [
    "CONCERN_DEFAULTS",
    "HEALING_INTERVAL_DAYS",
    "MAX_DEPTH_MM",
    "MAX_SESSIONS",
    "SPACING_MIN_DAYS",
    "ConcernDefault",
    "CoursePlan",
    "Session",
    "SpacingPolicy",
    "check_plan",
    "plan_course",
    "plan_passes",
    "recommend_plan",
]

_INPUT_CLAIM = "input.plan_ranges_assumed"
#: Deepest needle accepted as input (``input.plan_ranges_assumed``); deeper is an input error.
MAX_DEPTH_MM: float = claim(_INPUT_CLAIM).value_high
#: Most sessions a plan may hold (an input range, ``input.plan_ranges_assumed``).
MAX_SESSIONS = 24


class SpacingPolicy(StrEnum):
    """Which reading of the seeds sets the minimum gap between sessions.

    ``six_weeks`` (the default, conservative): 42 days, as in ``001_...`` and
    ``003_...`` (``spacing.s1``, ``spacing.s3``). ``four_weeks``: 28 days, as in
    ``000_...``, ``002_...`` and the acne-scar trials (``spacing.s0``,
    ``spacing.s2``, ``spacing.harris2015``).

    Examples
    --------
    >>> SPACING_MIN_DAYS[SpacingPolicy("four_weeks")]
    28
    """

    SIX_WEEKS = "six_weeks"
    FOUR_WEEKS = "four_weeks"


_SPACING_CLAIMS: dict[SpacingPolicy, tuple[str, ...]] = {
    SpacingPolicy.SIX_WEEKS: require_claims("spacing.s1", "spacing.s3"),
    SpacingPolicy.FOUR_WEEKS: require_claims("spacing.s0", "spacing.s2", "spacing.harris2015"),
}
#: Minimum interval in days per policy: the lowest figure its sources give.
SPACING_MIN_DAYS: dict[SpacingPolicy, int] = {
    p: int(min(claim(c).value_low for c in ids)) for p, ids in _SPACING_CLAIMS.items()
}
_ALL_SPACING = require_claims(
    *_SPACING_CLAIMS[SpacingPolicy.SIX_WEEKS],
    *_SPACING_CLAIMS[SpacingPolicy.FOUR_WEEKS],
    "policy.spacing_default",
)
_TRIALS_2_WEEKS = require_claims("spacing.alam2014", "spacing.eldomyati2015")

#: A session closer than this to the previous one needles a wound still healing:
#: the end of the proliferation phase (``phase.proliferation.guo2010``).
HEALING_INTERVAL_DAYS: int = int(claim("phase.proliferation.guo2010").value_high)
_INFLAMMATION_DAYS = int(claim("phase.inflammation.guo2010").value_high)
_HEALING_SOURCES = require_claims(
    "phase.inflammation.guo2010",
    "phase.proliferation.guo2010",
    "policy.healing_interval",
    "redness.s0",
    "redness.s1",
    "spacing.s3",
)

_SESSION_CLAIMS = require_claims("sessions.s0", "sessions.s2", "sessions.s3", "sessions.harris2015")
_SEED_SESSIONS = require_claims("sessions.s0", "sessions.s2", "sessions.s3")
_SESSIONS_MIN = int(min(claim(c).value_low for c in _SEED_SESSIONS))
_SESSIONS_MAX = int(max(claim(c).value_high for c in _SEED_SESSIONS))

_PURPOSE_CLAIMS = require_claims("depth.singh2016", "course.harris2015")
#: Deepest needle with a purpose in the literature (1.5 mm, for scars).
_PURPOSE_MAX_MM = max(claim(c).value_high for c in _PURPOSE_CLAIMS)
_PROCEDURE_SOURCES = require_claims("procedure.s0", "procedure.s4", "procedure.numbing", "area.relative_size_assumed")
_PASS_CLAIM = require_claims("policy.plan_passes")
_RUNNING_COURSE = require_claims("policy.running_course_assumed")
_DEPTH_LIMIT_SOURCES = require_claims("policy.depth_limit_assumed", "course.harris2015", "depth.singh2016")
#: Patient-record dates of events; sessions dated before the latest one were already given.
_EVENT_FIELDS = ("isotretinoin_last_dose", "radiation_last_date", "sun_exposure_last", "retinoid_last_use")


# --------------------------------------------------------------------------- validation


def _check_depth(name: str, value: object) -> float:
    return check_real(name, value, 0, MAX_DEPTH_MM, low_open=True, unit="mm")


# --------------------------------------------------------------------------- plans


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
        object.__setattr__(self, "depth_mm", _check_depth("depth_mm", self.depth_mm))
        object.__setattr__(self, "area", parse_area(self.area))


@dataclass(frozen=True)
class CoursePlan:
    """An immutable course of sessions on one area.

    Build one with :func:`plan_course` or :func:`recommend_plan`.

    Attributes
    ----------
    sessions : tuple of Session
        Numbered 1, 2, ... with strictly increasing dates, all on one area.
    notes : tuple of str
        Why the plan looks as it does (filled by :func:`recommend_plan`).
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
        Number of sessions, 1 to ``MAX_SESSIONS`` (24).
    interval_days : int or sequence of int
        Days between sessions (at least 1): one number for every gap, or one per
        gap (``sessions - 1`` values).
    depth_mm : float or sequence of float
        Needle length in mm (above 0, at most 3.0): one number, or one per session.
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
        depths = [_check_depth(f"depth_mm[{i}]", v) for i, v in enumerate(depth_mm)]
    else:
        depths = [_check_depth("depth_mm", depth_mm)] * n
    where = parse_area(area)
    dates = [start]
    for g in gaps:
        dates.append(dates[-1] + dt.timedelta(days=g))
    return CoursePlan(tuple(Session(i + 1, d, depths[i], where) for i, d in enumerate(dates)))


# --------------------------------------------------------------------------- checks


def _sessions_text(numbers_: list[int]) -> str:
    return "sessions " + ", ".join(str(x) for x in numbers_)


class _Collector:
    """Merge findings of one rule and severity into one, on the first session it affects.

    The merged finding keeps the first session's ``until``; its message lists every session.
    """

    def __init__(self) -> None:
        self._items: dict[tuple[str, Severity], dict] = {}

    def add(self, rule, severity, message, sources, session=None, until=None):
        key = (rule, Severity(severity))
        item = self._items.get(key)
        if item is None:
            self._items[key] = {
                "message": message,
                "sources": tuple(sources),
                "session": session,
                "until": until,
                "sessions": [session] if session else [],
            }
        else:
            if session is not None:
                item["sessions"].append(session)

    def findings(self) -> list[Finding]:
        out = []
        for (rule, severity), item in self._items.items():
            message = item["message"]
            if len(item["sessions"]) > 1:
                message += f" Applies to {_sessions_text(item['sessions'])}."
            out.append(Finding(rule, severity, message, item["sources"], until=item["until"], session=item["session"]))
        return out


def check_plan(
    plan: CoursePlan,
    patient: Patient,
    policy: str | SpacingPolicy = SpacingPolicy.SIX_WEEKS,
    *,
    isotretinoin_policy: str | IsotretinoinPolicy = IsotretinoinPolicy.DRUG_LABEL,
) -> tuple[Finding, ...]:
    """Check a course plan for one patient.

    Rules (each finding names its rule and cites claim ids):

    - the patient's screening on every session date (:func:`~needling_sim.screen`);
      its non-info findings come back tagged with the first session they affect;
    - ``interval_before_healed`` (defer): a gap under 21 days, the course's teaching
      floor (the two-week trials are cited as the other side);
    - ``interval_below_minimum``: a gap under the policy's minimum; ``caution`` when
      the other policy would accept it, ``defer`` when no policy would;
    - ``interval_below_other_policy`` (info): accepted by this policy, not by the other;
    - ``sessions_before_record`` (info): sessions dated before the latest event in the
      patient record (a sunburn between sessions) were already given and are not
      screened again, so a running course can be re-checked;
    - ``depth_beyond_dermis`` (defer): a needle longer than epidermis + dermis at the site;
      the message names the literature that used 1.5 mm (Harris 2015, Singh & Yadav 2016);
    - ``depth_past_local_dermis`` (caution): longer than the local dermis itself (its
      thicker measured figure), e.g. 0.75 mm around the eyes (dermis 0.58 to 0.67 mm);
    - ``depth_beyond_purpose_range`` (caution): deeper than 1.5 mm, the deepest needle
      the literature gives a purpose for;
    - ``depth_increasing`` (info): deeper at later sessions, a seed's idea that is
      not a standard rule;
    - ``session_count``: fewer sessions than any seed suggests (info) or more (caution);
      otherwise info on which seeds agree;
    - ``procedure_time`` (info): the estimated visit length.

    Parameters
    ----------
    plan : CoursePlan
    patient : Patient
    policy : {"six_weeks", "four_weeks"}, default "six_weeks"
        The minimum-interval reading of the seeds (see :class:`SpacingPolicy`).
    isotretinoin_policy : {"drug_label", "seed", "consensus"}, default "drug_label"
        Passed to :func:`~needling_sim.screen`.

    Returns
    -------
    tuple of Finding
        Most severe first. Use :func:`plan_passes` for a yes/no answer.

    Examples
    --------
    >>> healthy = Patient(age=35, fitzpatrick=2)
    >>> good = plan_course(dt.date(2026, 3, 2), 3, 42, 1.0, "cheek")
    >>> sorted({f.severity.value for f in check_plan(good, healthy)})
    ['info']
    >>> weekly = plan_course(dt.date(2026, 3, 2), 3, 7, 1.0, "cheek")
    >>> [(f.rule, f.severity.value, f.session) for f in check_plan(weekly, healthy)][:1]
    [('interval_before_healed', 'defer', 2)]
    >>> plan_passes(check_plan(weekly, healthy))
    False
    """
    check_instance("plan", plan, CoursePlan, "a CoursePlan (see plan_course)")
    check_instance("patient", patient, Patient, "a needling_sim.Patient")
    pol = check_choice("policy", policy, SpacingPolicy, noun="spacing policy")
    out = _Collector()

    # (1) The patient's own screening on each session date. A session dated before an event the
    # record holds (a sunburn between sessions) has already been given: it is not re-screened.
    latest_event = max((getattr(patient, f) for f in _EVENT_FIELDS if getattr(patient, f) is not None), default=None)
    given = [s for s in plan.sessions if latest_event is not None and s.date < latest_event]
    if given:
        out.add(
            "sessions_before_record",
            Severity.INFO,
            f"{_sessions_text([s.number for s in given]).capitalize()} on or before "
            f"{given[-1].date} came before the latest event in the record ({latest_event}): "
            "already given, so not screened again; the rest of the course is checked from today's record.",
            _RUNNING_COURSE,
            session=given[0].number,
        )
    for s in plan.sessions:
        if s in given:
            continue
        result = screen(patient, on=s.date, isotretinoin_policy=isotretinoin_policy, depth_mm=s.depth_mm)
        for f in result.findings:
            if f.severity > Severity.INFO:
                out.add(
                    f.rule,
                    f.severity,
                    f"Session {s.number} on {s.date}: {f.message}",
                    f.sources,
                    session=s.number,
                    until=f.until,
                )

    # (2, 3) Spacing.
    minimum = SPACING_MIN_DAYS[pol]
    lowest = min(SPACING_MIN_DAYS.values())
    highest = max(SPACING_MIN_DAYS.values())
    for prev, s, gap in zip(plan.sessions, plan.sessions[1:], plan.intervals_days, strict=False):
        if gap < HEALING_INTERVAL_DAYS:
            phase = "still inflamed" if gap < _INFLAMMATION_DAYS else "still in its proliferation phase"
            out.add(
                "interval_before_healed",
                Severity.DEFER,
                f"Session {s.number} comes {gap} days after session {prev.number}. This course never "
                f"plans sessions under {HEALING_INTERVAL_DAYS} days apart, a teaching assumption: the "
                f"skin would still be {phase} (inflammation about {_INFLAMMATION_DAYS} days, proliferation "
                f"to about {HEALING_INTERVAL_DAYS} days in wound-healing reviews). The other side: two "
                "trials spaced sessions 2 weeks apart (Alam 2014, a randomised trial; El-Domyati 2015). "
                f"The seeds ask for about a month (002), 4 to 6 weeks (000), 6 to 8 weeks (001, 003) or "
                f"'several weeks' (004). Wait at least {minimum} days under the {pol.value} policy.",
                _HEALING_SOURCES + _TRIALS_2_WEEKS + _SPACING_CLAIMS[pol],
                session=s.number,
                # The date the message's wait gives: from it the session passes the policy too (the
                # policy minimum, 28 or 42 days, is above the healing interval).
                until=prev.date + dt.timedelta(days=minimum),
            )
        elif gap < minimum:
            severity = Severity.CAUTION if gap >= lowest else Severity.DEFER
            out.add(
                "interval_below_minimum",
                severity,
                f"Session {s.number} comes {gap} days after session {prev.number}, under the {minimum}-day "
                f"minimum of the {pol.value} policy. The seeds disagree: two say 4 weeks or about a month "
                f"({lowest} days, as the acne-scar trials used), two say 6 to 8 weeks ({highest} days).",
                _ALL_SPACING,
                session=s.number,
                until=prev.date + dt.timedelta(days=minimum),
            )
        elif gap < highest:
            out.add(
                "interval_below_other_policy",
                Severity.INFO,
                f"Session {s.number} comes {gap} days after session {prev.number}: enough under the "
                f"{pol.value} policy, but two seeds ask for at least {highest} days.",
                _ALL_SPACING,
                session=s.number,
            )

    # (4) Depth.
    info = plan.area_info
    for s in plan.sessions:
        if s.depth_mm > info.depth_limit_mm + 1e-9:
            literature = ""
            if s.depth_mm <= _PURPOSE_MAX_MM + 1e-9:
                literature = (
                    f" The literature does use {_PURPOSE_MAX_MM:g} mm for scars (the median of the acne-scar "
                    "trials, Harris 2015; Singh & Yadav 2016), on skin measured thicker than the thinner "
                    "figure this course keeps to: the sources disagree, and the course takes the cautious side."
                )
            out.add(
                "depth_beyond_dermis",
                Severity.DEFER,
                f"Session {s.number}: a {s.depth_mm:g} mm needle on the {info.area.value} area is longer "
                f"than the skin there (epidermis {info.epidermis_mm:g} mm + dermis {info.dermis_mm:g} mm = "
                f"{info.depth_limit_mm:.2f} mm): the tip would pass below the dermis. Use at most "
                f"{info.recommended_max_depth_mm:g} mm here.{literature}",
                (*info.sources, *_DEPTH_LIMIT_SOURCES),
                session=s.number,
            )
        elif s.depth_mm > info.dermis_range_mm[1] + 1e-9:
            lo, hi = info.dermis_range_mm
            measured = f"{lo:g} to {hi:g} mm" if hi > lo else f"about {lo:g} mm"
            out.add(
                "depth_past_local_dermis",
                Severity.CAUTION,
                f"Session {s.number}: a {s.depth_mm:g} mm needle is longer than the {info.area.value} dermis "
                f"itself ({measured}). Only the epidermis ({info.epidermis_mm:g} mm) keeps the tip out of the "
                "fat, and the sources say to keep the needle within the local dermis. Use at most "
                f"{info.recommended_max_depth_mm:g} mm here, with light pressure.",
                (*info.sources, "policy.dermis_caution_assumed"),
                session=s.number,
            )
        elif s.depth_mm > _PURPOSE_MAX_MM + 1e-9:
            out.add(
                "depth_beyond_purpose_range",
                Severity.CAUTION,
                f"Session {s.number}: {s.depth_mm:g} mm is deeper than {_PURPOSE_MAX_MM:g} mm, the deepest "
                "needle the literature gives a purpose for (scars).",
                _PURPOSE_CLAIMS,
                session=s.number,
            )
    depths = plan.depths_mm
    if any(b > a for a, b in zip(depths, depths[1:], strict=False)):
        first = next(i + 2 for i, (a, b) in enumerate(zip(depths, depths[1:], strict=False)) if b > a)
        out.add(
            "depth_increasing",
            Severity.INFO,
            f"The needle goes deeper from session {first}. One seed says to go deeper each time as the "
            "skin thickens; that is not a standard rule. Keep every session within the site's limit.",
            require_claims("depth.s2_deeper", "depth.singh2016"),
            session=first,
        )

    # (5) Session count.
    n = plan.n_sessions
    agree = [c for c in _SEED_SESSIONS if claim(c).value_low <= n <= claim(c).value_high]
    if n < _SESSIONS_MIN:
        out.add(
            "session_count",
            Severity.INFO,
            f"{n} session is fewer than any seed suggests ({_SESSIONS_MIN} to {_SESSIONS_MAX} in all); "
            "expect a smaller effect.",
            _SESSION_CLAIMS,
        )
    elif n > _SESSIONS_MAX:
        out.add(
            "session_count",
            Severity.CAUTION,
            f"{n} sessions is more than any seed suggests (at most {_SESSIONS_MAX}); more injury and "
            "more risk for a gain the sources do not show.",
            _SESSION_CLAIMS,
        )
    else:
        out.add(
            "session_count",
            Severity.INFO,
            f"{n} sessions: within the range of {', '.join(claim(c).source for c in agree)}. The seeds "
            f"disagree ({_SESSIONS_MIN} to 3, 3 to 6, 4 to 6); the acne-scar trials used a median of 3.",
            _SESSION_CLAIMS,
        )

    # (6) Procedure time.
    lo, hi = info.numbing_minutes
    minutes = info.procedure_minutes
    out.add(
        "procedure_time",
        Severity.INFO,
        f"Each visit: about {minutes:.0f} minutes of needling on the {info.area.value} area "
        f"(30 to 60 minutes by area size), plus {lo:.0f} to {hi:.0f} minutes for numbing cream "
        f"beforehand: about {minutes + lo:.0f} to {minutes + hi:.0f} minutes in all.",
        _PROCEDURE_SOURCES,
    )

    found = out.findings()
    found.sort(key=lambda f: (-f.severity.rank, f.session or 0))
    return tuple(found)


def plan_passes(findings) -> bool:
    """True when no finding is more severe than ``caution`` (``policy.plan_passes``).

    A plan that passes may go ahead, with any cautions acted on; one that does not
    has at least one ``defer`` or ``do_not_treat`` finding.

    Examples
    --------
    >>> plan_passes([])
    True
    >>> plan_passes([Finding("x", "defer", "Wait.", ("policy.plan_passes",))])
    False
    """
    if isinstance(findings, Finding):
        raise TypeError("findings must be a sequence of Finding (as check_plan returns), not one Finding")
    findings = list(findings)
    for f in findings:
        if not isinstance(f, Finding):
            raise TypeError(f"findings must hold Finding objects, got {type(f).__name__}")
    return most_severe(findings) <= Severity.CAUTION


# --------------------------------------------------------------------------- recommendations


@dataclass(frozen=True)
class ConcernDefault:
    """Sourced starting point for one concern: needle depth and session count."""

    concern: Concern
    depth_mm: float
    sessions: int
    sources: tuple[str, ...]


_DEPTH_SRC = require_claims("course.concern_depth_assumed", "depth.singh2016")
_SESS_SRC = require_claims("course.concern_sessions_assumed", "sessions.s0", "sessions.s3")
_SCAR_SRC = require_claims("course.harris2015", "sessions.harris2015")

#: Default depth and session count per concern (``course.concern_depth_assumed``,
#: ``course.concern_sessions_assumed``; acne scars follow Harris et al. 2015).
CONCERN_DEFAULTS: dict[Concern, ConcernDefault] = {
    Concern.ACNE_SCARS: ConcernDefault(Concern.ACNE_SCARS, 1.5, 3, _SCAR_SRC + _DEPTH_SRC),
    Concern.SURGICAL_SCARS: ConcernDefault(Concern.SURGICAL_SCARS, 1.5, 3, _DEPTH_SRC + _SESS_SRC),
    Concern.STRETCH_MARKS: ConcernDefault(Concern.STRETCH_MARKS, 1.5, 3, _DEPTH_SRC + _SESS_SRC),
    Concern.WRINKLES: ConcernDefault(Concern.WRINKLES, 1.0, 3, _DEPTH_SRC + _SESS_SRC),
    Concern.FINE_LINES: ConcernDefault(Concern.FINE_LINES, 0.5, 3, _DEPTH_SRC + _SESS_SRC),
    Concern.ENLARGED_PORES: ConcernDefault(Concern.ENLARGED_PORES, 0.5, 3, _DEPTH_SRC + _SESS_SRC),
    Concern.TEXTURE: ConcernDefault(Concern.TEXTURE, 0.5, 3, _DEPTH_SRC + _SESS_SRC),
    Concern.HYPERPIGMENTATION: ConcernDefault(Concern.HYPERPIGMENTATION, 0.5, 3, _DEPTH_SRC + _SESS_SRC),
    Concern.ROSACEA: ConcernDefault(Concern.ROSACEA, 0.25, 3, _DEPTH_SRC + _SESS_SRC),
}
_CAP_SRC = require_claims("policy.depth_cap_assumed")
_FITZ_SRC = require_claims("policy.fitzpatrick_depth_assumed", "skin.pih_lit")
_ANTICOAGULANT_SRC = require_claims("policy.anticoagulant_depth_assumed", "contra.anticoagulants_assumed")
_MAX_RESCHEDULES = 10


def recommend_plan(
    patient: Patient,
    concern: str | Concern,
    start: dt.date,
    *,
    area: str | Area = Area.CHEEK,
    policy: str | SpacingPolicy = SpacingPolicy.SIX_WEEKS,
    isotretinoin_policy: str | IsotretinoinPolicy = IsotretinoinPolicy.DRUG_LABEL,
) -> CoursePlan:
    """Recommend a course that passes :func:`check_plan`, from sourced defaults.

    Depth and session count come from :data:`CONCERN_DEFAULTS`; the depth is capped
    at the site's dermis rounded down to a 0.25 mm step
    (``policy.depth_cap_assumed``) and, for Fitzpatrick IV to VI, made one step
    shallower (``policy.fitzpatrick_depth_assumed``). Sessions are spaced by the
    policy's minimum (42 days, or 28 under ``"four_weeks"``). When screening
    defers with a known end date, the start moves to that date. The plan's
    ``notes`` and ``sources`` say why it looks as it does.

    Parameters
    ----------
    patient : Patient
    concern : str or Concern
    start : datetime.date
        Earliest wished-for first session.
    area : str or Area, default "cheek"
    policy : {"six_weeks", "four_weeks"}, default "six_weeks"
    isotretinoin_policy : {"drug_label", "seed", "consensus"}, default "drug_label"

    Returns
    -------
    CoursePlan

    Raises
    ------
    ValueError
        No plan can be recommended: screening says do not treat, or defers with no
        known end (pregnancy, an infection, open wounds). The message says why.

    Examples
    --------
    >>> p = Patient(age=35, fitzpatrick=2, concerns=["acne_scars"])
    >>> plan = recommend_plan(p, "acne_scars", dt.date(2026, 3, 2))
    >>> plan.n_sessions, plan.intervals_days, plan.depths_mm
    (3, (42, 42), (0.75, 0.75, 0.75))
    >>> recommend_plan(p, "fine_lines", dt.date(2026, 3, 2), area="periorbital").depths_mm
    (0.5, 0.5, 0.5)
    >>> recommend_plan(Patient(age=30, fitzpatrick=2, pregnant=True), "wrinkles", dt.date(2026, 3, 2))
    Traceback (most recent call last):
    ...
    ValueError: no plan can be recommended from 2026-03-02: pregnancy defers treatment with no known end ...
    """
    check_instance("patient", patient, Patient, "a needling_sim.Patient")
    what = check_choice("concern", concern, Concern, noun="concern")
    check_date("start", start)
    where = parse_area(area)
    pol = check_choice("policy", policy, SpacingPolicy, noun="spacing policy")

    default = CONCERN_DEFAULTS[what]
    info = area_info(where)
    notes = [f"{what.value}: default {default.depth_mm:g} mm, {default.sessions} sessions."]
    sources = list(default.sources)
    depth = default.depth_mm
    if depth > info.recommended_max_depth_mm:
        depth = info.recommended_max_depth_mm
        notes.append(
            f"Depth capped at {depth:g} mm: the {where.value} dermis is about {info.dermis_mm:g} mm "
            "(thinner figure), and a recommendation keeps the needle within it."
        )
        sources += [*_CAP_SRC, *info.sources[:1]]
    if patient.fitzpatrick >= Fitzpatrick.IV and depth > DEPTH_STEP_MM:
        depth = depth - DEPTH_STEP_MM
        notes.append(
            f"Fitzpatrick {patient.fitzpatrick.name}: one step shallower ({depth:g} mm) to lower the pigmentation risk."
        )
        sources += list(_FITZ_SRC)
    if patient.anticoagulants and patient.fitzpatrick < Fitzpatrick.IV and depth > DEPTH_STEP_MM:
        depth = depth - DEPTH_STEP_MM
        notes.append(
            f"Takes blood thinners: one step shallower ({depth:g} mm) to limit bleeding and bruising "
            "(check with the prescriber first). Not stacked with the skin-type step: one conservative step."
        )
        sources += list(_ANTICOAGULANT_SRC)
    interval = SPACING_MIN_DAYS[pol]
    notes.append(f"Sessions {interval} days apart: the minimum of the {pol.value} policy.")
    sources += [*_SPACING_CLAIMS[pol], "policy.spacing_default"]

    first = start
    for _ in range(_MAX_RESCHEDULES):
        plan = plan_course(first, default.sessions, interval, depth, where)
        findings = check_plan(plan, patient, pol, isotretinoin_policy=isotretinoin_policy)
        if plan_passes(findings):
            if first != start:
                notes.append(f"Start moved from {start} to {first}: screening defers treatment until then.")
            sources += list(_PASS_CLAIM)
            return CoursePlan(plan.sessions, tuple(notes), tuple(dict.fromkeys(sources)))
        blocking = [f for f in findings if f.severity > Severity.CAUTION]
        for f in blocking:
            if f.severity is Severity.DO_NOT_TREAT:
                raise ValueError(f"no plan can be recommended: {f.rule} means do not treat. {f.message}")
            if f.until is None:
                raise ValueError(
                    f"no plan can be recommended from {start}: {f.rule} defers treatment with no "
                    f"known end date. {f.message}"
                )
        shift = max((f.until - plan.sessions[(f.session or 1) - 1].date).days for f in blocking)
        first = first + dt.timedelta(days=max(shift, 1))
    raise ValueError(
        f"no plan can be recommended from {start}: screening kept deferring after {_MAX_RESCHEDULES} reschedules"
    )  # pragma: no cover - windows are finite
