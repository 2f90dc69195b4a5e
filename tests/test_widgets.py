"""Apps driven from Python: set a control's value, check the figures and messages follow the model.

No mocks: real ipywidgets and plotly FigureWidgets, without a browser (the front end is
tested by the browser suite).
"""

import datetime as dt
import re

import ipywidgets as W
import plotly.graph_objects as go
import pytest

from needling_sim import Patient, screen, widgets
from needling_sim.evidence import conflicts, load_claims

ON = dt.date(2026, 6, 15)


def rows_of(fig):
    """The rule rows a findings panel shows, in order."""
    return [y for t in fig.data if isinstance(t, go.Bar) for y in t.y]


def check_app(app, *, controls=(), figures=(), outputs=()):
    assert isinstance(app, widgets.App)
    assert isinstance(app.widget, W.Box)
    for name in controls:
        assert isinstance(app.controls[name], W.ValueWidget), name
    for name in figures:
        assert isinstance(app.figures[name], go.FigureWidget), name
    for name in outputs:
        assert isinstance(app.outputs[name], W.HTML), name
    # a notebook cell ending in `app` shows the root widget
    bundle = app._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == app.widget.model_id
    # every figure and output sits inside the root widget (nothing shown separately)
    inside = set()
    stack = [app.widget]
    while stack:
        w = stack.pop()
        inside.add(id(w))
        stack.extend(getattr(w, "children", ()))
    for part in [*app.figures.values(), *app.outputs.values(), *app.controls.values()]:
        assert id(part) in inside
    with pytest.raises((AttributeError, TypeError)):
        app.controls["new"] = W.IntSlider()
    assert "App(controls=" in repr(app)


# ----------------------------------------------------------------------------- findings_html


def test_findings_html_names_severity_in_words_and_cites_sources():
    r = screen(Patient(age=35, fitzpatrick=5, isotretinoin_last_dose=dt.date(2026, 5, 1)), on=ON)
    text = widgets.findings_html(r.findings, verdict=r.verdict)
    assert "DEFER" in text and "CAUTION" in text
    assert "contra.isotretinoin.label" in text and "003_5eeea979378cb349.txt" in text
    assert f"Until {r.earliest_date.isoformat()}" in text
    assert 'role="status"' in text
    # messages are escaped, never raw HTML
    from needling_sim import Finding

    f = Finding("x", "info", "a <script> tag", ("skin.pih_lit",))
    assert "&lt;script&gt;" in widgets.findings_html([f])


def test_findings_html_validates():
    with pytest.raises(TypeError, match="findings"):
        widgets.findings_html("defer")
    with pytest.raises(ValueError):
        widgets.findings_html([], verdict="maybe")


# ----------------------------------------------------------------------------- intake


def test_intake_app_has_every_patient_field():
    app = widgets.intake_app(on=ON)
    fields = [f for f in Patient.field_names()]
    check_app(
        app,
        controls=[*fields, "isotretinoin_policy", "on"],
        figures=["screening"],
        outputs=["verdict", "summary"],
    )
    assert isinstance(app.controls["concerns"], W.SelectMultiple)
    assert isinstance(app.controls["keloid_history"], W.Checkbox)
    assert isinstance(app.controls["retinoid_last_use"], W.DatePicker)
    assert app.controls["on"].value == ON
    assert "PROCEED" in app.outputs["verdict"].value
    assert "proceed" in app.figures["screening"].layout.title.text


def test_ticking_keloid_history_makes_the_verdict_do_not_treat():
    app = widgets.intake_app(on=ON)
    fig = app.figures["screening"]
    app.controls["keloid_history"].value = True
    assert "DO NOT TREAT" in app.outputs["verdict"].value
    assert "keloid_history" in app.outputs["verdict"].value
    assert rows_of(fig) == ["keloid_history"]
    assert "do not treat" in fig.layout.title.text
    assert "do not treat" in app.outputs["summary"].value
    app.controls["keloid_history"].value = False
    assert rows_of(fig) == [] and "PROCEED" in app.outputs["verdict"].value


