"""Screening: who may be needled, and from when.

Each rule is one small function below, declared with its claim ids by the
:func:`~needling_sim.findings.rule` decorator, and :data:`RULES` lists them in the
order their findings are reported. Each rule follows the seeds (contraindications,
pre-care windows) and the literature where the seeds are silent (pigmentation risk
by skin type, antiviral prophylaxis). Where sources disagree on a window the
conservative one is the default, the finding cites every side, and the choice is a
visible parameter. Every wait is one row of :data:`~needling_sim.waiting.WAITING_WINDOWS`
(module :mod:`needling_sim.waiting`, re-exported here), its length read from the
ledger; messages are formatted from those values.

Teaching model, not clinical advice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ._checks import check_choice, check_date, check_patient, check_real
from .evidence import claim
from .findings import Finding, Rule, Severity, Verdict, rule, verdict_for
from .patient import DATE_FIELDS, Concern, Fitzpatrick, Patient
from .waiting import (
    ISOTRETINOIN_WINDOW_MONTHS,
    ISOTRETINOIN_WINDOWS,
    SUPERFICIAL_DEPTH_MM,
    WAITING_WINDOWS,
    IsotretinoinPolicy,
    WaitingWindow,
    waiting_window,
)

__all__ = [
    "ISOTRETINOIN_WINDOWS",
    "ISOTRETINOIN_WINDOW_MONTHS",
    "RULES",
    "RULE_SOURCES",
    "SUPERFICIAL_DEPTH_MM",
    "WAITING_WINDOWS",
    "IsotretinoinPolicy",
    "ScreeningResult",
    "Visit",
    "WaitingWindow",
    "screen",
    "waiting_window",
]

_ISO_LONGEST = max(ISOTRETINOIN_WINDOWS.values(), key=lambda w: w.length)


@dataclass(frozen=True)
class Visit:
    """What every screening rule reads: the patient, the date and the choices made.

    Attributes
    ----------
    patient : Patient
    on : datetime.date
    isotretinoin_policy : IsotretinoinPolicy
    depth_mm : float or None
        The planned needle depth, when known.

    Examples
    --------
    >>> v = Visit(Patient(age=30, fitzpatrick=2), dt.date(2026, 1, 1), IsotretinoinPolicy.SEED, None)
    >>> [f.rule for r in RULES for f in r(v)]
    []
    """

    patient: Patient
    on: dt.date
    isotretinoin_policy: IsotretinoinPolicy
    depth_mm: float | None


@dataclass(frozen=True)
class ScreeningResult:
    """The outcome of :func:`screen`.

    Attributes
    ----------
    patient : Patient
    on : datetime.date
        The screening date.
    verdict : Verdict
        ``proceed``, ``caution``, ``defer`` or ``do_not_treat``; the most severe finding wins.
    findings : tuple of Finding
        Every rule that fired, most severe first.
    earliest_date : datetime.date or None
        When deferred: the first date on which every deferring finding has cleared.
        None when nothing defers, when treatment is refused, or when a deferring
        condition has no known end (pregnancy, an infection, open wounds).
    isotretinoin_policy : IsotretinoinPolicy
        The policy the isotretinoin rule used.
    """

    patient: Patient
    on: dt.date
    verdict: Verdict
    findings: tuple[Finding, ...]
    earliest_date: dt.date | None
    isotretinoin_policy: IsotretinoinPolicy

    @property
    def blocks(self) -> bool:
        """True when treatment may not go ahead on ``on`` (defer or do_not_treat)."""
        return self.verdict in (Verdict.DEFER, Verdict.DO_NOT_TREAT)

    @property
    def reasons(self) -> tuple[str, ...]:
        """The findings' messages, most severe first."""
        return tuple(f.message for f in self.findings)

    def to_frame(self) -> pd.DataFrame:
        """Return the findings as a DataFrame (columns rule, severity, message, sources, until).

        Examples
        --------
        >>> r = screen(Patient(age=30, fitzpatrick=5), on=dt.date(2026, 1, 1))
        >>> r.to_frame()[["rule", "severity"]].to_dict("records")
        [{'rule': 'darker_skin_type', 'severity': 'caution'}]
        """
        return pd.DataFrame(
            [
                {
                    "rule": f.rule,
                    "severity": f.severity.value,
                    "message": f.message,
                    "sources": ", ".join(f.sources),
                    "until": f.until,
                }
                for f in self.findings
            ],
            columns=["rule", "severity", "message", "sources", "until"],
        )



