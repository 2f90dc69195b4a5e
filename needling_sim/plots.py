"""Figures for the course: pure functions that return ``plotly.graph_objects.Figure``.

Every figure has a title, axis titles with units, hover text on every trace and
colours only from :data:`PALETTE` (Okabe & Ito's colour-blind-safe set), and never
relies on colour alone: severities also differ by bar length and text label, source
kinds by marker symbol, series by line dash. Beside each figure is a ``*_summary``
function that says the same thing in one line of plain text, for screen readers and
for the caption under the chart.

This module imports plotly; ``import needling_sim`` does not import it. Use
``from needling_sim import plots``.

Teaching model, not clinical advice.
"""

from __future__ import annotations

import datetime as dt
import html
import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .evidence import Claim, claim, conflicts_of, load_claims
from .evidence import conflicts as ledger_conflicts
from .findings import Finding, Severity, Verdict, verdict_for
from .healing import PHASES, RESTRICTIONS, healing_timeline, milestones
from .outcome import SUMMARY_DAYS, CohortOutcome, Outcome, simulate
from .patient import Patient
from .plans import HEALING_INTERVAL_DAYS, CoursePlan
from .screening import ScreeningResult

__all__ = [
    "ALLOWED_COLOURS",
    "OKABE_ITO",
    "PALETTE",
    "collagen_figure",
    "collagen_summary",
    "conflicts_figure",
    "conflicts_summary",
    "course_gantt",
    "course_gantt_summary",
    "findings_figure",
    "findings_summary",
    "healing_figure",
    "healing_summary",
    "screening_figure",
    "screening_summary",
    "skin_section_figure",  # noqa: F822 - re-exported by __getattr__ below
    "skin_section_summary",  # noqa: F822
]

#: The eight colours of Okabe & Ito (2008), distinguishable under the common forms of
#: colour-vision deficiency, plus white and grey as neutrals.
OKABE_ITO: Mapping[str, str] = MappingProxyType(
    {
        "black": "#000000",
        "orange": "#E69F00",
        "sky_blue": "#56B4E9",
        "bluish_green": "#009E73",
        "yellow": "#F0E442",
        "blue": "#0072B2",
        "vermillion": "#D55E00",
        "reddish_purple": "#CC79A7",
        "grey": "#999999",
        "white": "#FFFFFF",
    }
)

_C = OKABE_ITO


