"""Screening rules: a scenario table per rule with dates on both sides of every window,
and hypothesis properties over random patients."""

import dataclasses
import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from needling_sim import IsotretinoinPolicy, Patient, Severity, Verdict, screen, waiting
from needling_sim.dates import add_months
from needling_sim.evidence import claim, claim_ids, conflicts_of
from needling_sim.findings import Finding, most_severe, verdict_for
from needling_sim.patient import BOOL_FIELDS, DATE_FIELDS
from needling_sim.screening import (
    ISOTRETINOIN_WINDOW_MONTHS,
    ISOTRETINOIN_WINDOWS,
    RULE_SOURCES,
    RULES,
    SUPERFICIAL_DEPTH_MM,
    WAITING_WINDOWS,
    Visit,
    waiting_window,
)

ON = dt.date(2026, 6, 15)
HEALTHY = Patient(age=35, fitzpatrick=2, concerns=["fine_lines"])


def with_(**changes):
    return dataclasses.replace(HEALTHY, **changes)


def test_a_healthy_patient_proceeds_with_no_findings():
    r = screen(HEALTHY, on=ON)
    assert r.verdict is Verdict.PROCEED and r.findings == () and r.earliest_date is None
    assert not r.blocks
    assert r.to_frame().empty


@pytest.mark.parametrize(
    ("changes", "rule", "verdict"),
    [
        ({"keloid_history": True}, "keloid_history", "do_not_treat"),
        ({"pregnant": True}, "pregnancy", "defer"),
        ({"breastfeeding": True}, "breastfeeding", "defer"),
        ({"active_infection": True}, "active_infection", "defer"),
        ({"open_wounds": True}, "open_wounds", "defer"),
        ({"fitzpatrick": 4}, "darker_skin_type", "caution"),
        ({"fitzpatrick": 6}, "darker_skin_type", "caution"),
        ({"herpes_simplex_history": True}, "cold_sore_history", "caution"),
        ({"anticoagulants": True}, "anticoagulants", "caution"),
    ],
)
def test_condition_rules(changes, rule, verdict):
    r = screen(with_(**changes), on=ON)
    assert r.verdict == verdict
    assert [f.rule for f in r.findings] == [rule]
    assert r.findings[0].sources == RULE_SOURCES[rule]
    # Conditions with no known end never invent a date.
    assert r.earliest_date is None


def test_fitzpatrick_three_has_no_pigmentation_caution():
    assert screen(with_(fitzpatrick=3), on=ON).verdict is Verdict.PROCEED


def test_caution_messages_say_why():
    assert "hyperpigmentation" in screen(with_(fitzpatrick=5), on=ON).reasons[0]
    assert "antiviral" in screen(with_(herpes_simplex_history=True), on=ON).reasons[0]


# (field, rule, last date, first clear date): the day before the clear date defers, the clear date does not.
WINDOWS = [
    ("radiation_last_date", "radiation", dt.date(2025, 7, 1), dt.date(2026, 7, 1)),
    ("sun_exposure_last", "recent_sun", dt.date(2026, 6, 10), dt.date(2026, 6, 24)),
    ("retinoid_last_use", "recent_retinoids", dt.date(2026, 6, 14), dt.date(2026, 6, 19)),
    ("isotretinoin_last_dose", "isotretinoin", dt.date(2026, 1, 31), dt.date(2026, 7, 31)),
]


@pytest.mark.parametrize(("field", "rule", "last", "clear"), WINDOWS)
def test_window_rules_on_both_sides(field, rule, last, clear):
    p = with_(**{field: last})
    before = screen(p, on=clear - dt.timedelta(days=1))
    assert before.verdict is Verdict.DEFER
    assert before.findings[0].rule == rule
    assert before.earliest_date == clear
    on_the_day = screen(p, on=clear)
    assert on_the_day.verdict is Verdict.PROCEED
    assert screen(p, on=last).earliest_date == clear


