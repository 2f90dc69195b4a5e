"""Interactive apps for the lessons: ipywidgets controls driving plotly ``FigureWidget``s.

Each app function returns an :class:`App`. End a notebook cell with it to show it;
drive it from Python by setting ``app.controls[name].value``: every change updates
the figures **in place** (inside ``fig.batch_update()``) and the HTML messages under
them. Nothing is re-displayed inside an ``Output`` widget, so the apps work the same
in JupyterLab, in Voila and in tests.

This module imports plotly and ipywidgets; ``import needling_sim`` does not import
it. Use ``from needling_sim import widgets``.

Teaching model, not clinical advice.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

import ipywidgets as W
import numpy as np
import plotly.graph_objects as go
import traitlets
from plotly.serializers import custom_serializers

from . import plots
from .evidence import claim, load_claims
from .evidence import conflicts as ledger_conflicts
from .findings import Severity, Verdict, verdict_for
from .patient import AGE_RANGE_YEARS, Concern, Patient
from .screening import IsotretinoinPolicy, screen
from .sliders import FloatSlider, IntSlider

__all__ = [
    "App",
    "claims_explorer",
    "findings_html",
    "healing_day_app",
    "intake_app",
    "planner_app",
]

_SEVERITY_MARK = {
    Severity.INFO: "ℹ",  # information sign
    Severity.CAUTION: "▲",
    Severity.DEFER: "■",
    Severity.DO_NOT_TREAT: "✖",
}
_VERDICT_MARK = {Verdict.PROCEED: "✔", Verdict.CAUTION: "▲", Verdict.DEFER: "■", Verdict.DO_NOT_TREAT: "✖"}
_WIDE = {"description_width": "initial"}


# --------------------------------------------------------------------------- the App


@dataclass(frozen=True)
class App:
    """An interactive app: a root widget plus named handles on its parts.

    Attributes
    ----------
    widget : ipywidgets.Widget
        The root container; displaying the app displays it.
    controls : Mapping[str, ipywidgets.Widget]
        The inputs, by name. Set ``.value`` to drive the app from code.
    figures : Mapping[str, plotly.graph_objects.FigureWidget]
        The charts, updated in place on every change.
    outputs : Mapping[str, ipywidgets.HTML]
        Messages and one-line chart summaries, updated with the figures.
    refresh : callable
        Recompute everything from the current control values (the apps call it on
        every change; you rarely need it).

    Examples
    --------
    >>> app = claims_explorer("pain")
    >>> sorted(app.controls), sorted(app.figures), sorted(app.outputs)
    (['topic'], ['conflicts'], ['claims', 'summary'])
    """

    widget: W.Widget
    controls: Mapping[str, W.Widget]
    figures: Mapping[str, go.FigureWidget]
    outputs: Mapping[str, W.HTML]
    refresh: Callable[[], None] = field(repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("controls", "figures", "outputs"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def __repr__(self) -> str:
        return f"App(controls={list(self.controls)}, figures={list(self.figures)}, outputs={list(self.outputs)})"

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def _quiet_trait():
    """A browser-to-kernel trait that the kernel does not echo back to the browser."""
    return traitlets.Dict(allow_none=True).tag(sync=True, echo_update=False, **custom_serializers)


class _FigureWidget(go.FigureWidget):
    """A ``FigureWidget`` that skips the round trip back after every in-place update.

    After each update plotly.js sends the kernel the defaults it filled in (``_js2py_traceDeltas``,
    20 to 30 kB per planner change); ipywidgets echoes them back to the browser, and plotly's
    handler answers with one ``_py2js_removeTraceProps`` message per trace. The apps never read
    those defaults, so here the kernel takes the deltas without echoing them and only closes the
    edit: the charts update the same, with about half the bytes on the wire and no second pass
    through the browser's widget models.
    """

    _js2py_traceDeltas = _quiet_trait()
    _js2py_layoutDelta = _quiet_trait()
    _js2py_restyle = _quiet_trait()
    _js2py_relayout = _quiet_trait()
    _js2py_update = _quiet_trait()
    _js2py_pointsCallback = _quiet_trait()

    @traitlets.observe("_js2py_traceDeltas")
    def _handler_js2py_traceDeltas(self, change):
        msg = change["new"]
        if not msg:
            return
        if msg.get("trace_edit_id") == self._last_trace_edit_id:
            self._trace_edit_in_process = False
            if not self._layout_edit_in_process:
                while self._waiting_edit_callbacks:
                    self._waiting_edit_callbacks.pop()()
        # Forget the message without syncing a reset back (plotly would send one more message).
        self._trait_values["_js2py_traceDeltas"] = None


def _keep_state(fw: go.FigureWidget) -> None:
    """Make ``fw``'s stored widget state the live figure, so views created later show it.

    plotly syncs a FigureWidget's ``_widget_data`` and ``_widget_layout`` only when it is
    built; later edits go to the views that exist at that moment as one-off restyle and
    relayout messages. A view created afterwards (Voila renders only after every cell has
    run; a reloaded page; the same app displayed again) would show the figure as built.
    Pointing the stored traits at plotly's live trace and layout dicts fixes that without
    sending anything now (the open views already got the edits).
    """
    fw._trait_values["_widget_data"] = fw._data
    fw._trait_values["_widget_layout"] = fw._layout


def _app(widget, controls, figures, outputs, refresh) -> App:
    def update() -> None:
        refresh()
        for fw in figures.values():
            _keep_state(fw)

    for control in controls.values():
        control.observe(lambda _change: update(), names="value")
    update()
    return App(widget, controls, figures, outputs, update)


# --------------------------------------------------------------------------- helpers


def _sync(fw: go.FigureWidget, fig: go.Figure) -> None:
    """Copy ``fig``'s traces and layout into ``fw`` in place (same trace structure)."""
    if len(fw.data) != len(fig.data):  # pragma: no cover - the figures keep a fixed structure
        raise RuntimeError(f"figure structure changed: {len(fw.data)} traces, now {len(fig.data)}")
    with fw.batch_update():
        for target, source in zip(fw.data, fig.data, strict=True):
            props = source.to_plotly_json()
            props.pop("type", None)
            target.update(props, overwrite=True)
        layout = fig.layout.to_plotly_json()
        layout.pop("template", None)
        fw.layout.update(layout, overwrite=True)


