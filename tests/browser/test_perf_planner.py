"""One planner change in a real browser: how many bytes it costs and that it updates every chart.

Not a timing test (``make bench`` measures the time): it runs ``apps/planner.ipynb`` in JupyterLab
in Debian's Chromium with the benchmark's own instruments (``benchmarks/bench_browser.py``: a wrapped
WebSocket counting every frame, a MutationObserver on every chart) and checks the size of what
one key press on the interval slider brings over the wire, and that both charts (and their data)
changed. The cap holds with room to spare today (about 39 kB; 71 to 84 kB before issue 14):
an update path that resends whole figures, echoes plotly.js's replies or answers them trace by
trace crosses it.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("_bench_browser", ROOT / "benchmarks" / "bench_browser.py")
sys.path.insert(0, str(ROOT / "benchmarks"))  # bench_browser imports bench_common
bb = sys.modules.setdefault("_bench_browser", importlib.util.module_from_spec(_spec))
if not hasattr(bb, "INIT_JS"):
    _spec.loader.exec_module(bb)
bs = bb.bs

if bs.find_chromium() is None and not bs.browser_required():
    pytest.skip(bs.ENABLE_HINT, allow_module_level=True)

#: What one planner change may bring from the kernel to the browser, all messages included.
MAX_BYTES_PER_CHANGE = 50_000


def _chart_data(app) -> list[str]:
    """The data of the charts an interval change must update (every chart but the skin diagram)."""
    return app.evaluate(f"(app) => ({bb.PLOTS_IN_APP})(app).map(gd => JSON.stringify(gd.data || [], "
                        "(k, v) => ArrayBuffer.isView(v) ? Array.from(v) : v))")


@pytest.mark.browser
@pytest.mark.slow
def test_one_planner_change_is_small_on_the_wire_and_updates_every_chart(tmp_path):
    bs.chromium_or_skip()
    root = tmp_path / "served"
    root.mkdir()
    shutil.copy(ROOT / "apps" / "planner.ipynb", root / "planner.ipynb")  # the app, run in JupyterLab
    with bb.browser_context(tmp_path / "chromium-profile") as context, bb.lab_server(root, tmp_path / "state") as lab:
        page = context.new_page()
        panel = bs.open_lab_notebook(page, lab, "planner.ipynb")
        bs.run_all_cells(page, panel)
        app, handle = bb._interval_app(panel, page)
        bb._wait_usable(app, 2)
        before = _chart_data(app)
        assert len(before) == 2, f"the planner shows {len(before)} charts, expected the timeline and the collagen"
        presses = bb.measure_presses(page, app, handle, bb.PLOTS_IN_APP, presses=2)
        after = _chart_data(app)
    for press in presses:
        assert len(press.per_target_ms) == 2  # both charts changed (measure_presses waits for each)
        assert press.bytes_in <= MAX_BYTES_PER_CHANGE, (
            f"one change brought {press.bytes_in} bytes (cap {MAX_BYTES_PER_CHANGE}): "
            + json.dumps(press.messages)[:1500]
        )
    changed = [a != b for a, b in zip(before, after, strict=True)]
    assert all(changed), f"a chart's data did not change: {changed}"
