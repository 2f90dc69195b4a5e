"""Milestones of a course: each a stable key, a date rule beside its claims, and a title for people.

Redness gone after each session (teaching model); collagen synthesis starting; early
results; the full effect; collagen possibly still forming; and the model's own peak
improvement. Notes are formatted from the ledger's values and statements, and each
milestone carries the ledger's conflicts with its sources. :func:`course_milestones` dates
them from one simulation's redness and improvement; :func:`needling_sim.healing.timeline`
calls it.

Teaching model, not clinical advice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from .aftercare import REDNESS_SOURCES
from .evidence import claim, conflicts_of, require_claims
from .phases import Phase
from .plans import CoursePlan

__all__ = ["MILESTONE_COLUMNS", "Milestone", "MilestoneKey", "course_milestones"]


class MilestoneKey(StrEnum):
    """Stable key of a milestone; graders and figures compare these, never the English title."""

    REDNESS_GONE = "redness_gone"
    SYNTHESIS_STARTS = "synthesis_starts"
    EARLY_RESULTS = "early_results"
    FULL_EFFECT = "full_effect"
    STILL_FORMING = "still_forming"
    MODEL_PEAK = "model_peak"


@dataclass(frozen=True)
class Milestone:
    """A dated point in a course, with its sources and any disagreement about it.

    Attributes
    ----------
    key : MilestoneKey
    name : str
        The title shown to people (``"full effect"``); compare ``key``, not this.
    date : datetime.date
    day : int
        Days since the first session.
    sources : tuple of str
    note : str
        What the date means and how it was set.
    conflict : str or None
        Claims in the ledger that contradict the milestone's sources, when any.
    session : int or None
        The session a per-session milestone (redness gone) belongs to.
    """

    key: MilestoneKey
    name: str
    date: dt.date
    day: int
    sources: tuple[str, ...]
    note: str
    conflict: str | None = None
    session: int | None = None


_TITLES = {
    MilestoneKey.SYNTHESIS_STARTS: "collagen synthesis starts",
    MilestoneKey.EARLY_RESULTS: "early results may show",
    MilestoneKey.FULL_EFFECT: "full effect",
    MilestoneKey.STILL_FORMING: "collagen may still be forming",
    MilestoneKey.MODEL_PEAK: "model: improvement peaks",
}
MILESTONE_COLUMNS = ["key", "name", "date", "day", "sources", "note", "conflict"]


def _months(days: float) -> str:
    return f"{round(days * 12 / 365.25)} months"


def _conflict_text(sources: tuple[str, ...]) -> str | None:
    others = {c.id: c for cid in sources for c in conflicts_of(cid) if c.id not in sources}
    if not others:
        return None
    return "Disagrees with: " + "; ".join(f"{c.id} ({c.source}): {c.statement}" for c in others.values())


def _milestone(key, plan, day, sources, note, *, name=None, session=None) -> Milestone:
    sources = require_claims(*sources)
    date = plan.start + dt.timedelta(days=day)
    return Milestone(key, name or _TITLES[key], date, day, sources, note, _conflict_text(sources), session)


def _redness_milestones(plan: CoursePlan, visible: np.ndarray) -> list[Milestone]:
    out = []
    for s, first in zip(plan.sessions, plan.session_days, strict=True):
        after = np.flatnonzero(~visible[first:])
        if not after.size:  # still red on the last simulated day: no date to give
            continue
        gone = first + int(after[0])
        note = f"First day without visible redness after the {s.depth_mm:g} mm session (teaching model)."
        if s.number < plan.n_sessions and gone > plan.session_days[s.number]:
            note += f" Still red when session {s.number + 1} came."
        name = f"redness gone after session {s.number}"
        key = MilestoneKey.REDNESS_GONE
        out.append(_milestone(key, plan, gone, REDNESS_SOURCES, note, name=name, session=s.number))
    return out


def _sourced_milestones(plan: CoursePlan) -> list[Milestone]:
    last = plan.session_days[-1]
    start, early, full = claim("collagen.lit_start"), claim("effect.s2_early"), claim("effect.s3_full")
    forming, remodeling = claim("collagen.s3_12m"), claim(Phase.REMODELING.claim_id)
    return [
        _milestone(
            MilestoneKey.SYNTHESIS_STARTS,
            plan,
            int(start.value_low),
            (start.id,),
            f"Wound studies: {start.statement}",
        ),
        _milestone(
            MilestoneKey.EARLY_RESULTS,
            plan,
            int(early.value_low),
            (early.id,),
            f"A seed says {early.value_low / 7:g} to {early.value_high / 7:g} weeks (days {early.value_low:g} to "
            f"{early.value_high:g}) after the first session; a trial (effect.alam2014): "
            f"{claim('effect.alam2014').statement}",
        ),
        _milestone(
            MilestoneKey.FULL_EFFECT,
            plan,
            last + int(full.value_low),
            (full.id, "effect.full_anchor_assumed", "effect.alam2014", "effect.aust2008"),
            f"About {_months(full.value_low)} after the last session: a seed's 'complete effect' (counted from "
            "the last session, an assumption) and the trial's significant result.",
        ),
        _milestone(
            MilestoneKey.STILL_FORMING,
            plan,
            last + int(forming.value_low),
            (forming.id, "effect.aust2008", remodeling.id),
            f"A seed says formation continues up to {_months(forming.value_low)} after a session; in wounds: "
            f"{remodeling.statement}",
        ),
    ]


def _peak_milestone(plan: CoursePlan, improvement: np.ndarray) -> Milestone:
    peak = int(np.argmax(improvement))
    note = (
        "Teaching model: visible improvement is still rising on the last day shown, as type III "
        "collagen keeps maturing into type I."
        if peak == len(improvement) - 1
        else "Teaching model: visible improvement peaks when maturing collagen stops outweighing the slow loss."
    )
    sources = ("model.type_iii_weight", "model.collagen_maturation", "model.collagen_half_life")
    return _milestone(MilestoneKey.MODEL_PEAK, plan, peak, sources, note)


def course_milestones(plan: CoursePlan, redness_visible: np.ndarray, improvement: np.ndarray) -> tuple[Milestone, ...]:
    """Every milestone of a course, sorted by day, from one simulation's daily redness and improvement.

    Parameters
    ----------
    plan : CoursePlan
    redness_visible, improvement : numpy.ndarray
        One entry per simulated day (``Outcome.daily`` columns).

    Examples
    --------
    >>> from needling_sim import plan_course, simulate
    >>> plan = plan_course(dt.date(2026, 3, 2), 1, 42, 1.0, "cheek")
    >>> daily = simulate(plan).daily
    >>> [m.key.value for m in course_milestones(plan, daily["redness_visible"].to_numpy(), daily["improvement"])]
    ['synthesis_starts', 'redness_gone', 'early_results', 'full_effect', 'still_forming', 'model_peak']
    """
    marks = [*_redness_milestones(plan, np.asarray(redness_visible, dtype=bool)), *_sourced_milestones(plan)]
    marks.append(_peak_milestone(plan, np.asarray(improvement)))
    return tuple(sorted(marks, key=lambda m: m.day))
