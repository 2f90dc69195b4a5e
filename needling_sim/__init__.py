"""needling_sim: a teaching model of skin needling (microneedling) for trainee practitioners.

Teaching model, not clinical advice. Every number traces to a claim in the evidence
ledger (:func:`needling_sim.evidence.load_claims`): a seed page, a published source,
or a labelled assumption.

This package imports neither plotly nor ipywidgets; figures live in
``needling_sim.plots`` and apps in ``needling_sim.widgets``.
"""

from .areas import Area, AreaInfo, area_info
from .course import (
    CoursePlan,
    Session,
    SpacingPolicy,
    check_plan,
    plan_course,
    plan_passes,
    recommend_plan,
)
from .evidence import Claim, load_claims
from .findings import Finding, Severity, Verdict
from .patient import Concern, Fitzpatrick, Patient
from .screening import IsotretinoinPolicy, ScreeningResult, screen

__all__ = [
    "Area",
    "AreaInfo",
    "Claim",
    "Concern",
    "CoursePlan",
    "Finding",
    "Fitzpatrick",
    "IsotretinoinPolicy",
    "Patient",
    "ScreeningResult",
    "Session",
    "Severity",
    "SpacingPolicy",
    "Verdict",
    "area_info",
    "check_plan",
    "load_claims",
    "plan_course",
    "plan_passes",
    "recommend_plan",
    "screen",
]

__version__ = "0.1.0"
