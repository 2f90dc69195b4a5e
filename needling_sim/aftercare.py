"""Aftercare rules, written once: one table of frozen rules with stable keys, kinds and claim ids.

The rules come from the seeds (``after.*.s4``, ``ointment.s1``) with their vague durations
read as labelled assumptions (``after.*_assumed``). A rule of N days (or 24 hours) covers
the treatment day and the next N calendar days (``after.window_days_assumed``); rules
about the sun and about touching also hold while the skin is visibly red.
:class:`AftercareDay` is what holds on one day; :mod:`needling_sim.healing` says which day.

Teaching model, not clinical advice.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

import numpy as np

from .evidence import claim, require_claims
from .phases import Phase

__all__ = [
    "REDNESS_SOURCES",
    "RESTRICTIONS",
    "RULES",
    "AftercareDay",
    "Restriction",
    "RuleKey",
    "RuleKind",
    "day_sources",
]


class RuleKind(StrEnum):
    """What an aftercare rule asks: something the patient must not do, or should do."""

    MUST_NOT = "must_not"
    SHOULD = "should"


class RuleKey(StrEnum):
    """Stable key of an aftercare rule: its column in :func:`healing_timeline`, the name a trainee types."""

    NO_SUN = "no_sun"
    NO_ACTIVES = "no_actives"
    NO_EXERCISE = "no_exercise"
    NO_TOUCHING = "no_touching"
    OINTMENT = "ointment"


@dataclass(frozen=True)
class Restriction:
    """One aftercare rule.

    Attributes
    ----------
    key : RuleKey
        Stable key; ``name`` is its plain text (``"no_sun"``).
    kind : RuleKind
        Must not (``no_*``) or should (the ointment).
    description : str
        What the patient does, in plain words.
    label : str
        A short label for a chart row or a list.
    last_day : int
        Holds from the session day (day 0) to this day after it.
    while_red : bool
        Also holds while redness is visible.
    sources : tuple of str
        Claim ids behind it.
    note : str
        Caveats, such as a seed contradicting itself.
    """

    key: RuleKey
    kind: RuleKind
    description: str
    label: str
    last_day: int
    while_red: bool
    sources: tuple[str, ...]
    note: str = ""

    @property
    def name(self) -> str:
        """The key as plain text (what :func:`healing_timeline` names its column)."""
        return self.key.value

    def holds(self, days_since_session, redness_visible):
        """Whether the rule holds, day by day: arrays in, a boolean array out (scalars work too).

        Examples
        --------
        >>> RESTRICTIONS["no_sun"].holds(np.array([0, 1, 2, 9]), np.array([False, False, True, False]))
        array([ True,  True,  True, False])
        """
        late = np.asarray(days_since_session) <= self.last_day
        return late | (self.while_red & np.asarray(redness_visible, dtype=bool))

    def applies(self, days_since_session: int, redness_visible: bool) -> bool:
        """Whether the rule holds on one day (:meth:`holds` for one day).

        Examples
        --------
        >>> RESTRICTIONS["no_actives"].applies(5, False), RESTRICTIONS["no_actives"].applies(6, False)
        (True, False)
        """
        return bool(self.holds(days_since_session, redness_visible))


_WINDOW = "after.window_days_assumed"


def _days(claim_id: str) -> int:
    return int(claim(claim_id).value_high)


_ACTIVES, _OINTMENT = claim("after.actives_days_assumed"), claim("ointment.s1")
_OINTMENT_DAYS = int(claim("ointment.counting_assumed").value_high)

#: Every aftercare rule, once, in display order.
RULES: tuple[Restriction, ...] = (
    Restriction(
        RuleKey.NO_SUN,
        RuleKind.MUST_NOT,
        "Keep out of direct sun and use a broad-spectrum sunscreen.",
        "No direct sun",
        _days("after.sun.s4"),
        True,
        require_claims("after.sun.s4", "after.sun.s2", "after.sun_red_assumed", _WINDOW),
    ),
    Restriction(
        RuleKey.NO_ACTIVES,
        RuleKind.MUST_NOT,
        "No retinoids, AHAs or BHAs on the treated skin.",
        "No actives (retinoids, acids)",
        _days(_ACTIVES.id),
        False,
        require_claims("after.actives.s4", _ACTIVES.id, _WINDOW),
        f"The seed says only 'a few days'; {_ACTIVES.value_high:g} days is the assumed conservative reading.",
    ),
    Restriction(
        RuleKey.NO_EXERCISE,
        RuleKind.MUST_NOT,
        "No vigorous exercise or sweating.",
        "No vigorous exercise",
        _days("after.exercise.s4"),
        False,
        require_claims("after.exercise.s4", _WINDOW),
    ),
    Restriction(
        RuleKey.NO_TOUCHING,
        RuleKind.MUST_NOT,
        "Do not touch, pick or scrub the treated skin.",
        "No touching or picking",
        _days("after.touch_days_assumed"),
        True,
        require_claims("after.touch.s4", "after.touch_days_assumed", _WINDOW),
    ),
    Restriction(
        # "the first 7 days": the treatment day is the first (ointment.counting_assumed)
        RuleKey.OINTMENT,
        RuleKind.SHOULD,
        "Apply the ointment to the treated skin.",
        "Ointment",
        _OINTMENT_DAYS - 1,
        False,
        require_claims(_OINTMENT.id, "epidermis.s1", "ointment.counting_assumed"),
        f"The seed gives the first {_OINTMENT.value_low:g} to {_OINTMENT.value_high:g} days (the course uses "
        f"{_OINTMENT_DAYS}: the treatment day and the {_OINTMENT_DAYS - 1} days after) and calls the skin "
        "broken, although the same page says the epidermis stays intact: it contradicts itself.",
    ),
)
#: The same rules by their key as plain text (``RESTRICTIONS["no_sun"]``; a :class:`RuleKey` works too), read-only.
#: Plain text keys, so a list of them is an answer a trainee can hand in.
RESTRICTIONS: Mapping[str, Restriction] = MappingProxyType({r.name: r for r in RULES})
if set(RESTRICTIONS) != set(RuleKey):
    raise RuntimeError("every RuleKey needs exactly one rule in RULES")
REDNESS_SOURCES = require_claims("model.redness_threshold", "redness.depth", "redness.s0", "redness.s1")
#: Claim ids behind visible redness (the teaching model's threshold and the seeds).
REDNESS_SOURCES = require_claims("model.redness_threshold", "redness.depth", "redness.s0", "redness.s1")


def day_sources(phase: str, red: bool, rules) -> tuple[str, ...]:
    """Claim ids behind a day's phase, its redness and the rules that hold (in that order, once each)."""
    ids = [Phase(phase).claim_id, *(REDNESS_SOURCES if red else ())]
    for r in rules:
        ids += r.sources
    return tuple(dict.fromkeys(ids))