def _summary_html(text: str) -> str:
    return f'<p class="ns-summary" role="note" style="margin:2px 0 10px 0"><em>{html.escape(text)}</em></p>'


def _badge(label: str, colour: str, mark: str) -> str:
    text_colour = plots.text_colour_on(colour)  # at least 4.5:1 for every verdict and severity
    return (
        f'<span style="background:{colour};color:{text_colour};padding:0 0.35em;border-radius:3px;'
        f'font-weight:bold">{mark} {html.escape(label.upper())}</span>'
    )


def _sources_html(claim_ids: Iterable[str], label: str = "Sources") -> str:
    """The sources of a finding or rule, short: a count and the names, the claims on demand.

    Examples
    --------
    >>> text = _sources_html(["skin.pih_lit", "skin.pih_lit"])
    >>> text.startswith("<details") and "Sources (1):" in text and "skin.pih_lit" in text
    True
    """
    ids = list(dict.fromkeys(claim_ids))  # a rule may cite a claim twice; list it once
    claims = [claim(cid) for cid in ids]
    names = list(dict.fromkeys(c.source for c in claims))
    items = "".join(
        f"<li><code>{html.escape(cid)}</code> ({html.escape(c.source_kind)}: {html.escape(c.source)})</li>"
        for cid, c in zip(ids, claims, strict=True)
    )
    return (
        '<details class="ns-sources" style="margin:0"><summary style="cursor:pointer"><small>'
        f"{html.escape(label)} ({len(ids)}): {html.escape('; '.join(plots._short(n, 48) for n in names))}"
        f'</small></summary><ul style="margin:0 0 4px 0"><small>{items}</small></ul></details>'
    )


def findings_html(findings, *, verdict: str | Verdict | None = None, heading: str = "Verdict") -> str:
    """Render findings as an accessible HTML list: verdict, severity badges, messages, sources.

    Severity is written out and marked with a symbol as well as coloured.

    Parameters
    ----------
    findings : sequence of Finding
    verdict : str or Verdict, optional
        Shown in the heading; by default the verdict the findings imply.
    heading : str, default "Verdict"

    Returns
    -------
    str

    Examples
    --------
    >>> from needling_sim import Finding
    >>> f = Finding("fitzpatrick", "caution", "Pigmentation risk.", ("skin.pih_lit",))
    >>> text = findings_html([f])
    >>> "CAUTION" in text and "skin.pih_lit" in text and "Pigmentation risk." in text
    True
    >>> "No findings" in findings_html([])
    True
    """
    findings = plots._check_findings(findings)
    verdict = Verdict(verdict) if verdict is not None else verdict_for(findings)
    colour = plots.PALETTE["verdict"][verdict.value]
    out = [
        '<div class="ns-findings" role="status" aria-live="polite">',
        f"<p><strong>{html.escape(heading)}:</strong> "
        f"{_badge(verdict.value.replace('_', ' '), colour, _VERDICT_MARK[verdict])}</p>",
    ]
    if not findings:
        out.append("<p>No findings: no rule fired.</p>")
    else:
        out.append('<ul style="margin-top:0">')
        for f in sorted(findings, key=lambda f: -f.severity.rank):
            badge = _badge(
                f.severity.value.replace("_", " "),
                plots.PALETTE["severity"][f.severity.value],
                _SEVERITY_MARK[f.severity],
            )
            where = f" (session {f.session})" if f.session is not None else ""
            until = f" Until {f.until.isoformat()}." if f.until is not None else ""
            out.append(
                f"<li style='margin-bottom:4px'>{badge} <strong>{html.escape(f.rule)}{where}</strong>: "
                f"{html.escape(f.message)}{until}{_sources_html(f.sources)}</li>"
            )
        out.append("</ul>")
    out.append("</div>")
    return "".join(out)