def test_intake_dates_and_policy_change_the_earliest_date():
    app = widgets.intake_app(on=ON)
    app.controls["isotretinoin_last_dose"].value = dt.date(2026, 5, 1)
    assert "Earliest date: <strong>2026-11-01</strong>" in app.outputs["verdict"].value
    app.controls["isotretinoin_policy"].value = "seed"
    assert "Earliest date: <strong>2026-08-01</strong>" in app.outputs["verdict"].value
    assert "2026-08-01" in app.figures["screening"].layout.title.text
    app.controls["on"].value = dt.date(2026, 9, 1)
    assert "Earliest date" not in app.outputs["verdict"].value  # only a caution is left
    assert "CAUTION" in app.outputs["verdict"].value


def test_a_date_after_the_screening_date_shows_the_error_instead_of_crashing():
    app = widgets.intake_app(on=ON)
    app.controls["fitzpatrick"].value = 5
    before = app.figures["screening"].to_dict()["data"]
    app.controls["sun_exposure_last"].value = dt.date(2026, 7, 1)
    message = app.outputs["verdict"].value
    assert 'role="alert"' in message and "sun_exposure_last=2026-07-01 is after the screening date" in message
    assert "not updated" in app.outputs["summary"].value
    assert app.figures["screening"].to_dict()["data"] == before
    app.controls["on"].value = None
    assert "choose a screening date" in app.outputs["verdict"].value
    app.controls["on"].value = dt.date(2026, 7, 2)  # the sunburn is now in the past
    assert "recent_sun" in app.outputs["verdict"].value and "DEFER" in app.outputs["verdict"].value


def test_intake_app_validates_on():
    with pytest.raises(TypeError, match="on must be a datetime.date"):
        widgets.intake_app(on="2026-06-15")
    with pytest.raises(TypeError, match="on must be"):
        widgets.intake_app(on=dt.datetime(2026, 6, 15, 9, 0))


# ----------------------------------------------------------------------------- claims explorer


def test_claims_explorer_switches_topics_in_place():
    app = widgets.claims_explorer("spacing")
    check_app(app, controls=["topic"], figures=["conflicts"], outputs=["claims", "summary"])
    fig = app.figures["conflicts"]
    n_traces = len(fig.data)
    assert "spacing.s0" in fig.layout.yaxis.categoryarray
    assert "spacing.s1" in app.outputs["claims"].value and "Conflicting pairs" in app.outputs["claims"].value
    assert "spacing" in app.outputs["summary"].value
    topics = app.controls["topic"].options
    assert set(topics) == set(load_claims()["topic"])

    app.controls["topic"].value = "pain"
    assert len(fig.data) == n_traces  # updated in place, not rebuilt
    assert set(fig.layout.yaxis.categoryarray) == {"numbing.s3", "pain.s0", "pain.s2", "pain.s3", "pain.s4"}
    assert "No numeric values" in fig.layout.xaxis.title.text
    assert fig.layout.xaxis.showticklabels is False
    claims_html = app.outputs["claims"].value
    assert "pain.s3" in claims_html and f"({len(conflicts('pain'))})" in claims_html

    app.controls["topic"].value = "dermis"
    assert "No conflicting pairs" in app.outputs["claims"].value
    assert fig.layout.xaxis.showticklabels is True and "(mm)" in fig.layout.xaxis.title.text


def test_claims_explorer_validates_topic():
    with pytest.raises(ValueError, match=re.escape("topic='spacings'")):
        widgets.claims_explorer("spacings")
    with pytest.raises(TypeError, match="topic"):
        widgets.claims_explorer(None)


# ----------------------------------------------------------------------------- planner

START = dt.date(2026, 3, 2)
PLANNER_CONTROLS = [
    "start",
    "sessions",
    "interval_days",
    "depth_mm",
    "area",
    "policy",
    "age",
    "fitzpatrick",
    "keloid_history",
    "pregnant",
    "active_infection",
    "herpes_simplex_history",
]


def trace(fig, name):
    return next(t for t in fig.data if t.name == name)


@pytest.fixture(scope="module")
def planner():
    return widgets.planner_app(start=START)


