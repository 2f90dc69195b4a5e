"""The skin cross-section: layers to scale from the ledger, the needle at its depth, where the tip
ends (past the dermis included), readable colours and text, in-place updates, and the planner's
diagram following its depth and area controls."""

import datetime as dt
import re
import subprocess
import sys

import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from needling_sim import Area, Patient, area_info, check_plan, plan_course, plots, widgets
from needling_sim.evidence import claim
from needling_sim.skin_section import (
    LAYER_FILLS,
    Reach,
    needle_reach,
    skin_section_figure,
    skin_section_summary,
    update_skin_section,
)

AREAS = [a.value for a in Area]
DEPTHS = [0.1, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0]


def by_name(fig, name):
    return next(t for t in fig.data if t.name == name)


def _rgb(colour: str) -> tuple[tuple[float, float, float], float]:
    """'#RRGGBB' or 'rgba(r, g, b, a)' as ((r, g, b) in 0..255, alpha)."""
    m = re.fullmatch(r"rgba\((\d+), (\d+), (\d+), ([\d.]+)\)", colour)
    if m:
        *rgb, alpha = m.groups()
        return tuple(float(v) for v in rgb), float(alpha)
    return tuple(float(int(colour[i : i + 2], 16)) for i in (1, 3, 5)), 1.0


def _on_white(colour: str) -> tuple[float, float, float]:
    rgb, alpha = _rgb(colour)
    return tuple(alpha * c + (1 - alpha) * 255 for c in rgb)


def _luminance(rgb) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# ----------------------------------------------------------------------------- where the tip ends


@pytest.mark.parametrize("area", AREAS)
def test_reach_follows_the_layers_of_each_area(area):
    info = area_info(area)
    limit = info.epidermis_mm + info.dermis_mm
    thick = info.dermis_range_mm[1]  # the thicker measured figure
    assert needle_reach(area, info.epidermis_mm).reach is Reach.EPIDERMIS
    assert needle_reach(area, info.epidermis_mm + 0.01).reach is Reach.DERMIS
    assert needle_reach(area, min(thick, limit)).reach is Reach.DERMIS
    if thick < limit:  # a needle can be longer than the dermis is thick and still end in it
        assert needle_reach(area, thick + 0.01).reach is Reach.LONGER_THAN_DERMIS
        assert needle_reach(area, limit).reach is Reach.LONGER_THAN_DERMIS  # at the bottom, not past it
    else:
        assert needle_reach(area, limit).reach is Reach.DERMIS
    past = needle_reach(area, limit + 0.01)
    assert past.reach is Reach.PAST_DERMIS
    assert past.past_dermis_mm == pytest.approx(0.01)
    assert needle_reach(area, limit).past_dermis_mm == 0


def test_periorbital_three_quarters_is_longer_than_the_dermis_and_one_millimetre_passes_it():
    # EVIDENCE section 4: keep within the local dermis, about 0.6 mm at the eyelid (Meng 2022: 0.58/0.67)
    r = needle_reach("periorbital", 0.75)
    assert (r.dermis_mm, r.dermis_thick_mm, r.reach) == (0.58, 0.67, Reach.LONGER_THAN_DERMIS)
    assert "dermis.meng2022_eyelid" in r.sources
    assert needle_reach("periorbital", 1.0).reach is Reach.PAST_DERMIS
    # the cheek dermis measured 0.87 to 1.14 mm: 1 mm ends in it, as the plan check says
    assert needle_reach("cheek", 1.0).reach is Reach.DERMIS
    assert needle_reach("cheek", 1.25).reach is Reach.PAST_DERMIS


@pytest.mark.parametrize("area", AREAS)
def test_the_picture_agrees_with_the_plan_check(area):
    """"Past the dermis" is the depth_beyond_dermis finding and "longer than the dermis is thick" the
    depth_past_local_dermis caution, for every depth on the planner's slider."""
    person = Patient(age=35, fitzpatrick=2)
    for step in range(1, 13):
        depth = step * 0.25
        plan = plan_course(dt.date(2026, 3, 2), 1, 42, depth, area)
        rules = {f.rule for f in check_plan(plan, person)}
        reach = needle_reach(area, depth).reach
        assert (reach is Reach.PAST_DERMIS) == ("depth_beyond_dermis" in rules), (area, depth, rules)
        assert (reach is Reach.LONGER_THAN_DERMIS) == ("depth_past_local_dermis" in rules), (area, depth, rules)