def _error_html(message: str) -> str:
    return (
        '<div class="ns-error" role="alert" style="border-left:4px solid '
        f'{plots.OKABE_ITO["vermillion"]};padding-left:6px"><strong>Cannot update:</strong> '
        f"{html.escape(message)}</div>"
    )


def _check_date_or_none(name: str, value: object) -> dt.date | None:
    if value is not None and (isinstance(value, dt.datetime) or not isinstance(value, dt.date)):
        raise TypeError(
            f"{name} must be a datetime.date (not a datetime) or None, got {type(value).__name__} {value!r}"
        )
    return value


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


# --------------------------------------------------------------------------- intake


_DEFAULT_INTAKE = Patient(age=35, fitzpatrick=2).to_intake()


def intake_app(*, on: dt.date | None = None) -> App:
    """Intake form and screening: fill in the patient, read the verdict and the findings.

    Controls: ``age``, ``fitzpatrick``, ``concerns`` (SelectMultiple), one Checkbox per
    yes/no field (``pregnant``, ``breastfeeding``, ``keloid_history``,
    ``active_infection``, ``open_wounds``, ``herpes_simplex_history``,
    ``anticoagulants``, ``metal_allergy``), one DatePicker per date field (``isotretinoin_last_dose``,
    ``radiation_last_date``, ``sun_exposure_last``, ``retinoid_last_use``; empty
    means never), ``isotretinoin_policy`` and the screening date ``on``.
    Outputs: ``verdict`` (verdict, earliest date, reasons with sources, or the error
    message of an impossible intake such as a date after ``on``) and ``summary`` (the
    chart's one-line summary). Figure: ``screening``.

    Parameters
    ----------
    on : datetime.date, optional
        Initial screening date; default today.

    Returns
    -------
    App

    Examples
    --------
    >>> app = intake_app(on=dt.date(2026, 6, 15))
    >>> app.controls["keloid_history"].value = True
    >>> "DO NOT TREAT" in app.outputs["verdict"].value
    True
    """
    on = _check_date_or_none("on", on) or dt.date.today()
    controls: dict[str, W.Widget] = {}
    lo, hi = AGE_RANGE_YEARS
    controls["age"] = IntSlider(
        value=_DEFAULT_INTAKE["age"],
        min=lo,
        max=hi,
        description="Age (years)",
    )
    controls["fitzpatrick"] = IntSlider(
        value=_DEFAULT_INTAKE["fitzpatrick"],
        min=1,
        max=6,
        description="Fitzpatrick type",
    )
    controls["concerns"] = W.SelectMultiple(
        options=[(_label(c.value), c.value) for c in Concern],
        value=(),
        rows=5,
        description="Concerns",
        style=_WIDE,
    )
    for name, value in _DEFAULT_INTAKE.items():
        if isinstance(value, bool):
            controls[name] = W.Checkbox(value=value, description=_label(name), indent=False)
    for name, value in _DEFAULT_INTAKE.items():
        if value is None:
            controls[name] = W.DatePicker(value=None, description=_label(name), style=_WIDE)
    controls["isotretinoin_policy"] = W.Dropdown(
        options=[(p.value.replace("_", " "), p.value) for p in IsotretinoinPolicy],
        value=IsotretinoinPolicy.DRUG_LABEL.value,
        description="Isotretinoin policy",
        style=_WIDE,
    )
    controls["on"] = W.DatePicker(value=on, description="Screening date", style=_WIDE)

    first = screen(Patient(age=35, fitzpatrick=2), on=on)
    fig = _FigureWidget(plots.screening_figure(first))
    outputs = {"verdict": W.HTML(), "summary": W.HTML()}

    def refresh() -> None:
        try:
            intake = {name: controls[name].value for name in _DEFAULT_INTAKE}
            intake["concerns"] = list(intake["concerns"])
            patient = Patient.from_intake(intake)
            when = controls["on"].value
            if when is None:
                raise ValueError("on: choose a screening date")
            result = screen(patient, on=when, isotretinoin_policy=controls["isotretinoin_policy"].value)
        except (TypeError, ValueError) as err:
            outputs["verdict"].value = _error_html(str(err))
            outputs["summary"].value = _summary_html("Chart not updated: fix the intake above.")
            return
        earliest = (
            f"<p>Earliest date: <strong>{result.earliest_date.isoformat()}</strong></p>"
            if result.earliest_date is not None
            else ""
        )
        outputs["verdict"].value = findings_html(result.findings, verdict=result.verdict) + earliest
        _sync(fig, plots.screening_figure(result))
        outputs["summary"].value = _summary_html(plots.screening_summary(result))

    checks = [c for c in controls.values() if isinstance(c, W.Checkbox)]
    dates = [c for c in controls.values() if isinstance(c, W.DatePicker) and c is not controls["on"]]
    form = W.VBox(
        [
            W.HTML("<h3 style='margin:0;font-size:1.05em'>Intake</h3>"),  # lessons' sections are h2
            controls["age"],
            controls["fitzpatrick"],
            controls["concerns"],
            W.HTML("<strong>Yes/no questions</strong>"),
            *checks,
            W.HTML("<strong>Last dates (leave empty for never)</strong>"),
            *dates,
            controls["isotretinoin_policy"],
            controls["on"],
        ],
        layout=W.Layout(width="340px", min_width="300px"),
    )
    result_box = W.VBox([outputs["verdict"], fig, outputs["summary"]], layout=W.Layout(flex="1 1 auto"))
    root = W.HBox([form, result_box], layout=W.Layout(flex_flow="row wrap", align_items="flex-start"))
    return _app(root, controls, {"screening": fig}, outputs, refresh)