# --------------------------------------------------------------------------- the rules, in report order


@rule("keloid_history", "contra.keloid.s0", "contra.keloid.s3")
def _keloid_history(visit: Visit, this: Rule) -> Finding | None:
    if visit.patient.keloid_history:
        return this.finding(
            "do_not_treat",
            "History of keloids, raised scars or poor wound healing: needling injures the skin "
            "on purpose and may leave a raised scar. Do not treat.",
        )
    return None


@rule("pregnancy", "contra.pregnancy.s0", "contra.pregnancy.s3")
def _pregnancy(visit: Visit, this: Rule) -> Finding | None:
    if visit.patient.pregnant:
        return this.finding(
            "defer",
            "Pregnant: the seeds say not to treat during pregnancy. Wait until after it; no date can be set now.",
        )
    return None


@rule("breastfeeding", "contra.pregnancy.s0", "contra.pregnancy.s3")
def _breastfeeding(visit: Visit, this: Rule) -> Finding | None:
    if visit.patient.breastfeeding:
        return this.finding(
            "defer",
            "Breastfeeding: the seeds say not to treat while breastfeeding. Wait until it has "
            "stopped; no date can be set now.",
        )
    return None


@rule("active_infection", "contra.infection.s0", "contra.infection.s3")
def _active_infection(visit: Visit, this: Rule) -> Finding | None:
    if visit.patient.active_infection:
        return this.finding(
            "defer",
            "Active infection or inflammation at the site (a cold-sore outbreak too): needling "
            "could spread it. Wait until it has fully cleared; no date can be set now.",
        )
    return None


@rule("open_wounds", "contra.wounds.s3")
def _open_wounds(visit: Visit, this: Rule) -> Finding | None:
    if visit.patient.open_wounds:
        return this.finding(
            "defer",
            "Open cuts, wounds or abrasions at the site: wait until they have healed; no date can be set now.",
        )
    return None


def _isotretinoin_window(visit: Visit) -> tuple[WaitingWindow, str]:
    """The window the policy sets at this depth, and why the consensus does not apply (or "")."""
    window = ISOTRETINOIN_WINDOWS[visit.isotretinoin_policy]
    depth = visit.depth_mm
    if visit.isotretinoin_policy is not IsotretinoinPolicy.CONSENSUS or (
        depth is not None and depth <= SUPERFICIAL_DEPTH_MM
    ):
        return window, ""
    seed = ISOTRETINOIN_WINDOWS[IsotretinoinPolicy.SEED]
    planned = "a needle of unknown depth" if depth is None else f"a {depth:g} mm needle"
    return seed, (
        f" The consensus covers superficial procedures only (read here as needles of at most "
        f"{SUPERFICIAL_DEPTH_MM:g} mm, an assumption; its abstract does not name needling), and "
        f"{planned} is collagen-induction needling, not superficial: the seed's {seed.text} apply."
    )


@rule("isotretinoin", *(w.claim_id for w in ISOTRETINOIN_WINDOWS.values()), "contra.isotretinoin.superficial_assumed")
def _isotretinoin(visit: Visit, this: Rule) -> Finding | None:
    last = visit.patient.isotretinoin_last_dose
    if last is None or visit.on >= _ISO_LONGEST.end(last):
        return None
    window, scope = _isotretinoin_window(visit)
    end, policy = window.end(last), visit.isotretinoin_policy.value
    w = ISOTRETINOIN_WINDOWS
    sides = (
        f"Sources disagree: the seed says {w[IsotretinoinPolicy.SEED].text}, the drug label "
        f"{w[IsotretinoinPolicy.DRUG_LABEL].text}, and a 2017 consensus found no need to delay "
        "superficial procedures."
    )
    if visit.on < end:
        return this.finding(
            "defer",
            f"Isotretinoin last taken on {last}: under the {policy} policy wait {window.text}, "
            f"until {end}.{scope} {sides}",
            until=end,
        )
    return this.finding(
        "caution",
        f"Isotretinoin last taken on {last}: the {policy} policy allows treatment now, "
        f"but a more conservative source would still wait.{scope} {sides}",
    )


