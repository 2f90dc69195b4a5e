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
from .healing import (
    AftercareDay,
    Milestone,
    aftercare_handout,
    aftercare_handout_text,
    aftercare_on,
    healing_timeline,
    milestones,
    milestones_frame,
)
from .outcome import (
    CohortOutcome,
    ModelParams,
    Outcome,
    OutcomeSummary,
    median_multipliers,
    simulate,
    simulate_cohort,
)
from .patient import Concern, Fitzpatrick, Patient
from .screening import IsotretinoinPolicy, ScreeningResult, screen

__all__ = [
    "AftercareDay",
    "Area",
    "AreaInfo",
    "Claim",
    "CohortOutcome",
    "Concern",
    "CoursePlan",
    "Finding",
    "Fitzpatrick",
    "IsotretinoinPolicy",
    "Milestone",
    "ModelParams",
    "Outcome",
    "OutcomeSummary",
    "Patient",
    "ScreeningResult",
    "Session",
    "Severity",
    "SpacingPolicy",
    "Verdict",
    "aftercare_handout",
    "aftercare_handout_text",
    "aftercare_on",
    "area_info",
    "check_plan",
    "healing_timeline",
    "load_claims",
    "median_multipliers",
    "milestones",
    "milestones_frame",
    "plan_course",
    "plan_passes",
    "recommend_plan",
    "screen",
    "simulate",
    "simulate_cohort",
]

__version__ = "0.1.0"
