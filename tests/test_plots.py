"""Figures: titles, axis titles with units, hover text, colour-blind-safe colours, one-line
summaries with the key numbers, edge inputs and argument validation."""

import datetime as dt
import re

import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from needling_sim import Finding, Patient, plan_course, plots, screen
from needling_sim.evidence import load_claims
from needling_sim.healing import RESTRICTIONS, healing_timeline, milestones
from needling_sim.outcome import simulate, simulate_cohort

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


def _hex(colour: str) -> str:
    """'#abcdef' or 'rgba(r, g, b, a)' (a translucent palette colour) as '#ABCDEF'."""
    m = re.fullmatch(r"rgba\((\d+), (\d+), (\d+), (0?\.\d+|1|0)\)", colour)
    if m:
        return "#" + "".join(f"{int(v):02X}" for v in m.groups()[:3])
    return colour.upper()


def check_figure(fig: go.Figure, *, x_unit: str | None = None, y_unit: str | None = None):
    """The rules every figure of needling_sim.plots follows."""
    assert isinstance(fig, go.Figure)
    assert fig.layout.title.text, "figure has no title"
    # the bottom x axis and every y axis carry titles (stacked panels share one x title)
    x_title = " ".join(a.title.text for a in fig.select_xaxes() if a.title.text)
    y_titles = [a.title.text for a in fig.select_yaxes()]
    assert x_title and all(y_titles), "axis titles missing"
    y_title = " ".join(y_titles)
    if x_unit is not None:
        assert f"({x_unit}" in x_title, (x_title, x_unit)
    if y_unit is not None:
        assert f"({y_unit}" in y_title, (y_title, y_unit)
    assert len(fig.data) > 0
    for trace in fig.data:
        assert trace.hovertemplate, f"trace {trace.name!r} has no hovertemplate"
        assert "<extra>" in trace.hovertemplate
    assert "http" not in fig.to_json(), "a figure must not load anything from the network"
    used = list(_colours(fig.to_plotly_json()))
    assert used, "no explicit colours: a template's colours would be used"
    for where, value in used:
        assert _hex(value) in plots.ALLOWED_COLOURS, f"{where}={value!r} is not in the safe palette"


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
    p = Patient(
        age=29, fitzpatrick=5, isotretinoin_last_dose=dt.date(2026, 4, 1), herpes_simplex_history=True
    )
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
            symbol = {"seed": "circle", "literature": "square", "assumption": "diamond"}[kind]
            assert t.marker.symbol.startswith(symbol)
    # range ends carry the value as a text label: "28 to 42 days"
    labels = {
        y: s
        for t in fig.data
        if t.name.endswith("(range ends)")
        for y, s in zip(t.y, t.text, strict=True)
        if s
    }
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
    assert sorted(y for t in fig.data for y in t.y) == ["numbing.s3", "pain.s0", "pain.s2", "pain.s3", "pain.s4"]
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
    shapes = {
        tuple((type(t).__name__, t.name) for t in plots.conflicts_figure(topic).data)
        for topic in (None, "spacing", "pain", "dermis")
    }
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


# ----------------------------------------------------------------------------- collagen

START = dt.date(2026, 3, 2)
PLAN = plan_course(START, 3, 42, 1.0, "cheek")


def by_name(fig):
    return {t.name: t for t in fig.data}


def test_collagen_figure_plots_the_model_outcome():
    out = simulate(PLAN)
    fig = plots.collagen_figure(out)
    check_figure(fig, x_unit="days", y_unit="arbitrary units")
    t = by_name(fig)
    assert list(t["total new collagen"].y) == pytest.approx(out.daily["collagen_new"].tolist())
    assert list(t["type III (new, immature)"].y) == pytest.approx(out.daily["collagen_iii"].tolist())
    assert list(t["type I (mature)"].y) == pytest.approx(out.daily["collagen_i"].tolist())
    # line styles differ, not only colours
    assert (
        len({t[n].line.dash for n in ("total new collagen", "type III (new, immature)", "type I (mature)")})
        == 3
    )
    assert t["session"].x == (0, 42, 84)
    assert t["milestone"].text == ("6w", "3m", "6m", "12m")
    # no cohort: the band traces exist (fixed structure) but are empty and out of the legend
    bands = [tr for tr in fig.data if tr.name.startswith("cohort")]
    assert bands and all(len(tr.x) == 0 and not tr.showlegend for tr in bands)
    text = plots.collagen_summary(out)
    check_summary(
        text, f"{out.summary.collagen_new_6m:.2f} at 6 months", f"{out.summary.collagen_new_12m:.2f} at 12"
    )