# --------------------------------------------------------------------------- claims explorer


def _claims_html(topic: str) -> str:
    ledger = load_claims()
    own = ledger[ledger["topic"] == topic]
    rows = []
    for c in own.itertuples(index=False):
        colour = plots.PALETTE["source_kind"][c.source_kind]
        value = plots._value_text(claim(c.id))
        conflicts = ", ".join(c.conflicts_with) or "none listed"
        rows.append(
            "<tr>"
            f"<td><code>{html.escape(c.id)}</code></td>"
            f"<td><span style='border-left:6px solid {colour};padding-left:4px'>"
            f"{html.escape(c.source_kind)}</span>"
            f"<br><small>{html.escape(c.source)}</small></td>"
            f"<td>{html.escape(c.statement)}</td>"
            f"<td>{html.escape(value)}</td>"
            f"<td>{html.escape(c.confidence)}</td>"
            f"<td>{html.escape(conflicts)}</td>"
            "</tr>"
        )
    head = "".join(
        f"<th scope='col' style='text-align:left'>{h}</th>"
        for h in ("Claim", "Source", "What it says", "Value", "Confidence", "Conflicts with")
    )
    out = [
        f"<table class='ns-claims' style='border-collapse:collapse'><caption style='text-align:left'>"
        f"<strong>Claims on {html.escape(topic)}</strong> ({len(own)})</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    ]
    pairs = ledger_conflicts(topic)
    if len(pairs):
        prow = []
        for p in pairs.itertuples(index=False):
            prow.append(
                "<tr>"
                f"<td><code>{html.escape(p.claim)}</code> ({html.escape(p.claim_source)}): "
                f"{html.escape(p.claim_statement)}</td>"
                "<td aria-label='conflicts with' style='text-align:center'>≠</td>"
                f"<td><code>{html.escape(p.other)}</code> ({html.escape(p.other_source)}): "
                f"{html.escape(p.other_statement)}</td>"
                "</tr>"
            )
        out.append(
            "<table class='ns-conflicts' style='border-collapse:collapse;margin-top:8px'>"
            f"<caption style='text-align:left'><strong>Conflicting pairs</strong> ({len(pairs)})</caption>"
            "<thead><tr><th scope='col' style='text-align:left'>One source says</th><th></th>"
            "<th scope='col' style='text-align:left'>Another says</th></tr></thead>"
            f"<tbody>{''.join(prow)}</tbody></table>"
        )
    else:
        out.append("<p>No conflicting pairs on this topic.</p>")
    return "".join(out)


def claims_explorer(topic: str = "spacing") -> App:
    """Browse the evidence ledger by topic: who says what, and where the sources clash.

    Control: ``topic`` (Dropdown of the ledger's topics). Outputs: ``claims`` (an HTML
    table of the topic's claims side by side, then the conflicting pairs) and
    ``summary``. Figure: ``conflicts`` (:func:`needling_sim.plots.conflicts_figure`).

    Parameters
    ----------
    topic : str, default "spacing"
        The initial topic.

    Returns
    -------
    App

    Examples
    --------
    >>> app = claims_explorer("spacing")
    >>> app.controls["topic"].value = "pain"
    >>> "pain.s3" in app.outputs["claims"].value
    True
    """
    topic = plots._check_topic(topic)
    if topic is None:
        raise TypeError("topic must be a str naming a ledger topic, got None")
    dropdown = W.Dropdown(options=list(plots._topics()), value=topic, description="Topic")
    fig = _FigureWidget(plots.conflicts_figure(topic))
    outputs = {"claims": W.HTML(), "summary": W.HTML()}

    def refresh() -> None:
        t = dropdown.value
        _sync(fig, plots.conflicts_figure(t))
        outputs["summary"].value = _summary_html(plots.conflicts_summary(t))
        outputs["claims"].value = _claims_html(t)

    root = W.VBox([dropdown, fig, outputs["summary"], outputs["claims"]])
    return _app(root, {"topic": dropdown}, {"conflicts": fig}, outputs, refresh)


# --------------------------------------------------------------------------- planner

_PLANNER_BOOLS = (
    "keloid_history",
    "pregnant",
    "breastfeeding",
    "active_infection",
    "open_wounds",
    "herpes_simplex_history",
    "anticoagulants",
)


def _check_patient(patient: object) -> Patient | None:
    if patient is not None and not isinstance(patient, Patient):
        raise TypeError(f"patient must be a needling_sim.Patient or None, got {type(patient).__name__}")
    return patient


def _plan_check_html(findings, passes: bool) -> str:
    verdict = verdict_for(findings)
    line = (
        "<p><strong>The plan passes</strong> (no finding above caution; act on any caution).</p>"
        if passes
        else "<p><strong>The plan does not pass</strong>: change what the defer or do-not-treat findings say.</p>"
    )
    return findings_html(findings, verdict=verdict, heading="Plan check") + line


def _check_depth_position(depth_mm) -> float:
    """A starting needle depth the planner's slider can show: 0.25 to 3.0 mm in 0.25 mm steps."""
    if isinstance(depth_mm, bool) or not isinstance(depth_mm, int | float):
        raise TypeError(f"depth_mm must be a number of millimetres, got {type(depth_mm).__name__} {depth_mm!r}")
    if not 0.25 <= depth_mm <= 3.0 or round(depth_mm * 4) != depth_mm * 4:
        raise ValueError(f"depth_mm={depth_mm} is not allowed; allowed: 0.25 to 3.0 mm in 0.25 mm steps")
    return float(depth_mm)


def planner_app(
    patient: Patient | None = None, *, start: dt.date | None = None, depth_mm: float = 1.0, cohort_n: int = 0
) -> App:
    """Plan a course and see its calendar, its collagen curve and its safety check together.

    Controls: plan ``start`` (DatePicker), ``sessions`` (1 to 8), ``interval_days`` (7 to
    120), ``depth_mm`` (0.25 to 3.0 in 0.25 mm steps), ``area`` (Dropdown of
    :class:`~needling_sim.areas.Area`), ``policy`` (ToggleButtons of
    :class:`~needling_sim.plans.SpacingPolicy`); patient ``age``, ``fitzpatrick`` and
    one Checkbox each for ``keloid_history``, ``pregnant``, ``breastfeeding``,
    ``active_infection``, ``open_wounds``, ``herpes_simplex_history`` and
    ``anticoagulants``. Figures: ``gantt`` (:func:`~needling_sim.plots.course_gantt`),
    ``collagen`` (:func:`~needling_sim.plots.collagen_figure`) and ``skin_section``
    (:func:`~needling_sim.skin_section.skin_section_figure`: the needle drawn into the
    area's skin, beside the plan controls). Outputs: ``findings``
    (:func:`~needling_sim.plan_checks.check_plan` with sources, and whether the plan passes),
    ``gantt_summary``, ``collagen_summary`` and ``skin_section_summary``. All of them
    update together on every change; sliders update when released.

    Parameters
    ----------
    patient : Patient, optional
        Starting values for the patient controls (its dates are kept as they are);
        None means a 35-year-old of Fitzpatrick type II with no risk factors.
    start : datetime.date, optional
        First session; default today.
    depth_mm : float, default 1.0
        Starting needle depth: 0.25 to 3.0 mm in 0.25 mm steps (the slider's positions).
    cohort_n : int, default 0
        When above 0, also simulate a cohort of this many patients (seed 0) and show
        its bands on the collagen chart: slower, keep it at 2000 or less.

    Returns
    -------
    App

    Examples
    --------
    >>> app = planner_app(start=dt.date(2026, 3, 2))
    >>> "PROCEED" in app.outputs["findings"].value
    True
    >>> app.controls["interval_days"].value = 7
    >>> "interval_before_healed" in app.outputs["findings"].value
    True
    """
    from .areas import Area
    from .plan_checks import plan_passes
    from .plans import SpacingPolicy, plan_course
    from .skin_section import skin_section_figure, skin_section_summary, update_skin_section

    base = _check_patient(patient) or Patient(age=35, fitzpatrick=2)
    start = _check_date_or_none("start", start) or dt.date.today()
    if isinstance(cohort_n, bool) or not isinstance(cohort_n, int):
        raise TypeError(f"cohort_n must be a whole number of patients, got {type(cohort_n).__name__} {cohort_n!r}")
    if not 0 <= cohort_n <= 20_000:
        raise ValueError(f"cohort_n={cohort_n} is not allowed; allowed: 0 (no cohort) to 20000")
    depth_mm = _check_depth_position(depth_mm)
    lo, hi = AGE_RANGE_YEARS
    controls: dict[str, W.Widget] = {
        "start": W.DatePicker(value=start, description="First session", style=_WIDE),
        "sessions": IntSlider(value=3, min=1, max=8, description="Sessions"),
        "interval_days": IntSlider(value=42, min=7, max=120, description="Interval (days)"),
        "depth_mm": FloatSlider(
            value=depth_mm,
            min=0.25,
            max=3.0,
            step=0.25,
            readout_format=".2f",
            description="Needle depth (mm)",
        ),
        "area": W.Dropdown(
            options=[(a.value, a.value) for a in Area],
            value=Area.CHEEK.value,
            description="Area",
            style=_WIDE,
        ),
        "policy": W.ToggleButtons(
            options=[
                ("six weeks", SpacingPolicy.SIX_WEEKS.value),
                ("four weeks", SpacingPolicy.FOUR_WEEKS.value),
            ],
            value=SpacingPolicy.SIX_WEEKS.value,
            description="Spacing policy",
            style=_WIDE,
            tooltips=["Minimum 42 days (two seeds)", "Minimum 28 days (two seeds and the trials)"],
        ),
        "age": IntSlider(value=base.age, min=lo, max=hi, description="Age (years)"),
        "fitzpatrick": IntSlider(value=int(base.fitzpatrick), min=1, max=6, description="Fitzpatrick type"),
    }
    for name in _PLANNER_BOOLS:
        controls[name] = W.Checkbox(value=getattr(base, name), description=_label(name), indent=False)

    def current():
        plan = plan_course(
            controls["start"].value if controls["start"].value is not None else _missing_start(),
            controls["sessions"].value,
            controls["interval_days"].value,
            float(controls["depth_mm"].value),
            controls["area"].value,
        )
        person = Patient(
            **{
                **base.to_intake(),
                "age": controls["age"].value,
                "fitzpatrick": controls["fitzpatrick"].value,
                **{name: controls[name].value for name in _PLANNER_BOOLS},
            }
        )
        return plan, person

    def compute(plan, person):
        return _planner_model(plan, person, controls["policy"].value, cohort_n)

    plan0, person0 = current()
    outcome0, cohort0, timeline0, marks0, _ = compute(plan0, person0)
    gantt = _FigureWidget(plots._gantt_figure(plan0, timeline0, marks0, None))
    collagen = _FigureWidget(plots.collagen_figure(outcome0, cohort0))
    section = _FigureWidget(skin_section_figure(plan0.area, plan0.depths_mm[0]))
    shown_section = [(plan0.area, plan0.depths_mm[0])]  # what the diagram shows: it moves only when that changes
    outputs = {
        "findings": W.HTML(),
        "gantt_summary": W.HTML(),
        "collagen_summary": W.HTML(),
        "skin_section_summary": W.HTML(),
    }

    def refresh() -> None:
        try:
            plan, person = current()
        except (TypeError, ValueError) as err:
            outputs["findings"].value = _error_html(str(err))
            for name in ("gantt_summary", "collagen_summary", "skin_section_summary"):
                outputs[name].value = _summary_html("Chart not updated: fix the plan above.")
            return
        outcome, cohort, timeline, marks, findings = compute(plan, person)
        if isinstance(findings, str):  # the patient's record cannot be checked on these dates
            outputs["findings"].value = _error_html(findings)
        else:
            outputs["findings"].value = _plan_check_html(findings, plan_passes(findings))
        _update_gantt(gantt, plan, timeline, marks)
        _update_collagen(collagen, outcome, cohort)
        outputs["gantt_summary"].value = _summary_html(plots._gantt_summary(plan, timeline, marks, None))
        outputs["collagen_summary"].value = _summary_html(plots.collagen_summary(outcome, cohort))
        where = (plan.area, plan.depths_mm[0])
        if where != shown_section[0]:
            update_skin_section(section, *where, shown=shown_section[0])
            shown_section[0] = where
        outputs["skin_section_summary"].value = _summary_html(skin_section_summary(*where))

    plan_box = W.VBox(
        [
            W.HTML("<strong>Course plan</strong>"),
            *(controls[n] for n in ("start", "sessions", "interval_days", "depth_mm", "area", "policy")),
        ],
        layout=W.Layout(min_width="320px", margin="0 24px 0 0"),
    )
    patient_box = W.VBox(
        [
            W.HTML("<strong>Patient</strong>"),
            controls["age"],
            controls["fitzpatrick"],
            *(controls[n] for n in _PLANNER_BOOLS),
        ],
        layout=W.Layout(min_width="260px"),
    )
    section_box = W.VBox([section, outputs["skin_section_summary"]], layout=W.Layout(width="470px"))
    root = W.VBox(
        [
            W.HBox([plan_box, section_box, patient_box], layout=W.Layout(flex_flow="row wrap")),
            outputs["findings"],
            gantt,
            outputs["gantt_summary"],
            collagen,
            outputs["collagen_summary"],
        ]
    )
    figures = {"gantt": gantt, "collagen": collagen, "skin_section": section}
    return _app(root, controls, figures, outputs, refresh)


@lru_cache(maxsize=128)
def _planner_model(plan, person, policy: str, cohort_n: int):
    """Everything the planner shows for one plan and patient (cached: sliders revisit values).

    One simulation serves the collagen chart and the healing rows of the Gantt; it covers 12
    months after the last session, as ``healing_timeline`` does.
    """
    from .outcome import simulate, simulate_cohort
    from .plan_checks import check_plan

    days = plan.session_days[-1] + 366
    outcome = simulate(plan, person, days=days)
    cohort = simulate_cohort(plan, cohort_n, 0, patient=person, days=days) if cohort_n else None
    timeline = plots._timeline_from_outcome(outcome)
    marks = plots.milestones(plan, person)
    try:
        findings = check_plan(plan, person, policy)
    except (TypeError, ValueError) as err:  # e.g. a date in the record after a session date
        findings = str(err)
    return outcome, cohort, timeline, marks, findings


def _missing_start():
    raise ValueError("start: choose the date of the first session")


def _same(old, new) -> bool:
    if old is None or new is None:
        return old is None and new is None
    if len(old) != len(new):
        return False
    if isinstance(new, np.ndarray) or isinstance(old, np.ndarray):
        return bool(np.array_equal(np.asarray(old), np.asarray(new)))
    return tuple(old) == tuple(new)


_DATA_KEYS = ("x", "y", "base", "customdata", "text", "textposition", "showlegend")


def _update_traces(fw: go.FigureWidget, specs: list[dict]) -> None:
    """Assign each spec's data properties that changed to the matching trace (inside batch_update).

    Only data (not styling) changes between updates of one figure, and each assignment is
    validated and sent to the browser, so unchanged arrays are skipped.
    """
    for target, spec in zip(fw.data, specs, strict=True):
        for key in _DATA_KEYS:
            if key not in spec:
                continue
            new = spec[key]
            old = target[key]
            if isinstance(new, (str, bool)) or new is None:
                if old != new:
                    target[key] = new
            elif not _same(old, new):
                target[key] = new


def _update_gantt(fw: go.FigureWidget, plan, timeline, marks, today=None) -> None:
    traces, shapes, x_range = plots._gantt_parts(plan, timeline, marks, today)
    with fw.batch_update():
        _update_traces(fw, traces)
        if len(fw.layout.shapes) == len(shapes):  # same sessions: move the lines in place
            for target, spec in zip(fw.layout.shapes, shapes, strict=True):
                for key in ("x0", "x1", "visible"):
                    if target[key] != spec.get(key, True):
                        target[key] = spec.get(key, True)
        else:
            fw.layout.shapes = shapes
        fw.layout.xaxis.range = x_range
        fw.layout.title.text = plots._gantt_title(plan)
        fw.layout.title.subtitle.text = plots._plan_subtitle(plan)


def _update_collagen(fw: go.FigureWidget, outcome, cohort) -> None:
    with fw.batch_update():
        _update_traces(fw, plots._collagen_traces(outcome, cohort))
        fw.layout.title.text = plots._collagen_title(cohort)
        fw.layout.title.subtitle.text = plots._plan_subtitle(outcome.plan)
        fw.layout.xaxis.range = [0, len(outcome.daily) - 1]


# --------------------------------------------------------------------------- a day of healing


def _default_plan():
    from .plans import plan_course

    return plan_course(dt.date(2026, 3, 2), 3, 42, 1.0, "cheek")


def _day_html(aftercare, redness: float) -> str:
    from .healing import RESTRICTIONS

    holding = {r.name for r in aftercare.restrictions}
    rules_not = [r for r in aftercare.restrictions if r.name.startswith("no_")]
    rules_do = [r for r in aftercare.restrictions if not r.name.startswith("no_")]
    lifted = [r for name, r in RESTRICTIONS.items() if name not in holding and name.startswith("no_")]
    visible = "visible" if aftercare.redness_visible else "not visible"

    def items(rules, mark):
        if not rules:
            return "<p style='margin:0 0 6px 0'>None.</p>"
        lis = "".join(
            f"<li>{mark} {html.escape(r.description)}"
            + (f" <em>{html.escape(r.note)}</em>" if r.note else "")
            + f"{_sources_html(r.sources)}</li>"
            for r in rules
        )
        return f"<ul style='margin-top:0'>{lis}</ul>"

    phase_claim = next(cid for name, _, _, cid in _phases() if name == aftercare.phase)
    return (
        '<div class="ns-day" role="status" aria-live="polite">'
        f"<h3 style='margin:0 0 4px 0;font-size:1.05em'>Day {aftercare.day} ({aftercare.date.isoformat()}): "
        f"{html.escape(aftercare.phase)} phase, day {aftercare.days_since_session} after session "
        f"{aftercare.session}</h3>"
        f"<p style='margin:0 0 6px 0'>Expected redness: <strong>{redness:.2f}</strong> on a 0 to 1 scale "
        f"({visible}; teaching model).</p>{_sources_html([phase_claim], 'Phase source')}"
        f"<p style='margin:0'><strong>Must not, today:</strong></p>{items(rules_not, '✖')}"
        f"<p style='margin:0'><strong>Should, today:</strong></p>{items(rules_do, '✔')}"
        f"<p style='margin:0'><strong>No longer restricted:</strong></p>{items(lifted, '○')}"
        "</div>"
    )


def _phases():
    from .healing import PHASES

    return PHASES


def healing_day_app(plan=None) -> App:
    """Step through a treated course day by day: phase, redness and what the patient may do.

    Control: ``day`` (IntSlider, days since the first session, to 60 days after the
    last). Output: ``day`` (the phase, the expected redness and which aftercare rules
    hold, with sources) and ``summary``. Figure: ``timeline``
    (:func:`~needling_sim.plots.course_gantt` around the course) with a vertical
    marker on the chosen day.

    Parameters
    ----------
    plan : CoursePlan, optional
        Default: 3 sessions 42 days apart at 1 mm on the cheek from 2 March 2026.

    Returns
    -------
    App

    Examples
    --------
    >>> app = healing_day_app()
    >>> app.controls["day"].value = 1
    >>> "inflammation phase" in app.outputs["day"].value
    True
    >>> app.controls["day"].value = 30
    >>> "remodeling phase" in app.outputs["day"].value
    True
    """
    from .healing import RESTRICTIONS, AftercareDay, healing_timeline, milestones

    plan = _default_plan() if plan is None else plots._check_plan(plan)
    timeline = healing_timeline(plan)
    marks = milestones(plan)
    last_day = plan.session_days[-1] + 60
    day = IntSlider(
        value=0,
        min=0,
        max=last_day,
        description="Day since first session",
        layout=W.Layout(width="95%"),
    )
    static = plots._gantt_figure(plan, timeline, marks, plan.start)
    static.update_xaxes(
        range=[
            (plan.start - dt.timedelta(days=3)).isoformat(),
            (plan.start + dt.timedelta(days=last_day + 3)).isoformat(),
        ]
    )
    fig = _FigureWidget(static)
    outputs = {"day": W.HTML(), "summary": W.HTML()}

    def refresh() -> None:
        d = day.value
        row = timeline.iloc[d]
        today = plan.start + dt.timedelta(days=d)
        aftercare = AftercareDay(
            date=row["date"],
            day=d,
            session=int(row["session"]),
            days_since_session=int(row["days_since_session"]),
            phase=str(row["phase"]),
            redness_visible=bool(row["redness_visible"]),
            restrictions=tuple(r for name, r in RESTRICTIONS.items() if row[name]),
        )
        outputs["day"].value = _day_html(aftercare, float(row["redness"]))
        with fig.batch_update():
            marker = fig.data[-1]
            marker.x = [today.isoformat()]
            marker.y = ["Sessions"]
            marker.text = [f"day {d}"]
            line = fig.layout.shapes[-1]
            line.x0 = line.x1 = today.isoformat()
            line.visible = True
        outputs["summary"].value = _summary_html(plots._gantt_summary(plan, timeline, marks, today))

    root = W.VBox([day, outputs["day"], fig, outputs["summary"]])
    return _app(root, {"day": day}, {"timeline": fig}, outputs, refresh)
