"""Healing after each session: phases, redness, aftercare rules and milestones, day by day.

Phases follow the wound-healing literature (Guo & DiPietro 2010) and restart at
each session: inflammation for the first 4 days (days 0 to 3), proliferation up
to day 20, remodelling from day 21. Redness comes from the teaching model's
inflammation signal (:mod:`needling_sim.outcome`), so it lasts longer after a
deeper needle: about 2 days at 0.5 mm and 4 to 5 days at 1.5 mm on the cheek.

Aftercare rules come from the seeds (``after.*.s4``, ``ointment.s1``) with their
vague durations read as labelled assumptions (``after.*_assumed``). A rule of N
days (or 24 hours) covers the treatment day and the next N calendar days
(``after.window_days_assumed``). Rules about the sun and about touching also hold
while the skin is visibly red.

Teaching model, not clinical advice.
"""

from __future__ import annotations

import datetime as dt
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._checks import check_instance, check_int
from .evidence import claim, conflicts_of, require_claims
from .outcome import ModelParams, simulate
from .patient import Patient
from .plans import CoursePlan

__all__ = [
    "PHASES",
    "RESTRICTIONS",
    "AftercareDay",
    "Milestone",
    "Restriction",
    "aftercare_handout",
    "aftercare_handout_text",
    "aftercare_on",
    "healing_timeline",
    "milestones",
    "milestones_frame",
]

_INFLAMMATION_END = int(claim("phase.inflammation.guo2010").value_high)
_PROLIFERATION_END = int(claim("phase.proliferation.guo2010").value_high)

#: Phase names with their first and last day after a session (None: open-ended) and claim.
PHASES: tuple[tuple[str, int, int | None, str], ...] = (
    ("inflammation", 0, _INFLAMMATION_END - 1, "phase.inflammation.guo2010"),
    ("proliferation", _INFLAMMATION_END, _PROLIFERATION_END - 1, "phase.proliferation.guo2010"),
    ("remodeling", _PROLIFERATION_END, None, "phase.remodeling.guo2010"),
)
require_claims(*(ph[3] for ph in PHASES))


@dataclass(frozen=True)
class Restriction:
    """One aftercare rule.

    Attributes
    ----------
    name : str
        Column name in :func:`healing_timeline` (``no_sun``, ``ointment``, ...).
    description : str
        What the patient does, in plain words.
    last_day : int
        Holds from the session day (day 0) to this day after it.
    while_red : bool
        Also holds while redness is visible.
    sources : tuple of str
        Claim ids behind it.
    note : str
        Caveats, such as a seed contradicting itself.
    """

    name: str
    description: str
    last_day: int
    while_red: bool
    sources: tuple[str, ...]
    note: str = ""

    def applies(self, days_since_session: int, redness_visible: bool) -> bool:
        """Whether the rule holds on a day.

        Examples
        --------
        >>> RESTRICTIONS["no_actives"].applies(5, False), RESTRICTIONS["no_actives"].applies(6, False)
        (True, False)
        """
        return days_since_session <= self.last_day or (self.while_red and redness_visible)


_WINDOW = "after.window_days_assumed"


def _days(claim_id: str) -> int:
    return int(claim(claim_id).value_high)


#: Every aftercare rule, by column name.
RESTRICTIONS: dict[str, Restriction] = {
    r.name: r
    for r in (
        Restriction(
            "no_sun",
            "Keep out of direct sun and use a broad-spectrum sunscreen.",
            _days("after.sun.s4"),
            True,
            require_claims("after.sun.s4", "after.sun.s2", "after.sun_red_assumed", _WINDOW),
        ),
        Restriction(
            "no_actives",
            "No retinoids, AHAs or BHAs on the treated skin.",
            _days("after.actives_days_assumed"),
            False,
            require_claims("after.actives.s4", "after.actives_days_assumed", _WINDOW),
            "The seed says only 'a few days'; 5 days is the assumed conservative reading.",
        ),
        Restriction(
            "no_exercise",
            "No vigorous exercise or sweating.",
            _days("after.exercise.s4"),
            False,
            require_claims("after.exercise.s4", _WINDOW),
        ),
        Restriction(
            "no_touching",
            "Do not touch, pick or scrub the treated skin.",
            _days("after.touch_days_assumed"),
            True,
            require_claims("after.touch.s4", "after.touch_days_assumed", _WINDOW),
        ),
        Restriction(
            "ointment",
            "Apply the ointment to the treated skin.",
            _days("ointment.s1") - 1,  # "the first 7 days": the treatment day is the first (ointment.counting_assumed)
            False,
            require_claims("ointment.s1", "epidermis.s1", "ointment.counting_assumed"),
            "The seed gives the first 3 to 7 days (the longer is used: the treatment day and the 6 days after, "
            "7 calendar days) and calls the skin broken, although the same page says the epidermis stays "
            "intact: it contradicts itself.",
        ),
    )
}
_REDNESS_SOURCES = require_claims("model.redness_threshold", "redness.depth", "redness.s0", "redness.s1")