def _waiting(visit: Visit, this: Rule, field: str, message: str) -> Finding | None:
    """Defer from ``field``'s date for its window; ``message`` is formatted with last, end, wait."""
    window = waiting_window(field)
    last = getattr(visit.patient, field)
    if last is None or visit.on >= window.end(last):
        return None
    end = window.end(last)
    return this.finding("defer", message.format(last=last, end=end, wait=window.text), until=end)


@rule("radiation", waiting_window("radiation_last_date").claim_id)
def _radiation(visit: Visit, this: Rule) -> Finding | None:
    return _waiting(visit, this, "radiation_last_date",
                    "Radiation treatment on {last}: the seed asks for {wait} before needling. Earliest date {end}.")


@rule("recent_sun", waiting_window("sun_exposure_last").claim_id)
def _recent_sun(visit: Visit, this: Rule) -> Finding | None:
    return _waiting(visit, this, "sun_exposure_last",
                    "Sunburn or tanning on {last}: avoid treating within {wait} of strong sun, as burnt or "
                    "tanned skin reacts more. Earliest date {end}.")


@rule("recent_retinoids", "pre.retinoids.s4", waiting_window("retinoid_last_use").claim_id)
def _recent_retinoids(visit: Visit, this: Rule) -> Finding | None:
    return _waiting(visit, this, "retinoid_last_use",
                    "Retinoids or AHAs used on {last}: stop them a few days before (read here as "
                    "{wait}, an assumption). Earliest date {end}.")


_PIH_FROM = Fitzpatrick(int(claim("skin.pih_lit").value_low))


@rule("darker_skin_type", "skin.pih_lit", "skin.s3", "skin.s0")
def _darker_skin_type(visit: Visit, this: Rule) -> Finding | None:
    if visit.patient.fitzpatrick >= _PIH_FROM:
        return this.finding(
            "caution",
            f"Fitzpatrick type {visit.patient.fitzpatrick.name}: darker skin carries more risk of "
            "post-inflammatory hyperpigmentation. Use a conservative depth and strict sun "
            "protection (a seed claims all skin types are suitable; the literature is more careful).",
        )
    return None


@rule("cold_sore_history", "contra.hsv.cmac2021", "contra.infection.s3")
def _cold_sore_history(visit: Visit, this: Rule) -> Finding | None:
    if visit.patient.herpes_simplex_history:
        return this.finding(
            "caution",
            "History of cold sores: needling can trigger an outbreak. Arrange antiviral prophylaxis before treatment.",
        )
    return None


_ANTICOAGULANT_STEP_MM = claim("policy.anticoagulant_depth_assumed").value_low


@rule("anticoagulants", "contra.anticoagulants_assumed", "pre.disclose.s4", "policy.anticoagulant_depth_assumed")
def _anticoagulants(visit: Visit, this: Rule) -> Finding | None:
    if visit.patient.anticoagulants:
        return this.finding(
            "caution",
            "Takes blood thinners: expect more bleeding and bruising. Check with the prescriber; "
            f"a recommended plan uses a needle one {_ANTICOAGULANT_STEP_MM:g} mm step shallower "
            "(a teaching assumption; the seed only asks patients to disclose medicines).",
        )
    return None


_CHU_STUDIES = int(claim("adverse.chu2021_studies").value_low)


@rule("metal_allergy", "risk.metal_allergy.chu2021", "needles.s2_steel", "adverse.chu2021_studies")
def _metal_allergy(visit: Visit, this: Rule) -> Finding | None:
    if visit.patient.metal_allergy:
        return this.finding(
            "caution",
            f"Metal allergy: needles are metal (one seed says stainless steel) and a review of {_CHU_STUDIES} "
            "studies names metal allergy as a risk factor for reactions such as granulomas "
            "(Chu 2021). Ask which metal, check the cartridge's material with the maker, and "
            "treat only if it is not the one the patient reacts to.",
        )
    return None


@rule("rosacea", "policy.rosacea_assumed", "benefit.s0", "contra.infection.s0", "contra.infection.s3")
def _rosacea(visit: Visit, this: Rule) -> Finding | None:
    if Concern.ROSACEA in visit.patient.concerns:
        return this.finding(
            "caution",
            "Rosacea is an inflammatory skin condition, and the seeds disagree: one page sells "
            "needling for rosacea yet excludes active inflammation (000), another excludes any "
            "skin condition (003). Do not needle a flare; treat only when it is quiet, shallow, "
            "and after the patient's own doctor agrees.",
        )
    return None


