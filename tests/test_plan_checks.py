"""Plan checks: check_plan's rules and plan_passes (needling_sim.plan_checks)."""

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from needling_sim import (
    Area,
    Finding,
    IsotretinoinPolicy,
    Patient,
    Severity,
    SpacingPolicy,
    check_plan,
    plan_checks,
    plan_course,
    plan_passes,
)
from needling_sim.evidence import claim, claim_ids, conflicts_of
from needling_sim.findings import most_severe
from needling_sim.plan_checks import PLAN_RULES, PlanReview
from needling_sim.plans import HEALING_INTERVAL_DAYS, SPACING_MIN_DAYS
from needling_sim.screening import RULE_SOURCES

START = dt.date(2026, 3, 2)
HEALTHY = Patient(age=35, fitzpatrick=2, concerns=["acne_scars"])


def rules(findings, above=Severity.INFO):
    return {f.rule: f for f in findings if f.severity > above}

# ----------------------------------------------------------------------------- check_plan


def test_good_plan_for_healthy_patient_has_nothing_above_info():
    findings = check_plan(plan_course(START, 3, 42, 1.0, "cheek"), HEALTHY)
    assert most_severe(findings) is Severity.INFO
    assert plan_passes(findings)
    assert {"session_count", "procedure_time"} <= {f.rule for f in findings}
    for f in findings:
        assert set(f.sources) <= claim_ids()


@pytest.mark.parametrize("gap", [1, 3, 7, 14, 20])
def test_intervals_before_healing_defer(gap):
    findings = check_plan(plan_course(START, 3, gap, 1.0, "cheek"), HEALTHY)
    f = rules(findings)["interval_before_healed"]
    assert f.severity is Severity.DEFER and f.session == 2
    # The date agrees with the stated wait ("Wait at least 42 days"), not the 21-day healing interval alone.
    assert f.until == START + dt.timedelta(42) and "Wait at least 42 days" in f.message
    assert f.until > START + dt.timedelta(HEALING_INTERVAL_DAYS)
    assert "phase.proliferation.guo2010" in f.sources and "phase.inflammation.guo2010" in f.sources
    assert "sessions 2, 3" in f.message  # one finding for the rule, not one per session
    assert not plan_passes(findings)


def test_spacing_policies_follow_the_seed_conflict():
    assert SPACING_MIN_DAYS == {SpacingPolicy.SIX_WEEKS: 42, SpacingPolicy.FOUR_WEEKS: 28}
    month = plan_course(START, 3, 28, 1.0, "cheek")
    strict = rules(check_plan(month, HEALTHY))["interval_below_minimum"]
    assert strict.severity is Severity.CAUTION
    # The finding cites both sides of the conflict.
    assert {"spacing.s0", "spacing.s1", "spacing.s2", "spacing.s3", "spacing.harris2015"} <= set(
        strict.sources
    )
    assert strict.until == START + dt.timedelta(42)
    lenient = check_plan(month, HEALTHY, "four_weeks")
    assert "interval_below_minimum" not in {f.rule for f in lenient}
    info = next(f for f in lenient if f.rule == "interval_below_other_policy")
    assert info.severity is Severity.INFO and "spacing.s1" in info.sources
    assert plan_passes(lenient) and plan_passes(check_plan(month, HEALTHY))


def test_gap_below_every_policy_but_after_healing_defers():
    f = rules(check_plan(plan_course(START, 2, 25, 1.0, "cheek"), HEALTHY, "four_weeks"))[
        "interval_below_minimum"
    ]
    assert f.severity is Severity.DEFER


def test_deep_needle_around_the_eye_defers_and_one_mm_on_cheek_does_not():
    eye = rules(check_plan(plan_course(START, 3, 42, 2.5, "periorbital"), HEALTHY))
    assert eye["depth_beyond_dermis"].severity is Severity.DEFER
    assert "dermis.meng2022_eyelid" in eye["depth_beyond_dermis"].sources
    cheek = check_plan(plan_course(START, 3, 42, 1.0, "cheek"), HEALTHY)
    assert "depth_beyond_dermis" not in {f.rule for f in cheek}
    deep_cheek = rules(check_plan(plan_course(START, 3, 42, 1.5, "cheek"), HEALTHY))
    assert "depth_beyond_dermis" in deep_cheek