def _check_plan(plan: object) -> CoursePlan:
    return check_instance("plan", plan, CoursePlan, "a CoursePlan (see plan_course)")


def _phase_names(days_since: np.ndarray) -> np.ndarray:
    return np.where(
        days_since < _INFLAMMATION_END,
        "inflammation",
        np.where(days_since < _PROLIFERATION_END, "proliferation", "remodeling"),
    )


def healing_timeline(
    plan: CoursePlan,
    patient: Patient | None = None,
    *,
    days_after_last: int = 365,
    params: ModelParams | None = None,
) -> pd.DataFrame:
    """Day-by-day healing and aftercare for a course.

    Parameters
    ----------
    plan : CoursePlan
    patient : Patient or None
        Passed to :func:`~needling_sim.outcome.simulate` for the redness; None
        means the reference patient.
    days_after_last : int, default 365
        Days to cover after the last session (at least 365).
    params : ModelParams or None
        Model parameters for the redness.

    Returns
    -------
    pandas.DataFrame
        One row per day from the first session (day 0) to ``days_after_last``
        days after the last. Columns: ``day``, ``date``, ``session`` (latest
        session number), ``days_since_session``, ``phase`` (``inflammation``,
        ``proliferation``, ``remodeling``, restarting at each session),
        ``redness`` (0 to 1), ``redness_visible``, one boolean per aftercare rule
        (``no_sun``, ``no_actives``, ``no_exercise``, ``no_touching``,
        ``ointment``; see :data:`RESTRICTIONS`) and ``sources`` (claim ids behind
        that day's phase, redness and rules, comma-separated).

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
    plan = _check_plan(plan)
    days_after_last = check_int("days_after_last", days_after_last, 365)
    return _timeline(plan, patient, days_after_last, params)[0]


def _timeline(plan, patient, days_after_last, params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The healing timeline and the model's daily frame it was built from."""
    days = plan.session_days[-1] + days_after_last + 1
    daily = simulate(plan, patient, days=days, params=params).daily
    session_days = np.asarray(plan.session_days)
    day = daily["day"].to_numpy()
    session = daily["session"].to_numpy()
    since = day - session_days[session - 1]
    visible = daily["redness_visible"].to_numpy()
    out = pd.DataFrame(
        {
            "day": day,
            "date": daily["date"].to_numpy(),
            "session": session,
            "days_since_session": since,
            "phase": _phase_names(since),
            "redness": daily["redness"].to_numpy(),
            "redness_visible": visible,
        }
    )
    for name, r in RESTRICTIONS.items():
        out[name] = (since <= r.last_day) | (visible & r.while_red)
    phase_claim = {ph[0]: ph[3] for ph in PHASES}
    flags = out[list(RESTRICTIONS)].to_numpy()
    names = list(RESTRICTIONS)
    cache: dict[tuple, str] = {}
    sources = []
    for ph, red, row in zip(out["phase"], visible, flags, strict=True):
        key = (ph, bool(red), *row.tolist())
        if key not in cache:
            ids = [phase_claim[ph]]
            if red:
                ids += _REDNESS_SOURCES
            for name, on in zip(names, row, strict=True):
                if on:
                    ids += RESTRICTIONS[name].sources
            cache[key] = ", ".join(dict.fromkeys(ids))
        sources.append(cache[key])
    out["sources"] = sources
    return out, daily