@pytest.mark.parametrize(
    ("policy", "months", "defer_on", "clear"),
    [
        ("drug_label", 6, dt.date(2026, 4, 1), dt.date(2026, 7, 31)),
        ("seed", 3, dt.date(2026, 4, 29), dt.date(2026, 4, 30)),
    ],
)
def test_isotretinoin_policies(policy, months, defer_on, clear):
    p = with_(isotretinoin_last_dose=dt.date(2026, 1, 31))
    assert ISOTRETINOIN_WINDOW_MONTHS[IsotretinoinPolicy(policy)] == months
    r = screen(p, on=defer_on, isotretinoin_policy=policy)
    assert r.verdict is Verdict.DEFER and r.earliest_date == clear
    assert r.isotretinoin_policy == policy
    # Every side is cited whatever the policy.
    assert set(r.findings[0].sources) == {"contra.isotretinoin.s3", "contra.isotretinoin.label",
                                          "contra.isotretinoin.asds2017",
                                          "contra.isotretinoin.superficial_assumed"}


def test_isotretinoin_policy_that_allows_treatment_still_cautions_while_others_would_wait():
    p = with_(isotretinoin_last_dose=dt.date(2026, 1, 31))
    seed = screen(p, on=dt.date(2026, 5, 1), isotretinoin_policy="seed")
    assert seed.verdict is Verdict.CAUTION and "more conservative" in seed.reasons[0]
    consensus = screen(p, on=dt.date(2026, 2, 1), isotretinoin_policy=IsotretinoinPolicy.CONSENSUS, depth_mm=0.25)
    assert consensus.verdict is Verdict.CAUTION
    assert screen(p, on=dt.date(2026, 7, 31), isotretinoin_policy="consensus").verdict is Verdict.PROCEED


@pytest.mark.parametrize(
    ("depth_mm", "on", "verdict", "until"),
    [
        # At or under the labelled superficial depth (0.25 mm) the consensus reading allows treatment now.
        (0.25, dt.date(2026, 2, 1), Verdict.CAUTION, None),
        (0.2, dt.date(2026, 2, 1), Verdict.CAUTION, None),
        # Just deeper, or depth unknown: collagen-induction needling keeps the seed's 3-month wait.
        (0.26, dt.date(2026, 2, 1), Verdict.DEFER, dt.date(2026, 4, 30)),
        (1.5, dt.date(2026, 2, 1), Verdict.DEFER, dt.date(2026, 4, 30)),
        (2.0, dt.date(2026, 4, 29), Verdict.DEFER, dt.date(2026, 4, 30)),
        (None, dt.date(2026, 2, 1), Verdict.DEFER, dt.date(2026, 4, 30)),
        (1.5, dt.date(2026, 4, 30), Verdict.CAUTION, None),
    ],
)
def test_consensus_covers_only_superficial_needles(depth_mm, on, verdict, until):
    p = with_(isotretinoin_last_dose=dt.date(2026, 1, 31))
    r = screen(p, on=on, isotretinoin_policy="consensus", depth_mm=depth_mm)
    assert r.verdict is verdict and r.earliest_date == until
    if depth_mm is None or depth_mm > SUPERFICIAL_DEPTH_MM:
        assert "superficial procedures only" in r.reasons[0] and "not superficial" in r.reasons[0]
    else:
        assert "superficial procedures only" not in r.reasons[0]


def test_superficial_depth_is_a_labelled_assumption():
    assert SUPERFICIAL_DEPTH_MM == 0.25
    c = claim("contra.isotretinoin.superficial_assumed")
    assert c.source_kind == "assumption" and "contra.isotretinoin.asds2017" in {x.id for x in conflicts_of(c.id)}