def test_collagen_figure_with_a_cohort_shows_its_bands():
    out = simulate(PLAN)
    cohort = simulate_cohort(PLAN, n=300, seed=3)
    fig = plots.collagen_figure(out, cohort)
    check_figure(fig)
    assert "300 patients" in fig.layout.title.text
    band = cohort.variable("collagen_new")
    t = by_name(fig)
    assert list(t["cohort median"].y) == pytest.approx(band["q50"].tolist())
    filled = [tr for tr in fig.data if tr.fill == "tonexty"]
    assert [tr.name for tr in filled] == ["cohort: 5 to 95 % of patients", "cohort: 25 to 75 % of patients"]
    assert list(filled[0].y) == pytest.approx(band["q95"].tolist())
    row = band.loc[365]
    check_summary(
        plots.collagen_summary(out, cohort),
        "cohort of 300",
        f"median {row['q50']:.2f}",
        f"{row['q05']:.2f} to {row['q95']:.2f}",
    )


def test_collagen_figure_validates():
    out = simulate(PLAN)
    other = simulate_cohort(plan_course(START, 2, 42, 1.0, "cheek"), n=10, seed=1)
    with pytest.raises(ValueError, match="cohort.plan"):
        plots.collagen_figure(out, other)
    with pytest.raises(TypeError, match="outcome"):
        plots.collagen_figure(PLAN)
    with pytest.raises(TypeError, match="cohort"):
        plots.collagen_summary(out, cohort=out)


# ----------------------------------------------------------------------------- healing


def test_healing_figure_shows_redness_inflammation_and_the_threshold():
    out = simulate(PLAN)
    fig = plots.healing_figure(PLAN, day=10)
    check_figure(fig, x_unit="days", y_unit="0 to 1")
    assert "Inflammation (arbitrary units)" in fig.layout.yaxis2.title.text
    t = by_name(fig)
    n = len(t["redness (0 to 1)"].y)
    assert n == 84 + 22  # to three weeks after the last session
    assert list(t["redness (0 to 1)"].y) == pytest.approx(out.daily["redness"][:n].tolist())
    assert list(t["inflammation signal"].y) == pytest.approx(out.daily["inflammation"][:n].tolist())
    assert set(t["visible-redness threshold"].y) == {0.5}
    assert set(t["inflammation at the threshold"].y) == {out.params.redness_threshold}
    assert t["selected day"].x == (10, 10)
    assert len(plots.healing_figure(PLAN).data[-1].x) == 0  # no day: empty marker trace
    visible = int(out.daily["redness_visible"].sum())
    check_summary(plots.healing_summary(PLAN), f"visible on {visible} days", "redness shows above 0.5",
                  "inflammation above 0.20")


def test_deeper_needles_mean_more_red_days_in_the_summary():
    shallow = plots.healing_summary(plan_course(START, 1, 42, 0.5, "cheek"))
    deep = plots.healing_summary(plan_course(START, 1, 42, 1.5, "cheek"))
    days = [int(re.search(r"visible on (\d+) days", s)[1]) for s in (shallow, deep)]
    assert days[0] < days[1]


def test_healing_figure_for_another_patient_and_a_given_outcome():
    older = Patient(age=70, fitzpatrick=2)
    out = simulate(PLAN, older)
    assert plots.healing_summary(PLAN, older) == plots.healing_summary(PLAN, outcome=out)
    with pytest.raises(ValueError, match="outcome.plan"):
        plots.healing_figure(plan_course(START, 2, 42, 1.0, "cheek"), outcome=out)
    with pytest.raises(TypeError, match="patient"):
        plots.healing_figure(PLAN, "35 years")
    with pytest.raises(TypeError, match="day"):
        plots.healing_figure(PLAN, day=True)
    with pytest.raises(ValueError, match="day=-1"):
        plots.healing_figure(PLAN, day=-1)


# ----------------------------------------------------------------------------- course Gantt


