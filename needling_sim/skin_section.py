"""A drawn cross-section of the skin with the needle in it, so depth is seen, not read.

For each treatment area the picture stacks the epidermis, the dermis and the fat below
them at their thicknesses from the evidence ledger (the thinner figure, as
:mod:`needling_sim.areas` uses), on one millimetre scale across and down, and draws a
cartridge of needles reaching the chosen depth. It shows where the tip ends:

- in the epidermis or the dermis, with the needle no longer than the dermis is thick;
- still in the dermis but with a needle **longer than the dermis is thick**, even at its
  thicker measured figure (EVIDENCE section 4 asks to keep within the local dermis: 0.58
  to 0.67 mm at the eyelid, so 0.75 mm is too long there; the plan check's
  ``depth_past_local_dermis`` caution);
- **past the dermis**, in the fat: the part of the needle below the dermis is drawn in
  red and the tip says by how much (``policy.depth_limit_assumed``).

The needle is drawn as if it went in its full length. Fat thickness is not in the
ledger: it is drawn to the bottom of the picture, which shows the deepest needle the
model accepts (3 mm).

:func:`skin_section_figure` draws it, :func:`skin_section_summary` says the same in one
line, :func:`needle_reach` is the plain answer both are built on and
:func:`update_skin_section` moves an existing figure (an app's ``FigureWidget``) to
another area or depth in place. ``needling_sim.plots`` re-exports the figure and the
summary.

Teaching model, not clinical advice.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import plotly.graph_objects as go

from ._checks import check_real
from .areas import Area, area_info, parse_area
from .evidence import sources_of
from .plans import MAX_DEPTH_MM
from .plots import OKABE_ITO, PALETTE

__all__ = [
    "SKIN_SECTION_META",
    "Reach",
    "NeedleReach",
    "needle_reach",
    "skin_section_figure",
    "skin_section_summary",
    "update_skin_section",
]

_C = OKABE_ITO
#: ``layout.meta`` of every skin diagram, so a page can tell it from the planner's charts.
SKIN_SECTION_META = "skin_section"
_TEACHING = "Teaching model, not clinical advice."
_FONT = {"family": "Arial, Helvetica, sans-serif", "size": 13, "color": _C["black"]}
_EPIDERMIS_CLAIM = "epidermis.meng2022"
_LIMIT_CLAIM = "policy.depth_limit_assumed"

# Geometry of the picture, in millimetres (one scale across and down).
_WIDTH_MM = 5.0
_BOTTOM_MM = MAX_DEPTH_MM + 0.25  # the deepest accepted needle, and a little fat below its tip
_HUB_TOP_MM, _HUB_BOTTOM_MM = -0.55, -0.3  # the cartridge above the skin surface
_NEEDLE_X_MM = (0.45, 0.85, 1.25)
_LABEL_X_MM = _WIDTH_MM - 0.08

#: Fill of each layer: light, so black text on it keeps a contrast far above 4.5:1.
LAYER_FILLS = {
    "epidermis": "rgba(230, 159, 0, 0.55)",  # orange
    "dermis": "rgba(204, 121, 167, 0.35)",  # reddish purple
    "fat": "rgba(240, 228, 66, 0.45)",  # yellow
}


class Reach(StrEnum):
    """Where a needle's tip ends, from the shallowest to past the dermis."""

    EPIDERMIS = "epidermis"
    DERMIS = "dermis"
    LONGER_THAN_DERMIS = "longer_than_dermis"
    PAST_DERMIS = "past_dermis"


_REACH_STYLE = {  # colour, marker symbol, words: colour is never the only cue
    Reach.EPIDERMIS: (PALETTE["severity"]["info"], "triangle-down", "in the epidermis"),
    Reach.DERMIS: (PALETTE["verdict"]["proceed"], "triangle-down", "in the dermis"),
    Reach.LONGER_THAN_DERMIS: (
        PALETTE["verdict"]["caution"],
        "diamond",
        "in the dermis, but longer than the dermis is thick",
    ),
    Reach.PAST_DERMIS: (PALETTE["verdict"]["defer"], "x", "past the dermis, in the fat"),
}


