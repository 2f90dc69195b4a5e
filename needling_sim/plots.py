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

import plotly.graph_objects as go

from .evidence import Claim, claim, conflicts_of, load_claims
from .evidence import conflicts as ledger_conflicts
from .findings import Finding, Severity, Verdict, verdict_for
from .screening import ScreeningResult

__all__ = [
    "ALLOWED_COLOURS",
    "OKABE_ITO",
    "PALETTE",
    "conflicts_figure",
    "conflicts_summary",
    "findings_figure",
    "findings_summary",
    "screening_figure",
    "screening_summary",
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
            {"inflammation": _C["vermillion"], "proliferation": _C["yellow"], "remodeling": _C["sky_blue"]}
        ),
        "aftercare": MappingProxyType(
            {
                "sun": _C["orange"],
                "actives": _C["reddish_purple"],
                "exercise": _C["bluish_green"],
                "touching": _C["vermillion"],
                "ointment": _C["sky_blue"],
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
                "session": _C["black"],
                "milestone": _C["bluish_green"],
                "today": _C["reddish_purple"],
            }
        ),
        "neutral": MappingProxyType({"text": _C["black"], "text_on_dark": _C["white"], "grid": _C["grey"]}),
    }
)

#: Every colour a figure of this module may use (tests check figures against it).
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


def _wrap(text: str, width: int = 70) -> str:
    """Escape ``text`` for plotly's HTML-ish labels and break it into lines."""
    return "<br>".join(html.escape(line) for line in textwrap.wrap(text, width)) or ""


def _short(text: str, width: int = 60) -> str:
    return textwrap.shorten(text, width, placeholder="…")


def _layout(
    fig: go.Figure, *, title: str, subtitle: str, x_title: str, y_title: str, height: int, legend_rows: int = 1
) -> None:
    """Shared look: white template, title and subtitle, legend under the x axis title."""
    bottom = 60 + 24 * legend_rows
    fig.update_layout(
        template="simple_white",
        title={"text": html.escape(title), "subtitle": {"text": html.escape(subtitle)}, "x": 0.01},
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
        text_colour = _C["black"] if sev is Severity.CAUTION else _C["white"]
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
    "<br>Value: %{customdata[4]}<br>Source: %{customdata[5]}<br>Conflicts with: %{customdata[6]}<extra></extra>"
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
                marker={"symbol": _KIND_SYMBOL[kind], "size": 12, "color": colour,
                        "line": {"color": _C["black"], "width": 1}},
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
                marker={"symbol": _KIND_SYMBOL[kind] + "-open", "size": 12, "color": colour,
                        "line": {"width": 2, "color": colour}},
                text=[
                    html.escape(
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
    title = f"What the sources say: {scope} ({len(claims)} claims, {n_pairs} conflicting pairs)"
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
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=[c.id for c in claims],
                     autorange="reversed", showgrid=True, gridcolor=_C["grey"], griddash="dot")
    if unit is None:
        fig.update_xaxes(range=[-0.05, 1.0], showticklabels=False, ticks="")
    else:
        hi = max(c.value_high for c in numeric)
        fig.update_xaxes(range=[-0.04 * hi - 0.01, hi * 1.35 + 0.01], showticklabels=True, ticks="outside")
    note = [] if claims else [
        {"text": "No claims on this topic take part in a conflict.", "showarrow": False,
         "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper"}
    ]
    fig.update_layout(annotations=note)
    return fig


def conflicts_summary(topic: str | None = None) -> str:
    """One line of text for :func:`conflicts_figure`: claims, value span and conflicts.

    Examples
    --------
    >>> conflicts_summary("spacing")  # doctest: +ELLIPSIS
    "Topic 'spacing': ... claims (... seed, ... literature...); numbers span ... to ... days; ... conflicting pairs, e.g. ..."
    >>> conflicts_summary("pain")
    "Topic 'pain': 4 claims (4 seed); no numeric values; 3 conflicting pairs, e.g. pain.s0 vs pain.s3."
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
    return f"{scope}: {len(claims)} claims ({kind_text or 'none'}); {numbers}; {conflict_text}."
