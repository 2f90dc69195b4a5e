"""Healing timeline, aftercare and milestones."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from needling_sim import (
    AftercareDay,
    Area,
    Milestone,
    Patient,
    aftercare_on,
    healing,
    healing_timeline,
    milestones,
    milestones_frame,
    plan_course,
    simulate,
)
from needling_sim.evidence import claim, claim_ids
from needling_sim.healing import (
    PHASES,
    RESTRICTIONS,
    RULES,
    MilestoneKey,
    Phase,
    RuleKey,
    RuleKind,
    Timeline,
    timeline,
    timeline_for,
)

START = dt.date(2026, 3, 2)
COLUMNS = [
    "day",
    "date",
    "session",
    "days_since_session",
    "phase",
    "redness",
    "redness_visible",
    "no_sun",
    "no_actives",
    "no_exercise",
    "no_touching",
    "ointment",
    "sources",
]
ORDER = ["inflammation", "proliferation", "remodeling"]


def plan(n=3, gap=42, depth=1.0, area="cheek"):
    return plan_course(START, n, gap, depth, area)


def test_timeline_covers_a_year_after_the_last_session():
    p = plan()
    t = healing_timeline(p)
    assert list(t.columns) == COLUMNS
    assert t["day"].tolist() == list(range(84 + 365 + 1))
    assert t["date"].iloc[-1] == p.end + dt.timedelta(365)
    assert len(healing_timeline(p, days_after_last=400)) == 84 + 401


def test_phases_follow_the_literature_windows_and_restart_at_each_session():
    t = healing_timeline(plan()).set_index("day")
    assert t.loc[0:4, "phase"].eq("inflammation").all()
    assert t.loc[5:20, "phase"].eq("proliferation").all()
    assert t.loc[21:41, "phase"].eq("remodeling").all()
    assert t.loc[42, "phase"] == "inflammation" and t.loc[42, "days_since_session"] == 0
    assert t.loc[42, "session"] == 2
    assert [ph[0] for ph in PHASES] == ORDER
    assert PHASES[1][1] == claim("phase.inflammation.guo2010").value_high
    assert PHASES[2][1] == claim("phase.proliferation.guo2010").value_high


def test_restriction_windows_follow_the_claims():
    # 0.25 mm: redness is brief, so the fixed windows show on their own.
    t = healing_timeline(plan(1, 42, 0.25)).set_index("day")
    last = {name: int(t.index[t[name]].max()) for name in RESTRICTIONS}
    assert last["no_sun"] == 1  # 24 hours: the treatment day and the next
    assert last["no_exercise"] == 1
    assert last["no_actives"] == 5  # 'a few days' read as 5
    assert last["no_touching"] == 3
    assert last["ointment"] == 6  # the seed's "first 3 to 7 days", longer end: days 0 to 6, 7 calendar days
    for name in RESTRICTIONS:
        assert t.loc[0, name]


def test_sun_and_touching_rules_hold_while_the_skin_is_red():
    t = healing_timeline(plan(1, 42, 2.5, "cheek")).set_index("day")
    red_days = t.index[t["redness_visible"]]
    assert red_days.max() > 3
    assert t.loc[red_days, "no_sun"].all() and t.loc[red_days, "no_touching"].all()
    assert not t.loc[red_days.max() + 1 :, "no_touching"].iloc[:10].any()


def test_redness_comes_from_the_model_and_depends_on_depth():
    shallow = healing_timeline(plan(1, 42, 0.5))["redness_visible"].sum()
    deep = healing_timeline(plan(1, 42, 1.5))["redness_visible"].sum()
    assert shallow < deep
    p = plan()
    np.testing.assert_allclose(healing_timeline(p)["redness"], simulate(p).daily["redness"].iloc[:450])


def test_sources_name_real_claims_for_each_day():
    t = healing_timeline(plan())
    day0 = t.loc[0, "sources"].split(", ")
    assert set(day0) <= claim_ids()
    for r in RESTRICTIONS.values():
        assert set(r.sources) <= set(day0)
    assert t.loc[30, "sources"] == "phase.remodeling.guo2010"
    assert (
        "epidermis.s1" in RESTRICTIONS["ointment"].sources and "contradicts" in RESTRICTIONS["ointment"].note
    )


def test_timeline_rejects_bad_input():
    with pytest.raises(TypeError, match="plan must be a CoursePlan"):
        healing_timeline(None)
    with pytest.raises(ValueError, match="days_after_last=30.*at least 365"):
        healing_timeline(plan(), days_after_last=30)
    with pytest.raises(TypeError, match="days_after_last must be a whole number"):
        healing_timeline(plan(), days_after_last=365.0)


# ----------------------------------------------------------------------------- aftercare_on


def test_aftercare_on_a_date_or_a_day_agree():
    p = plan()
    a = aftercare_on(p, START + dt.timedelta(43))
    b = aftercare_on(p, 43)
    assert a == b and isinstance(a, AftercareDay)
    assert (a.session, a.days_since_session, a.phase) == (2, 1, "inflammation")
    assert {r.name for r in a.restrictions} == set(RESTRICTIONS)
    assert set(a.sources) <= claim_ids() and "ointment.s1" in a.sources
    assert "Apply the ointment" in a.describe()


def test_aftercare_late_in_the_course_and_beyond_the_timeline():
    p = plan(1)
    quiet = aftercare_on(p, 30)
    assert quiet.restrictions == () and quiet.phase == "remodeling"
    assert quiet.sources == ("phase.remodeling.guo2010",)
    assert "no aftercare rule holds" in quiet.describe()
    far = aftercare_on(p, 800)
    assert far.day == 800 and far.date == START + dt.timedelta(800)


@pytest.mark.parametrize(
    ("when", "error", "match"),
    [
        (-1, ValueError, "before the first session"),
        (dt.date(2026, 1, 1), ValueError, "before the first session"),
        (True, TypeError, "got bool"),
        ("2026-03-03", TypeError, "when must be a datetime.date"),
        (dt.datetime(2026, 3, 3), TypeError, "when must be a datetime.date"),
    ],
)
def test_aftercare_on_rejects_bad_days(when, error, match):
    with pytest.raises(error, match=match):
        aftercare_on(plan(), when)


# ----------------------------------------------------------------------------- milestones


def by_key(ms):
    """Milestones by key; the per-session redness milestones by (key, session)."""
    return {(m.key, m.session) if m.session else m.key: m for m in ms}


def test_milestones_are_dated_sourced_and_sorted():
    p = plan()
    ms = milestones(p)
    assert all(isinstance(m, Milestone) and isinstance(m.key, MilestoneKey) for m in ms)
    assert [m.day for m in ms] == sorted(m.day for m in ms)
    by = by_key(ms)
    gone = MilestoneKey.REDNESS_GONE
    assert {(gone, i) for i in (1, 2, 3)} <= set(by)
    assert by[gone, 2].day == 42 + 4 and by[gone, 2].name == "redness gone after session 2"
    assert by[MilestoneKey.EARLY_RESULTS].day == claim("effect.s2_early").value_low
    assert by[MilestoneKey.FULL_EFFECT].date == p.end + dt.timedelta(claim("effect.s3_full").value_low)
    assert by[MilestoneKey.STILL_FORMING].date == p.end + dt.timedelta(claim("collagen.s3_12m").value_low)
    assert set(MilestoneKey) == {m.key for m in ms}  # every key is used
    for m in ms:
        assert m.date == START + dt.timedelta(m.day)
        assert set(m.sources) <= claim_ids() and m.note


def test_milestone_titles_stay_what_lessons_show():
    names = {m.key: m.name for m in milestones(plan()) if m.session is None}
    assert names == {
        MilestoneKey.SYNTHESIS_STARTS: "collagen synthesis starts",
        MilestoneKey.EARLY_RESULTS: "early results may show",
        MilestoneKey.FULL_EFFECT: "full effect",
        MilestoneKey.STILL_FORMING: "collagen may still be forming",
        MilestoneKey.MODEL_PEAK: "model: improvement peaks",
    }


def test_milestone_notes_are_formatted_from_the_ledger():
    by = by_key(milestones(plan()))
    early = claim("effect.s2_early")
    assert f"days {early.value_low:g} to {early.value_high:g}" in by[MilestoneKey.EARLY_RESULTS].note
    assert claim("effect.alam2014").statement in by[MilestoneKey.EARLY_RESULTS].note
    assert claim("collagen.lit_start").statement in by[MilestoneKey.SYNTHESIS_STARTS].note
    assert claim("phase.remodeling.guo2010").statement in by[MilestoneKey.STILL_FORMING].note
    assert "About 6 months" in by[MilestoneKey.FULL_EFFECT].note  # 182 days
    assert f"{claim('after.actives_days_assumed').value_high:g} days" in RESTRICTIONS["no_actives"].note
    assert f"first {claim('ointment.s1').value_low:g} to" in RESTRICTIONS["ointment"].note


def test_milestones_carry_the_conflicts_between_sources():
    by = by_key(milestones(plan()))
    assert "collagen.s3_start" in by[MilestoneKey.SYNTHESIS_STARTS].conflict
    assert by[MilestoneKey.SYNTHESIS_STARTS].day == 1
    assert "effect.s2_immediate" in by[MilestoneKey.EARLY_RESULTS].conflict
    assert "effect.s3_first" in by[MilestoneKey.FULL_EFFECT].conflict
    assert "redness.s2" in by[MilestoneKey.REDNESS_GONE, 1].conflict  # 'no downtime'
    assert by[MilestoneKey.STILL_FORMING].conflict is None


def test_redness_milestone_notes_a_session_that_came_too_soon():
    by = by_key(milestones(plan(2, 2, 2.5, "back")))
    assert "Still red when session 2 came" in by[MilestoneKey.REDNESS_GONE, 1].note


def test_milestones_frame():
    f = milestones_frame(plan(1))
    assert list(f.columns) == ["key", "name", "date", "day", "sources", "note", "conflict"]
    assert "model: improvement peaks" in set(f["name"])
    assert set(f["key"]) == {k.value for k in MilestoneKey}
    assert all(type(k) is str for k in f["key"])  # plain values, as a trainee's answer must be


# ----------------------------------------------------------------------------- phases, rules


def test_phase_enum_holds_the_ledger_bounds_and_the_old_tuples_agree():
    assert [p.value for p in Phase] == ORDER
    assert Phase.PROLIFERATION.first_day == claim("phase.inflammation.guo2010").value_high
    assert Phase.REMODELING.first_day == claim("phase.proliferation.guo2010").value_high
    assert Phase.INFLAMMATION.last_day == Phase.PROLIFERATION.first_day - 1 and Phase.REMODELING.last_day is None
    assert PHASES == tuple((p.value, p.first_day, p.last_day, p.claim_id) for p in Phase)
    days = np.arange(60)
    assert [Phase.of(int(d)) for d in days] == list(Phase.of(days))


def test_rules_are_one_table_with_keys_kinds_and_labels():
    assert [r.key for r in RULES] == list(RuleKey) == list(RESTRICTIONS)
    assert all(RESTRICTIONS[r.name] is r and type(r.name) is str for r in RULES)
    kinds = {r.key: r.kind for r in RULES}
    assert kinds.pop(RuleKey.OINTMENT) is RuleKind.SHOULD
    assert set(kinds.values()) == {RuleKind.MUST_NOT}
    assert len({r.label for r in RULES}) == len(RULES)
    with pytest.raises(AttributeError):
        RULES[0].last_day = 9  # frozen
    with pytest.raises(TypeError):
        RESTRICTIONS["no_sun"] = RULES[0]  # read-only


def test_holds_is_applies_over_arrays():
    since = np.tile(np.arange(10), 2)
    red = np.repeat([False, True], 10)
    for r in RULES:
        assert r.holds(since, red).tolist() == [r.applies(int(d), bool(v)) for d, v in zip(since, red, strict=True)]


def test_a_day_sorts_its_rules_by_kind():
    day3 = aftercare_on(plan(1), 3)
    assert [r.name for r in day3.must_not] == ["no_sun", "no_actives", "no_touching"]
    assert [r.name for r in day3.should] == ["ointment"]
    assert [r.name for r in day3.lifted] == ["no_exercise"]
    assert day3.phase is Phase.INFLAMMATION and 0 <= day3.redness <= 1


# ----------------------------------------------------------------------------- timeline(outcome)


def test_timeline_reads_one_simulation_and_the_old_views_agree():
    p = plan()
    out = simulate(p, days=p.session_days[-1] + 366)
    t = timeline(out)
    assert isinstance(t, Timeline) and len(t) == len(out.daily)
    assert t.frame().equals(healing_timeline(p))
    assert t.milestones == milestones(p)
    assert t.on(43) == aftercare_on(p, 43)
    assert healing_timeline(p, outcome=out).equals(healing_timeline(p))
    assert milestones_frame(p, outcome=out).equals(milestones_frame(p))
    assert len(healing_timeline(p, outcome=out, days_after_last=365)) == len(t)
    assert t.runs("redness_visible") == [(0, 3), (42, 45), (84, 87)]
    assert t.runs(Phase.PROLIFERATION)[0] == (Phase.PROLIFERATION.first_day, Phase.PROLIFERATION.last_day)
    assert t.runs(RuleKey.NO_EXERCISE) == [(0, 1), (42, 43), (84, 85)]
    assert t.milestone(MilestoneKey.FULL_EFFECT) == by_key(t.milestones)[MilestoneKey.FULL_EFFECT]
    assert not t.session.flags.writeable and not t.rules[RuleKey.NO_SUN].flags.writeable


def test_milestones_and_timeline_simulate_once(monkeypatch):
    calls = []
    real = healing.simulate

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(healing, "simulate", counting)
    p = plan()
    healing_timeline(p)
    assert len(calls) == 1
    milestones(p)
    assert len(calls) == 2  # each plan-taking call simulates once, never more
    t = timeline_for(p)
    out = real(p, days=p.session_days[-1] + 366)
    calls.clear()
    marks, frame = milestones(p, outcome=out), healing_timeline(p, outcome=out)
    aftercare_on(p, 5, outcome=out)
    assert calls == []  # given the simulation, nothing simulates again
    assert marks == t.milestones and frame.equals(t.frame())


def test_an_outcome_must_match_the_other_arguments():
    p = plan()
    out = simulate(p, days=p.session_days[-1] + 366)
    with pytest.raises(ValueError, match="plan differs"):
        milestones(plan(2), outcome=out)
    with pytest.raises(ValueError, match="patient differs"):
        healing_timeline(p, Patient(age=70, fitzpatrick=5), outcome=out)
    with pytest.raises(ValueError, match="days_after_last=400"):
        healing_timeline(p, outcome=out, days_after_last=400)
    with pytest.raises(TypeError, match="outcome must be an Outcome"):
        timeline(p)
    with pytest.raises(ValueError, match="row='sunburn' is not a known timeline row; allowed: inflammation"):
        timeline(out).runs("sunburn")
    with pytest.raises(ValueError, match="day=999"):
        timeline(out).on(999)
    with pytest.raises(ValueError, match="no such milestone"):
        timeline(out).milestone(MilestoneKey.REDNESS_GONE, session=9)


def test_the_default_span_comes_from_the_parameter_table():
    from needling_sim.parameters import parameter

    p = plan(1)
    assert len(healing_timeline(p)) == parameter("timeline_days_after_last").value + 1


# ----------------------------------------------------------------------------- properties


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 5),
    gaps=st.lists(st.integers(1, 60), min_size=4, max_size=4),
    depth=st.sampled_from([0.25, 0.5, 1.0, 2.0]),
    area=st.sampled_from(list(Area)),
)
def test_phases_are_contiguous_and_in_order_after_each_session(n, gaps, depth, area):
    p = plan_course(START, n, gaps[: n - 1], depth, area)
    t = healing_timeline(p)
    starts = set(p.session_days)
    rank = t["phase"].map(ORDER.index).to_numpy()
    since = t["days_since_session"].to_numpy()
    for day in range(1, len(t)):
        if day in starts:
            assert since[day] == 0 and rank[day] == 0
        else:
            assert since[day] == since[day - 1] + 1
            assert rank[day] in (rank[day - 1], rank[day - 1] + 1)  # never skips back or jumps two
    assert rank[0] == 0 and since[0] == 0
    assert (t["redness_visible"] <= t["no_sun"]).all()