@pytest.mark.parametrize(
    ("args", "exc", "field"),
    [
        (("knee", 1.0), ValueError, "area='knee'"),
        (("cheek", 0), ValueError, "depth_mm"),
        (("cheek", 3.5), ValueError, "depth_mm"),
        (("cheek", "1"), TypeError, "depth_mm"),
        (("cheek", True), TypeError, "depth_mm"),
    ],
)
def test_bad_arguments_name_the_field(args, exc, field):
    for call in (needle_reach, skin_section_figure, skin_section_summary):
        with pytest.raises(exc, match=re.escape(field)):
            call(*args)


# ----------------------------------------------------------------------------- the figure


@pytest.mark.parametrize("area", AREAS)
def test_layers_are_drawn_to_scale_from_the_ledger(area):
    info = area_info(area)
    fig = skin_section_figure(area, 0.5)
    layers = by_name(fig, "skin layers")
    epidermis = claim("epidermis.meng2022").value_low
    dermis = claim(info.sources[0]).value_low
    assert list(layers.base) == pytest.approx([0, epidermis, epidermis + dermis])
    assert list(layers.y[:2]) == pytest.approx([epidermis, dermis])
    # fat fills the rest of the picture, down past the deepest accepted needle (3 mm)
    assert layers.base[2] + layers.y[2] == pytest.approx(-fig.layout.yaxis.range[0] * -1)
    assert fig.layout.yaxis.range[0] > 3.0
    # one millimetre is the same length across and down
    assert (fig.layout.yaxis.scaleanchor, fig.layout.yaxis.scaleratio) == ("x", 1)
    labels = by_name(fig, "layer labels").text
    assert labels[0] == f"Epidermis {epidermis:.2f} mm" and labels[1] == f"Dermis {dermis:.2f} mm"


@pytest.mark.parametrize(
    ("area", "depth"), [("cheek", 0.5), ("periorbital", 1.0), ("periorbital", 0.7), ("back", 3.0), ("neck", 0.25)]
)
def test_the_needles_reach_the_depth_and_the_part_past_the_dermis_is_drawn(area, depth):
    fig = skin_section_figure(area, depth)
    r = needle_reach(area, depth)
    needles = by_name(fig, "needle")
    tips = [y for y in needles.y if y is not None][1::2]
    assert tips == [depth] * 3
    assert list(by_name(fig, "needle tip").y) == [depth] * 3
    past = [y for y in by_name(fig, "past the dermis").y if y is not None]
    if r.reach is Reach.PAST_DERMIS:
        assert past == [r.dermis_bottom_mm, depth] * 3
        assert "past the dermis" in fig.layout.annotations[0].text
        assert f"{r.past_dermis_mm:.2f} mm past" in fig.layout.annotations[0].text
    else:
        assert past == []
        assert "past the dermis" not in fig.layout.annotations[0].text
    line = by_name(fig, "dermis, thicker measure")
    if r.dermis_thick_mm < r.dermis_bottom_mm:
        assert line.y == (r.dermis_thick_mm, r.dermis_thick_mm) and line.showlegend
    else:  # thicker than the drawn dermis: no line inside the fat
        assert line.y == () and not line.showlegend


def test_figure_has_titles_units_hover_and_only_safe_colours():
    fig = skin_section_figure("periorbital", 1.0)
    assert fig.layout.title.text == "Periorbital: a 1.00 mm needle in the skin, to scale"
    assert "not clinical advice" in fig.layout.title.subtitle.text
    assert "(mm" in fig.layout.xaxis.title.text and "(mm)" in fig.layout.yaxis.title.text
    for trace in fig.data:
        assert trace.hovertemplate and "<extra>" in trace.hovertemplate, trace.name
    hover = " ".join(by_name(fig, "skin layers").customdata)
    assert "dermis.meng2022_eyelid" in hover and "epidermis.meng2022" in hover
    assert "not in the ledger" in hover  # the fat's thickness is said to be drawn, not measured
    assert "http" not in fig.to_json()
    colours = re.findall(r'"(?:fill)?colou?r": "([^"]+)"', fig.to_json())
    colours += list(by_name(fig, "skin layers").marker.color)
    assert colours
    for colour in colours:
        rgb, _ = _rgb(colour)
        hexed = "#" + "".join(f"{int(c):02X}" for c in rgb)
        assert hexed in plots.ALLOWED_COLOURS, colour


def test_tips_differ_by_colour_symbol_and_words():
    tips = {}
    for depth in (0.1, 0.5, 0.7, 1.0):
        r = needle_reach("periorbital", depth)
        fig = skin_section_figure("periorbital", depth)
        tip = by_name(fig, "needle tip")
        tips[r.reach] = (tip.marker.color, tip.marker.symbol, fig.layout.annotations[0].text)
    assert set(tips) == set(Reach)
    assert len({c for c, _, _ in tips.values()}) == 4
    assert len({s for _, s, _ in tips.values()}) >= 3  # with the words, never colour alone
    assert len({t.split("<br>", 1)[1] for _, _, t in tips.values()}) == 4


