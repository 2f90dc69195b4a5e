"""Screening: who may be needled, and from when.

Each rule follows the seeds (contraindications, pre-care windows) and the
literature where the seeds are silent (pigmentation risk by skin type, antiviral
prophylaxis). Where sources disagree on a window the conservative one is the
default, the finding cites every side, and the choice is a visible parameter.

Teaching model, not clinical advice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from ._checks import check_choice, check_instance, check_real
from .dates import add_months, check_date
from .evidence import claim, require_claims
from .findings import Finding, Severity, Verdict, verdict_for
from .patient import Concern, Patient

__all__ = [
    "ISOTRETINOIN_WINDOW_MONTHS",
    "SUPERFICIAL_DEPTH_MM",
    "IsotretinoinPolicy",
    "RULE_SOURCES",
    "ScreeningResult",
    "screen",
]


class IsotretinoinPolicy(StrEnum):
    """Which source sets the wait after the last isotretinoin dose.

    ``drug_label``: 6 months (the default: the most conservative).
    ``seed``: 3 months, as in ``003_5eeea979378cb349.txt``.
    ``consensus``: no delay, as in the 2017 ASDS consensus (Waldman et al.), but only
    for needles of at most :data:`SUPERFICIAL_DEPTH_MM` (the consensus covers
    superficial procedures; ``contra.isotretinoin.superficial_assumed``). Deeper, or
    when the depth is not known, the seed's 3 months apply.
    """

    DRUG_LABEL = "drug_label"
    SEED = "seed"
    CONSENSUS = "consensus"


_ISO_CLAIM = {
    IsotretinoinPolicy.DRUG_LABEL: "contra.isotretinoin.label",
    IsotretinoinPolicy.SEED: "contra.isotretinoin.s3",
    IsotretinoinPolicy.CONSENSUS: "contra.isotretinoin.asds2017",
}

#: Months to wait after the last isotretinoin dose, per policy (from the ledger).
ISOTRETINOIN_WINDOW_MONTHS = {p: int(claim(c).value_low) for p, c in _ISO_CLAIM.items()}
_ISO_LONGEST = max(ISOTRETINOIN_WINDOW_MONTHS.values())
#: Deepest needle the consensus reading of the isotretinoin rule covers, in mm.
SUPERFICIAL_DEPTH_MM = claim("contra.isotretinoin.superficial_assumed").value_low

_RADIATION_MONTHS = int(claim("contra.radiation.s3").value_low)
_SUN_DAYS = int(claim("pre.sun.s4").value_low)
_RETINOID_DAYS = int(claim("pre.retinoids_days_assumed").value_low)
_ANTICOAGULANT_STEP_MM = claim("policy.anticoagulant_depth_assumed").value_low

#: Every rule's name and the claim ids it cites (checked against the ledger at import).
RULE_SOURCES: dict[str, tuple[str, ...]] = {
    "pregnancy": require_claims("contra.pregnancy.s0", "contra.pregnancy.s3"),
    "breastfeeding": require_claims("contra.pregnancy.s0", "contra.pregnancy.s3"),
    "keloid_history": require_claims("contra.keloid.s0", "contra.keloid.s3"),
    "active_infection": require_claims("contra.infection.s0", "contra.infection.s3"),
    "open_wounds": require_claims("contra.wounds.s3"),
    "isotretinoin": require_claims(*_ISO_CLAIM.values(), "contra.isotretinoin.superficial_assumed"),
    "radiation": require_claims("contra.radiation.s3"),
    "recent_sun": require_claims("pre.sun.s4"),
    "recent_retinoids": require_claims("pre.retinoids.s4", "pre.retinoids_days_assumed"),
    "darker_skin_type": require_claims("skin.pih_lit", "skin.s3", "skin.s0"),
    "cold_sore_history": require_claims("contra.hsv.cmac2021", "contra.infection.s3"),
    "anticoagulants": require_claims(
        "contra.anticoagulants_assumed", "pre.disclose.s4", "policy.anticoagulant_depth_assumed"
    ),
    "metal_allergy": require_claims("risk.metal_allergy.chu2021", "needles.s2_steel"),
    "rosacea": require_claims("policy.rosacea_assumed", "benefit.s0", "contra.infection.s0", "contra.infection.s3"),
}


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


def _finding(rule: str, severity: str, message: str, until: dt.date | None = None) -> Finding:
    return Finding(rule, Severity(severity), message, RULE_SOURCES[rule], until=until)


def _window_rule(patient, on, field, rule, end, message_when_active):
    """A deferral that lasts from ``field``'s date until ``end``; None when cleared."""
    last = getattr(patient, field)
    if last is None or on >= end:
        return None
    return _finding(rule, "defer", message_when_active.format(last=last, end=end), until=end)


