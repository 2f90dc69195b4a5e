"""Plan checks: is a course plan wise for this patient? One small function per rule.

Each rule below is declared with its claim ids by :func:`~needling_sim.findings.rule`;
:data:`PLAN_RULES` lists them in the order their findings are gathered, and
:func:`check_plan` applies them, merges one rule's findings of one severity into one
finding on the first session it affects, and sorts them most severe first.
:func:`plan_passes` says whether a plan may go ahead (no finding above ``caution``,
``policy.plan_passes``). Messages are formatted from the ledger's values.

Teaching model, not clinical advice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from ._checks import check_choice, check_course_plan, check_patient
from .areas import AreaInfo
from .evidence import claim, require_claims
from .findings import Finding, Rule, Severity, most_severe, rule
from .patient import DATE_FIELDS, Patient
from .plans import HEALING_INTERVAL_DAYS, SPACING_MIN_DAYS, SPACING_SOURCES, CoursePlan, Session, SpacingPolicy
from .screening import RULE_SOURCES, IsotretinoinPolicy, screen

__all__ = ["PLAN_RULES", "PlanReview", "check_plan", "plan_passes"]

_INFLAMMATION_DAYS = int(claim("phase.inflammation.guo2010").value_high)
_LOWEST_DAYS = min(SPACING_MIN_DAYS.values())
_HIGHEST_DAYS = max(SPACING_MIN_DAYS.values())
_ALL_SPACING = require_claims(*(c for ids in SPACING_SOURCES.values() for c in ids), "policy.spacing_default")
_TOLERANCE_MM = 1e-9


@dataclass(frozen=True)
class PlanReview:
    """What every plan rule reads: the plan, the patient and the two policies.

    Examples
    --------
    >>> from needling_sim.plans import plan_course
    >>> review = PlanReview(plan_course(dt.date(2026, 3, 2), 2, 42, 1.0, "cheek"), Patient(age=35, fitzpatrick=2),
    ...                     SpacingPolicy.SIX_WEEKS, IsotretinoinPolicy.DRUG_LABEL)
    >>> review.minimum_days
    42
    """

    plan: CoursePlan
    patient: Patient
    policy: SpacingPolicy
    isotretinoin_policy: IsotretinoinPolicy

    @property
    def minimum_days(self) -> int:
        """The spacing policy's minimum gap."""
        return SPACING_MIN_DAYS[self.policy]

    @property
    def given(self) -> tuple[Session, ...]:
        """Sessions dated before the latest event in the record: already given, not screened again."""
        dates = [getattr(self.patient, f) for f in DATE_FIELDS if getattr(self.patient, f) is not None]
        latest = max(dates, default=None)
        return tuple(s for s in self.plan.sessions if latest is not None and s.date < latest)


def _sessions_text(numbers_: list[int]) -> str:
    return "sessions " + ", ".join(str(x) for x in numbers_)