def test_text_contrast_is_at_least_4_5_to_1():
    black = _on_white(plots.OKABE_ITO["black"])
    for name, fill in LAYER_FILLS.items():
        assert contrast(black, _on_white(fill)) >= 4.5, name
    fig = skin_section_figure("cheek", 1.0)
    label = fig.layout.annotations[0]
    assert contrast(_on_white(label.font.color), _on_white(label.bgcolor)) >= 4.5
    assert by_name(fig, "layer labels").textfont.color == plots.OKABE_ITO["black"]
    assert fig.layout.font.color == plots.OKABE_ITO["black"]


def test_summary_is_one_line_with_the_numbers():
    text = skin_section_summary("periorbital", 0.75)
    assert "\n" not in text
    assert text == (
        "Periorbital, 0.75 mm needle: the tip ends in the dermis, 0.00 mm above its bottom, but the needle is "
        "longer than the dermis is thick (0.58 to 0.67 mm) (epidermis 0.17 mm, dermis 0.58 mm, fat from 0.75 mm)."
    )
    assert "ends in the epidermis" in skin_section_summary("cheek", 0.1)
    assert "passes the dermis" in skin_section_summary("back", 3.0)


def test_plots_re_exports_the_figure_and_the_summary():
    assert plots.skin_section_figure is skin_section_figure
    assert plots.skin_section_summary is skin_section_summary
    from needling_sim.plots import skin_section_figure as again

    assert again is skin_section_figure
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        plots.nothing  # noqa: B018


def test_the_module_imports_no_widgets():
    code = "import sys, needling_sim.skin_section; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@settings(max_examples=20, deadline=None)
@given(
    st.sampled_from(AREAS),
    st.sampled_from(DEPTHS),
    st.sampled_from(AREAS),
    st.sampled_from(DEPTHS),
)
def test_updating_in_place_gives_the_figure_drawn_afresh(area0, depth0, area, depth):
    want = skin_section_figure(area, depth).to_plotly_json()
    for shown in (None, (area0, depth0)):  # read back from the figure, or told what it shows
        fig = skin_section_figure(area0, depth0)  # a plain Figure: FigureWidget adds trace uids only
        update_skin_section(fig, area, depth, shown=shown)
        got = fig.to_plotly_json()
        assert got["data"] == want["data"]
        for key in ("title", "annotations", "shapes", "yaxis", "xaxis"):
            assert got["layout"][key] == want["layout"][key], key


# ----------------------------------------------------------------------------- in the planner


@pytest.fixture(scope="module")
def planner():
    return widgets.planner_app(start=dt.date(2026, 3, 2))


def test_the_planners_diagram_follows_depth_and_area(planner):
    section = planner.figures["skin_section"]
    summary = planner.outputs["skin_section_summary"]
    assert isinstance(section, go.FigureWidget)
    n_traces = len(section.data)
    planner.controls["area"].value = "cheek"
    planner.controls["depth_mm"].value = 0.5
    assert by_name(section, "needle tip").y == (0.5, 0.5, 0.5)
    assert section.layout.title.text == "Cheek: a 0.50 mm needle in the skin, to scale"
    assert summary.value.count("Cheek, 0.50 mm needle") == 1

    planner.controls["area"].value = "periorbital"
    assert section.layout.title.text == "Periorbital: a 0.50 mm needle in the skin, to scale"
    assert by_name(section, "skin layers").base[2] == pytest.approx(0.75)

    planner.controls["depth_mm"].value = 1.0
    assert by_name(section, "needle tip").y == (1.0, 1.0, 1.0)
    assert "0.25 mm past the dermis" in section.layout.annotations[0].text
    assert "passes the dermis" in summary.value
    assert "depth_beyond_dermis" in planner.outputs["findings"].value  # the model says it too
    assert len(section.data) == n_traces  # updated in place

    # a page opened now (Voila, a reload) gets the changed diagram, not the first one
    state = section.get_state()
    tip = next(t for t in state["_widget_data"] if t.get("name") == "needle tip")
    assert list(tip["y"]) == [1.0, 1.0, 1.0]
    assert state["_widget_layout"]["annotations"][0]["text"].startswith("Tip at 1.00 mm")

    # other controls leave the diagram alone
    before = section.to_plotly_json()
    planner.controls["interval_days"].value = 56
    assert section.to_plotly_json() == before


def test_the_planners_diagram_sits_beside_the_plan_controls(planner):
    top = planner.widget.children[0]
    parts = [w for box in top.children for w in getattr(box, "children", ())]
    assert planner.figures["skin_section"] in parts
    assert planner.outputs["skin_section_summary"] in parts