def screen(
    patient: Patient,
    on: dt.date,
    *,
    isotretinoin_policy: str | IsotretinoinPolicy = IsotretinoinPolicy.DRUG_LABEL,
    depth_mm: float | None = None,
) -> ScreeningResult:
    """Screen a candidate for skin needling on a given date.

    Parameters
    ----------
    patient : Patient
        The intake record.
    on : datetime.date
        The date of the planned treatment. Dates in the patient record must not
        be after it.
    isotretinoin_policy : {"drug_label", "seed", "consensus"}, default "drug_label"
        Which source sets the wait after isotretinoin: 6 months (drug label),
        3 months (``003_5eeea979378cb349.txt``) or none (ASDS consensus 2017).
        Whatever the choice, a finding cites every side while any source would
        still ask to wait. ``consensus`` applies only to a planned needle of at most
        :data:`SUPERFICIAL_DEPTH_MM` (0.25 mm); deeper, or with no ``depth_mm``, the
        seed's 3 months apply and the finding says why.
    depth_mm : float or None, default None
        The planned needle depth, when known (:func:`check_plan` passes each
        session's depth).

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
    check_instance("patient", patient, Patient, "a needling_sim.Patient")
    check_date("on", on)
    policy = check_choice("isotretinoin_policy", isotretinoin_policy, IsotretinoinPolicy,
                          noun="isotretinoin policy name")
    if depth_mm is not None:
        depth_mm = check_real("depth_mm", depth_mm, 0, low_open=True, unit="mm")
    for field in ("isotretinoin_last_dose", "radiation_last_date", "sun_exposure_last", "retinoid_last_use"):
        value = getattr(patient, field)
        if value is not None and value > on:
            raise ValueError(f"{field}={value.isoformat()} is after the screening date {on.isoformat()}; "
                             "record only what has already happened")

    found: list[Finding | None] = []
    if patient.keloid_history:
        found.append(_finding(
            "keloid_history", "do_not_treat",
            "History of keloids, raised scars or poor wound healing: needling injures the skin "
            "on purpose and may leave a raised scar. Do not treat.",
        ))
    if patient.pregnant:
        found.append(_finding(
            "pregnancy", "defer",
            "Pregnant: the seeds say not to treat during pregnancy. Wait until after it; "
            "no date can be set now.",
        ))
    if patient.breastfeeding:
        found.append(_finding(
            "breastfeeding", "defer",
            "Breastfeeding: the seeds say not to treat while breastfeeding. Wait until it has "
            "stopped; no date can be set now.",
        ))
    if patient.active_infection:
        found.append(_finding(
            "active_infection", "defer",
            "Active infection or inflammation at the site (a cold-sore outbreak too): needling "
            "could spread it. Wait until it has fully cleared; no date can be set now.",
        ))
    if patient.open_wounds:
        found.append(_finding(
            "open_wounds", "defer",
            "Open cuts, wounds or abrasions at the site: wait until they have healed; "
            "no date can be set now.",
        ))

    found.append(_isotretinoin(patient, on, policy, depth_mm))
    if patient.radiation_last_date is not None:
        found.append(_window_rule(
            patient, on, "radiation_last_date", "radiation",
            add_months(patient.radiation_last_date, _RADIATION_MONTHS),
            f"Radiation treatment on {{last}}: the seed asks for {_RADIATION_MONTHS} months "
            "before needling. Earliest date {end}.",
        ))
    if patient.sun_exposure_last is not None:
        found.append(_window_rule(
            patient, on, "sun_exposure_last", "recent_sun",
            patient.sun_exposure_last + dt.timedelta(days=_SUN_DAYS),
            f"Sunburn or tanning on {{last}}: avoid treating within {_SUN_DAYS} days of strong "
            "sun, as burnt or tanned skin reacts more. Earliest date {end}.",
        ))
    if patient.retinoid_last_use is not None:
        found.append(_window_rule(
            patient, on, "retinoid_last_use", "recent_retinoids",
            patient.retinoid_last_use + dt.timedelta(days=_RETINOID_DAYS),
            f"Retinoids or AHAs used on {{last}}: stop them a few days before (read here as "
            f"{_RETINOID_DAYS} days, an assumption). Earliest date {{end}}.",
        ))
    if patient.fitzpatrick >= 4:
        found.append(_finding(
            "darker_skin_type", "caution",
            f"Fitzpatrick type {patient.fitzpatrick.name}: darker skin carries more risk of "
            "post-inflammatory hyperpigmentation. Use a conservative depth and strict sun "
            "protection (a seed claims all skin types are suitable; the literature is more careful).",
        ))
    if patient.herpes_simplex_history:
        found.append(_finding(
            "cold_sore_history", "caution",
            "History of cold sores: needling can trigger an outbreak. Arrange antiviral "
            "prophylaxis before treatment.",
        ))
    if patient.anticoagulants:
        found.append(_finding(
            "anticoagulants", "caution",
            "Takes blood thinners: expect more bleeding and bruising. Check with the prescriber; "
            f"a recommended plan uses a needle one {_ANTICOAGULANT_STEP_MM:g} mm step shallower "
            "(a teaching assumption; the seed only asks patients to disclose medicines).",
        ))
    if patient.metal_allergy:
        found.append(_finding(
            "metal_allergy", "caution",
            "Metal allergy: needles are metal (one seed says stainless steel) and a review of 85 "
            "studies names metal allergy as a risk factor for reactions such as granulomas "
            "(Chu 2021). Ask which metal, check the cartridge's material with the maker, and "
            "treat only if it is not the one the patient reacts to.",
        ))
    if Concern.ROSACEA in patient.concerns:
        found.append(_finding(
            "rosacea", "caution",
            "Rosacea is an inflammatory skin condition, and the seeds disagree: one page sells "
            "needling for rosacea yet excludes active inflammation (000), another excludes any "
            "skin condition (003). Do not needle a flare; treat only when it is quiet, shallow, "
            "and after the patient's own doctor agrees.",
        ))

    findings = tuple(sorted((f for f in found if f is not None), key=lambda f: -f.severity.rank))
    verdict = verdict_for(findings)
    earliest = None
    if verdict is Verdict.DEFER:
        ends = [f.until for f in findings if f.severity is Severity.DEFER]
        earliest = None if any(e is None for e in ends) else max(ends)
    return ScreeningResult(patient, on, verdict, findings, earliest, policy)


def _isotretinoin(
    patient: Patient, on: dt.date, policy: IsotretinoinPolicy, depth_mm: float | None
) -> Finding | None:
    last = patient.isotretinoin_last_dose
    if last is None or on >= add_months(last, _ISO_LONGEST):
        return None
    months = ISOTRETINOIN_WINDOW_MONTHS[policy]
    scope = ""
    if policy is IsotretinoinPolicy.CONSENSUS and (depth_mm is None or depth_mm > SUPERFICIAL_DEPTH_MM):
        months = ISOTRETINOIN_WINDOW_MONTHS[IsotretinoinPolicy.SEED]
        planned = "a needle of unknown depth" if depth_mm is None else f"a {depth_mm:g} mm needle"
        scope = (
            f" The consensus covers superficial procedures only (read here as needles of at most "
            f"{SUPERFICIAL_DEPTH_MM:g} mm, an assumption; its abstract does not name needling), and "
            f"{planned} is collagen-induction needling, not superficial: the seed's {months} months apply."
        )
    end = add_months(last, months)
    sides = (
        "Sources disagree: the seed says 3 months, the drug label 6 months, and a 2017 "
        "consensus found no need to delay superficial procedures."
    )
    if on < end:
        return _finding(
            "isotretinoin", "defer",
            f"Isotretinoin last taken on {last}: under the {policy.value} policy wait "
            f"{months} months, until {end}.{scope} {sides}",
            until=end,
        )
    return _finding(
        "isotretinoin", "caution",
        f"Isotretinoin last taken on {last}: the {policy.value} policy allows treatment now, "
        f"but a more conservative source would still wait.{scope} {sides}",
    )