@pytest.mark.parametrize(
    ("fields", "rule", "present"),
    [
        ({"metal_allergy": True}, "metal_allergy", True),
        ({"metal_allergy": False}, "metal_allergy", False),
        ({"concerns": ["rosacea"]}, "rosacea", True),
        ({"concerns": ["wrinkles"]}, "rosacea", False),
    ],
)
def test_metal_allergy_and_rosacea_are_cautions_citing_their_sources(fields, rule, present):
    r = screen(with_(**fields), on=ON)
    found = {f.rule: f for f in r.findings}
    assert (rule in found) is present
    if present:
        assert found[rule].severity.value == "caution" and r.verdict is Verdict.CAUTION
    if rule == "metal_allergy" and present:
        assert "Chu 2021" in found[rule].message and "risk.metal_allergy.chu2021" in found[rule].sources
        studies = int(claim("adverse.chu2021_studies").value_low)
        assert f"a review of {studies} studies" in found[rule].message
        assert "adverse.chu2021_studies" in found[rule].sources
    if rule == "rosacea" and present:
        assert "(000)" in found[rule].message and "(003)" in found[rule].message
        assert {"benefit.s0", "contra.infection.s0", "contra.infection.s3"} <= set(found[rule].sources)


def test_earliest_date_is_the_last_window_to_clear():
    p = with_(sun_exposure_last=dt.date(2026, 6, 10), retinoid_last_use=dt.date(2026, 6, 14))
    r = screen(p, on=ON)
    assert r.earliest_date == dt.date(2026, 6, 24)
    assert {f.rule for f in r.findings} == {"recent_sun", "recent_retinoids"}


def test_a_window_plus_an_open_ended_condition_has_no_earliest_date():
    r = screen(with_(sun_exposure_last=dt.date(2026, 6, 10), pregnant=True), on=ON)
    assert r.verdict is Verdict.DEFER and r.earliest_date is None


def test_most_severe_wins_and_findings_are_sorted():
    r = screen(with_(keloid_history=True, pregnant=True, fitzpatrick=5), on=ON)
    assert r.verdict is Verdict.DO_NOT_TREAT and r.earliest_date is None
    assert [f.severity.value for f in r.findings] == ["do_not_treat", "defer", "caution"]
    assert list(r.to_frame()["rule"]) == ["keloid_history", "pregnancy", "darker_skin_type"]


@pytest.mark.parametrize("field", ["isotretinoin_last_dose", "radiation_last_date", "sun_exposure_last",
                                   "retinoid_last_use"])
def test_dates_after_the_screening_date_are_rejected(field):
    with pytest.raises(ValueError, match=field):
        screen(with_(**{field: ON + dt.timedelta(days=1)}), on=ON)


def test_bad_arguments():
    with pytest.raises(TypeError, match="patient"):
        screen({"age": 30}, on=ON)
    with pytest.raises(TypeError, match="on"):
        screen(HEALTHY, on="2026-06-15")
    with pytest.raises(ValueError, match="isotretinoin_policy='never'"):
        screen(HEALTHY, on=ON, isotretinoin_policy="never")
    with pytest.raises(TypeError, match="isotretinoin_policy"):
        screen(HEALTHY, on=ON, isotretinoin_policy=None)


def test_finding_validation():
    with pytest.raises(ValueError, match="severity='bad'"):
        Finding("r", "bad", "m", ("spacing.s0",))
    with pytest.raises(KeyError, match="nope"):
        Finding("r", "info", "m", ("nope",))
    with pytest.raises(TypeError, match="sources"):
        Finding("r", "info", "m", "spacing.s0")
    with pytest.raises(TypeError, match="rule"):
        Finding("", "info", "m", ("spacing.s0",))
    with pytest.raises(TypeError, match="message"):
        Finding("r", "info", "", ("spacing.s0",))
    with pytest.raises(TypeError, match="until"):
        Finding("r", "defer", "m", ("spacing.s0",), until="2026-01-01")
    with pytest.raises(ValueError, match="session=0 is not allowed; allowed: at least 1"):
        Finding("r", "info", "m", ("spacing.s0",), session=0)
    with pytest.raises(TypeError, match="session must be a whole number, got bool True"):
        Finding("r", "info", "m", ("spacing.s0",), session=True)
    with pytest.raises(TypeError, match="message must be a non-empty str, got None"):
        Finding("r", "info", None, ("spacing.s0",))
    assert Finding("r", "info", "m", ["spacing.s0"], session=np.int64(2)).session == 2


