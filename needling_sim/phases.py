"""The phases of wound healing after each session, with their day bounds from the ledger.

Guo & DiPietro 2010: inflammation, proliferation, then a long remodelling; the clock
restarts at every session. :class:`Phase` is the one home of the phases and their bounds.

Teaching model, not clinical advice.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np

from .evidence import claim, require_claims

__all__ = ["PHASES", "Phase"]


class Phase(StrEnum):
    """A phase of wound healing; the clock restarts at every session (Guo & DiPietro 2010).

    Each day after a session is in exactly one phase, from ``first_day`` to ``last_day``
    (None: open-ended). A claim's upper boundary day is the first day of the next phase.

    Examples
    --------
    >>> [(p.value, p.first_day, p.last_day, p.claim_id) for p in Phase][0]
    ('inflammation', 0, 4, 'phase.inflammation.guo2010')
    >>> Phase.REMODELING.first_day == claim("phase.proliferation.guo2010").value_high
    True
    >>> Phase.of(18), [str(p) for p in Phase.of(np.array([0, 5, 21]))]
    (<Phase.PROLIFERATION: 'proliferation'>, ['inflammation', 'proliferation', 'remodeling'])
    """

    INFLAMMATION = "inflammation"
    PROLIFERATION = "proliferation"
    REMODELING = "remodeling"

    @property
    def claim_id(self) -> str:
        """The ledger claim behind the phase."""
        return _PHASE_CLAIMS[self]

    @property
    def first_day(self) -> int:
        """First day of the phase after a session (day 0 = the session day)."""
        return int(_PHASE_STARTS[list(Phase).index(self)])

    @property
    def last_day(self) -> int | None:
        """Last day of the phase after a session; None for the open-ended last phase."""
        i = list(Phase).index(self)
        return int(_PHASE_STARTS[i + 1]) - 1 if i + 1 < len(_PHASE_STARTS) else None

    @classmethod
    def of(cls, days_since_session):
        """The phase of a day (an int gives a Phase; an array, an object array of them)."""
        index = cls.ordinal_of(days_since_session)
        return _PHASE_ARRAY[index] if np.ndim(index) else _PHASE_ARRAY[int(index)]

    @classmethod
    def ordinal_of(cls, days_since_session):
        """The position in ``list(Phase)`` of each day's phase (ints; vectorised).

        Examples
        --------
        >>> Phase.ordinal_of(np.array([0, 4, 5, 20, 21, 400])).tolist()
        [0, 0, 1, 1, 2, 2]
        """
        return np.searchsorted(_PHASE_STARTS, days_since_session, side="right") - 1


_PHASE_CLAIMS = dict(
    zip(
        Phase,
        require_claims("phase.inflammation.guo2010", "phase.proliferation.guo2010", "phase.remodeling.guo2010"),
        strict=True,
    )
)
_PHASE_STARTS = np.array([0, *(int(claim(p.claim_id).value_high) for p in (Phase.INFLAMMATION, Phase.PROLIFERATION))])
_PHASE_ARRAY = np.array(list(Phase), dtype=object)

#: ``(name, first_day, last_day, claim_id)`` per phase, for older callers; :class:`Phase` holds the same.
PHASES: tuple[tuple[str, int, int | None, str], ...] = tuple(
    (p.value, p.first_day, p.last_day, p.claim_id) for p in Phase
)