@dataclass(frozen=True)
class NeedleReach:
    """Where a needle of ``depth_mm`` ends in one area's skin.

    Attributes
    ----------
    area : Area
    depth_mm : float
        Needle length, drawn as if it went in its full length.
    epidermis_mm, dermis_mm : float
        Layer thicknesses as drawn (the thinner figures of their claims).
    dermis_thick_mm : float
        The dermis's thicker measured figure (``AreaInfo.dermis_range_mm[1]``): a longer
        needle is longer than the dermis is thick however it is measured, the plan check's
        ``depth_past_local_dermis`` caution.
    reach : Reach
    sources : tuple of str
        Claim ids behind the thicknesses and the limit.
    """

    area: Area
    depth_mm: float
    epidermis_mm: float
    dermis_mm: float
    dermis_thick_mm: float
    reach: Reach
    sources: tuple[str, ...]

    @property
    def dermis_bottom_mm(self) -> float:
        """Depth of the bottom of the dermis (where the fat starts): epidermis + dermis."""
        return self.epidermis_mm + self.dermis_mm

    @property
    def past_dermis_mm(self) -> float:
        """How far the tip goes below the dermis (0 when it stays inside)."""
        return max(0.0, self.depth_mm - self.dermis_bottom_mm)

    @property
    def words(self) -> str:
        """Where the tip is, in words (``"in the dermis"``)."""
        return _REACH_STYLE[self.reach][2]


def _check(area: object, depth_mm: object) -> tuple[Area, float]:
    where = parse_area(area)
    depth = check_real("depth_mm", depth_mm, 0, MAX_DEPTH_MM, low_open=True, unit="mm")
    return where, depth


def needle_reach(area: str | Area, depth_mm: float) -> NeedleReach:
    """Say where a needle of ``depth_mm`` ends in the skin of ``area``.

    Parameters
    ----------
    area : str or Area
        A treatment area (:class:`~needling_sim.areas.Area`).
    depth_mm : float
        Needle length in mm: above 0, at most 3 mm (the model's input range).

    Returns
    -------
    NeedleReach

    Raises
    ------
    ValueError
        ``area`` is not a known area, or ``depth_mm`` is outside the range.
    TypeError
        ``depth_mm`` is not a number.

    Examples
    --------
    >>> needle_reach("cheek", 0.75).reach
    <Reach.DERMIS: 'dermis'>
    >>> r = needle_reach("periorbital", 1.0)
    >>> r.reach.value, round(r.dermis_bottom_mm, 2), round(r.past_dermis_mm, 2)
    ('past_dermis', 0.75, 0.25)
    >>> needle_reach("periorbital", 0.75).words  # the eyelid dermis measured 0.58 to 0.67 mm
    'in the dermis, but longer than the dermis is thick'
    """
    where, depth = _check(area, depth_mm)
    info = area_info(where)
    eps = 1e-9
    if depth > info.depth_limit_mm + eps:
        reach = Reach.PAST_DERMIS
    elif depth > info.dermis_range_mm[1] + eps:
        reach = Reach.LONGER_THAN_DERMIS
    elif depth > info.epidermis_mm + eps:
        reach = Reach.DERMIS
    else:
        reach = Reach.EPIDERMIS
    return NeedleReach(
        where, depth, info.epidermis_mm, info.dermis_mm, info.dermis_range_mm[1], reach, info.sources
    )


# --------------------------------------------------------------------------- the figure


def _mm(value: float) -> str:
    return f"{value:.2f} mm"


def _measured(low: float, high: float) -> str:
    return _mm(low) if low == high else f"{low:.2f} to {high:.2f} mm"


def _source(cid: str) -> str:
    """A claim id with the short name of its primary source (details in the course's bibliography)."""
    return f"Source: {cid}<br>{html.escape(sources_of(cid)[0].name)}"


def _title(r: NeedleReach) -> str:
    return f"{r.area.value.capitalize()}: a {_mm(r.depth_mm)} needle in the skin, to scale"


def _tip_text(r: NeedleReach) -> str:
    if r.reach is Reach.PAST_DERMIS:
        where = f"{_mm(r.past_dermis_mm)} past the dermis"
    elif r.reach is Reach.LONGER_THAN_DERMIS:
        where = "in the dermis, but longer<br>than the dermis is thick"
    else:
        where = r.words
    return f"Tip at {_mm(r.depth_mm)}:<br>{where}"