@dataclass(frozen=True)
class AftercareDay:
    """What holds on one day of a course (see :func:`aftercare_on`).

    Attributes
    ----------
    date : datetime.date
    day : int
        Days since the first session.
    session : int
        The latest session so far.
    days_since_session : int
    phase : str
    redness_visible : bool
    restrictions : tuple of Restriction
        The aftercare rules that hold, each with its sources.
    """

    date: dt.date
    day: int
    session: int
    days_since_session: int
    phase: str
    redness_visible: bool
    restrictions: tuple[Restriction, ...]

    @property
    def sources(self) -> tuple[str, ...]:
        """Claim ids behind the phase, the redness and every rule that holds."""
        ids = [next(ph[3] for ph in PHASES if ph[0] == self.phase)]
        if self.redness_visible:
            ids += _REDNESS_SOURCES
        for r in self.restrictions:
            ids += r.sources
        return tuple(dict.fromkeys(ids))

    def describe(self) -> str:
        """The day in a sentence or two, for a lesson.

        Examples
        --------
        >>> from needling_sim import plan_course
        >>> print(aftercare_on(plan_course(dt.date(2026, 3, 2), 1, 42, 1.0, "cheek"), 6).describe())
        2026-03-08, day 6 after session 1 (proliferation): Apply the ointment to the treated skin.
        """
        head = f"{self.date}, day {self.days_since_session} after session {self.session} ({self.phase})"
        if not self.restrictions:
            return f"{head}: no aftercare rule holds."
        return f"{head}: " + " ".join(r.description for r in self.restrictions)