def contrast_ratio(colour_a: str, colour_b: str) -> float:
    """WCAG 2 contrast ratio of two ``#RRGGBB`` colours (1 to 21; text needs at least 4.5).

    Examples
    --------
    >>> round(contrast_ratio("#000000", "#FFFFFF"), 1)
    21.0
    >>> round(contrast_ratio(OKABE_ITO["bluish_green"], "#FFFFFF"), 1)  # white on green: too low
    3.4
    """

    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(colour_a), luminance(colour_b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_colour_on(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (the higher contrast ratio).

    Examples
    --------
    >>> text_colour_on(OKABE_ITO["bluish_green"]), text_colour_on(OKABE_ITO["black"])
    ('#000000', '#FFFFFF')
    """
    black, white = OKABE_ITO["black"], OKABE_ITO["white"]
    return black if contrast_ratio(background, black) >= contrast_ratio(background, white) else white

#: What each colour means, per figure family. Every colour a figure uses comes from here.
PALETTE: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "severity": MappingProxyType(
            {
                Severity.INFO.value: _C["blue"],
                Severity.CAUTION.value: _C["orange"],
                Severity.DEFER.value: _C["vermillion"],
                Severity.DO_NOT_TREAT.value: _C["black"],
            }
        ),
        "verdict": MappingProxyType(
            {
                Verdict.PROCEED.value: _C["bluish_green"],
                Verdict.CAUTION.value: _C["orange"],
                Verdict.DEFER.value: _C["vermillion"],
                Verdict.DO_NOT_TREAT.value: _C["black"],
            }
        ),
        "source_kind": MappingProxyType(
            {"seed": _C["orange"], "literature": _C["blue"], "assumption": _C["reddish_purple"]}
        ),
        "phase": MappingProxyType(
            {
                "inflammation": _C["reddish_purple"],
                "proliferation": _C["yellow"],
                "remodeling": _C["sky_blue"],
            }
        ),
        "aftercare": MappingProxyType(
            {
                "sun": _C["orange"],
                "actives": _C["blue"],
                "exercise": _C["bluish_green"],
                "touching": _C["vermillion"],
                "ointment": _C["grey"],
            }
        ),
        "series": MappingProxyType(
            {
                "collagen_iii": _C["orange"],
                "collagen_i": _C["blue"],
                "collagen_total": _C["black"],
                "redness": _C["vermillion"],
                "inflammation": _C["reddish_purple"],
                "threshold": _C["grey"],
                "cohort_band": _C["sky_blue"],
                "cohort_median": _C["grey"],
                "session": _C["black"],
                "milestone": _C["bluish_green"],
                "today": _C["black"],
            }
        ),
        "neutral": MappingProxyType({"text": _C["black"], "text_on_dark": _C["white"], "grid": _C["grey"]}),
    }
)

#: Every colour a figure of this module may use (tests check figures against it). Fills
#: may use them translucently, as ``rgba(...)`` of the same red, green and blue.
ALLOWED_COLOURS: frozenset[str] = frozenset(OKABE_ITO.values())

_SEVERITY_SYMBOL = {
    Severity.INFO: "circle",
    Severity.CAUTION: "triangle-up",
    Severity.DEFER: "square",
    Severity.DO_NOT_TREAT: "x",
}
_KIND_SYMBOL = {"seed": "circle", "literature": "square", "assumption": "diamond"}
_KIND_LABEL = {"seed": "seed page", "literature": "literature", "assumption": "teaching assumption"}
_FONT = {"family": "Arial, Helvetica, sans-serif", "size": 13, "color": _C["black"]}
_TEACHING = "Teaching model, not clinical advice."


# --------------------------------------------------------------------------- helpers


def _escape(text: str) -> str:
    """Escape ``<``, ``>`` and ``&`` for plotly's labels; quotes stay as they are (plotly draws
    ``&quot;`` literally).

    >>> _escape('"painless" & <quick>')
    '"painless" &amp; &lt;quick&gt;'
    """
    return html.escape(text, quote=False)


def _wrap(text: str, width: int = 70) -> str:
    """Escape ``text`` for plotly's HTML-ish labels and break it into lines."""
    return "<br>".join(_escape(line) for line in textwrap.wrap(text, width)) or ""


def _translucent(colour: str, alpha: float) -> str:
    """``rgba(...)`` for a palette colour at ``alpha`` opacity (fills must not hide lines)."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def _short(text: str, width: int = 60) -> str:
    return textwrap.shorten(text, width, placeholder="…")


def _layout(
    fig: go.Figure,
    *,
    title: str,
    subtitle: str,
    x_title: str,
    y_title: str,
    height: int,
    legend_rows: int = 1,
) -> None:
    """Shared look: white template, title and subtitle, legend under the x axis title."""
    bottom = 60 + 24 * legend_rows
    fig.update_layout(
        template="simple_white",
        title={"text": _escape(title), "subtitle": {"text": _escape(subtitle)}, "x": 0.01},
        font=_FONT,
        height=height + bottom,
        margin={"l": 10, "r": 20, "t": 80, "b": bottom},
        colorway=[_C[k] for k in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue")],
        hoverlabel={"align": "left"},
        legend={"orientation": "h", "yanchor": "bottom", "y": 0.0, "yref": "container", "x": 0},
    )
    fig.update_xaxes(title_text=x_title, automargin=True)
    fig.update_yaxes(title_text=y_title, automargin=True)


def _source_text(claim_ids: Iterable[str]) -> str:
    parts = []
    for cid in claim_ids:
        c = claim(cid)
        parts.append(f"{cid} ({c.source_kind}: {c.source})")
    return "<br>".join(_wrap(p, 80) for p in parts)


def _check_findings(findings) -> tuple[Finding, ...]:
    if isinstance(findings, (str, bytes, Finding)) or not isinstance(findings, Iterable):
        raise TypeError(f"findings must be a sequence of Finding, got {type(findings).__name__}")
    out = tuple(findings)
    for i, f in enumerate(out):
        if not isinstance(f, Finding):
            raise TypeError(f"findings[{i}] must be a needling_sim.Finding, got {type(f).__name__} {f!r}")
    return out


def _check_title(title: object) -> str:
    if not isinstance(title, str) or not title.strip():
        raise TypeError(f"title must be a non-empty str, got {type(title).__name__} {title!r}")
    return title


def _finding_label(f: Finding) -> str:
    return f.rule if f.session is None else f"{f.rule} (session {f.session})"


def _unique(labels: list[str]) -> list[str]:
    seen: Counter[str] = Counter()
    out = []
    for label in labels:
        seen[label] += 1
        out.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
    return out


# --------------------------------------------------------------------------- findings


def findings_figure(findings, *, title: str = "Findings", subtitle: str = _TEACHING) -> go.Figure:
    """Show findings as a panel of horizontal bars, most severe at the top.

    Bar length is the severity level (1 info to 4 do not treat), the colour comes from
    ``PALETTE["severity"]`` and each bar carries its severity as text, so colour is never
    the only cue. Hovering a bar shows the message, the ``until`` date and the cited
    claims with their sources. With no findings the panel shows a single "proceed" mark.

    Parameters
    ----------
    findings : sequence of Finding
        From :func:`needling_sim.screen` (``result.findings``) or a plan check.
    title : str, default "Findings"
    subtitle : str, optional

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    TypeError
        ``findings`` is not a sequence of Finding, or ``title`` is not a non-empty str.

    Examples
    --------
    >>> f = Finding("fitzpatrick", "caution", "Pigmentation risk.", ("skin.pih_lit",))
    >>> fig = findings_figure([f], title="Demo")
    >>> [(t.name, t.y) for t in fig.data if len(t.y)]
    [('caution', ('fitzpatrick',))]
    >>> findings_figure([]).data[-1].text
    ('Proceed: no rule fired',)
    """
    findings = _check_findings(findings)
    title = _check_title(title)
    fig = go.Figure()
    x_title = "Severity level (ordinal: 1 info, 2 caution, 3 defer, 4 do not treat)"
    # A fixed set of traces (one per severity, then "proceed"), empty when unused, so an
    # app can update a figure in place whatever the findings are.
    ordered = sorted(findings, key=lambda f: -f.severity.rank)
    labels = _unique([_finding_label(f) for f in ordered])
    for sev in sorted(Severity, reverse=True):
        rows = [(lab, f) for lab, f in zip(labels, ordered, strict=True) if f.severity is sev]
        colour = PALETTE["severity"][sev.value]
        text_colour = text_colour_on(colour)
        fig.add_trace(
            go.Bar(
                orientation="h",
                x=[sev.rank + 1] * len(rows),
                y=[lab for lab, _ in rows],
                name=sev.value.replace("_", " "),
                showlegend=bool(rows),
                marker={"color": colour, "line": {"color": _C["black"], "width": 1}},
                text=[sev.value.replace("_", " ").upper() for _ in rows],
                textposition="inside",
                insidetextanchor="start",
                textfont={"color": text_colour},
                customdata=[
                    [
                        sev.value.replace("_", " "),
                        _wrap(f.message),
                        _source_text(f.sources),
                        f"<br>Until: {f.until.isoformat()}" if f.until else "",
                    ]
                    for _, f in rows
                ],
                hovertemplate=(
                    "<b>%{y}</b>: %{customdata[0]}<br>%{customdata[1]}%{customdata[3]}"
                    "<br><i>Sources:</i><br>%{customdata[2]}<extra></extra>"
                ),
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[] if findings else [0.3],
            y=[] if findings else ["no findings"],
            mode="markers+text",
            marker={"symbol": "circle", "size": 16, "color": PALETTE["verdict"]["proceed"]},
            text=[] if findings else ["Proceed: no rule fired"],
            textposition="middle right",
            name="proceed",
            showlegend=False,
            hovertemplate="No rule fired: nothing in the record stops or changes treatment.<extra></extra>",
        )
    )
    height = 120 + 38 * len(findings) if findings else 170
    _layout(fig, title=title, subtitle=subtitle, x_title=x_title, y_title="Rule", height=height)
    fig.update_layout(barmode="overlay", showlegend=True)
    fig.update_xaxes(range=[0, 4.2], tickvals=[1, 2, 3, 4], ticktext=["info", "caution", "defer", "do not treat"])
    fig.update_yaxes(autorange="reversed", type="category")
    return fig


def findings_summary(findings, *, title: str = "Findings") -> str:
    """One line of text that says what :func:`findings_figure` shows.

    Examples
    --------
    >>> f = Finding("fitzpatrick", "caution", "Pigmentation risk.", ("skin.pih_lit",))
    >>> findings_summary([f])
    'Findings: verdict caution; 1 finding: caution fitzpatrick.'
    >>> findings_summary([])
    'Findings: verdict proceed; no findings.'
    """
    findings = _check_findings(findings)
    title = _check_title(title)
    verdict = verdict_for(findings).value.replace("_", " ")
    if not findings:
        return f"{title}: verdict {verdict}; no findings."
    ordered = sorted(findings, key=lambda f: -f.severity.rank)
    items = ", ".join(f"{f.severity.value.replace('_', ' ')} {_finding_label(f)}" for f in ordered)
    n = len(findings)
    return f"{title}: verdict {verdict}; {n} finding{'s' if n > 1 else ''}: {items}."


def _check_result(result) -> ScreeningResult:
    if not isinstance(result, ScreeningResult):
        raise TypeError(f"result must be a needling_sim.ScreeningResult, got {type(result).__name__}")
    return result


def _screening_title(result: ScreeningResult) -> str:
    title = f"Screening on {result.on.isoformat()}: verdict {result.verdict.value.replace('_', ' ')}"
    if result.earliest_date is not None:
        title += f", earliest date {result.earliest_date.isoformat()}"
    return title


def screening_figure(result: ScreeningResult) -> go.Figure:
    """Show a screening's findings (see :func:`findings_figure`), titled with the verdict.

    Parameters
    ----------
    result : ScreeningResult
        From :func:`needling_sim.screen`.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> from needling_sim import Patient, screen
    >>> r = screen(Patient(age=30, fitzpatrick=5), on=dt.date(2026, 1, 1))
    >>> screening_figure(r).layout.title.text
    'Screening on 2026-01-01: verdict caution'
    """
    result = _check_result(result)
    return findings_figure(
        result.findings,
        title=_screening_title(result),
        subtitle=f"Isotretinoin policy: {result.isotretinoin_policy.value}. {_TEACHING}",
    )


def screening_summary(result: ScreeningResult) -> str:
    """One line of text for :func:`screening_figure`.

    Examples
    --------
    >>> from needling_sim import Patient, screen
    >>> p = Patient(age=29, fitzpatrick=2, isotretinoin_last_dose=dt.date(2026, 1, 10))
    >>> screening_summary(screen(p, on=dt.date(2026, 3, 1)))
    'Screening on 2026-03-01: verdict defer, earliest date 2026-07-10; 1 finding: defer isotretinoin.'
    """
    result = _check_result(result)
    body = findings_summary(result.findings, title="x").split("; ", 1)[1]
    return f"{_screening_title(result)}; {body}"


# --------------------------------------------------------------------------- conflicts


def _topics() -> tuple[str, ...]:
    return tuple(sorted(set(load_claims()["topic"])))


def _check_topic(topic: object) -> str | None:
    if topic is None:
        return None
    if not isinstance(topic, str):
        raise TypeError(f"topic must be a str or None, got {type(topic).__name__} {topic!r}")
    allowed = _topics()
    if topic not in allowed:
        raise ValueError(f"topic={topic!r} is not in the evidence ledger; allowed: {', '.join(allowed)}")
    return topic


def _conflict_claims(topic: str | None) -> list[Claim]:
    """The claims to show: the topic's claims plus their conflicting partners, in ledger order."""
    ledger = load_claims()
    ids = list(ledger["id"])
    if topic is None:
        pairs = ledger_conflicts()
        keep = set(pairs["claim"]) | set(pairs["other"])
        chosen = [cid for cid in ids if cid in keep]
        order = {t: i for i, t in enumerate(dict.fromkeys(claim(c).topic for c in chosen))}
        chosen.sort(key=lambda cid: order[claim(cid).topic])
    else:
        own = [cid for cid in ids if claim(cid).topic == topic]
        partners = {p.id for cid in own for p in conflicts_of(cid)} - set(own)
        chosen = own + [cid for cid in ids if cid in partners]
    return [claim(cid) for cid in chosen]


def _has_number(c: Claim) -> bool:
    return c.value_low is not None and c.value_high is not None


def _main_unit(claims: list[Claim]) -> str | None:
    units = Counter(c.unit for c in claims if _has_number(c))
    return units.most_common(1)[0][0] if units else None


def _value_text(c: Claim) -> str:
    if not _has_number(c):
        return "no number given"
    lo, hi = (f"{v:g}" for v in (c.value_low, c.value_high))
    return f"{lo} {c.unit}".strip() if lo == hi else f"{lo} to {hi} {c.unit}".strip()


def _claim_custom(c: Claim) -> list[str]:
    others = sorted({o.id for o in conflicts_of(c.id)})
    return [
        c.id,
        _KIND_LABEL[c.source_kind],
        c.confidence,
        _wrap(c.statement),
        _value_text(c),
        _wrap(c.source, 80),
        ", ".join(others) if others else "none",
    ]


_CLAIM_HOVER = (
    "<b>%{customdata[0]}</b> (%{customdata[1]}, %{customdata[2]} confidence)<br>%{customdata[3]}"
    "<br>Value: %{customdata[4]}<br>Source: %{customdata[5]}"
    "<br>Conflicts with: %{customdata[6]}<extra></extra>"
)


def conflicts_figure(topic: str | None = None) -> go.Figure:
    """Show which source says what on a topic of the evidence ledger, and where they clash.

    One row per claim (the topic's claims plus the claims they conflict with). A claim
    with a value is a thick horizontal bar from ``value_low`` to ``value_high`` (a
    single value is a dot), labelled with its range; a claim without a comparable
    number is an open marker at the left, labelled with its statement. Colour and
    marker symbol both encode the source kind (seed, literature, assumption). Hover
    shows the statement, the source and the claims it conflicts with.

    Parameters
    ----------
    topic : str or None, default None
        A ledger topic (``"spacing"``, ``"redness"``, ...). None shows every claim that
        takes part in any conflict.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    TypeError
        ``topic`` is neither a str nor None.
    ValueError
        ``topic`` is not a topic of the ledger.

    Examples
    --------
    >>> fig = conflicts_figure("spacing")
    >>> fig.layout.xaxis.title.text
    'Value (days)'
    >>> "spacing.s0" in fig.layout.yaxis.categoryarray
    True
    >>> conflicts_figure("pain").layout.xaxis.title.text
    'No numeric values on this topic (each claim is a labelled point)'
    """
    topic = _check_topic(topic)
    claims = _conflict_claims(topic)
    unit = _main_unit(claims)
    fig = go.Figure()
    numeric = [c for c in claims if _has_number(c) and c.unit == unit]
    others = [c for c in claims if c not in numeric]
    # Always nine traces (source kind x [range bar, range ends, point]), empty when unused,
    # so an app can switch topics by updating the traces in place. (Labels sit on a
    # separate gap-free trace: plotly.js drops some text on category-axis lines with gaps.)
    for kind in ("seed", "literature", "assumption"):
        colour = PALETTE["source_kind"][kind]
        rows = [c for c in numeric if c.source_kind == kind]
        fig.add_trace(
            go.Bar(
                orientation="h",
                base=[c.value_low for c in rows],
                x=[c.value_high - c.value_low for c in rows],
                y=[c.id for c in rows],
                width=0.4,
                name=f"{_KIND_LABEL[kind]} (range)",
                legendgroup=kind,
                showlegend=bool(rows),
                marker={"color": colour, "line": {"color": colour, "width": 0}},
                customdata=[_claim_custom(c) for c in rows],
                hovertemplate=_CLAIM_HOVER,
            )
        )
        xs, ys, texts, custom = [], [], [], []
        for c in rows:
            cd = _claim_custom(c)
            if c.value_low != c.value_high:
                xs.append(c.value_low)
                ys.append(c.id)
                texts.append("")
                custom.append(cd)
            xs.append(c.value_high)
            ys.append(c.id)
            texts.append(_value_text(c))
            custom.append(cd)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="markers+text",
                name=f"{_KIND_LABEL[kind]} (range ends)",
                legendgroup=kind,
                showlegend=False,
                marker={
                    "symbol": _KIND_SYMBOL[kind],
                    "size": 12,
                    "color": colour,
                    "line": {"color": _C["black"], "width": 1},
                },
                text=texts,
                textposition="middle right",
                customdata=custom,
                hovertemplate=_CLAIM_HOVER,
            )
        )
        rows = [c for c in others if c.source_kind == kind]
        fig.add_trace(
            go.Scatter(
                x=[0.0] * len(rows),
                y=[c.id for c in rows],
                mode="markers+text",
                name=f"{_KIND_LABEL[kind]} (no comparable number)",
                legendgroup=kind,
                showlegend=bool(rows),
                marker={
                    "symbol": _KIND_SYMBOL[kind] + "-open",
                    "size": 12,
                    "color": colour,
                    "line": {"width": 2, "color": colour},
                },
                text=[
                    _escape(
                        _short(c.statement, 55)
                        if not _has_number(c)
                        else f"{_value_text(c)}: " + _short(c.statement, 40)
                    )
                    for c in rows
                ],
                textposition="middle right",
                customdata=[_claim_custom(c) for c in rows],
                hovertemplate=_CLAIM_HOVER,
            )
        )
    scope = f"topic {topic!r}" if topic is not None else "every topic"
    n_pairs = len(ledger_conflicts(topic)) if topic is not None else len(ledger_conflicts())
    title = f"What the sources say: {scope} ({_claims_count_text(claims, topic)}, {n_pairs} conflicting pairs)"
    if unit is None:
        x_title = "No numeric values on this topic (each claim is a labelled point)"
    else:
        x_title = f"Value ({unit})"
    _layout(
        fig,
        legend_rows=2,
        title=title,
        subtitle="Bars: a source's range; open markers: a claim with no comparable number. " + _TEACHING,
        x_title=x_title,
        y_title="Claim id",
        height=120 + 28 * max(len(claims), 1),
    )
    fig.update_yaxes(
        type="category",
        categoryorder="array",
        categoryarray=[c.id for c in claims],
        autorange="reversed",
        showgrid=True,
        gridcolor=_C["grey"],
        griddash="dot",
    )
    if unit is None:
        fig.update_xaxes(range=[-0.05, 1.0], showticklabels=False, ticks="")
    else:
        hi = max(c.value_high for c in numeric)
        fig.update_xaxes(range=[-0.04 * hi - 0.01, hi * 1.35 + 0.01], showticklabels=True, ticks="outside")
    note = (
        []
        if claims
        else [
            {
                "text": "No claims on this topic take part in a conflict.",
                "showarrow": False,
                "x": 0.5,
                "y": 0.5,
                "xref": "paper",
                "yref": "paper",
            }
        ]
    )
    fig.update_layout(annotations=note)
    return fig


