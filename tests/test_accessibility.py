"""Colours a trainee reads text on: every badge and bar label meets WCAG's 4.5:1 (axe-core's rule).

The browser tests run axe-core on the pages themselves; this pins the colour rule without a browser.
"""

import re

import pytest

from needling_sim import plots, widgets
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