def aftercare_on(
    plan: CoursePlan,
    when: dt.date | int,
    patient: Patient | None = None,
    *,
    params: ModelParams | None = None,
) -> AftercareDay:
    """What holds on a given day of a course, with the sources.

    Parameters
    ----------
    plan : CoursePlan
    when : datetime.date or int
        A date on or after the first session, or a day number (0 = first session).
    patient, params
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
    plan = _check_plan(plan)
    if isinstance(when, bool):
        raise TypeError("when must be a datetime.date or a whole number of days, got bool")
    if isinstance(when, numbers.Integral):
        day = int(when)
    elif isinstance(when, dt.date) and not isinstance(when, dt.datetime):
        day = (when - plan.start).days
    else:
        raise TypeError(f"when must be a datetime.date or a whole number of days, got {type(when).__name__} {when!r}")
    if day < 0:
        raise ValueError(f"when={when!r} is before the first session on {plan.start}; allowed: from day 0")
    after_last = max(365, day - plan.session_days[-1])
    row = healing_timeline(plan, patient, days_after_last=after_last, params=params).iloc[day]
    return AftercareDay(
        date=row["date"],
        day=day,
        session=int(row["session"]),
        days_since_session=int(row["days_since_session"]),
        phase=str(row["phase"]),
        redness_visible=bool(row["redness_visible"]),
        restrictions=tuple(r for name, r in RESTRICTIONS.items() if row[name]),
    )


@dataclass(frozen=True)
class Milestone:
    """A dated point in a course, with its sources and any disagreement about it.

    Attributes
    ----------
    name : str
    date : datetime.date
    day : int
        Days since the first session.
    sources : tuple of str
    note : str
        What the date means and how it was set.
    conflict : str or None
        Claims in the ledger that contradict the milestone's sources, when any.
    """

    name: str
    date: dt.date
    day: int
    sources: tuple[str, ...]
    note: str
    conflict: str | None = None


def _conflict_text(sources: tuple[str, ...]) -> str | None:
    others = {}
    for cid in sources:
        for c in conflicts_of(cid):
            if c.id not in sources:
                others[c.id] = c
    if not others:
        return None
    return "Disagrees with: " + "; ".join(f"{c.id} ({c.source}): {c.statement}" for c in others.values())


def _milestone(name: str, plan: CoursePlan, day: int, sources: tuple[str, ...], note: str) -> Milestone:
    sources = require_claims(*sources)
    return Milestone(name, plan.start + dt.timedelta(days=day), day, sources, note, _conflict_text(sources))


def milestones(
    plan: CoursePlan,
    patient: Patient | None = None,
    *,
    params: ModelParams | None = None,
) -> tuple[Milestone, ...]:
    """Dated milestones of a course, each with sources and, where sources disagree, a conflict note.

    Redness gone after each session (teaching model); collagen synthesis starting
    (literature: within a day; a seed says 6 weeks); early results (a seed: 6 to 8
    weeks); the full effect (about 6 months after the last session); collagen
    formation possibly continuing (12 months after the last session); and the
    model's own peak improvement.

    Parameters
    ----------
    plan : CoursePlan
    patient, params
        As for :func:`healing_timeline`.

    Returns
    -------
    tuple of Milestone
        Sorted by day. :func:`milestones_frame` gives the same as a DataFrame.

    Examples
    --------
    >>> from needling_sim import plan_course
    >>> ms = milestones(plan_course(dt.date(2026, 3, 2), 3, 42, 1.0, "cheek"))
    >>> start = next(m for m in ms if m.name == "collagen synthesis starts")
    >>> start.day, "collagen.s3_start" in start.conflict
    (1, True)
    """
    plan = _check_plan(plan)
    timeline, daily = _timeline(plan, patient, 365, params)
    last = plan.session_days[-1]
    out = []
    visible = timeline["redness_visible"].to_numpy()
    for s, first in zip(plan.sessions, plan.session_days, strict=True):
        after = np.flatnonzero(~visible[first:])
        gone = first + int(after[0])
        note = f"First day without visible redness after the {s.depth_mm:g} mm session (teaching model)."
        nxt = plan.session_days[s.number] if s.number < plan.n_sessions else None
        if nxt is not None and gone > nxt:
            note += f" Still red when session {s.number + 1} came."
        out.append(_milestone(f"redness gone after session {s.number}", plan, gone, _REDNESS_SOURCES, note))
    out.append(
        _milestone(
            "collagen synthesis starts",
            plan,
            int(claim("collagen.lit_start").value_low),
            ("collagen.lit_start",),
            "Wound studies see collagen synthesis rise within a day and peak around day 7.",
        )
    )
    early = claim("effect.s2_early")
    out.append(
        _milestone(
            "early results may show",
            plan,
            int(early.value_low),
            ("effect.s2_early",),
            f"A seed says 6 to 8 weeks (days {early.value_low:g} to {early.value_high:g}) after the first "
            "session; a trial (effect.alam2014) found no significant change at 3 months.",
        )
    )
    out.append(
        _milestone(
            "full effect",
            plan,
            last + int(claim("effect.s3_full").value_low),
            ("effect.s3_full", "effect.full_anchor_assumed", "effect.alam2014", "effect.aust2008"),
            "About 6 months after the last session: a seed's 'complete effect' (counted from the last "
            "session, an assumption) and the trial's significant result.",
        )
    )
    out.append(
        _milestone(
            "collagen may still be forming",
            plan,
            last + int(claim("collagen.s3_12m").value_low),
            ("collagen.s3_12m", "effect.aust2008", "phase.remodeling.guo2010"),
            "A seed says formation continues up to 12 months after a session; remodelling in wounds runs "
            "for 1 to 2 years.",
        )
    )
    improvement = daily["improvement"].to_numpy()
    peak = int(np.argmax(improvement))
    still_rising = peak == len(improvement) - 1
    out.append(
        _milestone(
            "model: improvement peaks",
            plan,
            peak,
            ("model.type_iii_weight", "model.collagen_maturation", "model.collagen_half_life"),
            "Teaching model: visible improvement is still rising on the last day shown, as type III "
            "collagen keeps maturing into type I."
            if still_rising
            else "Teaching model: visible improvement peaks when maturing collagen stops outweighing the slow loss.",
        )
    )
    return tuple(sorted(out, key=lambda m: m.day))


def milestones_frame(
    plan: CoursePlan,
    patient: Patient | None = None,
    *,
    params: ModelParams | None = None,
) -> pd.DataFrame:
    """:func:`milestones` as a DataFrame (name, date, day, sources, note, conflict).

    Examples
    --------
    >>> from needling_sim import plan_course
    >>> f = milestones_frame(plan_course(dt.date(2026, 3, 2), 1, 42, 1.0, "cheek"))
    >>> f.columns.tolist()
    ['name', 'date', 'day', 'sources', 'note', 'conflict']
    """
    rows = [
        {
            "name": m.name,
            "date": m.date,
            "day": m.day,
            "sources": ", ".join(m.sources),
            "note": m.note,
            "conflict": m.conflict,
        }
        for m in milestones(plan, patient, params=params)
    ]
    return pd.DataFrame(rows, columns=["name", "date", "day", "sources", "note", "conflict"])


_HANDOUT_COLUMNS = ["session", "rule", "instruction", "first", "last", "sources", "note"]


def aftercare_handout(
    plan: CoursePlan,
    patient: Patient | None = None,
    *,
    params: ModelParams | None = None,
) -> pd.DataFrame:
    """Each aftercare rule's dated window after each session: what a handout lists.

    The timeline says, day by day, which rules hold; a handout needs the reverse:
    for each session and rule, from when to when.

    Parameters
    ----------
    plan : CoursePlan
    patient : Patient or None
        Passed on to the redness model (rules that hold while the skin is red).
    params : ModelParams or None

    Returns
    -------
    pandas.DataFrame
        One row per session and rule, in session order then the order of
        :data:`RESTRICTIONS`: ``session``, ``rule``, ``instruction``, ``first``
        and ``last`` (dates, inclusive), ``sources`` (claim ids, comma-separated)
        and ``note`` (caveats such as a seed contradicting itself).

    Examples
    --------
    >>> from needling_sim import plan_course
    >>> h = aftercare_handout(plan_course(dt.date(2026, 3, 2), 2, 42, 1.0, "cheek"))
    >>> print(h.loc[h["rule"] == "no_actives", ["session", "first", "last"]].to_string(index=False))
     session      first       last
           1 2026-03-02 2026-03-07
           2 2026-04-13 2026-04-18
    """
    plan = _check_plan(plan)
    timeline = _timeline(plan, patient, 365, params)[0]
    rows = []
    for session, days in timeline.groupby("session", sort=True):
        for name, rule in RESTRICTIONS.items():
            dates = days.loc[days[name].to_numpy(), "date"]
            if dates.empty:
                continue
            rows.append(
                {
                    "session": int(session),
                    "rule": name,
                    "instruction": rule.description,
                    "first": dates.iloc[0],
                    "last": dates.iloc[-1],
                    "sources": ", ".join(rule.sources),
                    "note": rule.note,
                }
            )
    return pd.DataFrame(rows, columns=_HANDOUT_COLUMNS)


def aftercare_handout_text(
    plan: CoursePlan,
    patient: Patient | None = None,
    *,
    title: str = "Aftercare after skin needling",
    params: ModelParams | None = None,
) -> str:
    """The aftercare handout as plain text, one dated block per session.

    Parameters
    ----------
    plan : CoursePlan
    patient : Patient or None
    title : str
        First line of the handout (e.g. the patient's name and the area).
    params : ModelParams or None

    Examples
    --------
    >>> from needling_sim import plan_course
    >>> text = aftercare_handout_text(plan_course(dt.date(2026, 3, 2), 1, 42, 1.0, "cheek"))
    >>> print(text.splitlines()[3])
    Session 1: Monday 02 March 2026
    >>> print(text.splitlines()[4])
      Mon 02 Mar to Tue 03 Mar: No vigorous exercise or sweating.
    """
    if not isinstance(title, str) or not title.strip():
        raise TypeError(f"title must be a non-empty str, got {title!r}")
    handout = aftercare_handout(plan, patient, params=params)
    lines = [title, "(Teaching model, not clinical advice: a real handout follows your clinic's protocol.)"]
    for s in plan.sessions:
        lines += ["", f"Session {s.number}: {s.date:%A %d %B %Y}"]
        rules = handout[handout["session"] == s.number].sort_values(["first", "last"], kind="stable")
        lines += [f"  {r.first:%a %d %b} to {r.last:%a %d %b}: {r.instruction}" for r in rules.itertuples()]
    return "\n".join(lines)