def bars(fig, name_start):
    t = next(tr for tr in fig.data if tr.name.startswith(name_start))
    return [(b, x // 86_400_000) for b, x in zip(t.base, t.x, strict=True)]


def test_course_gantt_shows_sessions_phases_aftercare_and_milestones():
    today = dt.date(2026, 3, 20)
    fig = plots.course_gantt(PLAN, today=today)
    check_figure(fig)
    assert fig.layout.xaxis.title.text.startswith("Date") and fig.layout.xaxis.type == "date"
    t = by_name(fig)
    assert t["session"].x == ("2026-03-02", "2026-04-13", "2026-05-25")
    # phases restart at each session: 4 days of inflammation from every session
    assert bars(fig, "inflammation phase") == [("2026-03-02", 5), ("2026-04-13", 5), ("2026-05-25", 5)]
    timeline = healing_timeline(PLAN)
    total = sum(d for name in ("inflammation", "proliferation", "remodeling") for _, d in bars(fig, name))
    assert total == len(timeline)
    # one row per aftercare rule, each as long as the model's timeline says
    rows = set(fig.layout.yaxis.categoryarray)
    for column in RESTRICTIONS:
        label = next(tr for tr in fig.data if tr.name.endswith(RESTRICTIONS[column].description))
        assert label.y and label.y[0] in rows
        assert sum(x // 86_400_000 for x in label.x) == int(timeline[column].sum())
    ms = {m.name: m for m in milestones(PLAN)}
    shown = dict(zip(t["milestone"].text, t["milestone"].x, strict=True))
    assert shown["early results"] == ms["early results may show"].date.isoformat()
    assert shown["full effect"] == ms["full effect"].date.isoformat()
    assert shown["12 months"] == ms["collagen may still be forming"].date.isoformat()
    assert t["today"].x == ("2026-03-20",)
    today_line = fig.layout.shapes[-1]
    assert today_line.visible and today_line.x0 == "2026-03-20"
    summary = plots.course_gantt_summary(PLAN, today=today)
    check_summary(
        summary,
        "3 sessions",
        "2026-03-02",
        "2026-05-25",
        "42 days apart",
        ms["full effect"].date.isoformat(),
        "day 18, proliferation after session 1",
    )


def test_course_gantt_without_today_and_with_today_outside_the_course():
    fig = plots.course_gantt(PLAN)
    assert len(by_name(fig)["today"].x) == 0 and fig.layout.shapes[-1].visible is False
    before = plots.course_gantt_summary(PLAN, today=dt.date(2026, 2, 20))
    assert "10 days before the first session" in before
    after = plots.course_gantt_summary(PLAN, today=dt.date(2030, 1, 1))
    assert "after the timeline" in after


def test_a_shorter_interval_moves_the_sessions_closer():
    wide = by_name(plots.course_gantt(PLAN))["session"].x
    close = by_name(plots.course_gantt(plan_course(START, 3, 7, 1.0, "cheek")))["session"].x
    assert close == ("2026-03-02", "2026-03-09", "2026-03-16") and close != wide


def test_course_gantt_validates():
    with pytest.raises(TypeError, match="today"):
        plots.course_gantt(PLAN, today=dt.datetime(2026, 3, 2, 9))
    with pytest.raises(TypeError, match="plan"):
        plots.course_gantt_summary("plan")
    with pytest.raises(TypeError, match="patient"):
        plots.course_gantt(PLAN, patient={"age": 30})


@settings(max_examples=12, deadline=None)
@given(
    sessions=st.integers(1, 8),
    interval=st.integers(7, 120),
    depth=st.sampled_from([0.25, 0.5, 1.0, 1.5, 2.5]),
    area=st.sampled_from(["cheek", "forehead", "back"]),
)
def test_gantt_invariants_for_any_plan(sessions, interval, depth, area):
    plan = plan_course(START, sessions, interval, depth, area)
    fig = plots.course_gantt(plan)
    assert by_name(fig)["session"].x == tuple(s.date.isoformat() for s in plan.sessions)
    timeline = healing_timeline(plan)
    total = sum(d for name in ("inflammation", "proliferation", "remodeling") for _, d in bars(fig, name))
    assert total == len(timeline)  # the phases partition the timeline
    assert len(fig.data) == len(plots.course_gantt(PLAN).data)  # fixed structure
    summary = plots.course_gantt_summary(plan)
    assert f"{sessions} session" in summary and "\n" not in summary


@settings(max_examples=15, deadline=None)
@given(
    sessions=st.integers(1, 6),
    interval=st.integers(3, 90),
    depth=st.sampled_from([0.25, 0.5, 1.0, 2.0, 3.0]),
    age=st.integers(18, 90),
    keloid=st.booleans(),
)
def test_the_apps_one_simulation_timeline_matches_healing_timeline(sessions, interval, depth, age, keloid):
    # The planner derives the Gantt's healing rows from its one simulation; they must be
    # exactly what needling_sim.healing.healing_timeline says.
    plan = plan_course(START, sessions, interval, depth, "cheek")
    person = Patient(age=age, fitzpatrick=2, keloid_history=keloid)
    mine = plots._timeline_from_outcome(simulate(plan, person, days=plan.session_days[-1] + 366))
    theirs = healing_timeline(plan, person)
    assert list(mine["day"]) == list(theirs["day"])
    for column in ("session", "days_since_session", "phase", "redness_visible", *RESTRICTIONS):
        assert mine[column].tolist() == theirs[column].tolist(), column