def test_severity_order():
    assert Severity.INFO < Severity.CAUTION < Severity.DEFER < Severity.DO_NOT_TREAT
    assert Severity.DEFER >= "caution" and Severity.INFO <= "info" and Severity.DO_NOT_TREAT > "defer"
    assert most_severe([]) is Severity.INFO and verdict_for([]) is Verdict.PROCEED


# --- properties ---------------------------------------------------------------------------------

FLAGS = BOOL_FIELDS  # every yes/no intake field is a risk factor when True
recent = st.one_of(st.none(), st.integers(0, 500).map(lambda d: ON - dt.timedelta(days=d)))


@st.composite
def patients(draw):
    return Patient(
        age=draw(st.integers(18, 110)),
        fitzpatrick=draw(st.integers(1, 6)),
        **{f: draw(st.booleans()) for f in FLAGS},
        **{f: draw(recent) for f in DATE_FIELDS},
    )


@st.composite
def risk_factors(draw):
    """A change that adds one risk factor: a flag turned on, a darker type, a more recent date."""
    kind = draw(st.sampled_from(("flag", "date", "fitzpatrick")))
    if kind == "flag":
        return {draw(st.sampled_from(FLAGS)): True}
    if kind == "date":
        return {draw(st.sampled_from(DATE_FIELDS)): ON - dt.timedelta(days=draw(st.integers(0, 400)))}
    return {"fitzpatrick": draw(st.integers(4, 6))}


policies = st.sampled_from(list(IsotretinoinPolicy))


@settings(max_examples=150, deadline=None)
@given(patients(), risk_factors(), policies)
def test_adding_a_risk_factor_never_makes_the_verdict_less_severe(p, change, policy):
    # A date only adds risk when it is more recent than what was there.
    for field, value in change.items():
        old = getattr(p, field)
        if field in DATE_FIELDS and old is not None and old > value:
            change = {field: old}
        if field == "fitzpatrick" and p.fitzpatrick > value:
            change = {field: p.fitzpatrick}
    before = screen(p, on=ON, isotretinoin_policy=policy)
    after = screen(dataclasses.replace(p, **change), on=ON, isotretinoin_policy=policy)
    rank = list(Verdict).index
    assert rank(after.verdict) >= rank(before.verdict)


@settings(max_examples=150, deadline=None)
@given(patients(), policies)
def test_earliest_date_is_never_before_the_screening_date(p, policy):
    r = screen(p, on=ON, isotretinoin_policy=policy)
    if r.earliest_date is not None:
        assert r.earliest_date > ON
        assert r.verdict is Verdict.DEFER
        # On the earliest date, nothing defers any longer.
        assert not screen(p, on=r.earliest_date, isotretinoin_policy=policy).blocks


@settings(max_examples=50, deadline=None)
@given(st.integers(18, 110), st.integers(1, 3), st.lists(st.sampled_from(["acne_scars", "texture", "wrinkles"])))
def test_no_risk_factor_means_proceed(age, fitzpatrick, concerns):
    assert screen(Patient(age=age, fitzpatrick=fitzpatrick, concerns=concerns), on=ON).verdict is Verdict.PROCEED


# ----------------------------------------------------------------------------- one function per rule

RULE_OF = {r.name: r for r in RULES}
FIRES = {
    "keloid_history": {"keloid_history": True},
    "pregnancy": {"pregnant": True},
    "breastfeeding": {"breastfeeding": True},
    "active_infection": {"active_infection": True},
    "open_wounds": {"open_wounds": True},
    "isotretinoin": {"isotretinoin_last_dose": ON - dt.timedelta(days=30)},
    "radiation": {"radiation_last_date": ON - dt.timedelta(days=30)},
    "recent_sun": {"sun_exposure_last": ON - dt.timedelta(days=1)},
    "recent_retinoids": {"retinoid_last_use": ON - dt.timedelta(days=1)},
    "darker_skin_type": {"fitzpatrick": 4},
    "cold_sore_history": {"herpes_simplex_history": True},
    "anticoagulants": {"anticoagulants": True},
    "metal_allergy": {"metal_allergy": True},
    "rosacea": {"concerns": ["rosacea"]},
}