def test_depth_beyond_the_purpose_range_is_a_caution_where_skin_allows_it():
    f = rules(check_plan(plan_course(START, 3, 42, 2.0, "back"), HEALTHY))
    assert f["depth_beyond_purpose_range"].severity is Severity.CAUTION
    assert "depth_beyond_dermis" not in f


def test_increasing_depth_is_noted():
    findings = check_plan(plan_course(START, 3, 42, [0.5, 0.75, 1.0], "cheek"), HEALTHY)
    f = next(f for f in findings if f.rule == "depth_increasing")
    assert f.severity is Severity.INFO and f.session == 2 and "depth.s2_deeper" in f.sources


@pytest.mark.parametrize(
    ("n", "severity"), [(1, "info"), (2, "info"), (6, "info"), (7, "caution"), (12, "caution")]
)
def test_session_count_against_the_seeds(n, severity):
    f = next(
        f for f in check_plan(plan_course(START, n, 42, 0.5, "cheek"), HEALTHY) if f.rule == "session_count"
    )
    assert f.severity == severity
    assert {"sessions.s0", "sessions.s2", "sessions.s3"} <= set(f.sources)


def test_procedure_time_is_info_and_scales_with_area():
    def minutes(area):
        f = next(
            f for f in check_plan(plan_course(START, 1, 42, 0.5, area), HEALTHY) if f.rule == "procedure_time"
        )
        assert f.severity is Severity.INFO and "procedure.numbing" in f.sources
        return int(f.message.split("about ")[1].split(" ")[0])

    assert minutes("back") > minutes("cheek") > minutes("nose")


@pytest.mark.parametrize(
    ("changes", "rule", "severity"),
    [
        ({"keloid_history": True}, "keloid_history", "do_not_treat"),
        ({"pregnant": True}, "pregnancy", "defer"),
        ({"fitzpatrick": 5}, "darker_skin_type", "caution"),
        ({"isotretinoin_last_dose": dt.date(2026, 1, 10)}, "isotretinoin", "defer"),
    ],
)
def test_screening_is_rechecked_on_session_dates(changes, rule, severity):
    patient = dataclasses.replace(HEALTHY, **changes)
    findings = check_plan(plan_course(START, 3, 42, 1.0, "cheek"), patient)
    f = rules(findings)[rule]
    assert f.severity == severity and f.session == 1
    assert f.message.startswith(f"Session 1 on {START}")
    assert plan_passes(findings) is (severity == "caution")


def test_screening_window_that_ends_mid_course_changes_severity_per_session():
    # Last dose 2026-01-10: the drug label defers to 2026-07-10; session 4 (day 126) still falls inside,
    # session 5 (2026-07-13) is past the label's 6 months and clean.
    patient = dataclasses.replace(HEALTHY, isotretinoin_last_dose=dt.date(2026, 1, 10))
    findings = check_plan(plan_course(START, 5, 31, 0.5, "cheek"), patient, "four_weeks")
    iso = [f for f in findings if f.rule == "isotretinoin"]
    assert len(iso) == 1 and iso[0].session == 1
    assert iso[0].until == dt.date(2026, 7, 10)
    assert "sessions 1, 2, 3, 4" in iso[0].message
    seed = [
        f
        for f in check_plan(
            plan_course(START, 5, 31, 0.5, "cheek"), patient, "four_weeks", isotretinoin_policy="seed"
        )
        if f.rule == "isotretinoin"
    ]
    assert [(f.severity.value, f.session) for f in seed] == [("defer", 1), ("caution", 3)]


def test_findings_are_sorted_most_severe_first():
    patient = dataclasses.replace(HEALTHY, fitzpatrick=5)
    findings = check_plan(plan_course(START, 3, 7, 2.5, "periorbital"), patient)
    ranks = [f.severity.rank for f in findings]
    assert ranks == sorted(ranks, reverse=True)


