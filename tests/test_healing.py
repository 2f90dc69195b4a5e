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
    aftercare_on,
    healing_timeline,
    milestones,
    milestones_frame,
    plan_course,
    simulate,
)
from needling_sim.evidence import claim, claim_ids
from needling_sim.healing import PHASES, RESTRICTIONS

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


def test_milestones_are_dated_sourced_and_sorted():
    p = plan()
    ms = milestones(p)
    assert all(isinstance(m, Milestone) for m in ms)
    assert [m.day for m in ms] == sorted(m.day for m in ms)
    by = {m.name: m for m in ms}
    assert {f"redness gone after session {i}" for i in (1, 2, 3)} <= set(by)
    assert by["redness gone after session 2"].day == 42 + 4
    assert by["early results may show"].day == 42
    assert by["full effect"].date == p.end + dt.timedelta(182)
    assert by["collagen may still be forming"].date == p.end + dt.timedelta(365)
    for m in ms:
        assert m.date == START + dt.timedelta(m.day)
        assert set(m.sources) <= claim_ids() and m.note


def test_milestones_carry_the_conflicts_between_sources():
    by = {m.name: m for m in milestones(plan())}
    assert "collagen.s3_start" in by["collagen synthesis starts"].conflict
    assert by["collagen synthesis starts"].day == 1
    assert "effect.s2_immediate" in by["early results may show"].conflict
    assert "effect.s3_first" in by["full effect"].conflict
    assert "redness.s2" in by["redness gone after session 1"].conflict  # 'no downtime'
    assert by["collagen may still be forming"].conflict is None


def test_redness_milestone_notes_a_session_that_came_too_soon():
    by = {m.name: m for m in milestones(plan(2, 2, 2.5, "back"))}
    assert "Still red when session 2 came" in by["redness gone after session 1"].note


def test_milestones_frame():
    f = milestones_frame(plan(1))
    assert list(f.columns) == ["name", "date", "day", "sources", "note", "conflict"]
    assert "model: improvement peaks" in set(f["name"])


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


# --- the aftercare handout ---------------------------------------------------------------------


def test_handout_windows_agree_with_the_timeline_for_every_session_and_rule():
    from needling_sim import aftercare_handout, healing_timeline, plan_course
    from needling_sim.healing import RESTRICTIONS

    plan = plan_course(dt.date(2026, 3, 2), 3, 42, [0.5, 1.0, 1.0], "cheek")
    handout = aftercare_handout(plan)
    timeline = healing_timeline(plan)
    assert len(handout) == 3 * len(RESTRICTIONS)
    for row in handout.itertuples():
        days = timeline[(timeline["session"] == row.session) & timeline[row.rule]]
        assert (days["date"].min(), days["date"].max()) == (row.first, row.last)
        assert row.instruction == RESTRICTIONS[row.rule].description
        assert row.sources == ", ".join(RESTRICTIONS[row.rule].sources)
    ointment = handout[handout["rule"] == "ointment"].iloc[0]
    assert "contradicts itself" in ointment["note"]
    assert (ointment["last"] - ointment["first"]).days + 1 == 7  # 2 to 8 March: the first 7 days


def test_handout_text_lists_each_session_with_dated_rules():
    from needling_sim import aftercare_handout_text, plan_course

    plan = plan_course(dt.date(2026, 3, 2), 2, 42, 1.0, "cheek")
    text = aftercare_handout_text(plan, title="Aftercare for Ms R.")
    lines = text.splitlines()
    assert lines[0] == "Aftercare for Ms R." and "not clinical advice" in lines[1]
    assert "Session 2: Monday 13 April 2026" in lines
    assert "  Mon 13 Apr to Tue 14 Apr: No vigorous exercise or sweating." in lines


@pytest.mark.parametrize(("kwargs", "error"), [({"title": ""}, TypeError), ({"title": 3}, TypeError)])
def test_handout_text_rejects_a_bad_title(kwargs, error):
    from needling_sim import aftercare_handout_text, plan_course

    with pytest.raises(error, match="title"):
        aftercare_handout_text(plan_course(dt.date(2026, 3, 2), 1, 42, 1.0, "cheek"), **kwargs)


def test_handout_rejects_a_non_plan():
    from needling_sim import aftercare_handout

    with pytest.raises(TypeError, match="plan"):
        aftercare_handout("plan")
