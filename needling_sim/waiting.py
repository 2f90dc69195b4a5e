"""Waiting windows: how long screening waits after an event in the patient record.

Every wait is one :class:`WaitingWindow`, its length and unit read from one ledger
claim; :data:`WAITING_WINDOWS` holds one per patient date field
(``patient.DATE_FIELDS``), and :func:`waiting_window` looks one up. The sources
disagree on the wait after isotretinoin, so :class:`IsotretinoinPolicy` names each
reading and :data:`ISOTRETINOIN_WINDOWS` holds its window (the screening rules in
:mod:`needling_sim.screening` apply them; :mod:`needling_sim.cases` reads the table).

Teaching model, not clinical advice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from .dates import add_months
from .evidence import claim
from .patient import DATE_FIELDS

__all__ = [
    "ISOTRETINOIN_WINDOWS",
    "ISOTRETINOIN_WINDOW_MONTHS",
    "SUPERFICIAL_DEPTH_MM",
    "WAITING_WINDOWS",
    "IsotretinoinPolicy",
    "WaitingWindow",
    "waiting_window",
]

@dataclass(frozen=True)
class WaitingWindow:
    """How long screening waits after an event in the record, read from one claim.

    Attributes
    ----------
    rule : str
        The screening rule that waits (``"radiation"``).
    field : str
        The :class:`~needling_sim.Patient` date field the wait runs from (one of ``DATE_FIELDS``).
    claim_id : str
        The ledger claim holding the length (its ``value_low``).
    length : int
        The wait, in ``unit``.
    unit : {"months", "days"}
        Calendar months (:func:`~needling_sim.dates.add_months`) or days.

    Examples
    --------
    >>> w = waiting_window("radiation_last_date")
    >>> w.rule, w.length, w.unit, w.text
    ('radiation', 12, 'months', '12 months')
    >>> w.end(dt.date(2025, 6, 1))
    datetime.date(2026, 6, 1)
    """

    rule: str
    field: str
    claim_id: str
    length: int
    unit: str

    @classmethod
    def from_claim(cls, rule: str, field: str, claim_id: str) -> WaitingWindow:
        """The window whose length and unit are ``claim_id``'s ``value_low`` and ``unit``.

        Examples
        --------
        >>> WaitingWindow.from_claim("recent_sun", "sun_exposure_last", "pre.sun.s4").text
        '14 days'
        """
        c = claim(claim_id)
        if field not in DATE_FIELDS:
            raise ValueError(f"field={field!r} is not a patient date field; allowed: {', '.join(DATE_FIELDS)}")
        if c.unit not in ("months", "days") or c.value_low is None:
            raise ValueError(f"claim {claim_id!r} holds no wait in months or days (unit {c.unit!r})")
        return cls(rule, field, claim_id, int(c.value_low), c.unit)

    @property
    def text(self) -> str:
        """The wait in words, for messages (``"6 months"``)."""
        return f"{self.length} {self.unit}"

    def end(self, last: dt.date) -> dt.date:
        """The first day after the wait that started on ``last``."""
        if self.unit == "months":
            return add_months(last, self.length)
        return last + dt.timedelta(days=self.length)


class IsotretinoinPolicy(StrEnum):
    """Which source sets the wait after the last isotretinoin dose (:data:`ISOTRETINOIN_WINDOWS`).

    ``drug_label`` (the default: the most conservative), ``seed``
    (``003_5eeea979378cb349.txt``), ``consensus`` (the 2017 ASDS consensus, Waldman
    et al.: no delay, but only for needles of at most :data:`SUPERFICIAL_DEPTH_MM`, as
    the consensus covers superficial procedures; ``contra.isotretinoin.superficial_assumed``).
    Deeper, or when the depth is not known, the seed's wait applies.

    Examples
    --------
    >>> ISOTRETINOIN_WINDOWS[IsotretinoinPolicy("seed")].text
    '3 months'
    """

    DRUG_LABEL = "drug_label"
    SEED = "seed"
    CONSENSUS = "consensus"


_ISOTRETINOIN = "isotretinoin_last_dose"
#: The wait after the last isotretinoin dose under each policy.
ISOTRETINOIN_WINDOWS: dict[IsotretinoinPolicy, WaitingWindow] = {
    IsotretinoinPolicy.DRUG_LABEL: WaitingWindow.from_claim("isotretinoin", _ISOTRETINOIN, "contra.isotretinoin.label"),
    IsotretinoinPolicy.SEED: WaitingWindow.from_claim("isotretinoin", _ISOTRETINOIN, "contra.isotretinoin.s3"),
    IsotretinoinPolicy.CONSENSUS: WaitingWindow.from_claim(
        "isotretinoin", _ISOTRETINOIN, "contra.isotretinoin.asds2017"
    ),
}
#: Months to wait after the last isotretinoin dose, per policy (from the ledger).
ISOTRETINOIN_WINDOW_MONTHS = {p: w.length for p, w in ISOTRETINOIN_WINDOWS.items()}
#: Deepest needle the consensus reading of the isotretinoin rule covers, in mm.
SUPERFICIAL_DEPTH_MM = claim("contra.isotretinoin.superficial_assumed").value_low

#: Every wait screening applies, one per patient date field (isotretinoin: the default,
#: drug-label policy; the others are in :data:`ISOTRETINOIN_WINDOWS`). ``cases.py`` reads it.
WAITING_WINDOWS: tuple[WaitingWindow, ...] = (
    ISOTRETINOIN_WINDOWS[IsotretinoinPolicy.DRUG_LABEL],
    WaitingWindow.from_claim("radiation", "radiation_last_date", "contra.radiation.s3"),
    WaitingWindow.from_claim("recent_sun", "sun_exposure_last", "pre.sun.s4"),
    WaitingWindow.from_claim("recent_retinoids", "retinoid_last_use", "pre.retinoids_days_assumed"),
)
if tuple(w.field for w in WAITING_WINDOWS) != DATE_FIELDS:  # pragma: no cover - a programming error
    raise RuntimeError("WAITING_WINDOWS needs one window per patient.DATE_FIELDS entry, in that order")


def waiting_window(field: str) -> WaitingWindow:
    """The :data:`WAITING_WINDOWS` row of a patient date field.

    Examples
    --------
    >>> waiting_window("retinoid_last_use").claim_id
    'pre.retinoids_days_assumed'
    >>> waiting_window("age")
    Traceback (most recent call last):
    ...
    ValueError: field='age' is not a patient date field; allowed: isotretinoin_last_dose, ...
    """
    for w in WAITING_WINDOWS:
        if w.field == field:
            return w
    raise ValueError(f"field={field!r} is not a patient date field; allowed: {', '.join(DATE_FIELDS)}")
