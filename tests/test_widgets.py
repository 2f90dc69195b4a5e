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
    check_app(app, controls=[*fields, "isotretinoin_policy", "on"], figures=["screening"],
              outputs=["verdict", "summary"])
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
    assert set(fig.layout.yaxis.categoryarray) == {"pain.s0", "pain.s2", "pain.s3", "pain.s4"}
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
