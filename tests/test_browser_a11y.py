"""axe-core in Chromium: no serious or critical accessibility violation that the course causes.

Two pages as a trainee sees them: lesson 04 (the planner lesson) in JupyterLab after Run All,
and the Voila planner (``apps/planner.ipynb``, as ``make voila`` serves it). axe-core comes
bundled with ``axe-playwright-python`` (pinned in requirements.lock: nothing downloads at run
time) and runs inside the page. In JupyterLab only the notebook's content is checked: the cells'
markdown, outputs and widgets are the course's, while JupyterLab's own chrome (menus, side bars,
toolbars, the status bar, cell prompts and collapsers) is not ours to fix. A failure lists each
violation with its rule, impact, help text and the first offending elements.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("_browser_support", Path(__file__).with_name("browser_support.py"))
bs = sys.modules.setdefault("_browser_support", importlib.util.module_from_spec(_spec))
if not hasattr(bs, "ROOT"):
    _spec.loader.exec_module(bs)

if bs.find_chromium() is None and not bs.browser_required():
    pytest.skip(bs.ENABLE_HINT, allow_module_level=True)

LESSON = "course/04_planning.ipynb"
BLOCKING = {"serious", "critical"}
# The lesson's cells, not the notebook around them: JupyterLab's windowed notebook viewport has
# role "list" with cells that are not list items (axe: aria-required-children), JupyterLab's to fix.
LESSON_CELLS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell"
# JupyterLab's own parts inside a notebook panel: prompts, collapsers, the cell toolbar, editors of
# folded code (CodeMirror's hidden textarea) and the placeholder of a collapsed input.
LAB_CHROME = [
    [".jp-InputPrompt"],
    [".jp-OutputPrompt"],
    [".jp-Collapser"],
    [".jp-cell-toolbar"],
    [".jp-InputArea-editor"],
    [".jp-InputPlaceholder"],
    [".jp-OutputPlaceholder"],
]


def _blocking_violations(page, context) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    response = Axe().run(page, context=context, options={"resultTypes": ["violations"]}).response
    found = []
    for v in response["violations"]:
        if v["impact"] in BLOCKING:
            targets = [" ".join(map(str, node["target"])) for node in v["nodes"][:3]]
            found.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} element(s)): {v['help']}; e.g. {targets}")
    return found


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    chromium = bs.chromium_or_skip()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=bs.CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, request):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(60_000)
    try:
        yield page
    finally:
        bs.screenshot(page, f"{request.node.name}-last")
        page.close()


@pytest.mark.browser
@pytest.mark.slow
def test_lesson_04_after_run_all_has_no_serious_violation(page, tmp_path):
    copy = tmp_path / "course-copy"
    shutil.copytree(bs.ROOT / "course", copy / "course", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    # The trainee's role, as `make course` serves the lessons (no instructor tools, no news).
    env = {**bs.jupyter_env(tmp_path / "jupyter-state"), "JUPYTER_CONFIG_PATH": str(bs.ROOT / "roles" / "trainee")}
    bs.write_lab_settings(Path(env["JUPYTER_CONFIG_DIR"]))
    with bs.serve("jupyterlab-a11y", lambda port, token: bs.jupyterlab_argv(port, token, copy), cwd=copy, env=env,
                  ready_path="/api/status", log=bs.ARTIFACTS / "jupyterlab-a11y.log", timeout=90) as lab:
        panel = bs.open_lab_notebook(page, lab, LESSON)
        bs.run_all_cells(page, panel)
        app = bs.find_app(panel, bs.slider_handle(page.locator(".widget-slider")), "the planner app")
        app.locator(".js-plotly-plot").first.wait_for()
        # The planner's interval slider is named by its label (it used to read "slider 42").
        assert app.get_by_role("slider", name="Interval (days)").count() == 1
        found = _blocking_violations(page, {"include": [[LESSON_CELLS]], "exclude": LAB_CHROME})
    assert not found, "axe-core, lesson 04 in JupyterLab:\n" + "\n".join(found)


@pytest.mark.browser
@pytest.mark.slow
def test_voila_planner_has_no_serious_violation(page, tmp_path):
    env = bs.trainee_voila_env(bs.jupyter_env(tmp_path / "jupyter-state"))
    notebook = bs.ROOT / "apps" / "planner.ipynb"
    with bs.serve("voila-a11y", lambda port, token: bs.voila_argv(port, token, notebook), cwd=bs.ROOT, env=env,
                  ready_path="/voila/static/voila.js", log=bs.ARTIFACTS / "voila-a11y.log", timeout=60) as voila:
        page.goto(voila.url("/"))
        page.get_by_role("slider", name="Interval (days)").wait_for(timeout=90_000)
        page.locator(".js-plotly-plot").nth(1).wait_for()
        page.locator(".ns-findings").first.wait_for()
        found = _blocking_violations(page, None)  # the whole page is the course's
    assert not found, "axe-core, the Voila planner:\n" + "\n".join(found)
