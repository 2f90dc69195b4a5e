"""The Voila planner over many page loads: after each load, every chart follows an interval change.

Issue #13 measured the collagen chart staying on the old plan after one interval change on 11 of
29 loads (never in JupyterLab). This test loads the app ``LOADS`` times in one Voila (as
``make voila`` serves it, with the trainee role), moves the interval slider once per load and
requires every Plotly chart's data to change.

Still open (see the xfail reason): what the test finds on this stack is recorded there.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("_browser_support", Path(__file__).with_name("browser_support.py"))
bs = sys.modules.setdefault("_browser_support", importlib.util.module_from_spec(_spec))
if not hasattr(bs, "ROOT"):
    _spec.loader.exec_module(bs)

if bs.find_chromium() is None and not bs.browser_required():
    pytest.skip(bs.ENABLE_HINT, allow_module_level=True)

LOADS = 20
CHANGE_TIMEOUT_S = 30
# The charts that follow an interval change: all but the skin diagram, which by design moves only when
# the depth or the area changes (its title ends "to scale").
FOLLOWING_CHARTS_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
    .filter(gd => !((gd.layout && gd.layout.title && gd.layout.title.text) || '').includes('to scale'))
    .map(gd => JSON.stringify(gd.data || [], (k, v) => ArrayBuffer.isView(v) ? Array.from(v) : v))"""


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.xfail(strict=False, reason=(
    "open bug (issue #13): in Voila 0.5.13 with plotly 7.1 / anywidget 0.11 one FigureWidget's view "
    "sometimes never applies updates. The kernel sends every _py2js_update (seen on the websocket) and "
    "the other chart follows; the stale chart's view never runs its update handler, and on a loaded "
    "machine anywidget logs 'Failed to initialize model' (its 2 s initialisation timeout; each "
    "FigureWidget ships plotly's 4.9 MB widget bundle as its own _esm)."))
def test_every_chart_follows_an_interval_change_on_every_page_load(tmp_path):
    from playwright.sync_api import sync_playwright

    chromium = bs.chromium_or_skip()
    env = bs.trainee_voila_env(bs.jupyter_env(tmp_path / "jupyter-state"))
    notebook = bs.ROOT / "apps" / "planner.ipynb"

    def argv(port, token):  # cull abandoned kernels quickly: 20 loads must not leave 20 kernels
        return [*bs.voila_argv(port, token, notebook), "--MappingKernelManager.cull_idle_timeout=10",
                "--MappingKernelManager.cull_interval=5"]

    with bs.serve("voila-reloads", argv, cwd=bs.ROOT, env=env, ready_path="/voila/static/voila.js",
                  log=bs.ARTIFACTS / "voila-reloads.log", timeout=60) as voila, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=bs.CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            for load in range(1, LOADS + 1):
                page.goto(voila.url("/"))
                slider = page.locator(".widget-slider").filter(has=bs.label(page, "interval")).first
                slider.wait_for(timeout=120_000)
                page.locator(".js-plotly-plot").nth(2).wait_for()  # gantt, collagen and the skin diagram
                before = page.evaluate(FOLLOWING_CHARTS_JS)
                assert len(before) >= 2, f"load {load}: {len(before)} charts"
                bs.move_slider(slider, "Home")
                deadline = time.monotonic() + CHANGE_TIMEOUT_S
                while True:
                    now = page.evaluate(FOLLOWING_CHARTS_JS)
                    stale = [i for i, (a, b) in enumerate(zip(before, now, strict=True)) if a == b]
                    if not stale:
                        break
                    if time.monotonic() > deadline:
                        bs.screenshot(page, f"voila-reload-{load}-stale")
                        raise AssertionError(f"load {load} of {LOADS}: chart(s) {stale} still show the old plan "
                                             f"{CHANGE_TIMEOUT_S} s after the interval change")
                    time.sleep(0.25)
        finally:
            browser.close()