def _claims_count_text(claims, topic: str | None) -> str:
    """How many claims a conflicts chart shows, split as the claims table beside it counts them.

    The chart adds the claims of other topics that the topic's claims conflict with; the table
    lists the topic's own. Saying both keeps "5 claims" beside a table of 4 from contradicting it.
    """
    if topic is None:
        return f"{len(claims)} claims"
    own = sum(c.topic == topic for c in claims)
    text = f"{own} claim" + ("" if own == 1 else "s")
    other = len(claims) - own
    return text + (f" + {other} from other topics they conflict with" if other else "")


def conflicts_summary(topic: str | None = None) -> str:
    """One line of text for :func:`conflicts_figure`: claims, value span and conflicts.

    Examples
    --------
    >>> conflicts_summary("spacing")  # doctest: +ELLIPSIS
    "Topic 'spacing': ... claims (... seed, ... literature...); numbers span ... to ... days;
    ... conflicting pairs, e.g. ..."
    >>> conflicts_summary("pain")  # doctest: +NORMALIZE_WHITESPACE
    "Topic 'pain': 4 claims + 1 from other topics they conflict with (5 seed); no numeric values;
    4 conflicting pairs, e.g. pain.s0 vs pain.s3."
    """
    topic = _check_topic(topic)
    claims = _conflict_claims(topic)
    kinds = Counter(c.source_kind for c in claims)
    kind_text = ", ".join(f"{kinds[k]} {k}" for k in ("seed", "literature", "assumption") if kinds[k])
    unit = _main_unit(claims)
    if unit is None:
        numbers = "no numeric values"
    else:
        numeric = [c for c in claims if _has_number(c) and c.unit == unit]
        lo = min(c.value_low for c in numeric)
        hi = max(c.value_high for c in numeric)
        numbers = f"numbers span {lo:g} to {hi:g} {unit}".rstrip()
    pairs = ledger_conflicts(topic)
    if len(pairs):
        first = pairs.iloc[0]
        conflict_text = f"{len(pairs)} conflicting pairs, e.g. {first['claim']} vs {first['other']}"
        if len(pairs) == 1:
            conflict_text = f"1 conflicting pair: {first['claim']} vs {first['other']}"
    else:
        conflict_text = "no conflicting pairs"
    scope = f"Topic {topic!r}" if topic is not None else "All topics"
    return f"{scope}: {_claims_count_text(claims, topic)} ({kind_text or 'none'}); {numbers}; {conflict_text}."


