"""Findings: what a rule says about a patient or a plan, and how severe it is.

Screening (:func:`needling_sim.screen`) and plan checks
(:func:`needling_sim.check_plan`) both return :class:`Finding` objects so that
lessons, figures and graders can treat them alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from ._checks import check_choice, check_date, check_instance, check_int, check_text
from .evidence import require_claims

__all__ = ["Finding", "Rule", "Severity", "Verdict", "most_severe", "rule", "verdict_for"]


class Severity(StrEnum):
    """How much a finding matters, in increasing order.

    ``info``: worth knowing, changes nothing. ``caution``: treat, with an extra
    precaution. ``defer``: not now; a later date may be fine. ``do_not_treat``:
    this candidate should not be needled.

    Members compare equal to their string values, so ``finding.severity ==
    "defer"`` works, and they order by severity.

    Examples
    --------
    >>> Severity.CAUTION < Severity.DEFER
    True
    >>> max([Severity.INFO, Severity.DO_NOT_TREAT, Severity.CAUTION]).value
    'do_not_treat'
    """

    INFO = "info"
    CAUTION = "caution"
    DEFER = "defer"
    DO_NOT_TREAT = "do_not_treat"

    @property
    def rank(self) -> int:
        """Position in the order info (0) < caution < defer < do_not_treat (3)."""
        return _SEVERITY_ORDER.index(self)

    def __lt__(self, other: object) -> bool:
        return self.rank < Severity(other).rank  # type: ignore[arg-type]

    def __le__(self, other: object) -> bool:
        return self.rank <= Severity(other).rank  # type: ignore[arg-type]

    def __gt__(self, other: object) -> bool:
        return self.rank > Severity(other).rank  # type: ignore[arg-type]

    def __ge__(self, other: object) -> bool:
        return self.rank >= Severity(other).rank  # type: ignore[arg-type]


_SEVERITY_ORDER = (Severity.INFO, Severity.CAUTION, Severity.DEFER, Severity.DO_NOT_TREAT)


class Verdict(StrEnum):
    """The overall answer of a screening: the most severe finding wins.

    Examples
    --------
    >>> verdict_for([]).value
    'proceed'
    """

    PROCEED = "proceed"
    CAUTION = "caution"
    DEFER = "defer"
    DO_NOT_TREAT = "do_not_treat"


_VERDICT_OF = {
    Severity.INFO: Verdict.PROCEED,
    Severity.CAUTION: Verdict.CAUTION,
    Severity.DEFER: Verdict.DEFER,
    Severity.DO_NOT_TREAT: Verdict.DO_NOT_TREAT,
}


@dataclass(frozen=True)
class Finding:
    """One rule's conclusion.

    Attributes
    ----------
    rule : str
        Short machine name of the rule (``"pregnancy"``, ``"interval_too_short"``).
    severity : Severity
        ``info``, ``caution``, ``defer`` or ``do_not_treat``.
    message : str
        Plain words a trainee understands, with the reason.
    sources : tuple of str
        Evidence-ledger claim ids behind the rule (at least one).
    until : datetime.date or None
        For a deferring finding: the first date on which it no longer applies;
        None when the end is unknown or the finding does not defer.
    session : int or None
        For plan checks: the 1-based session the finding is about, if any.

    Examples
    --------
    >>> f = Finding("pregnancy", "defer", "Wait until after pregnancy.", ("contra.pregnancy.s0",))
    >>> f.severity is Severity.DEFER
    True
    """

    rule: str
    severity: Severity
    message: str
    sources: tuple[str, ...]
    until: dt.date | None = None
    session: int | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        check_text("rule", self.rule)
        set_(self, "severity", check_choice("severity", self.severity, Severity, noun="severity"))
        check_text("message", self.message)
        check_instance("sources", self.sources, (tuple, list), "a tuple of claim ids")
        set_(self, "sources", require_claims(*self.sources))
        check_date("until", self.until, optional=True)
        if self.session is not None:
            set_(self, "session", check_int("session", self.session, 1, note="sessions count from 1"))


def most_severe(findings) -> Severity:
    """Return the highest severity among ``findings`` (``info`` when there are none).

    Examples
    --------
    >>> most_severe([]).value
    'info'
    """
    return max((f.severity for f in findings), default=Severity.INFO)


def verdict_for(findings) -> Verdict:
    """Map the most severe finding to a verdict (``info`` or nothing -> ``proceed``).

    Examples
    --------
    >>> f = Finding("fitzpatrick", "caution", "Pigmentation risk.", ("skin.pih_lit",))
    >>> verdict_for([f]).value
    'caution'
    """
    return _VERDICT_OF[most_severe(findings)]


@dataclass(frozen=True)
class Rule:
    """One rule: its name, the claim ids it rests on, and the function that applies it.

    Build one with the :func:`rule` decorator, beside the function. Calling the rule on
    what it reads (a screening visit, a plan) returns its findings as a tuple.

    Attributes
    ----------
    name : str
        The findings' ``rule`` (``"isotretinoin"``, ``"interval_before_healed"``).
    claims : tuple of str
        Evidence-ledger claim ids behind the rule, checked at import; a finding cites
        them unless it says otherwise.
    check : callable
        ``check(context, rule)`` returns None, one :class:`Finding` or an iterable of them;
        it builds them with :meth:`finding`.

    Examples
    --------
    >>> @rule("always_note", "skin.pih_lit")
    ... def always_note(context, this):
    ...     return this.finding("info", f"Looked at {context}.")
    >>> always_note.name, always_note.claims
    ('always_note', ('skin.pih_lit',))
    >>> [f.message for f in always_note("a patient")]
    ['Looked at a patient.']
    """

    name: str
    claims: tuple[str, ...]
    check: Callable = field(repr=False, compare=False)

    def finding(
        self,
        severity: str | Severity,
        message: str,
        *,
        until: dt.date | None = None,
        session: int | None = None,
        sources: tuple[str, ...] | None = None,
    ) -> Finding:
        """A finding of this rule, citing :attr:`claims` unless ``sources`` is given.

        Examples
        --------
        >>> r = Rule("pregnancy", ("contra.pregnancy.s0",), lambda context, this: None)
        >>> r.finding("defer", "Wait.").sources
        ('contra.pregnancy.s0',)
        """
        return Finding(self.name, severity, message, self.claims if sources is None else sources,
                       until=until, session=session)

    def __call__(self, context: object) -> tuple[Finding, ...]:
        found = self.check(context, self)
        if found is None:
            return ()
        if isinstance(found, Finding):
            return (found,)
        return tuple(found)


def rule(name: str, *claim_ids: str) -> Callable[[Callable], Rule]:
    """Decorate a rule's function with its name and claim ids; the result is a :class:`Rule`.

    Parameters
    ----------
    name : str
        The rule's name, as its findings carry it.
    *claim_ids : str
        The claims the rule rests on (each must be in the ledger, else ``KeyError``).

    Examples
    --------
    >>> @rule("keloid_history", "contra.keloid.s0", "contra.keloid.s3")
    ... def keloid(patient, this):
    ...     return this.finding("do_not_treat", "Do not treat.") if patient == "keloid" else None
    >>> keloid("keloid")[0].severity.value, keloid("clear")
    ('do_not_treat', ())
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty str, got {name!r}")
    claims = require_claims(*claim_ids)

    def decorate(check: Callable) -> Rule:
        return Rule(name, claims, check)

    return decorate