def _parts(r: NeedleReach) -> tuple[list[dict], dict, str]:
    """Trace specs, the tip label and title for one reach (one fixed structure for every input)."""
    e, d, bottom, thick = r.epidermis_mm, r.dermis_mm, r.dermis_bottom_mm, r.dermis_thick_mm
    info = area_info(r.area)
    measured = _measured(*info.dermis_range_mm)
    dermis_cid = info.sources[0]
    layer_hover = [
        f"<b>Epidermis</b>: 0 to {_mm(e)} below the surface<br>Thickness {_mm(e)} (thinner facial figure)"
        f"<br>{_source(_EPIDERMIS_CLAIM)}",
        f"<b>Dermis</b>: {_mm(e)} to {_mm(bottom)} below the surface<br>Thickness {_mm(d)} drawn "
        f"(claim: {measured})<br>{_source(dermis_cid)}",
        f"<b>Subcutaneous fat</b>: from {_mm(bottom)} down<br>Its thickness is not in the ledger:<br>drawn to "
        f"the bottom of the picture<br>A tip here has passed the dermis<br>({_LIMIT_CLAIM})",
    ]
    colour, symbol, _ = _REACH_STYLE[r.reach]
    needle_x, needle_y, past_x, past_y = [], [], [], []
    for x in _NEEDLE_X_MM:
        needle_x += [x, x, None]
        needle_y += [_HUB_BOTTOM_MM, r.depth_mm, None]
        if r.reach is Reach.PAST_DERMIS:
            past_x += [x, x, None]
            past_y += [bottom, r.depth_mm, None]
    needle_hover = (
        f"<b>Needle {_mm(r.depth_mm)}</b> on the {r.area.value}<br>Tip {r.words}"
        f"<br>The dermis is {_mm(d)} thick and ends<br>{_mm(bottom)} below the surface<extra></extra>"
    )
    traces = [
        {  # the layers: one bar each, so hovering anywhere on a layer explains it
            "x": [_WIDTH_MM / 2] * 3,
            "base": [0.0, e, bottom],
            "y": [e, d, _BOTTOM_MM - bottom],
            "customdata": layer_hover,
        },
        {
            "x": [_LABEL_X_MM] * 3,
            "y": [e / 2, e + min(d / 2, 0.15), _BOTTOM_MM - 0.15],
            "text": [f"Epidermis {_mm(e)}", f"Dermis {_mm(d)}", f"Fat from {_mm(bottom)}"],
            "customdata": layer_hover,
        },
        {"x": needle_x, "y": needle_y, "hovertemplate": needle_hover},
        {"x": past_x, "y": past_y, "hovertemplate": needle_hover},
        {
            "x": list(_NEEDLE_X_MM),
            "y": [r.depth_mm] * len(_NEEDLE_X_MM),
            "marker": {"color": colour, "symbol": symbol},
            "hovertemplate": needle_hover,
        },
        {  # where a needle becomes longer than the dermis is thick (only when that is above the fat)
            "x": [0.0, _WIDTH_MM] if thick < bottom else [],
            "y": [thick, thick] if thick < bottom else [],
            "showlegend": thick < bottom,
            "hovertemplate": f"Depth {_mm(thick)}: as deep as the {r.area.value} dermis is thick "
            f"(its thicker measured figure)<br>A longer needle: caution<extra></extra>",
        },
    ]
    below = r.depth_mm < _BOTTOM_MM - 1.0  # room for the label under the tip
    tip_label = {
        "x": _NEEDLE_X_MM[-1],
        "y": r.depth_mm,
        "text": _tip_text(r),
        "ay": 40 if below else -40,
    }
    return traces, tip_label, _title(r)


