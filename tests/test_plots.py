"""Figures: titles, axis titles with units, hover text, colour-blind-safe colours, one-line
summaries with the key numbers, edge inputs and argument validation."""

import datetime as dt
import re

import plotly.graph_objects as go
import pytest

from needling_sim import Finding, Patient, screen
from needling_sim import plots
from needling_sim.evidence import load_claims

ON = dt.date(2026, 6, 15)


# ----------------------------------------------------------------------------- helpers


def _colours(node, path=""):
    """Yield (path, value) for every colour-like setting in a figure's JSON (not the template)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "template":
                continue
            if "color" in key.lower() and not isinstance(value, (dict, list)) and value is not None:
                yield f"{path}.{key}", value
            elif "color" in key.lower() and isinstance(value, list):
                for v in value:
                    if isinstance(v, str):
                        yield f"{path}.{key}[]", v
            else:
                yield from _colours(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _colours(item, f"{path}[{i}]")


def check_figure(fig: go.Figure, *, x_unit: str | None = None, y_unit: str | None = None):
    """The rules every figure of needling_sim.plots follows."""
    assert isinstance(fig, go.Figure)
    assert fig.layout.title.text, "figure has no title"
    x_title = fig.layout.xaxis.title.text
    y_title = fig.layout.yaxis.title.text
    assert x_title and y_title, "axis titles missing"
    if x_unit is not None:
        assert f"({x_unit}" in x_title, (x_title, x_unit)
    if y_unit is not None:
        assert f"({y_unit}" in y_title, (y_title, y_unit)
    assert len(fig.data) > 0
    for trace in fig.data:
        assert trace.hovertemplate, f"trace {trace.name!r} has no hovertemplate"
        assert "<extra>" in trace.hovertemplate
    used = list(_colours(fig.to_plotly_json()))
    assert used, "no explicit colours: a template's colours would be used"
    for where, value in used:
        assert value.upper() in plots.ALLOWED_COLOURS, f"{where}={value!r} is not in the safe palette"


def check_summary(text: str, *needles: str):
    assert isinstance(text, str) and text.strip()
    assert "\n" not in text, "a summary is a single line"
    for needle in needles:
        assert needle in text, (needle, text)


# ----------------------------------------------------------------------------- palette


def test_palette_is_okabe_ito_and_covers_every_category():
    assert set(plots.PALETTE["severity"]) == {"info", "caution", "defer", "do_not_treat"}
    assert set(plots.PALETTE["verdict"]) == {"proceed", "caution", "defer", "do_not_treat"}
    assert set(plots.PALETTE["source_kind"]) == set(load_claims()["source_kind"])
    for family in plots.PALETTE.values():
        for colour in family.values():
            assert colour in plots.ALLOWED_COLOURS
    # severities are told apart by colour too, not only by label
    assert len(set(plots.PALETTE["severity"].values())) == 4
    assert len(set(plots.PALETTE["source_kind"].values())) == 3


# ----------------------------------------------------------------------------- findings and screening


def test_screening_figure_for_a_deferred_patient():
    p = Patient(age=29, fitzpatrick=5, isotretinoin_last_dose=dt.date(2026, 4, 1), herpes_simplex_history=True)
    r = screen(p, on=ON)
    fig = plots.screening_figure(r)
    check_figure(fig, x_unit="ordinal")
    assert "defer" in fig.layout.title.text and r.earliest_date.isoformat() in fig.layout.title.text
    rows = [y for t in fig.data for y in t.y]
    assert rows == [f.rule for f in r.findings]  # most severe first, one row each
    # bar length encodes severity; the text label repeats it (not colour alone)
    lengths = {y: x for t in fig.data for x, y in zip(t.x, t.y, strict=True)}
    assert lengths["isotretinoin"] == 3 and lengths["darker_skin_type"] == 2
    texts = {y: s for t in fig.data for s, y in zip(t.text, t.y, strict=True)}
    assert texts["isotretinoin"] == "DEFER"
    # hover carries the message, the claim ids and their sources
    iso = next(t for t in fig.data if "isotretinoin" in t.y)
    custom = iso.customdata[list(iso.y).index("isotretinoin")]
    assert "contra.isotretinoin.s3" in custom[2] and "003_5eeea979378cb349.txt" in custom[2]
    assert "Isotretinoin" in custom[1]
    assert r.earliest_date.isoformat() in custom[3]
    summary = plots.screening_summary(r)
    check_summary(summary, "defer", r.earliest_date.isoformat(), "3 findings", "isotretinoin")


def test_screening_figure_renders_a_proceed_state_with_no_findings():
    r = screen(Patient(age=35, fitzpatrick=2), on=ON)
    fig = plots.screening_figure(r)
    check_figure(fig)
    assert "proceed" in fig.layout.title.text
    shown = [t for t in fig.data if len(t.y)]
    assert len(shown) == 1 and shown[0].text == ("Proceed: no rule fired",)
    check_summary(plots.screening_summary(r), "proceed", "no findings")


def test_do_not_treat_is_the_longest_bar_and_is_labelled():
    r = screen(Patient(age=35, fitzpatrick=2, keloid_history=True, pregnant=True), on=ON)
    fig = plots.screening_figure(r)
    check_figure(fig)
    assert fig.data[0].name == "do not treat"
    assert fig.data[0].x == (4,) and fig.data[0].text == ("DO NOT TREAT",)
    check_summary(plots.screening_summary(r), "do not treat", "keloid_history", "pregnancy")


def test_findings_figure_labels_repeated_rules_by_session():
    fs = [
        Finding("interval_too_short", "defer", "Too soon.", ("spacing.s1",), session=2),
        Finding("interval_too_short", "defer", "Too soon.", ("spacing.s1",), session=3),
        Finding("interval_too_short", "defer", "Too soon.", ("spacing.s1",)),
        Finding("interval_too_short", "defer", "Too soon.", ("spacing.s1",)),
    ]
    fig = plots.findings_figure(fs, title="Plan check")
    check_figure(fig)
    assert [y for t in fig.data for y in t.y] == [
        "interval_too_short (session 2)",
        "interval_too_short (session 3)",
        "interval_too_short",
        "interval_too_short #2",
    ]
    check_summary(plots.findings_summary(fs, title="Plan check"), "Plan check", "verdict defer", "4 findings")


@pytest.mark.parametrize(
    ("call", "exc", "field"),
    [
        (lambda: plots.findings_figure("pregnancy"), TypeError, "findings"),
        (lambda: plots.findings_figure(["x"]), TypeError, "findings[0]"),
        (lambda: plots.findings_figure([], title=""), TypeError, "title"),
        (lambda: plots.findings_summary(None), TypeError, "findings"),
        (lambda: plots.screening_figure([]), TypeError, "result"),
        (lambda: plots.screening_summary("proceed"), TypeError, "result"),
        (lambda: plots.conflicts_figure(3), TypeError, "topic"),
        (lambda: plots.conflicts_figure("spacings"), ValueError, "topic"),
        (lambda: plots.conflicts_summary("nope"), ValueError, "topic"),
    ],
)
def test_bad_arguments_name_the_field(call, exc, field):
    with pytest.raises(exc, match=re.escape(field)):
        call()


# ----------------------------------------------------------------------------- conflicts


def test_spacing_conflicts_show_each_source_range():
    fig = plots.conflicts_figure("spacing")
    check_figure(fig, x_unit="days")
    ledger = load_claims().set_index("id")
    bars = {
        y: [base, base + length]
        for t in fig.data
        if isinstance(t, go.Bar)
        for base, length, y in zip(t.base, t.x, t.y, strict=True)
    }
    # spacing.s0 (4 to 6 weeks) and spacing.s1 (6 to 8 weeks) are both drawn with their ranges
    assert bars["spacing.s0"] == [28, 42] and bars["spacing.s1"] == [42, 56]
    for cid, xs in bars.items():
        assert xs == [ledger.loc[cid, "value_low"], ledger.loc[cid, "value_high"]]
    # colour and symbol both follow the source kind
    for t in fig.data:
        kind = t.legendgroup
        assert t.marker.color == plots.PALETTE["source_kind"][kind]
        if isinstance(t, go.Scatter):
            assert t.marker.symbol.startswith({"seed": "circle", "literature": "square", "assumption": "diamond"}[kind])
    # range ends carry the value as a text label: "28 to 42 days"
    labels = {y: s for t in fig.data if t.name.endswith("(range ends)") for y, s in zip(t.y, t.text, strict=True) if s}
    assert labels["spacing.s0"] == "28 to 42 days" and labels["spacing.harris2015"] == "28 days"
    # claims without numbers still appear, as points
    points = [y for t in fig.data if t.name.endswith("(no comparable number)") for y in t.y]
    assert "spacing.s4" in points and "spacing.iriarte2017" in points
    s0 = next(t for t in fig.data if "spacing.s0" in (t.y or ()))
    custom = s0.customdata[list(s0.y).index("spacing.s0")]
    assert "000_9935ce379b9fb6f4.txt" in custom[5] and "spacing.s1" in custom[6]
    numeric = ledger[(ledger["topic"] == "spacing") & (ledger["unit"] == "days")].dropna(subset=["value_low"])
    span = f"{numeric['value_low'].min():g} to {numeric['value_high'].max():g} days"
    check_summary(plots.conflicts_summary("spacing"), "spacing", span, "conflicting pairs")


def test_a_topic_without_numbers_renders_points_only():
    fig = plots.conflicts_figure("pain")
    check_figure(fig)
    assert "No numeric values" in fig.layout.xaxis.title.text
    assert all(len(t.x) == 0 for t in fig.data if "range" in t.name)
    assert sorted(y for t in fig.data for y in t.y) == ["pain.s0", "pain.s2", "pain.s3", "pain.s4"]
    check_summary(plots.conflicts_summary("pain"), "no numeric values", "pain.s3")


def test_a_topic_without_conflicts_says_so():
    fig = plots.conflicts_figure("dermis")
    check_figure(fig, x_unit="mm")
    assert "0 conflicting pairs" in fig.layout.title.text
    check_summary(plots.conflicts_summary("dermis"), "no conflicting pairs", "mm")


def test_other_units_in_a_topic_are_points_not_bars():
    # pih.s1 conflicts with skin.pih_lit (Fitzpatrick types) and after.sun.s4 (days)
    fig = plots.conflicts_figure("pih")
    check_figure(fig, x_unit="days")
    points = {y: s for t in fig.data if "no comparable" in t.name for y, s in zip(t.y, t.text, strict=True)}
    assert points["skin.pih_lit"].startswith("4 to 6 Fitzpatrick type")


def test_figures_keep_one_trace_structure_so_apps_can_update_in_place():
    shapes = {tuple((type(t).__name__, t.name) for t in plots.conflicts_figure(topic).data)
              for topic in (None, "spacing", "pain", "dermis")}
    assert len(shapes) == 1
    no = plots.findings_figure([])
    some = plots.screening_figure(screen(Patient(age=35, fitzpatrick=5, pregnant=True), on=ON))
    assert [t.name for t in no.data] == [t.name for t in some.data]


def test_all_topics_lists_every_conflicting_claim():
    fig = plots.conflicts_figure()
    check_figure(fig)
    rows = set(fig.layout.yaxis.categoryarray)
    from needling_sim.evidence import conflicts

    pairs = conflicts()
    assert rows == set(pairs["claim"]) | set(pairs["other"])
    check_summary(plots.conflicts_summary(), "All topics", f"{len(pairs)} conflicting pairs")