#: Every screening rule, in the order their findings are reported (before sorting by severity).
RULES: tuple[Rule, ...] = (
    _keloid_history, _pregnancy, _breastfeeding, _active_infection, _open_wounds,
    _isotretinoin, _radiation, _recent_sun, _recent_retinoids,
    _darker_skin_type, _cold_sore_history, _anticoagulants, _metal_allergy, _rosacea,
)
#: Every rule's name and the claim ids it cites (checked against the ledger at import).
RULE_SOURCES: dict[str, tuple[str, ...]] = {r.name: r.claims for r in RULES}


# --------------------------------------------------------------------------- screen


def _visit(patient, on, isotretinoin_policy, depth_mm) -> Visit:
    """Check :func:`screen`'s arguments and bundle them for the rules."""
    check_patient("patient", patient)
    check_date("on", on)
    policy = check_choice("isotretinoin_policy", isotretinoin_policy, IsotretinoinPolicy,
                          noun="isotretinoin policy name")
    if depth_mm is not None:
        depth_mm = check_real("depth_mm", depth_mm, 0, low_open=True, unit="mm")
    for field in DATE_FIELDS:
        value = getattr(patient, field)
        if value is not None and value > on:
            raise ValueError(f"{field}={value.isoformat()} is after the screening date {on.isoformat()}; "
                             "record only what has already happened")
    return Visit(patient, on, policy, depth_mm)


def screen(
    patient: Patient,
    on: dt.date,
    *,
    isotretinoin_policy: str | IsotretinoinPolicy = IsotretinoinPolicy.DRUG_LABEL,
    depth_mm: float | None = None,
) -> ScreeningResult:
    """Screen a candidate for skin needling on a given date: apply every rule of :data:`RULES`.

    Parameters
    ----------
    patient : Patient
        The intake record.
    on : datetime.date
        The date of the planned treatment. Dates in the patient record must not
        be after it.
    isotretinoin_policy : {"drug_label", "seed", "consensus"}, default "drug_label"
        Which source sets the wait after isotretinoin (:data:`ISOTRETINOIN_WINDOWS`):
        the drug label, the seed (``003_5eeea979378cb349.txt``) or none (ASDS consensus
        2017). Whatever the choice, a finding cites every side while any source would
        still ask to wait. ``consensus`` applies only to a planned needle of at most
        :data:`SUPERFICIAL_DEPTH_MM`; deeper, or with no ``depth_mm``, the seed's wait
        applies and the finding says why.
    depth_mm : float or None, default None
        The planned needle depth, when known (``check_plan`` passes each session's depth).

    Returns
    -------
    ScreeningResult

    Raises
    ------
    TypeError
        ``patient`` is not a Patient, ``on`` is not a date, or the policy is not a str.
    ValueError
        An unknown policy, or a date in the record after ``on``.

    Examples
    --------
    >>> p = Patient(age=29, fitzpatrick=2, isotretinoin_last_dose=dt.date(2026, 1, 10))
    >>> r = screen(p, on=dt.date(2026, 3, 1))
    >>> r.verdict.value, r.earliest_date
    ('defer', datetime.date(2026, 7, 10))
    >>> screen(p, on=dt.date(2026, 3, 1), isotretinoin_policy="seed").earliest_date
    datetime.date(2026, 4, 10)
    >>> screen(p, on=dt.date(2026, 3, 1), isotretinoin_policy="consensus", depth_mm=1.5).earliest_date
    datetime.date(2026, 4, 10)
    >>> screen(p, on=dt.date(2026, 3, 1), isotretinoin_policy="consensus", depth_mm=0.25).verdict.value
    'caution'
    """
    visit = _visit(patient, on, isotretinoin_policy, depth_mm)
    found = [f for r in RULES for f in r(visit)]
    findings = tuple(sorted(found, key=lambda f: -f.severity.rank))
    verdict = verdict_for(findings)
    earliest = None
    if verdict is Verdict.DEFER:
        ends = [f.until for f in findings if f.severity is Severity.DEFER]
        earliest = None if any(e is None for e in ends) else max(ends)
    return ScreeningResult(patient, on, verdict, findings, earliest, visit.isotretinoin_policy)
