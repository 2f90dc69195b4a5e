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
from types import MappingProxyType

import ipywidgets as W
import plotly.graph_objects as go

from . import plots
from .evidence import claim, load_claims
from .evidence import conflicts as ledger_conflicts
from .findings import Severity, Verdict, verdict_for
from .patient import AGE_RANGE_YEARS, Concern, Patient
from .screening import IsotretinoinPolicy, screen

__all__ = [
    "App",
    "claims_explorer",
    "findings_html",
    "intake_app",
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
        return (
            f"App(controls={list(self.controls)}, figures={list(self.figures)}, "
            f"outputs={list(self.outputs)})"
        )

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def _app(widget, controls, figures, outputs, refresh) -> App:
    for control in controls.values():
        control.observe(lambda _change: refresh(), names="value")
    refresh()
    return App(widget, controls, figures, outputs, refresh)


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
    text_colour = plots.OKABE_ITO["black"] if colour == plots.OKABE_ITO["orange"] else plots.OKABE_ITO["white"]
    return (
        f'<span style="background:{colour};color:{text_colour};padding:0 0.35em;border-radius:3px;'
        f'font-weight:bold">{mark} {html.escape(label.upper())}</span>'
    )


def _sources_html(claim_ids: Iterable[str]) -> str:
    parts = []
    for cid in claim_ids:
        c = claim(cid)
        parts.append(f"<code>{html.escape(cid)}</code> ({html.escape(c.source_kind)}: {html.escape(c.source)})")
    return "; ".join(parts)


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
            badge = _badge(f.severity.value.replace("_", " "), plots.PALETTE["severity"][f.severity.value],
                           _SEVERITY_MARK[f.severity])
            where = f" (session {f.session})" if f.session is not None else ""
            until = f" Until {f.until.isoformat()}." if f.until is not None else ""
            out.append(
                f"<li style='margin-bottom:4px'>{badge} <strong>{html.escape(f.rule)}{where}</strong>: "
                f"{html.escape(f.message)}{until}<br><small>Sources: {_sources_html(f.sources)}</small></li>"
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
        raise TypeError(f"{name} must be a datetime.date (not a datetime) or None, got {type(value).__name__} {value!r}")
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
    ``anticoagulants``), one DatePicker per date field (``isotretinoin_last_dose``,
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
    controls["age"] = W.IntSlider(value=_DEFAULT_INTAKE["age"], min=lo, max=hi, description="Age (years)",
                                  style=_WIDE, continuous_update=False)
    controls["fitzpatrick"] = W.IntSlider(value=_DEFAULT_INTAKE["fitzpatrick"], min=1, max=6,
                                          description="Fitzpatrick type", style=_WIDE, continuous_update=False)
    controls["concerns"] = W.SelectMultiple(
        options=[(_label(c.value), c.value) for c in Concern], value=(), rows=5, description="Concerns",
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
        value=IsotretinoinPolicy.DRUG_LABEL.value, description="Isotretinoin policy", style=_WIDE,
    )
    controls["on"] = W.DatePicker(value=on, description="Screening date", style=_WIDE)

    first = screen(Patient(age=35, fitzpatrick=2), on=on)
    fig = go.FigureWidget(plots.screening_figure(first))
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
            W.HTML("<h4 style='margin:0'>Intake</h4>"),
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
            f"<td><span style='border-left:6px solid {colour};padding-left:4px'>{html.escape(c.source_kind)}</span>"
            f"<br><small>{html.escape(c.source)}</small></td>"
            f"<td>{html.escape(c.statement)}</td>"
            f"<td>{html.escape(value)}</td>"
            f"<td>{html.escape(c.confidence)}</td>"
            f"<td>{html.escape(conflicts)}</td>"
            "</tr>"
        )
    head = "".join(f"<th scope='col' style='text-align:left'>{h}</th>" for h in
                   ("Claim", "Source", "What it says", "Value", "Confidence", "Conflicts with"))
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
    fig = go.FigureWidget(plots.conflicts_figure(topic))
    outputs = {"claims": W.HTML(), "summary": W.HTML()}

    def refresh() -> None:
        t = dropdown.value
        _sync(fig, plots.conflicts_figure(t))
        outputs["summary"].value = _summary_html(plots.conflicts_summary(t))
        outputs["claims"].value = _claims_html(t)

    root = W.VBox([dropdown, fig, outputs["summary"], outputs["claims"]])
    return _app(root, {"topic": dropdown}, {"conflicts": fig}, outputs, refresh)