# --------------------------------------------------------------------------- model outcomes


def _check_outcome(outcome) -> Outcome:
    if not isinstance(outcome, Outcome):
        raise TypeError(f"outcome must be a needling_sim.outcome.Outcome (see simulate), got {type(outcome).__name__}")
    return outcome


def _check_cohort(cohort, outcome: Outcome) -> CohortOutcome | None:
    if cohort is None:
        return None
    if not isinstance(cohort, CohortOutcome):
        raise TypeError(
            f"cohort must be a needling_sim.outcome.CohortOutcome (see simulate_cohort) or None, "
            f"got {type(cohort).__name__}"
        )
    if cohort.plan != outcome.plan:
        raise ValueError("cohort.plan is not outcome.plan: simulate the cohort on the same course plan")
    return cohort


def _check_plan(plan) -> CoursePlan:
    if not isinstance(plan, CoursePlan):
        raise TypeError(f"plan must be a needling_sim.CoursePlan (see plan_course), got {type(plan).__name__}")
    return plan


def _check_patient(patient) -> Patient | None:
    if patient is not None and not isinstance(patient, Patient):
        raise TypeError(f"patient must be a needling_sim.Patient or None, got {type(patient).__name__}")
    return patient


def _scatter(**props) -> dict:
    """A scatter trace as a plain dict: validated once, when a figure or FigureWidget takes it."""
    return {"type": "scatter", **props}


def _bar(**props) -> dict:
    """A bar trace as a plain dict (see :func:`_scatter`)."""
    return {"type": "bar", **props}


def _session_trace(plan: CoursePlan, y: float, *, xaxis: str = "x", yaxis: str = "y") -> dict:
    return _scatter(
        x=list(plan.session_days),
        y=[y] * plan.n_sessions,
        mode="markers",
        name="session",
        xaxis=xaxis,
        yaxis=yaxis,
        marker={"symbol": "triangle-up", "size": 13, "color": PALETTE["series"]["session"]},
        cliponaxis=False,
        customdata=[[s.number, s.date.isoformat(), f"{s.depth_mm:g}"] for s in plan.sessions],
        hovertemplate=("Session %{customdata[0]} on %{customdata[1]} (day %{x}), %{customdata[2]} mm<extra></extra>"),
    )


def _plan_subtitle(plan: CoursePlan) -> str:
    gaps = sorted(set(plan.intervals_days))
    gap_text = "" if not gaps else f", {'/'.join(str(g) for g in gaps)} days apart"
    depths = "/".join(f"{d:g}" for d in dict.fromkeys(plan.depths_mm))
    return (
        f"{plan.n_sessions} session{'s' if plan.n_sessions > 1 else ''}{gap_text}, {depths} mm on the "
        f"{plan.area.value}; day 0 = {plan.start.isoformat()}. {_TEACHING}"
    )