def visit(patient):
    return Visit(patient, ON, IsotretinoinPolicy.DRUG_LABEL, None)


def test_rules_are_named_once_and_cite_the_ledger():
    assert list(RULE_OF) == list(RULE_SOURCES) and len(RULES) == len(RULE_OF) == len(FIRES)
    for r in RULES:
        assert RULE_SOURCES[r.name] == r.claims and set(r.claims) <= claim_ids()


@pytest.mark.parametrize("name", list(FIRES))
def test_each_rule_fires_for_its_own_field_only(name):
    found = RULE_OF[name](visit(with_(**FIRES[name])))
    assert [f.rule for f in found] == [name] and found[0].sources == RULE_OF[name].claims
    assert RULE_OF[name](visit(HEALTHY)) == ()
    for other, changes in FIRES.items():
        if other != name:
            assert RULE_OF[name](visit(with_(**changes))) == (), other


# ----------------------------------------------------------------------------- the waiting windows


def test_one_waiting_window_per_date_field_read_from_its_claim():
    assert tuple(w.field for w in WAITING_WINDOWS) == DATE_FIELDS
    for w in WAITING_WINDOWS:
        c = claim(w.claim_id)
        assert (w.length, w.unit) == (c.value_low, c.unit) and w.claim_id in RULE_SOURCES[w.rule]
        assert waiting_window(w.field) is w
    assert waiting_window("isotretinoin_last_dose") is ISOTRETINOIN_WINDOWS[IsotretinoinPolicy.DRUG_LABEL]
    with pytest.raises(ValueError, match="field='age' is not a patient date field"):
        waiting_window("age")


@pytest.mark.parametrize("window", WAITING_WINDOWS, ids=lambda w: w.rule)
def test_screen_defers_until_the_windows_end_and_says_how_long(window):
    last = ON - dt.timedelta(days=1)
    f = next(f for f in screen(with_(**{window.field: last}), on=ON).findings if f.rule == window.rule)
    assert f.until == window.end(last) and window.text in f.message
    assert screen(with_(**{window.field: last}), on=window.end(last)).verdict is not Verdict.DEFER


def test_a_changed_window_changes_the_message_and_the_date(monkeypatch):
    radiation = waiting_window("radiation_last_date")
    shorter = dataclasses.replace(radiation, length=radiation.length - 5)
    monkeypatch.setattr(waiting, "WAITING_WINDOWS",
                        tuple(shorter if w is radiation else w for w in waiting.WAITING_WINDOWS))
    last = dt.date(2026, 1, 1)
    f = screen(with_(radiation_last_date=last), on=dt.date(2026, 1, 2)).findings[0]
    assert f"asks for {radiation.length - 5} months" in f.message and f.until == add_months(last, radiation.length - 5)


def test_isotretinoin_message_states_every_sides_wait_from_the_ledger():
    f = screen(with_(isotretinoin_last_dose=ON - dt.timedelta(days=10)), on=ON).findings[0]
    seed, label = (int(claim(c).value_low) for c in ("contra.isotretinoin.s3", "contra.isotretinoin.label"))
    assert f"the seed says {seed} months, the drug label {label} months" in f.message
    assert f"wait {label} months" in f.message


def test_screening_still_exports_the_waiting_tables_the_lessons_use():
    """The windows live in needling_sim.waiting; screening re-exports the same objects."""
    from needling_sim import screening

    for name in waiting.__all__:
        assert getattr(screening, name) is getattr(waiting, name), name
        assert name in screening.__all__, name