def skin_section_figure(area: str | Area = "cheek", depth_mm: float = 1.0) -> go.Figure:
    """Draw the skin of ``area`` in cross-section, to scale, with a needle of ``depth_mm`` in it.

    Layers (epidermis, dermis, fat) are filled bands at their ledger thicknesses; hover
    one for its thickness and source. Three needles of a cartridge reach ``depth_mm``;
    their tips are coloured, shaped and labelled by where they end (see :class:`Reach`).
    The part of a needle past the dermis is drawn thick and red. A dotted line marks
    the depth equal to the dermis's thicker measured figure, where that lies above the
    fat: a longer needle is "longer than the dermis is thick" even while its tip is
    still in the dermis (around the eyes: 0.67 mm).

    Parameters
    ----------
    area : str or Area, default "cheek"
    depth_mm : float, default 1.0
        Needle length in mm (above 0, at most 3).

    Returns
    -------
    plotly.graph_objects.Figure
        Six traces (layers, layer labels, needles, the part past the dermis, tips, the
        dermis-thickness line) and one annotation (the tip label) in a fixed structure,
        so :func:`update_skin_section` can move it in place.

    Examples
    --------
    >>> fig = skin_section_figure("periorbital", 1.0)
    >>> fig.layout.title.text
    'Periorbital: a 1.00 mm needle in the skin, to scale'
    >>> fig.layout.annotations[0].text
    'Tip at 1.00 mm:<br>0.25 mm past the dermis'
    >>> fig.layout.yaxis.title.text
    'Depth below the skin surface (mm)'
    """
    r = needle_reach(area, depth_mm)
    (layers, labels, needles, past, tips, line), tip_label, title = _parts(r)
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            **layers,
            width=[_WIDTH_MM] * 3,
            name="skin layers",
            marker={"color": list(LAYER_FILLS.values()), "line": {"color": _C["black"], "width": 1}},
            showlegend=False,
            hovertemplate="%{customdata}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            **labels,
            mode="text",
            name="layer labels",
            textposition="middle left",
            textfont={"color": _C["black"], "size": 12},
            showlegend=False,
            hovertemplate="%{customdata}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(**needles, mode="lines", name="needle", line={"color": _C["black"], "width": 3}, showlegend=True)
    )
    fig.add_trace(
        go.Scatter(
            **past,
            mode="lines",
            name="past the dermis",
            line={"color": PALETTE["verdict"]["defer"], "width": 6},
            showlegend=True,  # in the legend while drawn; the needle always is, so the legend keeps one row
        )
    )
    fig.add_trace(
        go.Scatter(
            x=tips["x"],
            y=tips["y"],
            mode="markers",
            name="needle tip",
            marker={**tips["marker"], "size": 11, "line": {"color": _C["black"], "width": 1}},
            showlegend=False,
            hovertemplate=tips["hovertemplate"],
        )
    )
    fig.add_trace(
        go.Scatter(
            **line,
            mode="lines",
            name="dermis, thicker measure",
            line={"color": _C["black"], "width": 1, "dash": "dot"},
        )
    )
    fig.update_layout(
        meta=SKIN_SECTION_META,  # lets a page (and the browser tests) tell the diagram from the charts
        template="simple_white",
        title={"text": html.escape(title), "subtitle": {"text": _TEACHING}, "x": 0.01},
        font=_FONT,
        width=460,
        height=440,
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        barmode="overlay",
        bargap=0,
        hoverlabel={"align": "left"},
        plot_bgcolor=_C["white"],
        legend={"orientation": "h", "yanchor": "bottom", "y": 0.0, "yref": "container", "x": 0, "font": {"size": 12}},
        shapes=[
            {  # the cartridge holding the needles, above the skin
                "type": "rect",
                "x0": _NEEDLE_X_MM[0] - 0.2,
                "x1": _NEEDLE_X_MM[-1] + 0.2,
                "y0": _HUB_TOP_MM,
                "y1": _HUB_BOTTOM_MM,
                "fillcolor": _C["grey"],
                "line": {"color": _C["black"], "width": 1},
            },
        ],
        annotations=[
            {
                **tip_label,
                "ax": 30,
                "showarrow": True,
                "arrowhead": 2,
                "arrowcolor": _C["black"],
                "xanchor": "left",
                "align": "left",
                "bgcolor": _C["white"],
                "bordercolor": _C["black"],
                "borderwidth": 1,
                "font": {"color": _C["black"], "size": 12},
            }
        ],
    )
    fig.update_xaxes(
        title_text="Across the skin (mm, same scale as depth)",
        range=[0, _WIDTH_MM],
        constrain="domain",
        showgrid=False,
        automargin=True,
    )
    fig.update_yaxes(
        title_text="Depth below the skin surface (mm)",
        range=[_BOTTOM_MM, _HUB_TOP_MM - 0.05],
        scaleanchor="x",
        scaleratio=1,
        dtick=0.5,
        automargin=True,
    )
    return fig


