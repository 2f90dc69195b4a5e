"""needling_sim: a teaching model of skin needling (microneedling) for trainee practitioners.

Teaching model, not clinical advice. Every number traces to a claim in the evidence
ledger (:func:`needling_sim.evidence.load_claims`): a seed page, a published source,
or a labelled assumption.

Submodules load on first use (PEP 562, Scientific Python SPEC 1): ``import needling_sim``
imports nothing heavy, and ``needling_sim.simulate`` imports :mod:`needling_sim.outcome`
(and numpy) when it is first used. The model imports neither plotly nor ipywidgets; figures
live in ``needling_sim.plots`` and apps in ``needling_sim.widgets``.
"""

from __future__ import annotations

import importlib

# Public name -> the submodule that defines it.
_EXPORTS = {
    "AftercareDay": "healing",
    "Area": "areas",
    "AreaInfo": "areas",
    "Claim": "evidence",
    "CohortOutcome": "cohort",
    "Concern": "patient",
    "ConcernDefault": "recommend",
    "CoursePlan": "plans",
    "Finding": "findings",
    "Fitzpatrick": "patient",
    "IsotretinoinPolicy": "screening",
    "Milestone": "milestone_rules",
    "ModelParams": "model_params",
    "Outcome": "outcome",
    "OutcomeSummary": "outcome",
    "Patient": "patient",
    "ScreeningResult": "screening",
    "Session": "plans",
    "Severity": "findings",
    "SpacingPolicy": "plans",
    "Verdict": "findings",
    "aftercare_handout": "handout",
    "aftercare_handout_text": "handout",
    "aftercare_on": "healing",
    "area_info": "areas",
    "check_plan": "plan_checks",
    "healing_timeline": "healing",
    "load_claims": "evidence",
    "median_multipliers": "model_params",
    "milestones": "healing",
    "milestones_frame": "healing",
    "plan_course": "plans",
    "plan_passes": "plan_checks",
    "recommend_plan": "recommend",
    "screen": "screening",
    "simulate": "outcome",
    "simulate_cohort": "cohort",
    # healing (helper "healing"): phases, aftercare rules, the one timeline, milestone keys
    "MilestoneKey": "milestone_rules",
    "Phase": "phases",
    "Restriction": "aftercare",
    "RuleKey": "aftercare",
    "RuleKind": "aftercare",
    "Timeline": "healing",
    "timeline": "healing",
    "timeline_for": "healing",
}

# Submodules reachable as attributes (``needling_sim.plots``) without importing them first.
_SUBMODULES = frozenset({
    "aftercare", "areas", "cases", "cohort", "dates", "evidence", "findings", "grading",
    "handout", "healing", "kernel", "milestone_rules", "model_params", "outcome", "patient",
    "phases", "plan_checks", "plans", "plots", "recommend", "screening", "tables", "waiting", "widgets",
})

__all__ = sorted(_EXPORTS)

__version__ = "0.1.0"


def __getattr__(name: str):
    """Import the submodule holding ``name`` on first use (PEP 562)."""
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'needling_sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS) | _SUBMODULES)