_BANDS = (("q05", "q95", "5 to 95 % of patients", 0.25), ("q25", "q75", "25 to 75 % of patients", 0.45))


def _collagen_traces(outcome: Outcome, cohort: CohortOutcome | None) -> list:
    """The collagen figure's traces, always in the same order (bands empty without a cohort)."""
    daily = outcome.daily
    day = daily["day"].to_numpy()
    series = PALETTE["series"]
    band_colour = series["cohort_band"]
    traces = []
    band = cohort.variable("collagen_new") if cohort is not None else None
    for lo, hi, label, opacity in _BANDS:
        x = band.index.to_numpy() if band is not None else []
        for col, fill in ((lo, "none"), (hi, "tonexty")):
            traces.append(
                _scatter(
                    x=x,
                    y=band[col].to_numpy() if band is not None else [],
                    mode="lines",
                    name=f"cohort: {label}",
                    legendgroup=label,
                    showlegend=band is not None and fill == "tonexty",
                    line={"width": 0, "color": band_colour},
                    fill=fill,
                    fillcolor=_translucent(band_colour, opacity),
                    hovertemplate=f"Cohort {col[1:]} % quantile: %{{y:.3f}}<extra></extra>",
                )
            )
    traces.append(
        _scatter(
            x=band.index.to_numpy() if band is not None else [],
            y=band["q50"].to_numpy() if band is not None else [],
            mode="lines",
            name="cohort median",
            showlegend=band is not None,
            line={"color": series["cohort_median"], "width": 2, "dash": "longdash"},
            hovertemplate="Cohort median: %{y:.3f}<extra></extra>",
        )
    )
    for col, name, dash, width in (
        ("collagen_iii", "type III (new, immature)", "dash", 2),
        ("collagen_i", "type I (mature)", "dot", 2.5),
        ("collagen_new", "total new collagen", "solid", 3),
    ):
        key = {"collagen_iii": "collagen_iii", "collagen_i": "collagen_i", "collagen_new": "collagen_total"}[col]
        traces.append(
            _scatter(
                x=day,
                y=daily[col].to_numpy(),
                mode="lines",
                name=name,
                line={"color": series[key], "width": width, "dash": dash},
                hovertemplate=f"{name}: %{{y:.3f}}<extra></extra>",
            )
        )
    traces.append(_session_trace(outcome.plan, 0.0))
    new = daily["collagen_new"].to_numpy()
    marks = [(k, d) for k, d in SUMMARY_DAYS.items() if d < len(new)]
    traces.append(
        _scatter(
            x=[d for _, d in marks],
            y=[float(new[d]) for _, d in marks],
            mode="markers+text",
            name="milestone",
            marker={
                "symbol": "diamond",
                "size": 10,
                "color": series["milestone"],
                "line": {"color": _C["black"], "width": 1},
            },
            text=[k for k, _ in marks],
            textposition="top center",
            hovertemplate="Milestone %{text} (day %{x}): total new collagen %{y:.3f}<extra></extra>",
        )
    )
    return traces


def _collagen_title(cohort: CohortOutcome | None) -> str:
    title = "New collagen after the course"
    if cohort is not None:
        title += f", with a simulated cohort of {cohort.n} patients"
    return title


def collagen_figure(outcome: Outcome, cohort: CohortOutcome | None = None) -> go.Figure:
    """New collagen over the days after the first session (teaching model, arbitrary units).

    Lines: type III (dashed), type I (dotted) and their total (solid). Triangles on
    the x axis mark the sessions; diamonds mark the 6-week, 3-, 6- and 12-month
    milestones on the total. With a cohort the shaded bands show where 5 to 95 % and
    25 to 75 % of simulated patients' total new collagen lies, and a long-dashed line
    its median.

    Parameters
    ----------
    outcome : Outcome
        From :func:`needling_sim.outcome.simulate`.
    cohort : CohortOutcome or None
        From :func:`needling_sim.outcome.simulate_cohort` on the same plan.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    TypeError
        Wrong types.
    ValueError
        ``cohort`` was simulated on another plan.

    Examples
    --------
    >>> from needling_sim.plans import plan_course
    >>> from needling_sim.outcome import simulate
    >>> out = simulate(plan_course(dt.date(2026, 3, 2), 3, 42, 1.0, "cheek"))
    >>> fig = collagen_figure(out)
    >>> fig.layout.yaxis.title.text
    'Relative collagen (arbitrary units)'
    >>> [t.name for t in fig.data if len(t.x)][:3]
    ['type III (new, immature)', 'type I (mature)', 'total new collagen']
    """
    outcome = _check_outcome(outcome)
    cohort = _check_cohort(cohort, outcome)
    fig = go.Figure(data=_collagen_traces(outcome, cohort))
    _layout(
        fig,
        title=_collagen_title(cohort),
        subtitle=_plan_subtitle(outcome.plan),
        x_title="Days since first session (days)",
        y_title="Relative collagen (arbitrary units)",
        height=380,
        legend_rows=2,
    )
    fig.update_layout(hovermode="x unified")
    fig.update_xaxes(range=[0, len(outcome.daily) - 1])
    return fig


def collagen_summary(outcome: Outcome, cohort: CohortOutcome | None = None) -> str:
    """One line for :func:`collagen_figure`: peak, 6 and 12 months, and the cohort's spread.

    Examples
    --------
    >>> from needling_sim.plans import plan_course
    >>> from needling_sim.outcome import simulate
    >>> out = simulate(plan_course(dt.date(2026, 3, 2), 3, 42, 1.0, "cheek"))
    >>> collagen_summary(out)  # doctest: +ELLIPSIS
    'New collagen (teaching model, arbitrary units): peaks at 0.6... on day ...; 0.6... at 6 months ...'
    """
    outcome = _check_outcome(outcome)
    cohort = _check_cohort(cohort, outcome)
    daily = outcome.daily
    new = daily["collagen_new"].to_numpy()
    peak_day = int(new.argmax())
    m6, m12 = SUMMARY_DAYS["6m"], SUMMARY_DAYS["12m"]
    text = (
        f"New collagen (teaching model, arbitrary units): peaks at {new[peak_day]:.2f} on day {peak_day}; "
        f"{new[m6]:.2f} at 6 months (type I {daily['collagen_i'].iat[m6]:.2f}, "
        f"type III {daily['collagen_iii'].iat[m6]:.2f}); {new[m12]:.2f} at 12 months"
    )
    if cohort is not None:
        row = cohort.variable("collagen_new").loc[m12]
        text += (
            f"; in a cohort of {cohort.n} at 12 months: median {row['q50']:.2f}, "
            f"5 to 95 % {row['q05']:.2f} to {row['q95']:.2f}"
        )
    return text + "."


def _healing_outcome(plan, patient, outcome) -> Outcome:
    plan = _check_plan(plan)
    patient = _check_patient(patient)
    if outcome is None:
        return simulate(plan, patient)
    outcome = _check_outcome(outcome)
    if outcome.plan != plan:
        raise ValueError("outcome.plan is not plan: pass the outcome simulated on this plan, or none")
    return outcome


def _healing_window(plan: CoursePlan) -> int:
    """Days the healing figure shows: to three weeks after the last session."""
    return plan.session_days[-1] + int(HEALING_INTERVAL_DAYS) + 1