@pytest.fixture()
def app(planner):
    """The module's planner, reset to its defaults before each test (building one takes ~0.4 s)."""
    defaults = {
        "start": START,
        "sessions": 3,
        "interval_days": 42,
        "depth_mm": 1.0,
        "area": "cheek",
        "policy": "six_weeks",
        "age": 35,
        "fitzpatrick": 2,
    }
    defaults |= {
        name: False
        for name in (
            "keloid_history",
            "pregnant",
            "breastfeeding",
            "active_infection",
            "open_wounds",
            "herpes_simplex_history",
            "anticoagulants",
        )
    }
    for name, value in defaults.items():
        planner.controls[name].value = value
    return planner


def test_planner_app_parts(app):
    check_app(
        app,
        controls=PLANNER_CONTROLS,
        figures=["gantt", "collagen"],
        outputs=["findings", "gantt_summary", "collagen_summary"],
    )
    assert isinstance(app.controls["start"], W.DatePicker)
    assert (app.controls["sessions"].min, app.controls["sessions"].max) == (1, 8)
    assert (app.controls["interval_days"].min, app.controls["interval_days"].max) == (7, 120)
    depth = app.controls["depth_mm"]
    assert (depth.min, depth.max, depth.step) == (0.25, 3.0, 0.25)
    assert set(app.controls["area"].options) >= {("cheek", "cheek"), ("periorbital", "periorbital")}
    assert [v for _, v in app.controls["policy"].options] == ["six_weeks", "four_weeks"]
    assert (app.controls["fitzpatrick"].min, app.controls["fitzpatrick"].max) == (1, 6)
    assert "The plan passes" in app.outputs["findings"].value


def test_a_weekly_interval_defers_and_pulls_the_sessions_together(app):
    gantt, collagen = app.figures["gantt"], app.figures["collagen"]
    n_traces = (len(gantt.data), len(collagen.data))
    before_sessions = trace(gantt, "session").x
    before_collagen = trace(collagen, "total new collagen").y
    before_summary = app.outputs["gantt_summary"].value
    assert before_sessions == ("2026-03-02", "2026-04-13", "2026-05-25")

    app.controls["interval_days"].value = 7

    findings = app.outputs["findings"].value
    assert "interval_before_healed" in findings and "DEFER" in findings and "does not pass" in findings
    assert "spacing.s1" in findings  # with its sources
    assert trace(gantt, "session").x == ("2026-03-02", "2026-03-09", "2026-03-16")
    assert trace(collagen, "session").x == (0, 7, 14)
    assert list(trace(collagen, "total new collagen").y) != list(before_collagen)
    assert app.outputs["gantt_summary"].value != before_summary
    assert "(7 days apart)" in app.outputs["gantt_summary"].value
    assert "7 days apart" in collagen.layout.title.subtitle.text
    assert (len(gantt.data), len(collagen.data)) == n_traces  # updated in place
    # the session lines of the Gantt moved too
    assert [s.x0 for s in gantt.layout.shapes[:-1]] == ["2026-03-02", "2026-03-09", "2026-03-16"]


def test_a_view_created_after_a_change_shows_the_changed_figure(app):
    # Voila renders only after every cell ran, and a reloaded page asks the kernel for the
    # widget state: that state must be the updated figure, not the one first built.
    app.controls["interval_days"].value = 14
    state = app.figures["gantt"].get_state()
    sessions = next(t for t in state["_widget_data"] if t.get("name") == "session")
    assert list(sessions["x"]) == ["2026-03-02", "2026-03-16", "2026-03-30"]
    assert "14 days apart" in state["_widget_layout"]["title"]["subtitle"]["text"]
    day_app = widgets.healing_day_app()
    day_app.controls["day"].value = 9
    state = day_app.figures["timeline"].get_state()
    today = next(t for t in state["_widget_data"] if t.get("name") == "today")
    assert list(today["x"]) == ["2026-03-11"]
    assert state["_widget_layout"]["shapes"][-1]["x0"] == "2026-03-11"
    assert state["_widget_layout"]["xaxis"]["range"][1] == "2026-07-27"  # zoomed on the course