def test_check_plan_rejects_bad_arguments():
    plan = plan_course(START, 2, 42, 1.0, "cheek")
    with pytest.raises(TypeError, match="plan must be a CoursePlan"):
        check_plan("plan", HEALTHY)
    with pytest.raises(TypeError, match="patient must be"):
        check_plan(plan, {"age": 30})
    with pytest.raises(ValueError, match="policy='monthly'.*six_weeks, four_weeks"):
        check_plan(plan, HEALTHY, "monthly")
    with pytest.raises(TypeError, match="policy must be"):
        check_plan(plan, HEALTHY, 42)


def test_plan_passes_validates():
    with pytest.raises(TypeError, match="not one Finding"):
        plan_passes(Finding("x", "info", "m", ("spacing.s0",)))
    with pytest.raises(TypeError, match="hold Finding"):
        plan_passes(["defer"])
    assert plan_passes([Finding("x", "caution", "m", ("spacing.s0",))])


# ----------------------------------------------------------------------------- properties

plans = st.builds(
    plan_course,
    start=st.dates(dt.date(2025, 1, 1), dt.date(2028, 1, 1)),
    sessions=st.integers(1, 8),
    interval_days=st.integers(1, 120),
    depth_mm=st.sampled_from([0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0]),
    area=st.sampled_from(list(Area)),
)


@settings(max_examples=50, deadline=None)
@given(plan=plans, policy=st.sampled_from(list(SpacingPolicy)))
def test_a_passing_plan_never_needles_inside_the_previous_inflammation_window(plan, policy):
    findings = check_plan(plan, HEALTHY, policy)
    if plan_passes(findings):
        inflammation_days = claim("phase.inflammation.guo2010").value_high
        assert all(gap > inflammation_days and gap >= HEALING_INTERVAL_DAYS for gap in plan.intervals_days)
        assert all(gap >= SPACING_MIN_DAYS[SpacingPolicy.FOUR_WEEKS] for gap in plan.intervals_days)
        assert all(d <= plan.area_info.depth_limit_mm for d in plan.depths_mm)


@settings(max_examples=40, deadline=None)
@given(plan=plans)
def test_every_finding_cites_real_claims_and_names_a_session_in_range(plan):
    for f in check_plan(plan, HEALTHY):
        assert set(f.sources) <= claim_ids()
        assert f.session is None or 1 <= f.session <= plan.n_sessions


def test_spacing_sources_really_conflict_in_the_ledger():
    assert "spacing.s1" in {c.id for c in conflicts_of("spacing.s0")}


# ----------------------------------------------------------------------------- safety paths (issue #10, section 2)


def finding(plan, patient, rule):
    return next(f for f in check_plan(plan, patient) if f.rule == rule)


@pytest.mark.parametrize(
    ("area", "depth", "expected"),
    [
        # Around the eyes the dermis is 0.58 to 0.67 mm (Meng 2022); 0.75 mm is epidermis + dermis.
        ("periorbital", 0.5, None),
        ("periorbital", 0.67, None),
        ("periorbital", 0.7, ("depth_past_local_dermis", Severity.CAUTION)),
        ("periorbital", 0.75, ("depth_past_local_dermis", Severity.CAUTION)),
        ("periorbital", 0.76, ("depth_beyond_dermis", Severity.DEFER)),
        # Cheek: dermis 0.87 to 1.14 mm, limit 1.04 mm.
        ("cheek", 1.0, None),
        ("cheek", 1.04, None),
        ("cheek", 1.05, ("depth_beyond_dermis", Severity.DEFER)),
        ("cheek", 1.5, ("depth_beyond_dermis", Severity.DEFER)),
        # Neck: dermis 0.98 to 0.99 mm, limit 1.15 mm.
        ("neck", 0.99, None),
        ("neck", 1.1, ("depth_past_local_dermis", Severity.CAUTION)),
    ],
)
def test_depth_rules_on_both_sides_of_each_limit(area, depth, expected):
    found = {f.rule: f for f in check_plan(plan_course(START, 3, 42, depth, area), HEALTHY)}
    depth_rules = {r for r in found if r in {"depth_past_local_dermis", "depth_beyond_dermis"}}
    if expected is None:
        assert not depth_rules
    else:
        rule, severity = expected
        assert depth_rules == {rule} and found[rule].severity is severity