def _healing_traces(outcome: Outcome, day: int | None = None) -> list:
    """The healing figure's traces, in a fixed order; ``day`` adds a marker (else empty)."""
    plan = outcome.plan
    n = min(_healing_window(plan), len(outcome.daily))
    daily = outcome.daily.iloc[:n]
    x = daily["day"].to_numpy()
    redness = daily["redness"].to_numpy()
    inflam = daily["inflammation"].to_numpy()
    series = PALETTE["series"]
    threshold = outcome.params.redness_threshold
    visible_text = ["visible" if v else "not visible" for v in daily["redness_visible"]]
    traces = [
        _scatter(
            x=x,
            y=redness,
            mode="lines",
            name="redness (0 to 1)",
            xaxis="x",
            yaxis="y",
            line={"color": series["redness"], "width": 3},
            customdata=visible_text,
            hovertemplate="Day %{x}: redness %{y:.2f} (%{customdata})<extra></extra>",
        ),
        _scatter(
            x=[0, n - 1],
            y=[0.5, 0.5],
            mode="lines",
            name="visible-redness threshold",
            xaxis="x",
            yaxis="y",
            line={"color": series["threshold"], "width": 2, "dash": "dash"},
            hovertemplate=("Redness is visible above 0.5 (inflammation above %{customdata:.2f})<extra></extra>"),
            customdata=[threshold, threshold],
        ),
        _scatter(
            x=x,
            y=inflam,
            mode="lines",
            name="inflammation signal",
            xaxis="x2",
            yaxis="y2",
            line={"color": series["inflammation"], "width": 2.5, "dash": "dashdot"},
            hovertemplate="Day %{x}: inflammation %{y:.2f} (arbitrary units)<extra></extra>",
        ),
        _scatter(
            x=[0, n - 1],
            y=[threshold, threshold],
            mode="lines",
            name="inflammation at the threshold",
            xaxis="x2",
            yaxis="y2",
            showlegend=False,
            line={"color": series["threshold"], "width": 2, "dash": "dash"},
            hovertemplate="Visible redness while inflammation is above %{y:.2f}<extra></extra>",
        ),
        _session_trace(plan, 0.0, xaxis="x2", yaxis="y2"),
    ]
    if day is None:
        xs, ys, text = [], [], []
    else:
        d = min(day, len(outcome.daily) - 1)
        xs, ys, text = [d, d], [0.0, 1.0], ["", f"day {d}"]
    traces.append(
        _scatter(
            x=xs,
            y=ys,
            mode="lines+text",
            name="selected day",
            xaxis="x",
            yaxis="y",
            showlegend=False,
            line={"color": series["today"], "width": 3},
            text=text,
            textposition="bottom right",
            cliponaxis=False,
            hovertemplate="Selected day %{x}<extra></extra>",
        )
    )
    return traces


def healing_figure(
    plan: CoursePlan,
    patient: Patient | None = None,
    *,
    outcome: Outcome | None = None,
    day: int | None = None,
) -> go.Figure:
    """Expected redness and inflammation over the days of a course (teaching model).

    Top panel: the redness index (0 to 1) with the dashed "visible redness"
    threshold at 0.5. Bottom panel: the inflammation signal behind it (arbitrary
    units), with the same threshold in its own units, and the sessions as
    triangles. Shows the course up to three weeks after the last session.

    Parameters
    ----------
    plan : CoursePlan
    patient : Patient or None
        None means the model's reference patient.
    outcome : Outcome, optional
        A :func:`~needling_sim.outcome.simulate` result for ``plan``, to avoid
        simulating again.
    day : int, optional
        Days since the first session to mark with a vertical line.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> from needling_sim.plans import plan_course
    >>> fig = healing_figure(plan_course(dt.date(2026, 3, 2), 3, 42, 1.0, "cheek"))
    >>> fig.layout.yaxis.title.text, fig.layout.xaxis2.title.text
    ('Redness index (0 to 1)', 'Days since first session (days)')
    """
    outcome = _healing_outcome(plan, patient, outcome)
    day = _check_day(day)
    fig = go.Figure(data=_healing_traces(outcome, day))
    _layout(
        fig,
        title="Expected redness and inflammation",
        subtitle=_plan_subtitle(outcome.plan),
        x_title="Days since first session (days)",
        y_title="Redness index (0 to 1)",
        height=440,
        legend_rows=1,
    )
    n = min(_healing_window(outcome.plan), len(outcome.daily))
    fig.update_layout(
        hovermode="closest",
        xaxis={
            "domain": [0, 1],
            "anchor": "y",
            "matches": "x2",
            "showticklabels": False,
            "title": {"text": ""},
        },
        yaxis={"domain": [0.56, 1.0], "range": [0, 1.05]},
        xaxis2={
            "domain": [0, 1],
            "anchor": "y2",
            "range": [0, n - 1],
            "title": {"text": "Days since first session (days)"},
        },
        yaxis2={
            "domain": [0.0, 0.46],
            "anchor": "x2",
            "title": {"text": "Inflammation (arbitrary units)"},
            "rangemode": "tozero",
        },
    )
    return fig


def _check_day(day) -> int | None:
    if day is None:
        return None
    if isinstance(day, bool) or not isinstance(day, int):
        raise TypeError(f"day must be a whole number of days or None, got {type(day).__name__} {day!r}")
    if day < 0:
        raise ValueError(f"day={day} is not allowed; allowed: 0 or more days since the first session")
    return day


def healing_summary(plan: CoursePlan, patient: Patient | None = None, *, outcome: Outcome | None = None) -> str:
    """One line for :func:`healing_figure`: days of visible redness and the peak inflammation.

    Examples
    --------
    >>> from needling_sim.plans import plan_course
    >>> healing_summary(plan_course(dt.date(2026, 3, 2), 3, 42, 1.0, "cheek"))
    'Redness (teaching model): visible on 12 days in all (4, 4, 4 after sessions 1 to 3);
    peak inflammation 1.15 (arbitrary units); redness shows above 0.5, that is inflammation above 0.20.'
    """
    outcome = _healing_outcome(plan, patient, outcome)
    daily = outcome.daily
    visible = daily["redness_visible"].to_numpy()
    per = [int(visible[daily["session"].to_numpy() == s.number].sum()) for s in outcome.plan.sessions]
    n = outcome.plan.n_sessions
    which = "session 1" if n == 1 else f"sessions 1 to {n}"
    return (
        f"Redness (teaching model): visible on {int(visible.sum())} days in all "
        f"({', '.join(str(p) for p in per)} after {which}); peak inflammation "
        f"{outcome.summary.peak_inflammation:.2f} (arbitrary units); redness shows above 0.5, that is "
        f"inflammation above {outcome.params.redness_threshold:.2f}."
    )


# --------------------------------------------------------------------------- course timeline (Gantt)

