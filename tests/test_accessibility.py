"""Colours a trainee reads text on (WCAG's 4.5:1, axe-core's rule) and sliders a screen reader names.

The browser tests run axe-core on the pages themselves (tests/test_browser_a11y.py); this pins the
rules without a browser.
"""

import re

import pytest

from needling_sim import plots, sliders, widgets
from needling_sim.findings import Severity, Verdict


@pytest.mark.parametrize("family", ["verdict", "severity"])
def test_text_on_every_verdict_and_severity_colour_has_at_least_4_5_to_1(family):
    for name, colour in plots.PALETTE[family].items():
        ratio = plots.contrast_ratio(colour, plots.text_colour_on(colour))
        assert ratio >= 4.5, f"{family} {name}: {ratio:.2f}:1"


@pytest.mark.parametrize("verdict", list(Verdict))
def test_the_verdict_badge_uses_a_readable_text_colour(verdict):
    html = widgets.findings_html([], verdict=verdict)
    background, text = re.search(r"background:(#[0-9A-Fa-f]{6});color:(#[0-9A-Fa-f]{6})", html).groups()
    assert plots.contrast_ratio(background, text) >= 4.5, (verdict, background, text)


def test_the_old_white_on_green_and_white_on_vermillion_were_too_low():
    # What axe-core reported before the fix (3.4:1 and 3.9:1): the helper measures the same.
    assert round(plots.contrast_ratio(plots.OKABE_ITO["bluish_green"], "#FFFFFF"), 1) == 3.4
    assert round(plots.contrast_ratio(plots.OKABE_ITO["vermillion"], "#FFFFFF"), 1) == 3.9
    assert Severity.DEFER.value in plots.PALETTE["severity"]


@pytest.mark.parametrize("make", [widgets.planner_app, widgets.intake_app, widgets.healing_day_app])
def test_every_slider_of_every_app_is_a_named_native_range_input(make):
    app = make()
    found = [c for c in app.controls.values() if isinstance(c, sliders._Slider)]
    assert found, "the app has no slider"
    for control in found:
        assert control.description.strip(), f"a slider without a label: {control!r}"
        assert 'type = "range"' in control._esm and "htmlFor" in control._esm


def test_a_slider_keeps_its_value_in_range_and_tells_observers():
    seen = []
    s = sliders.IntSlider(value=42, min=7, max=120, description="Interval (days)")
    s.observe(lambda change: seen.append(change["new"]), names="value")
    s.value = 3
    assert s.value == 7 and seen == [7]
    s.max = 5 + 10
    s.value = 99
    assert s.value == 15


def test_a_float_slider_reads_out_with_its_format():
    s = sliders.FloatSlider(value=1.0, min=0.25, max=3.0, step=0.25, readout_format=".2f")
    assert (s.value, s.decimals) == (1.0, 2)
    s.readout_format = ".1f"
    assert s.decimals == 1


def test_bad_bounds_and_formats_are_refused_with_the_value():
    with pytest.raises(ValueError, match="min=9 is above max=3"):
        sliders.IntSlider(min=9, max=3)
    with pytest.raises(ValueError, match="readout_format='d' is not allowed"):
        sliders.FloatSlider(readout_format="d")


def test_the_planner_can_start_at_a_chosen_depth_and_refuses_one_its_slider_cannot_show():
    # Lesson 08 starts the capstone's planner at the recommended 0.5 mm.
    app = widgets.planner_app(depth_mm=0.5)
    assert app.controls["depth_mm"].value == 0.5
    assert "0.50 mm needle" in app.outputs["skin_section_summary"].value
    with pytest.raises(ValueError, match=r"depth_mm=0.3 is not allowed; allowed: 0.25 to 3.0 mm in 0.25 mm steps"):
        widgets.planner_app(depth_mm=0.3)
    with pytest.raises(TypeError, match="depth_mm must be a number of millimetres, got str '1'"):
        widgets.planner_app(depth_mm="1")