def update_skin_section(
    fig: go.Figure, area: str | Area, depth_mm: float, *, shown: tuple[str | Area, float] | None = None
) -> None:
    """Move a figure made by :func:`skin_section_figure` to another area or depth, in place.

    Only what changed is assigned, inside ``fig.batch_update()`` (one message to the
    browser for a ``FigureWidget``).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure or FigureWidget
    area, depth_mm
        What to show now.
    shown : (area, depth_mm), optional
        What ``fig`` shows at the moment, when the caller knows it (an app does): the two
        drawings are then compared in Python instead of reading the figure back, which costs
        more than drawing. Without it every property is read and compared.

    Examples
    --------
    >>> fig = skin_section_figure("cheek", 0.5)
    >>> update_skin_section(fig, "periorbital", 1.0, shown=("cheek", 0.5))
    >>> fig.layout.annotations[0].text, len(fig.data)
    ('Tip at 1.00 mm:<br>0.25 mm past the dermis', 6)
    """
    new = _drawing(*_check(area, depth_mm))
    if shown is not None:
        old = _drawing(*_check(*shown))
        changes = {path: value for path, value in new.items() if old[path] != value}
    else:
        changes = {path: value for path, value in new.items() if _changed(_read(fig, path), value)}
    with fig.batch_update():
        for (where, *keys), value in changes.items():
            if where == "title":
                fig.layout.title.text = value
                continue
            target = fig.layout.annotations[0] if where == "tip_label" else fig.data[where]
            for key in keys[:-1]:
                target = target[key]
            target[keys[-1]] = value


@lru_cache(maxsize=256)
def _drawing(area: Area, depth_mm: float) -> dict[tuple, object]:
    """What the figure holds for one area and depth, flat: (trace index or part, key, ...) -> value."""
    traces, tip_label, title = _parts(needle_reach(area, depth_mm))
    flat: dict[tuple, object] = {("title",): title}
    for i, spec in enumerate(traces):
        for key, value in spec.items():
            if isinstance(value, dict):
                flat.update({(i, key, k): v for k, v in value.items()})
            else:
                flat[(i, key)] = tuple(value) if isinstance(value, list) else value
    flat.update({("tip_label", key): value for key, value in tip_label.items()})
    return flat


def _read(fig: go.Figure, path: tuple):
    where, *keys = path
    if where == "title":
        return fig.layout.title.text
    node = fig.layout.annotations[0] if where == "tip_label" else fig.data[where]
    for key in keys:
        node = node[key]
    return node


def _changed(old, new) -> bool:
    if isinstance(new, tuple):
        return old is None or tuple(old) != new
    return old != new


def skin_section_summary(area: str | Area = "cheek", depth_mm: float = 1.0) -> str:
    """One line of text that says what :func:`skin_section_figure` shows.

    Examples
    --------
    >>> skin_section_summary("cheek", 0.75)
    'Cheek, 0.75 mm needle: the tip ends in the dermis, 0.29 mm above its bottom (epidermis 0.17 mm, ...).'
    >>> skin_section_summary("periorbital", 1.0)
    'Periorbital, 1.00 mm needle: the tip passes the dermis and ends 0.25 mm into the fat (..., fat from 0.75 mm).'
    """
    r = needle_reach(area, depth_mm)
    bottom = r.dermis_bottom_mm
    measured = _measured(r.dermis_mm, r.dermis_thick_mm)
    if r.reach is Reach.PAST_DERMIS:
        where = f"the tip passes the dermis and ends {_mm(r.past_dermis_mm)} into the fat"
    elif r.reach is Reach.LONGER_THAN_DERMIS:
        where = (
            f"the tip ends in the dermis, {_mm(bottom - r.depth_mm)} above its bottom, but the needle is "
            f"longer than the dermis is thick ({measured})"
        )
    elif r.reach is Reach.DERMIS:
        where = f"the tip ends in the dermis, {_mm(bottom - r.depth_mm)} above its bottom"
    else:
        where = "the tip ends in the epidermis"
    layers = f"epidermis {_mm(r.epidermis_mm)}, dermis {_mm(r.dermis_mm)}, fat from {_mm(bottom)}"
    return f"{r.area.value.capitalize()}, {_mm(r.depth_mm)} needle: {where} ({layers})."