_DAY_MS = 86_400_000
_AFTERCARE_ROWS = (
    ("no_sun", "sun", "No direct sun"),
    ("no_actives", "actives", "No actives (retinoids, acids)"),
    ("no_exercise", "exercise", "No vigorous exercise"),
    ("no_touching", "touching", "No touching or picking"),
    ("ointment", "ointment", "Ointment"),
)
_PHASE_ROWS = (
    ("inflammation", "Phase: inflammation"),
    ("proliferation", "Phase: proliferation"),
    ("remodeling", "Phase: remodelling"),
)
_GANTT_ROWS = (
    "Sessions",
    "Visible redness",
    *(label for _, label in _PHASE_ROWS),
    *(label for _, _, label in _AFTERCARE_ROWS),
    "Milestones",
)
_MILESTONE_LABELS = {
    "collagen synthesis starts": "synthesis starts",
    "early results may show": "early results",
    "full effect": "full effect",
    "collagen may still be forming": "12 months",
    "model: improvement peaks": "model peak",
}


def _runs(mask) -> list[tuple[int, int]]:
    """(first, last) index of every run of True values."""
    m = np.asarray(mask, dtype=bool)
    if not m.any():
        return []
    edges = np.diff(np.concatenate(([0], m.view(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _timeline_from_outcome(outcome: Outcome) -> pd.DataFrame:
    """The columns of :func:`~needling_sim.healing.healing_timeline` the Gantt uses, from one simulation.

    Apps call this to avoid simulating the same course twice per change; it applies the
    same public rules (:data:`~needling_sim.healing.PHASES`,
    :meth:`~needling_sim.healing.Restriction.applies`), and a test checks it against
    ``healing_timeline`` for many plans.
    """
    daily = outcome.daily
    session = daily["session"].to_numpy()
    since = daily["day"].to_numpy() - np.asarray(outcome.plan.session_days)[session - 1]
    visible = daily["redness_visible"].to_numpy()
    phase = np.empty(len(since), dtype=object)
    for name, first, last, _ in PHASES:
        inside = since >= first if last is None else (since >= first) & (since <= last)
        phase[inside] = name
    out = pd.DataFrame(
        {
            "day": daily["day"].to_numpy(),
            "session": session,
            "days_since_session": since,
            "phase": phase,
            "redness": daily["redness"].to_numpy(),
            "redness_visible": visible,
        }
    )
    for name, r in RESTRICTIONS.items():
        out[name] = (since <= r.last_day) | (visible & r.while_red)
    return out


def _check_today(today) -> dt.date | None:
    if today is not None and (isinstance(today, dt.datetime) or not isinstance(today, dt.date)):
        raise TypeError(f"today must be a datetime.date (not a datetime) or None, got {type(today).__name__} {today!r}")
    return today


def _band_trace(name: str, row: str, colour: str, spans, start: dt.date, sources: str, *, pattern: str = ""):
    """Horizontal bars on a date axis, one per (first_day, last_day) span, inclusive."""
    dates = [start + dt.timedelta(days=a) for a, _ in spans]
    ends = [start + dt.timedelta(days=b) for _, b in spans]
    return _bar(
        orientation="h",
        base=[d.isoformat() for d in dates],
        x=[(b - a + 1) * _DAY_MS for a, b in spans],
        y=[row] * len(spans),
        name=name,
        showlegend=False,
        width=0.6,
        marker={
            "color": colour,
            "line": {"color": _C["black"], "width": 0.5},
            "pattern": {"shape": pattern, "fgcolor": _C["black"], "fgopacity": 0.35, "solidity": 0.15},
        },
        # An object array: plotly validates it in one step, much faster than nested lists.
        customdata=np.array(
            [
                [name, d.isoformat(), e.isoformat(), b - a + 1, f"{a} to {b}", sources]
                for d, e, (a, b) in zip(dates, ends, spans, strict=True)
            ],
            dtype=object,
        ).reshape(-1, 6),
        hovertemplate=(
            "<b>%{customdata[0]}</b><br>%{customdata[1]} to %{customdata[2]} (%{customdata[3]} days; "
            "days %{customdata[4]} since the first session)"
            "<br><i>Sources:</i> %{customdata[5]}<extra></extra>"
        ),
    )


def _gantt_parts(plan: CoursePlan, timeline, marks, today: dt.date | None):
    """Traces, shapes and x range of the course timeline, from a healing timeline and milestones."""
    start = plan.start
    series = PALETTE["series"]
    traces = [
        _scatter(
            x=[s.date.isoformat() for s in plan.sessions],
            y=["Sessions"] * plan.n_sessions,
            mode="markers+text",
            name="session",
            marker={"symbol": "triangle-down", "size": 14, "color": series["session"]},
            text=[str(s.number) for s in plan.sessions],
            textposition="top center",
            customdata=[
                [s.number, f"{s.depth_mm:g}", s.area.value, d]
                for s, d in zip(plan.sessions, plan.session_days, strict=True)
            ],
            hovertemplate=(
                "<b>Session %{customdata[0]}</b> on %{x|%Y-%m-%d} (day %{customdata[3]})<br>"
                "%{customdata[1]} mm on the %{customdata[2]}<extra></extra>"
            ),
        )
    ]
    red = timeline["redness_visible"].to_numpy()
    traces.append(
        _band_trace(
            "visible redness",
            "Visible redness",
            series["redness"],
            _runs(red),
            start,
            "model.redness_threshold, redness.depth, redness.s0, redness.s1",
            pattern="x",
        )
    )
    phase = timeline["phase"].to_numpy()
    phase_claims = {name: cid for name, _, _, cid in PHASES}
    for (name, label), pattern in zip(_PHASE_ROWS, ("x", "/", ""), strict=True):
        traces.append(
            _band_trace(
                f"{name} phase",
                label,
                PALETTE["phase"][name],
                _runs(phase == name),
                start,
                phase_claims[name],
                pattern=pattern,
            )
        )
    for column, key, label in _AFTERCARE_ROWS:
        r = RESTRICTIONS[column]
        traces.append(
            _band_trace(
                f"{label}: {r.description}",
                label,
                PALETTE["aftercare"][key],
                _runs(timeline[column].to_numpy()),
                start,
                ", ".join(r.sources),
            )
        )
    shown = [m for m in marks if m.name in _MILESTONE_LABELS]
    traces.append(
        _scatter(
            x=[m.date.isoformat() for m in shown],
            y=["Milestones"] * len(shown),
            mode="markers+text",
            name="milestone",
            marker={
                "symbol": "diamond",
                "size": 12,
                "color": series["milestone"],
                "line": {"color": _C["black"], "width": 1},
            },
            text=[_MILESTONE_LABELS[m.name] for m in shown],
            textposition=["bottom center" if i % 2 else "top center" for i in range(len(shown))],
            cliponaxis=False,
            customdata=[
                [
                    m.name,
                    m.day,
                    _wrap(m.note),
                    _wrap(", ".join(m.sources), 80),
                    _wrap(m.conflict, 80) if m.conflict else "none in the ledger",
                ]
                for m in shown
            ],
            hovertemplate=(
                "<b>%{customdata[0]}</b>: %{x|%Y-%m-%d} (day %{customdata[1]})<br>%{customdata[2]}"
                "<br><i>Sources:</i> %{customdata[3]}<br><i>Disagreement:</i> %{customdata[4]}<extra></extra>"
            ),
        )
    )
    t = today or start
    traces.append(
        _scatter(
            x=[t.isoformat()] if today else [],
            y=["Sessions"] if today else [],
            mode="markers+text",
            name="today",
            marker={"symbol": "line-ns-open", "size": 22, "color": series["today"], "line": {"width": 3}},
            text=["today"] if today else [],
            textposition="top right",
            cliponaxis=False,
            hovertemplate="Today: %{x|%Y-%m-%d}<extra></extra>",
        )
    )
    shapes = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": s.date.isoformat(),
            "x1": s.date.isoformat(),
            "y0": 0,
            "y1": 1,
            "line": {"color": series["session"], "width": 1, "dash": "dot"},
            "layer": "below",
        }
        for s in plan.sessions
    ]
    shapes.append(
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": t.isoformat(),
            "x1": t.isoformat(),
            "y0": 0,
            "y1": 1,
            "line": {"color": series["today"], "width": 2, "dash": "dashdot"},
            "visible": today is not None,
            "name": "today",
        }
    )
    last = max([len(timeline) - 1, *(m.day for m in marks)])
    pad = max(7, round(0.05 * last))
    x_range = [
        (start - dt.timedelta(days=pad)).isoformat(),
        (start + dt.timedelta(days=last + pad)).isoformat(),
    ]
    return traces, shapes, x_range


def _gantt_inputs(plan, today, patient):
    plan = _check_plan(plan)
    today = _check_today(today)
    patient = _check_patient(patient)
    return plan, today, patient, healing_timeline(plan, patient), milestones(plan, patient)


def _gantt_title(plan: CoursePlan) -> str:
    return (
        f"Course timeline: {plan.n_sessions} session{'s' if plan.n_sessions > 1 else ''} on the "
        f"{plan.area.value}, healing, aftercare and milestones"
    )


def _gantt_figure(plan, timeline, marks, today) -> go.Figure:
    traces, shapes, x_range = _gantt_parts(plan, timeline, marks, today)
    fig = go.Figure(data=traces)
    _layout(
        fig,
        title=_gantt_title(plan),
        subtitle=_plan_subtitle(plan),
        x_title="Date",
        y_title="",
        height=100 + 34 * len(_GANTT_ROWS),
        legend_rows=0,
    )
    fig.update_layout(shapes=shapes, barmode="overlay", showlegend=False, hovermode="closest")
    fig.update_xaxes(
        type="date",
        range=x_range,
        title_text="Date (day, month, year)",
        showgrid=True,
        gridcolor=_C["grey"],
        griddash="dot",
        tickformat="%d %b<br>%Y",
    )
    fig.update_yaxes(
        type="category",
        categoryorder="array",
        categoryarray=list(_GANTT_ROWS),
        autorange="reversed",
        title_text="What happens (row)",
    )
    return fig


def course_gantt(plan: CoursePlan, *, today: dt.date | None = None, patient: Patient | None = None) -> go.Figure:
    """The whole course on a calendar: sessions, healing, aftercare and milestones.

    One row each for the sessions (numbered triangles), days of visible redness,
    the three healing phases after every session (inflammation, proliferation,
    remodelling; :data:`needling_sim.healing.PHASES`), the five aftercare rules
    (no sun, no actives, no exercise, no touching, ointment;
    :data:`needling_sim.healing.RESTRICTIONS`) and the milestones (early results,
    full effect, 12 months, ...; :func:`needling_sim.healing.milestones`). Rows and
    hatching tell the bands apart, not colour alone; hover shows dates and sources.

    Parameters
    ----------
    plan : CoursePlan
    today : datetime.date, optional
        Draws a vertical "today" line.
    patient : Patient, optional
        For the redness (and so the rules that hold while red); None means the
        model's reference patient.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> from needling_sim.plans import plan_course
    >>> plan = plan_course(dt.date(2026, 3, 2), 3, 42, 1.0, "cheek")
    >>> fig = course_gantt(plan, today=dt.date(2026, 3, 20))
    >>> fig.data[0].x
    ('2026-03-02', '2026-04-13', '2026-05-25')
    >>> fig.layout.xaxis.title.text
    'Date (day, month, year)'
    """
    plan, today, patient, timeline, marks = _gantt_inputs(plan, today, patient)
    return _gantt_figure(plan, timeline, marks, today)


def _gantt_summary(plan, timeline, marks, today) -> str:
    gaps = sorted(set(plan.intervals_days))
    spacing = "" if not gaps else f" ({'/'.join(str(g) for g in gaps)} days apart)"
    text = (
        f"Course timeline: {plan.n_sessions} session{'s' if plan.n_sessions > 1 else ''} on the "
        f"{plan.area.value} from {plan.start.isoformat()} to {plan.end.isoformat()}{spacing}"
    )
    red = int(timeline["redness_visible"].sum())
    longest = max(r.last_day for r in RESTRICTIONS.values())
    text += f"; visible redness on {red} days; aftercare rules for up to {longest + 1} days after each session"
    by_name = {m.name: m for m in marks}
    parts = []
    for name, label in (
        ("early results may show", "early results from"),
        ("full effect", "full effect about"),
        ("collagen may still be forming", "collagen may still be forming until"),
    ):
        if name in by_name:
            parts.append(f"{label} {by_name[name].date.isoformat()}")
    if parts:
        text += "; " + ", ".join(parts)
    if today is not None:
        day = (today - plan.start).days
        if day < 0:
            text += f"; today {today.isoformat()} is {-day} days before the first session"
        elif day < len(timeline):
            row = timeline.iloc[day]
            phase, session = row["phase"], int(row["session"])
            text += f"; today {today.isoformat()} is day {day}, {phase} after session {session}"
        else:
            text += f"; today {today.isoformat()} is day {day}, after the timeline"
    return text + "."


def course_gantt_summary(plan: CoursePlan, *, today: dt.date | None = None, patient: Patient | None = None) -> str:
    """One line for :func:`course_gantt`: dates, redness days, milestones and where today falls.

    Examples
    --------
    >>> from needling_sim.plans import plan_course
    >>> plan = plan_course(dt.date(2026, 3, 2), 3, 42, 1.0, "cheek")
    >>> course_gantt_summary(plan, today=dt.date(2026, 3, 20))  # doctest: +NORMALIZE_WHITESPACE
    'Course timeline: 3 sessions on the cheek from 2026-03-02 to 2026-05-25 (42 days apart);
    visible redness on 12 days; aftercare rules for up to 7 days after each session;
    early results from 2026-04-13, full effect about 2026-11-23, collagen may still be forming
    until 2027-05-25; today 2026-03-20 is day 18, proliferation after session 1.'
    """
    plan, today, patient, timeline, marks = _gantt_inputs(plan, today, patient)
    return _gantt_summary(plan, timeline, marks, today)


# --------------------------------------------------------------------------- skin cross-section

_SKIN_SECTION = frozenset({"skin_section_figure", "skin_section_summary"})


def __getattr__(name: str):
    """``skin_section_figure`` and ``skin_section_summary`` live in :mod:`needling_sim.skin_section`.

    They are re-exported here on first use (that module builds on this one's palette).

    Examples
    --------
    >>> from needling_sim import plots
    >>> plots.skin_section_figure("neck", 0.5).layout.title.text
    'Neck: a 0.50 mm needle in the skin, to scale'
    """
    if name in _SKIN_SECTION:
        from . import skin_section

        return getattr(skin_section, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