def test_the_cheek_deferral_names_the_literature_that_used_1_5_mm():
    f = finding(plan_course(START, 3, 42, 1.5, "cheek"), HEALTHY, "depth_beyond_dermis")
    assert "Harris 2015" in f.message and "Singh & Yadav 2016" in f.message
    assert {"course.harris2015", "depth.singh2016", "policy.depth_limit_assumed"} <= set(f.sources)
    assert "course.harris2015" in {c.id for c in conflicts_of("policy.depth_limit_assumed")}
    deep = finding(plan_course(START, 3, 42, 2.5, "cheek"), HEALTHY, "depth_beyond_dermis")
    assert "Harris 2015" not in deep.message  # no literature used 2.5 mm


def test_the_21_day_floor_is_worded_as_a_teaching_assumption_with_the_trials_against_it():
    f = finding(plan_course(START, 3, 14, 1.0, "cheek"), HEALTHY, "interval_before_healed")
    assert "teaching assumption" in f.message and "Alam 2014" in f.message and "El-Domyati 2015" in f.message
    assert "every seed" not in f.message and "'several weeks' (004)" in f.message
    assert {"spacing.alam2014", "spacing.eldomyati2015", "policy.healing_interval"} <= set(f.sources)
    assert {"spacing.alam2014", "spacing.eldomyati2015"} <= {c.id for c in conflicts_of("policy.healing_interval")}


@pytest.mark.parametrize(
    ("depth", "area", "passes", "first_until"),
    [
        (0.25, "cheek", True, None),  # superficial: the consensus reading allows it now
        (1.5, "back", False, dt.date(2026, 6, 1)),  # the case: deeper keeps the seed's 3 months
        (2.0, "back", False, dt.date(2026, 6, 1)),
    ],
)
def test_isotretinoin_consensus_plan_depends_on_depth(depth, area, passes, first_until):
    p = dataclasses.replace(HEALTHY, isotretinoin_last_dose=dt.date(2026, 3, 1))
    found = check_plan(plan_course(START, 3, 42, depth, area), p, isotretinoin_policy="consensus")
    assert plan_passes(found) is passes
    if not passes:
        iso = next(f for f in found if f.rule == "isotretinoin")
        assert iso.severity is Severity.DEFER and iso.until == first_until and "not superficial" in iso.message


def test_a_running_course_with_a_mid_course_sunburn_is_rechecked_not_refused():
    """Sunburn on 5 April between sessions 1 (2 March) and 2 (13 April): defer session 2 to 19 April."""
    p = dataclasses.replace(HEALTHY, sun_exposure_last=dt.date(2026, 4, 5))
    found = check_plan(plan_course(START, 3, 42, 1.0, "cheek"), p)
    by_rule = {f.rule: f for f in found}
    assert by_rule["recent_sun"].severity is Severity.DEFER and by_rule["recent_sun"].session == 2
    assert by_rule["recent_sun"].until == dt.date(2026, 4, 19)
    given = by_rule["sessions_before_record"]
    assert given.session == 1 and "already given" in given.message
    later = dataclasses.replace(HEALTHY, sun_exposure_last=dt.date(2026, 3, 20))  # cleared by session 2
    assert "recent_sun" not in rules(check_plan(plan_course(START, 3, 42, 1.0, "cheek"), later))
    # A record event on the day of session 1 still screens session 1.
    same_day = dataclasses.replace(HEALTHY, sun_exposure_last=START)
    assert finding(plan_course(START, 3, 42, 1.0, "cheek"), same_day, "recent_sun").session == 1


# ----------------------------------------------------------------------------- one function per rule

RULE_OF = {r.name: r for r in PLAN_RULES}


def review(plan, patient=HEALTHY, policy="six_weeks"):
    return PlanReview(plan, patient, SpacingPolicy(policy), IsotretinoinPolicy.DRUG_LABEL)


def test_plan_rules_have_unique_names_and_ledger_claims():
    assert len(RULE_OF) == len(PLAN_RULES)
    for r in PLAN_RULES:
        assert r.claims and set(r.claims) <= claim_ids()