def test_the_browser_reply_after_an_update_is_taken_quietly(app):
    # After each in-place update plotly.js sends the defaults it filled in. The kernel must
    # neither echo them back nor answer with per-trace removal messages (issue 14: half the
    # bytes of a planner change), and the edit it answers must be closed.
    gantt = app.figures["gantt"]
    sent = []
    gantt._send = lambda msg, buffers=None: sent.append(msg)  # the comm's outgoing side, recorded
    app.controls["interval_days"].value = 43
    assert [m["state"].keys() for m in sent if "_py2js_update" in m.get("state", {})], "the update is sent"
    sent.clear()
    uid = gantt.data[0].uid
    reply = {
        "trace_deltas": [{"uid": uid, "showlegend": False, "x": ["2026-03-02"]}],
        "trace_edit_id": gantt._last_trace_edit_id,
    }
    gantt.set_state({"_js2py_traceDeltas": reply})
    assert sent == [], f"the kernel answered the browser's deltas with {sent}"
    assert gantt._trace_edit_in_process is False
    assert not gantt.trait_metadata("_js2py_traceDeltas", "echo_update", default=True)


def test_planner_matches_the_model(app):
    from needling_sim import Patient, check_plan, plan_course, plots
    from needling_sim.outcome import simulate

    app.controls["interval_days"].value = 56
    app.controls["depth_mm"].value = 1.5
    app.controls["age"].value = 60
    plan = plan_course(START, 3, 56, 1.5, "cheek")
    person = Patient(age=60, fitzpatrick=2)
    out = simulate(plan, person, days=plan.session_days[-1] + 366)
    assert list(trace(app.figures["collagen"], "total new collagen").y) == pytest.approx(
        out.daily["collagen_new"].tolist()
    )
    for f in check_plan(plan, person):
        assert f.rule in app.outputs["findings"].value
    # the app's Gantt (one simulation) shows what plots.course_gantt shows
    reference = plots.course_gantt(plan, patient=person)
    for mine, ref in zip(app.figures["gantt"].data, reference.data, strict=True):
        assert mine.name == ref.name
        assert mine.x == ref.x and mine.y == ref.y
        assert getattr(mine, "base", None) == getattr(ref, "base", None)
    assert app.outputs["collagen_summary"].value.endswith(
        widgets._summary_html(plots.collagen_summary(out)).split("<em>")[1]
    )


def test_patient_factors_and_policy_change_the_findings(app):
    app.controls["keloid_history"].value = True
    assert (
        "DO NOT TREAT" in app.outputs["findings"].value and "keloid_history" in app.outputs["findings"].value
    )
    app.controls["keloid_history"].value = False
    app.controls["interval_days"].value = 30
    assert (
        "interval_below_minimum" in app.outputs["findings"].value
        and "CAUTION" in app.outputs["findings"].value
    )
    app.controls["policy"].value = "four_weeks"
    assert "interval_below_minimum" not in app.outputs["findings"].value
    assert "interval_below_other_policy" in app.outputs["findings"].value
    app.controls["area"].value = "periorbital"
    app.controls["depth_mm"].value = 2.0
    assert "depth_beyond_dermis" in app.outputs["findings"].value


def test_a_long_course_and_a_missing_start_date(app):
    app.controls["sessions"].value = 8
    app.controls["interval_days"].value = 120
    assert len(trace(app.figures["gantt"], "session").x) == 8
    assert len(app.figures["gantt"].layout.shapes) == 9
    assert len(trace(app.figures["collagen"], "total new collagen").y) == 7 * 120 + 366
    app.controls["start"].value = None
    assert 'role="alert"' in app.outputs["findings"].value and "start" in app.outputs["findings"].value
    assert "not updated" in app.outputs["gantt_summary"].value
    app.controls["start"].value = START
    assert 'role="alert"' not in app.outputs["findings"].value


def test_planner_with_a_patient_and_a_cohort():
    from needling_sim import Patient

    person = Patient(
        age=50, fitzpatrick=5, herpes_simplex_history=True, isotretinoin_last_dose=dt.date(2026, 1, 1)
    )
    app = widgets.planner_app(person, start=START, cohort_n=50)
    assert app.controls["age"].value == 50 and app.controls["herpes_simplex_history"].value is True
    assert "isotretinoin" in app.outputs["findings"].value  # dates of the given patient are kept
    median = trace(app.figures["collagen"], "cohort median")
    assert len(median.y) > 0 and "50 patients" in app.figures["collagen"].layout.title.text
    assert "cohort of 50" in app.outputs["collagen_summary"].value