@dataclass(frozen=True)
class AftercareDay:
    """What holds on one day of a course (see :func:`aftercare_on`, :meth:`Timeline.on`).

    Attributes
    ----------
    date : datetime.date
    day : int
        Days since the first session.
    session : int
        The latest session so far.
    days_since_session : int
    phase : Phase
    redness_visible : bool
    restrictions : tuple of Restriction
        The aftercare rules that hold, each with its sources.
    redness : float
        The model's redness, 0 to 1 (NaN when not given).
    """

    date: dt.date
    day: int
    session: int
    days_since_session: int
    phase: Phase
    redness_visible: bool
    restrictions: tuple[Restriction, ...]
    redness: float = math.nan

    @property
    def sources(self) -> tuple[str, ...]:
        """Claim ids behind the phase, the redness and every rule that holds."""
        return day_sources(self.phase, self.redness_visible, self.restrictions)

    @property
    def must_not(self) -> tuple[Restriction, ...]:
        """The rules of kind :attr:`RuleKind.MUST_NOT` that hold."""
        return tuple(r for r in self.restrictions if r.kind is RuleKind.MUST_NOT)

    @property
    def should(self) -> tuple[Restriction, ...]:
        """The rules of kind :attr:`RuleKind.SHOULD` that hold."""
        return tuple(r for r in self.restrictions if r.kind is RuleKind.SHOULD)

    @property
    def lifted(self) -> tuple[Restriction, ...]:
        """The must-not rules that no longer hold (the patient may do these again).

        Examples
        --------
        >>> from needling_sim import aftercare_on, plan_course
        >>> [r.name for r in aftercare_on(plan_course(dt.date(2026, 3, 2), 1, 42, 1.0, "cheek"), 3).lifted]
        ['no_exercise']
        """
        return tuple(r for r in RULES if r.kind is RuleKind.MUST_NOT and r not in self.restrictions)

    def describe(self) -> str:
        """The day in a sentence or two, for a lesson.

        Examples
        --------
        >>> from needling_sim import aftercare_on, plan_course
        >>> print(aftercare_on(plan_course(dt.date(2026, 3, 2), 1, 42, 1.0, "cheek"), 6).describe())
        2026-03-08, day 6 after session 1 (proliferation): Apply the ointment to the treated skin.
        """
        head = f"{self.date}, day {self.days_since_session} after session {self.session} ({self.phase})"
        if not self.restrictions:
            return f"{head}: no aftercare rule holds."
        return f"{head}: " + " ".join(r.description for r in self.restrictions)