def _days_text(claim_id: str) -> str:
    """A claim's range in weeks when whole weeks (``"6 to 8 weeks"``), else in days."""
    c = claim(claim_id)
    low, high = int(c.value_low), int(c.value_high)
    unit, low, high = ("weeks", low // 7, high // 7) if low % 7 == 0 and high % 7 == 0 else ("days", low, high)
    return f"{low} {unit}" if low == high else f"{low} to {high} {unit}"


def _seed_of(claim_id: str) -> str:
    """The seed page's number (``"000"``) a claim cites."""
    return claim(claim_id).source[:3]


# --------------------------------------------------------------------------- screening on the session dates


@rule("sessions_before_record", "policy.running_course_assumed")
def _sessions_before_record(review: PlanReview, this: Rule) -> Finding | None:
    given = review.given
    if not given:
        return None
    latest = max(getattr(review.patient, f) for f in DATE_FIELDS if getattr(review.patient, f) is not None)
    return this.finding(
        "info",
        f"{_sessions_text([s.number for s in given]).capitalize()} on or before {given[-1].date} came before the "
        f"latest event in the record ({latest}): already given, so not screened again; the rest of the course "
        "is checked from today's record.",
        session=given[0].number,
    )


@rule("screening", *sorted({c for ids in RULE_SOURCES.values() for c in ids}))
def _screening(review: PlanReview, this: Rule) -> Iterator[Finding]:
    """The patient's screening on each session date; its non-info findings, tagged with the session."""
    given = review.given
    for s in review.plan.sessions:
        if s in given:
            continue
        result = screen(review.patient, on=s.date, isotretinoin_policy=review.isotretinoin_policy, depth_mm=s.depth_mm)
        for f in result.findings:
            if f.severity > Severity.INFO:
                yield dataclasses.replace(f, message=f"Session {s.number} on {s.date}: {f.message}", session=s.number)


# --------------------------------------------------------------------------- spacing


def _gap_rule(gap: int, policy: SpacingPolicy) -> str | None:
    """Which spacing rule a gap falls under (the bands do not overlap)."""
    if gap < HEALING_INTERVAL_DAYS:
        return "interval_before_healed"
    if gap < SPACING_MIN_DAYS[policy]:
        return "interval_below_minimum"
    if gap < _HIGHEST_DAYS:
        return "interval_below_other_policy"
    return None


def _gaps(review: PlanReview, name: str) -> Iterator[tuple[Session, Session, int]]:
    sessions = review.plan.sessions
    for prev, s, gap in zip(sessions, sessions[1:], review.plan.intervals_days, strict=False):
        if _gap_rule(gap, review.policy) == name:
            yield prev, s, gap


def _seed_spacings() -> str:
    """The seeds' spacings in words, seeds with the same figure grouped: ``6 to 8 weeks (001, 003)``."""
    groups: dict[str, list[str]] = {}
    for c in ("spacing.s0", "spacing.s1", "spacing.s3"):
        groups.setdefault(_days_text(c), []).append(_seed_of(c))
    parts = [f"{text} ({', '.join(seeds)})" for text, seeds in groups.items()]
    return f"about a month ({_seed_of('spacing.s2')}), " + ", ".join(parts)


_HEALING_SOURCES = require_claims("phase.inflammation.guo2010", "phase.proliferation.guo2010",
                                  "policy.healing_interval", "redness.s0", "redness.s1", "spacing.s3")
_TRIALS_2_WEEKS = require_claims("spacing.alam2014", "spacing.eldomyati2015")


@rule("interval_before_healed", *_HEALING_SOURCES, *_TRIALS_2_WEEKS, *_ALL_SPACING)
def _interval_before_healed(review: PlanReview, this: Rule) -> Iterator[Finding]:
    minimum, trials = review.minimum_days, _days_text("spacing.alam2014")
    for prev, s, gap in _gaps(review, this.name):
        phase = "still inflamed" if gap < _INFLAMMATION_DAYS else "still in its proliferation phase"
        yield this.finding(
            "defer",
            f"Session {s.number} comes {gap} days after session {prev.number}. This course never plans sessions "
            f"under {HEALING_INTERVAL_DAYS} days apart, a teaching assumption: the skin would still be {phase} "
            f"(inflammation about {_INFLAMMATION_DAYS} days, proliferation to about {HEALING_INTERVAL_DAYS} days "
            f"in wound-healing reviews). The other side: two trials spaced sessions {trials} apart (Alam 2014, a "
            f"randomised trial; El-Domyati 2015). The seeds ask for {_seed_spacings()} or 'several weeks' "
            f"({_seed_of('spacing.s4')}). Wait at least {minimum} days under the {review.policy.value} policy.",
            sources=_HEALING_SOURCES + _TRIALS_2_WEEKS + SPACING_SOURCES[review.policy],
            session=s.number,
            # From the date the message's wait gives the session passes the policy too.
            until=prev.date + dt.timedelta(days=minimum),
        )


@rule("interval_below_minimum", *_ALL_SPACING)
def _interval_below_minimum(review: PlanReview, this: Rule) -> Iterator[Finding]:
    minimum = review.minimum_days
    for prev, s, gap in _gaps(review, this.name):
        yield this.finding(
            Severity.CAUTION if gap >= _LOWEST_DAYS else Severity.DEFER,
            f"Session {s.number} comes {gap} days after session {prev.number}, under the {minimum}-day "
            f"minimum of the {review.policy.value} policy. The seeds disagree: two say {_LOWEST_DAYS // 7} weeks "
            f"or about a month ({_LOWEST_DAYS} days, as the acne-scar trials used), two say "
            f"{_days_text('spacing.s1')} ({_HIGHEST_DAYS} days).",
            session=s.number,
            until=prev.date + dt.timedelta(days=minimum),
        )


@rule("interval_below_other_policy", *_ALL_SPACING)
def _interval_below_other_policy(review: PlanReview, this: Rule) -> Iterator[Finding]:
    for prev, s, gap in _gaps(review, this.name):
        yield this.finding(
            "info",
            f"Session {s.number} comes {gap} days after session {prev.number}: enough under the "
            f"{review.policy.value} policy, but two seeds ask for at least {_HIGHEST_DAYS} days.",
            session=s.number,
        )


# --------------------------------------------------------------------------- depth

_PURPOSE_CLAIMS = require_claims("depth.singh2016", "course.harris2015")
#: Deepest needle with a purpose in the literature (for scars).
_PURPOSE_MAX_MM = max(claim(c).value_high for c in _PURPOSE_CLAIMS)


def _depth_rule(info: AreaInfo, depth_mm: float) -> str | None:
    """Which depth rule a needle falls under on this area (the bands do not overlap)."""
    if depth_mm > info.depth_limit_mm + _TOLERANCE_MM:
        return "depth_beyond_dermis"
    if depth_mm > info.dermis_range_mm[1] + _TOLERANCE_MM:
        return "depth_past_local_dermis"
    if depth_mm > _PURPOSE_MAX_MM + _TOLERANCE_MM:
        return "depth_beyond_purpose_range"
    return None


def _deep_sessions(review: PlanReview, name: str) -> Iterator[Session]:
    info = review.plan.area_info
    return (s for s in review.plan.sessions if _depth_rule(info, s.depth_mm) == name)


_DEPTH_LIMIT_SOURCES = require_claims("policy.depth_limit_assumed", "course.harris2015", "depth.singh2016")


@rule("depth_beyond_dermis", *_DEPTH_LIMIT_SOURCES)
def _depth_beyond_dermis(review: PlanReview, this: Rule) -> Iterator[Finding]:
    info = review.plan.area_info
    for s in _deep_sessions(review, this.name):
        literature = ""
        if s.depth_mm <= _PURPOSE_MAX_MM + _TOLERANCE_MM:
            literature = (
                f" The literature does use {_PURPOSE_MAX_MM:g} mm for scars (the median of the acne-scar "
                "trials, Harris 2015; Singh & Yadav 2016), on skin measured thicker than the thinner "
                "figure this course keeps to: the sources disagree, and the course takes the cautious side."
            )
        yield this.finding(
            "defer",
            f"Session {s.number}: a {s.depth_mm:g} mm needle on the {info.area.value} area is longer than the "
            f"skin there (epidermis {info.epidermis_mm:g} mm + dermis {info.dermis_mm:g} mm = "
            f"{info.depth_limit_mm:.2f} mm): the tip would pass below the dermis. Use at most "
            f"{info.recommended_max_depth_mm:g} mm here.{literature}",
            sources=(*info.sources, *this.claims),
            session=s.number,
        )


@rule("depth_past_local_dermis", "policy.dermis_caution_assumed")
def _depth_past_local_dermis(review: PlanReview, this: Rule) -> Iterator[Finding]:
    info = review.plan.area_info
    lo, hi = info.dermis_range_mm
    measured = f"{lo:g} to {hi:g} mm" if hi > lo else f"about {lo:g} mm"
    for s in _deep_sessions(review, this.name):
        yield this.finding(
            "caution",
            f"Session {s.number}: a {s.depth_mm:g} mm needle is longer than the {info.area.value} dermis "
            f"itself ({measured}). Only the epidermis ({info.epidermis_mm:g} mm) keeps the tip out of the "
            "fat, and the sources say to keep the needle within the local dermis. Use at most "
            f"{info.recommended_max_depth_mm:g} mm here, with light pressure.",
            sources=(*info.sources, *this.claims),
            session=s.number,
        )


@rule("depth_beyond_purpose_range", *_PURPOSE_CLAIMS)
def _depth_beyond_purpose_range(review: PlanReview, this: Rule) -> Iterator[Finding]:
    for s in _deep_sessions(review, this.name):
        yield this.finding(
            "caution",
            f"Session {s.number}: {s.depth_mm:g} mm is deeper than {_PURPOSE_MAX_MM:g} mm, the deepest "
            "needle the literature gives a purpose for (scars).",
            session=s.number,
        )


@rule("depth_increasing", "depth.s2_deeper", "depth.singh2016")
def _depth_increasing(review: PlanReview, this: Rule) -> Finding | None:
    depths = review.plan.depths_mm
    first = next((i + 2 for i, (a, b) in enumerate(zip(depths, depths[1:], strict=False)) if b > a), None)
    if first is None:
        return None
    return this.finding(
        "info",
        f"The needle goes deeper from session {first}. One seed says to go deeper each time as the "
        "skin thickens; that is not a standard rule. Keep every session within the site's limit.",
        session=first,
    )


# --------------------------------------------------------------------------- course length and visit time

_SEED_SESSIONS = require_claims("sessions.s0", "sessions.s2", "sessions.s3")
_SESSIONS_MIN = int(min(claim(c).value_low for c in _SEED_SESSIONS))
_SESSIONS_MAX = int(max(claim(c).value_high for c in _SEED_SESSIONS))


def _seed_session_ranges() -> str:
    ranges = sorted((int(claim(c).value_low), int(claim(c).value_high)) for c in _SEED_SESSIONS)
    return ", ".join(f"{lo} to {hi}" for lo, hi in ranges)


@rule("session_count", *_SEED_SESSIONS, "sessions.harris2015")
def _session_count(review: PlanReview, this: Rule) -> Finding:
    n = review.plan.n_sessions
    if n < _SESSIONS_MIN:
        return this.finding("info", f"{n} session is fewer than any seed suggests ({_SESSIONS_MIN} to "
                                    f"{_SESSIONS_MAX} in all); expect a smaller effect.")
    if n > _SESSIONS_MAX:
        return this.finding("caution", f"{n} sessions is more than any seed suggests (at most {_SESSIONS_MAX}); "
                                       "more injury and more risk for a gain the sources do not show.")
    agree = [claim(c).source for c in _SEED_SESSIONS if claim(c).value_low <= n <= claim(c).value_high]
    median = int(claim("sessions.harris2015").value_low)
    return this.finding("info", f"{n} sessions: within the range of {', '.join(agree)}. The seeds disagree "
                                f"({_seed_session_ranges()}); the acne-scar trials used a median of {median}.")


@rule("procedure_time", "procedure.s0", "procedure.s4", "procedure.numbing", "area.relative_size_assumed")
def _procedure_time(review: PlanReview, this: Rule) -> Finding:
    info = review.plan.area_info
    lo, hi = info.numbing_minutes
    minutes = info.procedure_minutes
    seed = claim("procedure.s0")
    return this.finding(
        "info",
        f"Each visit: about {minutes:.0f} minutes of needling on the {info.area.value} area "
        f"({seed.value_low:.0f} to {seed.value_high:.0f} minutes by area size), plus {lo:.0f} to {hi:.0f} minutes "
        f"for numbing cream beforehand: about {minutes + lo:.0f} to {minutes + hi:.0f} minutes in all.",
    )


#: Every plan rule, in the order their findings are gathered (before sorting by severity and session).
PLAN_RULES: tuple[Rule, ...] = (
    _sessions_before_record, _screening,
    _interval_before_healed, _interval_below_minimum, _interval_below_other_policy,
    _depth_beyond_dermis, _depth_past_local_dermis, _depth_beyond_purpose_range, _depth_increasing,
    _session_count, _procedure_time,
)


# --------------------------------------------------------------------------- check_plan


def _merge(findings: list[Finding]) -> list[Finding]:
    """One finding per rule and severity, on the first session it affects, listing every session."""
    first: dict[tuple[str, Severity], Finding] = {}
    sessions: dict[tuple[str, Severity], list[int]] = {}
    for f in findings:
        key = (f.rule, f.severity)
        first.setdefault(key, f)
        if f.session is not None:
            sessions.setdefault(key, []).append(f.session)
    out = []
    for key, f in first.items():
        numbers_ = sessions.get(key, [])
        if len(numbers_) > 1:
            f = dataclasses.replace(f, message=f"{f.message} Applies to {_sessions_text(numbers_)}.")
        out.append(f)
    return out


def check_plan(
    plan: CoursePlan,
    patient: Patient,
    policy: str | SpacingPolicy = SpacingPolicy.SIX_WEEKS,
    *,
    isotretinoin_policy: str | IsotretinoinPolicy = IsotretinoinPolicy.DRUG_LABEL,
) -> tuple[Finding, ...]:
    """Check a course plan for one patient: apply every rule of :data:`PLAN_RULES`.

    Rules (each finding names its rule and cites claim ids):

    - the patient's screening on every session date (:func:`~needling_sim.screen`);
      its non-info findings come back tagged with the first session they affect;
    - ``sessions_before_record`` (info): sessions dated before the latest event in the
      patient record (a sunburn between sessions) were already given and are not
      screened again, so a running course can be re-checked;
    - ``interval_before_healed`` (defer): a gap under ``HEALING_INTERVAL_DAYS``, the
      course's teaching floor (the trials with shorter gaps, ``spacing.alam2014`` and
      ``spacing.eldomyati2015``, are cited as the other side);
    - ``interval_below_minimum``: a gap under the policy's minimum; ``caution`` when
      the other policy would accept it, ``defer`` when no policy would;
    - ``interval_below_other_policy`` (info): accepted by this policy, not by the other;
    - ``depth_beyond_dermis`` (defer): a needle longer than epidermis + dermis at the site;
      the message names the literature that used the scar depth (Harris 2015, Singh & Yadav 2016);
    - ``depth_past_local_dermis`` (caution): longer than the local dermis itself (its
      thicker measured figure);
    - ``depth_beyond_purpose_range`` (caution): deeper than the deepest needle the
      literature gives a purpose for;
    - ``depth_increasing`` (info): deeper at later sessions, a seed's idea that is
      not a standard rule;
    - ``session_count``: fewer sessions than any seed suggests (info) or more (caution);
      otherwise info on which seeds agree;
    - ``procedure_time`` (info): the estimated visit length.

    Parameters
    ----------
    plan : CoursePlan
    patient : Patient
    policy : {"six_weeks", "four_weeks"}, default "six_weeks"
        The minimum-interval reading of the seeds (see :class:`~needling_sim.plans.SpacingPolicy`).
    isotretinoin_policy : {"drug_label", "seed", "consensus"}, default "drug_label"
        Passed to :func:`~needling_sim.screen`.

    Returns
    -------
    tuple of Finding
        Most severe first. Use :func:`plan_passes` for a yes/no answer.

    Examples
    --------
    >>> from needling_sim.plans import plan_course
    >>> healthy = Patient(age=35, fitzpatrick=2)
    >>> good = plan_course(dt.date(2026, 3, 2), 3, 42, 1.0, "cheek")
    >>> sorted({f.severity.value for f in check_plan(good, healthy)})
    ['info']
    >>> weekly = plan_course(dt.date(2026, 3, 2), 3, 7, 1.0, "cheek")
    >>> [(f.rule, f.severity.value, f.session) for f in check_plan(weekly, healthy)][:1]
    [('interval_before_healed', 'defer', 2)]
    >>> plan_passes(check_plan(weekly, healthy))
    False
    """
    check_course_plan("plan", plan)
    check_patient("patient", patient)
    pol = check_choice("policy", policy, SpacingPolicy, noun="spacing policy")
    iso = check_choice("isotretinoin_policy", isotretinoin_policy, IsotretinoinPolicy,
                       noun="isotretinoin policy name")
    review = PlanReview(plan, patient, pol, iso)
    found = _merge([f for r in PLAN_RULES for f in r(review)])
    found.sort(key=lambda f: (-f.severity.rank, f.session or 0))
    return tuple(found)


def plan_passes(findings) -> bool:
    """True when no finding is more severe than ``caution`` (``policy.plan_passes``).

    A plan that passes may go ahead, with any cautions acted on; one that does not
    has at least one ``defer`` or ``do_not_treat`` finding.

    Examples
    --------
    >>> plan_passes([])
    True
    >>> plan_passes([Finding("x", "defer", "Wait.", ("policy.plan_passes",))])
    False
    """
    if isinstance(findings, Finding):
        raise TypeError("findings must be a sequence of Finding (as check_plan returns), not one Finding")
    findings = list(findings)
    for f in findings:
        if not isinstance(f, Finding):
            raise TypeError(f"findings must hold Finding objects, got {type(f).__name__}")
    return most_severe(findings) <= Severity.CAUTION