def test_a_record_dated_after_the_first_session_shows_the_error_and_keeps_the_charts():
    from needling_sim import Patient

    person = Patient(age=40, fitzpatrick=2, sun_exposure_last=dt.date(2026, 4, 1))
    app = widgets.planner_app(person, start=START)
    message = app.outputs["findings"].value
    # A sunburn between sessions 1 and 2 is a running course re-checked (issue #10): session 2 is deferred.
    assert "recent_sun" in message and "already given" in message
    assert trace(app.figures["gantt"], "session").x == ("2026-03-02", "2026-04-13", "2026-05-25")
    app.controls["start"].value = dt.date(2026, 4, 5)  # the sunburn is now in the past, and recent
    assert "recent_sun" in app.outputs["findings"].value


@pytest.mark.parametrize(
    ("kwargs", "exc", "field"),
    [
        ({"patient": {"age": 30}}, TypeError, "patient"),
        ({"start": "2026-03-02"}, TypeError, "start"),
        ({"cohort_n": -1}, ValueError, "cohort_n"),
        ({"cohort_n": True}, TypeError, "cohort_n"),
        ({"cohort_n": 20_001}, ValueError, "cohort_n=20001"),
    ],
)
def test_planner_app_validates(kwargs, exc, field):
    with pytest.raises(exc, match=field):
        widgets.planner_app(**kwargs)


# ----------------------------------------------------------------------------- healing day


def test_moving_the_day_slider_changes_the_phase_as_the_model_says():
    from needling_sim.healing import aftercare_on

    app = widgets.healing_day_app()
    check_app(app, controls=["day"], figures=["timeline"], outputs=["day", "summary"])
    plan = widgets._default_plan()
    assert app.controls["day"].max == plan.session_days[-1] + 60
    fig = app.figures["timeline"]
    for day, phase in ((1, "inflammation"), (30, "remodeling"), (10, "proliferation")):
        app.controls["day"].value = day
        expected = aftercare_on(plan, day)
        assert expected.phase == phase
        text = app.outputs["day"].value
        assert f"{phase} phase" in text and f"Day {day} " in text
        must_not = text.split("Must not, today:")[1].split("Should, today:")[0]
        for r in expected.restrictions:
            if r.name.startswith("no_"):
                assert r.description in must_not
        when = (plan.start + dt.timedelta(days=day)).isoformat()
        assert trace(fig, "today").x == (when,)
        assert fig.layout.shapes[-1].x0 == when and fig.layout.shapes[-1].visible
        assert f"day {day}, {phase}" in app.outputs["summary"].value


def test_healing_day_app_reports_redness_and_sources():
    app = widgets.healing_day_app()
    app.controls["day"].value = 1
    text = app.outputs["day"].value
    assert "(visible; teaching model)" in text
    assert "phase.inflammation.guo2010" in text and "after.sun.s4" in text
    assert "Apply the ointment" in text.split("Should, today:")[1]
    app.controls["day"].value = 30
    assert "(not visible; teaching model)" in app.outputs["day"].value
    assert "Must not, today:</strong></p><p style='margin:0 0 6px 0'>None." in app.outputs["day"].value


def test_healing_day_app_takes_a_plan_and_validates_it():
    from needling_sim import plan_course

    plan = plan_course(START, 2, 7, 0.5, "forehead")
    app = widgets.healing_day_app(plan)
    assert app.controls["day"].max == 67
    app.controls["day"].value = 8  # one day after session 2
    assert "after session 2" in app.outputs["day"].value
    with pytest.raises(TypeError, match="plan"):
        widgets.healing_day_app("3 sessions")


def test_displaying_an_app_displays_its_root_widget(capsys):
    app = widgets.claims_explorer("pain")
    app._ipython_display_()  # outside a kernel, IPython's display() prints the widget's repr
    assert "VBox" in capsys.readouterr().out


def test_apps_never_display_figures_inside_output_widgets():
    # An Output widget that re-displays a figure renders blank in JupyterLab and stalls Voila:
    # every app updates its FigureWidgets in place instead.
    import inspect

    source = inspect.getsource(widgets)
    assert "W.Output" not in source and "widgets.Output" not in source and "clear_output" not in source
