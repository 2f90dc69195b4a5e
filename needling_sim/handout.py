"""Aftercare handouts: each rule's dated window after each session, as a table or as text.

The timeline (:func:`needling_sim.healing.timeline`) says, day by day, which rules hold; a
handout needs the reverse: for each session and rule, from when to when.

Teaching model, not clinical advice.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._checks import check_text
from .aftercare import RULES
from .healing import timeline_for
from .outcome import ModelParams, Outcome
from .patient import Patient
from .plans import CoursePlan

__all__ = ["HANDOUT_COLUMNS", "aftercare_handout", "aftercare_handout_text"]

#: Columns of :func:`aftercare_handout`.
HANDOUT_COLUMNS = ["session", "rule", "instruction", "first", "last", "sources", "note"]


def aftercare_handout(
    plan: CoursePlan,
    patient: Patient | None = None,
    *,
    params: ModelParams | None = None,
    outcome: Outcome | None = None,
) -> pd.DataFrame:
    """Each aftercare rule's dated window after each session: what a handout lists.

    Parameters
    ----------
    plan : CoursePlan
    patient : Patient or None
        Passed on to the redness model (rules that hold while the skin is red).
    params : ModelParams or None
    outcome : Outcome or None
        A simulation of ``plan`` to read instead of simulating again.

    Returns
    -------
    pandas.DataFrame
        One row per session and rule, in session order then the order of
        :data:`~needling_sim.aftercare.RULES`: ``session``, ``rule`` (the rule's key
        as text), ``instruction``, ``first`` and ``last`` (dates, inclusive),
        ``sources`` (claim ids, comma-separated) and ``note`` (caveats such as a seed
        contradicting itself).

    Examples
    --------
    >>> import datetime as dt
    >>> from needling_sim import plan_course
    >>> h = aftercare_handout(plan_course(dt.date(2026, 3, 2), 2, 42, 1.0, "cheek"))
    >>> print(h.loc[h["rule"] == "no_actives", ["session", "first", "last"]].to_string(index=False))
     session      first       last
           1 2026-03-02 2026-03-07
           2 2026-04-13 2026-04-18
    """
    t = timeline_for(plan, patient, params=params, outcome=outcome)
    rows = []
    for s in plan.sessions:
        in_session = t.session == s.number
        for rule in RULES:
            days = np.flatnonzero(t.rules[rule.key] & in_session)
            if not days.size:
                continue
            rows.append(
                {
                    "session": s.number,
                    "rule": rule.name,
                    "instruction": rule.description,
                    "first": t.date[days[0]],
                    "last": t.date[days[-1]],
                    "sources": ", ".join(rule.sources),
                    "note": rule.note,
                }
            )
    return pd.DataFrame(rows, columns=HANDOUT_COLUMNS)


def aftercare_handout_text(
    plan: CoursePlan,
    patient: Patient | None = None,
    *,
    title: str = "Aftercare after skin needling",
    params: ModelParams | None = None,
    outcome: Outcome | None = None,
) -> str:
    """The aftercare handout as plain text, one dated block per session.

    Parameters
    ----------
    plan : CoursePlan
    patient : Patient or None
    title : str
        First line of the handout (e.g. the patient's name and the area).
    params : ModelParams or None
    outcome : Outcome or None
        As for :func:`aftercare_handout`.

    Examples
    --------
    >>> import datetime as dt
    >>> from needling_sim import plan_course
    >>> text = aftercare_handout_text(plan_course(dt.date(2026, 3, 2), 1, 42, 1.0, "cheek"))
    >>> print(text.splitlines()[3])
    Session 1: Monday 02 March 2026
    >>> print(text.splitlines()[4])
      Mon 02 Mar to Tue 03 Mar: No vigorous exercise or sweating.
    """
    title = check_text("title", title)
    handout = aftercare_handout(plan, patient, params=params, outcome=outcome)
    lines = [title, "(Teaching model, not clinical advice: a real handout follows your clinic's protocol.)"]
    for s in plan.sessions:
        lines += ["", f"Session {s.number}: {s.date:%A %d %B %Y}"]
        rules = handout[handout["session"] == s.number].sort_values(["first", "last"], kind="stable")
        lines += [f"  {r.first:%a %d %b} to {r.last:%a %d %b}: {r.instruction}" for r in rules.itertuples()]
    return "\n".join(lines)
