"""Course plans as data: plan_course, Session and CoursePlan (needling_sim.plans)."""

import dataclasses
import datetime as dt
import math

import numpy as np
import pytest

from needling_sim import Area, CoursePlan, Session, plan_course
from needling_sim.evidence import claim
from needling_sim.parameters import parameter
from needling_sim.plans import HEALING_INTERVAL_DAYS, MAX_DEPTH_MM, MAX_SESSIONS, SPACING_MIN_DAYS, SPACING_SOURCES

START = dt.date(2026, 3, 2)

# ----------------------------------------------------------------------------- plan_course


def test_plan_course_lays_out_sessions():
    plan = plan_course(START, 3, 42, 1.0, "cheek")
    assert [s.number for s in plan.sessions] == [1, 2, 3]
    assert [s.date for s in plan.sessions] == [START, START + dt.timedelta(42), START + dt.timedelta(84)]
    assert all(s.depth_mm == 1.0 and s.area is Area.CHEEK for s in plan.sessions)
    assert (plan.start, plan.end, plan.intervals_days, plan.n_sessions) == (
        START,
        START + dt.timedelta(84),
        (42, 42),
        3,
    )
    assert plan.session_days == (0, 42, 84)
    assert plan.area is Area.CHEEK and plan.area_info.dermis_mm == 0.87


def test_plan_course_takes_per_gap_intervals_and_per_session_depths():
    plan = plan_course(START, 3, (30, 60), [0.5, 0.75, 1.0], "neck")
    assert plan.intervals_days == (30, 60)
    assert plan.depths_mm == (0.5, 0.75, 1.0)
    frame = plan.to_frame()
    assert list(frame.columns) == ["number", "date", "day", "interval_days", "depth_mm", "area"]
    assert frame["day"].tolist() == [0, 30, 90]


def test_one_session_plan():
    plan = plan_course(START, 1, 42, 0.5, "forehead")
    assert plan.intervals_days == () and plan.end == plan.start
    assert plan_course(START, 1, [], 0.5, "forehead") == plan


def test_plans_and_sessions_are_frozen():
    plan = plan_course(START, 2, 42, 1.0, "cheek")
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.sessions = ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.sessions[0].depth_mm = 2.0
    assert hash(plan) == hash(plan_course(START, 2, 42, 1.0, "cheek"))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"interval_days": 0}, ValueError, "interval_days=0.*at least 1"),
        ({"interval_days": -7}, ValueError, "interval_days=-7"),
        ({"interval_days": 42.0}, TypeError, "interval_days must be a whole number"),
        ({"interval_days": True}, TypeError, "interval_days must be a whole number"),
        ({"interval_days": [42]}, ValueError, "interval_days has 1 values.*2 values"),
        ({"interval_days": [42, 0]}, ValueError, r"interval_days\[1\]=0"),
        ({"sessions": 0}, ValueError, "sessions=0.*1 to 24"),
        ({"sessions": 25}, ValueError, "sessions=25"),
        ({"sessions": True}, TypeError, "sessions must be a whole number"),
        ({"sessions": 3.0}, TypeError, "sessions must be a whole number"),
        ({"depth_mm": math.nan}, ValueError, "depth_mm=nan"),
        ({"depth_mm": math.inf}, ValueError, "depth_mm=inf"),
        ({"depth_mm": -0.5}, ValueError, "depth_mm=-0.5"),
        ({"depth_mm": 0}, ValueError, "depth_mm=0.0.*above 0"),
        ({"depth_mm": 3.5}, ValueError, "at most 3.0 mm"),
        ({"depth_mm": True}, TypeError, "depth_mm must be a number"),
        ({"depth_mm": "1.0"}, TypeError, "depth_mm must be a number"),
        ({"depth_mm": [1.0, 1.0]}, ValueError, "depth_mm has 2 values.*3 values"),
        ({"depth_mm": [1.0, 1.0, 9.0]}, ValueError, r"depth_mm\[2\]=9.0"),
        ({"area": "knee"}, ValueError, "area='knee'.*allowed"),
        ({"area": None}, TypeError, "area must be an area name"),
        ({"start": "2026-03-02"}, TypeError, "start must be a datetime.date"),
        ({"start": dt.datetime(2026, 3, 2)}, TypeError, "start must be a datetime.date"),
    ],
)
def test_bad_input_names_the_field(kwargs, error, match):
    args = {"start": START, "sessions": 3, "interval_days": 42, "depth_mm": 1.0, "area": "cheek"} | kwargs
    with pytest.raises(error, match=match):
        plan_course(**args)


def test_numpy_scalars_are_accepted():
    plan = plan_course(START, np.int64(2), np.int32(42), np.float64(1.0), "cheek")
    assert plan.intervals_days == (42,) and plan.depths_mm == (1.0, 1.0)


def test_course_plan_validates_direct_construction():
    s1 = Session(1, START, 1.0, "cheek")
    with pytest.raises(TypeError, match="non-empty tuple"):
        CoursePlan(())
    with pytest.raises(ValueError, match="numbered 1, 2"):
        CoursePlan((Session(2, START, 1.0, "cheek"),))
    with pytest.raises(ValueError, match="strictly increase"):
        CoursePlan((s1, Session(2, START, 1.0, "cheek")))
    with pytest.raises(ValueError, match="one area"):
        CoursePlan((s1, Session(2, START + dt.timedelta(42), 1.0, "neck")))
    with pytest.raises(TypeError, match="must be a Session"):
        CoursePlan(("x",))
    with pytest.raises(TypeError, match="notes"):
        CoursePlan((s1,), notes="one note")
    with pytest.raises(TypeError, match="sources"):
        CoursePlan((s1,), sources="spacing.s0")
    with pytest.raises(KeyError, match="not in the evidence ledger"):
        CoursePlan((s1,), sources=("no.such.claim",))
    with pytest.raises(ValueError, match="24"):
        CoursePlan(tuple(Session(i, START + dt.timedelta(i), 1.0, "cheek") for i in range(1, 26)))


# ----------------------------------------------------------------------------- numbers from the tables


def test_max_sessions_is_the_parameter_and_bounds_plan_course():
    assert MAX_SESSIONS == parameter("max_sessions").value
    assert plan_course(START, MAX_SESSIONS, 42, 0.5, "cheek").n_sessions == MAX_SESSIONS
    with pytest.raises(ValueError, match=f"sessions={MAX_SESSIONS + 1} is not allowed; allowed: 1 to {MAX_SESSIONS}"):
        plan_course(START, MAX_SESSIONS + 1, 42, 0.5, "cheek")


def test_spacing_minimums_and_the_healing_interval_are_read_from_their_claims():
    for policy, ids in SPACING_SOURCES.items():
        assert SPACING_MIN_DAYS[policy] == min(claim(c).value_low for c in ids)
    assert HEALING_INTERVAL_DAYS == claim("phase.proliferation.guo2010").value_high
    assert MAX_DEPTH_MM == claim("input.plan_ranges_assumed").value_high
    with pytest.raises(ValueError, match=f"at most {MAX_DEPTH_MM} mm"):
        Session(1, START, MAX_DEPTH_MM + 0.5, "cheek")
