"""Recommended plans: a course that passes the plan checks, from sourced defaults.

:data:`CONCERN_DEFAULTS` holds a depth and a session count per concern: the depths are
rows ``default_depth_<concern>_mm`` of ``data/parameters.csv`` (each beside its claim),
the session counts are read from their claims. :func:`recommend_plan` caps the depth
at the site, steps it shallower for darker skin or blood thinners, spaces the sessions
by the policy's minimum and moves the start past any screening wait with a known end.

Teaching model, not clinical advice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ._checks import check_choice, check_date, check_patient
from .areas import DEPTH_STEP_MM, Area, AreaInfo, area_info, parse_area
from .evidence import claim, require_claims
from .findings import Severity
from .parameters import parameter
from .patient import Concern, Fitzpatrick, Patient
from .plan_checks import check_plan, plan_passes
from .plans import SPACING_MIN_DAYS, SPACING_SOURCES, CoursePlan, SpacingPolicy, plan_course
from .screening import IsotretinoinPolicy

__all__ = ["CONCERN_DEFAULTS", "ConcernDefault", "concern_default", "recommend_plan"]


@dataclass(frozen=True)
class ConcernDefault:
    """Sourced starting point for one concern: needle depth and session count.

    Examples
    --------
    >>> d = CONCERN_DEFAULTS[Concern.WRINKLES]
    >>> d.depth_mm, d.sessions
    (1.0, 3)
    """

    concern: Concern
    depth_mm: float
    sessions: int
    sources: tuple[str, ...]


_DEPTH_SRC = require_claims("course.concern_depth_assumed", "depth.singh2016")
_SESS_SRC = require_claims("course.concern_sessions_assumed", "sessions.s0", "sessions.s3")
_SCAR_SRC = require_claims("course.harris2015", "sessions.harris2015")


def concern_default(concern: str | Concern) -> ConcernDefault:
    """The default depth (``parameter("default_depth_<concern>_mm")``) and session count of a concern.

    Acne scars follow Harris et al. 2015 (trials' median depth and session count);
    the rest follow ``course.concern_depth_assumed`` and ``course.concern_sessions_assumed``.

    Examples
    --------
    >>> concern_default("acne_scars").depth_mm == parameter("default_depth_acne_scars_mm").value
    True
    >>> concern_default("rosacea").sessions == claim("course.concern_sessions_assumed").value_low
    True
    """
    what = check_choice("concern", concern, Concern, noun="concern")
    depth_mm = float(parameter(f"default_depth_{what.value}_mm").value)
    if what is Concern.ACNE_SCARS:
        return ConcernDefault(what, depth_mm, int(claim("sessions.harris2015").value_low), _SCAR_SRC + _DEPTH_SRC)
    return ConcernDefault(what, depth_mm, int(claim("course.concern_sessions_assumed").value_low),
                          _DEPTH_SRC + _SESS_SRC)


#: Default depth and session count per concern (see :func:`concern_default`).
CONCERN_DEFAULTS: dict[Concern, ConcernDefault] = {c: concern_default(c) for c in Concern}

_CAP_SRC = require_claims("policy.depth_cap_assumed")
_FITZ_SRC = require_claims("policy.fitzpatrick_depth_assumed", "skin.pih_lit")
_FITZ_FROM = Fitzpatrick(int(claim("skin.pih_lit").value_low))
_ANTICOAGULANT_SRC = require_claims("policy.anticoagulant_depth_assumed", "contra.anticoagulants_assumed")
_PASS_CLAIM = require_claims("policy.plan_passes")
_MAX_RESCHEDULES: int = parameter("max_reschedules").value  # a loop guard (claim bound.max_reschedules)


def _depth(patient: Patient, default: ConcernDefault, info: AreaInfo) -> tuple[float, list[str], list[str]]:
    """The recommended depth, and the notes and claim ids saying why."""
    depth, notes, sources = default.depth_mm, [], []
    if depth > info.recommended_max_depth_mm:
        depth = info.recommended_max_depth_mm
        notes.append(
            f"Depth capped at {depth:g} mm: the {info.area.value} dermis is about {info.dermis_mm:g} mm "
            "(thinner figure), and a recommendation keeps the needle within it."
        )
        sources += [*_CAP_SRC, *info.sources[:1]]
    if patient.fitzpatrick >= _FITZ_FROM and depth > DEPTH_STEP_MM:
        depth = depth - DEPTH_STEP_MM
        notes.append(
            f"Fitzpatrick {patient.fitzpatrick.name}: one step shallower ({depth:g} mm) to lower the pigmentation risk."
        )
        sources += list(_FITZ_SRC)
    if patient.anticoagulants and patient.fitzpatrick < _FITZ_FROM and depth > DEPTH_STEP_MM:
        depth = depth - DEPTH_STEP_MM
        notes.append(
            f"Takes blood thinners: one step shallower ({depth:g} mm) to limit bleeding and bruising "
            "(check with the prescriber first). Not stacked with the skin-type step: one conservative step."
        )
        sources += list(_ANTICOAGULANT_SRC)
    return depth, notes, sources


def _first_passing(make_plan, start: dt.date, patient: Patient, pol: SpacingPolicy,
                   isotretinoin_policy) -> CoursePlan:
    """The first plan from ``start`` on that passes, moving the start past each wait with a known end."""
    first = start
    for _ in range(_MAX_RESCHEDULES):
        plan = make_plan(first)
        findings = check_plan(plan, patient, pol, isotretinoin_policy=isotretinoin_policy)
        if plan_passes(findings):
            return plan
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
    )


def recommend_plan(
    patient: Patient,
    concern: str | Concern,
    start: dt.date,
    *,
    area: str | Area = Area.CHEEK,
    policy: str | SpacingPolicy = SpacingPolicy.SIX_WEEKS,
    isotretinoin_policy: str | IsotretinoinPolicy = IsotretinoinPolicy.DRUG_LABEL,
) -> CoursePlan:
    """Recommend a course that passes :func:`~needling_sim.check_plan`, from sourced defaults.

    Depth and session count come from :data:`CONCERN_DEFAULTS`; the depth is capped
    at the site's dermis rounded down to a cartridge step
    (``policy.depth_cap_assumed``) and, for Fitzpatrick IV to VI, made one step
    shallower (``policy.fitzpatrick_depth_assumed``). Sessions are spaced by the
    policy's minimum (:data:`~needling_sim.plans.SPACING_MIN_DAYS`). When screening
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
    check_patient("patient", patient)
    what = check_choice("concern", concern, Concern, noun="concern")
    check_date("start", start)
    where = parse_area(area)
    pol = check_choice("policy", policy, SpacingPolicy, noun="spacing policy")

    default = CONCERN_DEFAULTS[what]
    depth, depth_notes, depth_sources = _depth(patient, default, area_info(where))
    interval = SPACING_MIN_DAYS[pol]
    notes = [f"{what.value}: default {default.depth_mm:g} mm, {default.sessions} sessions.", *depth_notes,
             f"Sessions {interval} days apart: the minimum of the {pol.value} policy."]
    sources = [*default.sources, *depth_sources, *SPACING_SOURCES[pol], "policy.spacing_default"]

    plan = _first_passing(lambda first: plan_course(first, default.sessions, interval, depth, where),
                          start, patient, pol, isotretinoin_policy)
    if plan.start != start:
        notes.append(f"Start moved from {start} to {plan.start}: screening defers treatment until then.")
    sources += list(_PASS_CLAIM)
    return CoursePlan(plan.sessions, tuple(notes), tuple(dict.fromkeys(sources)))
