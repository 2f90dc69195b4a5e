"""Aftercare handouts: each rule's dated window after each session."""

import datetime as dt

import pytest

from needling_sim import aftercare_handout, aftercare_handout_text, healing_timeline, plan_course, simulate
from needling_sim.aftercare import RESTRICTIONS, RuleKey


def test_handout_windows_agree_with_the_timeline_for_every_session_and_rule():
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
    plan = plan_course(dt.date(2026, 3, 2), 2, 42, 1.0, "cheek")
    text = aftercare_handout_text(plan, title="Aftercare for Ms R.")
    lines = text.splitlines()
    assert lines[0] == "Aftercare for Ms R." and "not clinical advice" in lines[1]
    assert "Session 2: Monday 13 April 2026" in lines
    assert "  Mon 13 Apr to Tue 14 Apr: No vigorous exercise or sweating." in lines


@pytest.mark.parametrize(("kwargs", "error"), [({"title": ""}, TypeError), ({"title": 3}, TypeError)])
def test_handout_text_rejects_a_bad_title(kwargs, error):
    with pytest.raises(error, match="title"):
        aftercare_handout_text(plan_course(dt.date(2026, 3, 2), 1, 42, 1.0, "cheek"), **kwargs)


def test_handout_rejects_a_non_plan():
    with pytest.raises(TypeError, match="plan"):
        aftercare_handout("plan")


def test_handout_reads_a_given_simulation_and_keys_its_rules():
    plan = plan_course(dt.date(2026, 3, 2), 2, 42, 1.0, "cheek")
    out = simulate(plan, days=plan.session_days[-1] + 366)
    handout = aftercare_handout(plan, outcome=out)
    assert handout.equals(aftercare_handout(plan))
    assert set(handout["rule"]) == {k.value for k in RuleKey}
    assert all(type(r) is str for r in handout["rule"])
    assert aftercare_handout_text(plan, outcome=out) == aftercare_handout_text(plan)