@pytest.mark.parametrize(
    ("rule", "plan", "severity", "sessions"),
    [
        ("interval_before_healed", plan_course(START, 3, 14, 1.0, "cheek"), "defer", [2, 3]),
        ("interval_below_minimum", plan_course(START, 3, 28, 1.0, "cheek"), "caution", [2, 3]),
        ("interval_below_other_policy", plan_course(START, 2, 28, 1.0, "cheek"), None, []),
        ("depth_beyond_dermis", plan_course(START, 2, 42, 1.5, "cheek"), "defer", [1, 2]),
        ("depth_past_local_dermis", plan_course(START, 2, 42, 1.1, "neck"), "caution", [1, 2]),
        ("depth_beyond_purpose_range", plan_course(START, 2, 42, 2.0, "back"), "caution", [1, 2]),
        ("depth_increasing", plan_course(START, 3, 42, [0.5, 0.5, 1.0], "cheek"), "info", [3]),
    ],
)
def test_each_rule_fires_alone_on_its_own_band(rule, plan, severity, sessions):
    found = RULE_OF[rule](review(plan))
    assert [f.session for f in found] == sessions
    assert all(f.rule == rule and f.severity == severity for f in found)
    clean = plan_course(START, 3, 56, 0.5, "cheek")
    assert RULE_OF[rule](review(clean)) == ()


@pytest.mark.parametrize("policy", list(SpacingPolicy))
def test_the_gap_bands_do_not_overlap(policy):
    for gap in range(1, 70):
        plan = plan_course(START, 2, gap, 0.5, "cheek")
        fired = [n for n in ("interval_before_healed", "interval_below_minimum", "interval_below_other_policy")
                 if RULE_OF[n](review(plan, policy=policy))]
        expected = 1 if gap < max(SPACING_MIN_DAYS.values()) else 0
        assert len(fired) == expected, (gap, fired)
        if fired == ["interval_below_other_policy"]:
            assert SPACING_MIN_DAYS[policy] <= gap


def test_every_finding_comes_from_a_plan_rule_or_a_screening_rule():
    patient = dataclasses.replace(HEALTHY, fitzpatrick=5, isotretinoin_last_dose=dt.date(2026, 1, 10))
    names = set(RULE_OF) | set(RULE_SOURCES)
    for f in check_plan(plan_course(START, 4, [7, 28, 42], [0.5, 1.5, 1.5, 2.0], "cheek"), patient):
        assert f.rule in names


# ----------------------------------------------------------------------------- messages from the ledger


def test_messages_carry_the_claims_values():
    plan = plan_course(START, 3, 14, 1.0, "cheek")
    found = {f.rule: f for f in check_plan(plan, HEALTHY)}
    seed = claim("procedure.s0")
    assert f"({seed.value_low:.0f} to {seed.value_high:.0f} minutes by area size)" in found["procedure_time"].message
    trials = int(claim("spacing.alam2014").value_low) // 7
    healed = found["interval_before_healed"].message
    assert f"two trials spaced sessions {trials} weeks apart" in healed
    s1 = claim("spacing.s1")
    assert f"{int(s1.value_low) // 7} to {int(s1.value_high) // 7} weeks (001, 003)" in healed
    ranges = sorted((int(claim(c).value_low), int(claim(c).value_high)) for c in ("sessions.s0", "sessions.s2",
                                                                                 "sessions.s3"))
    assert ", ".join(f"{lo} to {hi}" for lo, hi in ranges) in found["session_count"].message


def test_a_changed_claim_changes_the_message(monkeypatch):
    real = plan_checks.claim

    def edited(claim_id):
        c = real(claim_id)
        return dataclasses.replace(c, value_low=25.0) if claim_id == "procedure.s0" else c

    monkeypatch.setattr(plan_checks, "claim", edited)
    f = next(f for f in check_plan(plan_course(START, 1, 42, 0.5, "cheek"), HEALTHY) if f.rule == "procedure_time")
    assert "(25 to 60 minutes by area size)" in f.message
