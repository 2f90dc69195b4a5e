"""The course in a real browser: JupyterLab, nbgrader's pages and the Voila planner in Chromium.

Playwright drives Debian's ``chromium`` (never a browser of Playwright's own). Each test starts
from a real server of this environment on a free port of 127.0.0.1 with a test-only token:
one JupyterLab for the lesson and nbgrader tests (it serves a temporary copy of the course, so
running cells or saving never touches the repository), and one Voila for the planner app.
Servers stop when their fixture ends, also after a failure, and the port must be closed then.

Without Chromium these tests skip with one line saying how to enable them; with
``REQUIRE_BROWSER=1`` (as ``.ci/run`` sets) or ``CI=true`` a missing Chromium fails instead.
Screenshots and server logs go to ``artifacts/browser/`` (git-ignored).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

# tests/ is not a package and the suite imports in "importlib" mode: load the helpers by path.
_spec = importlib.util.spec_from_file_location(
    "_browser_support", Path(__file__).with_name("browser_support.py"))
bs = sys.modules.setdefault("_browser_support", importlib.util.module_from_spec(_spec))
if not hasattr(bs, "ROOT"):
    _spec.loader.exec_module(bs)


# Without Chromium: one skip line for the whole module, unless CI requires the browser tests
# (REQUIRE_BROWSER=1 or CI=true), where the `chromium` fixture turns it into failures.
if bs.find_chromium() is None and not bs.browser_required():
    pytest.skip(bs.ENABLE_HINT, allow_module_level=True)

ROOT = bs.ROOT
PLANNER_LESSON = "course/04_planning.ipynb"
SCREENING_LESSON = "course/03_screening.ipynb"
VOILA_APP = ROOT / "apps" / "planner.ipynb"
# What the planner's interval slider is called (its description contains this).
INTERVAL_LABEL = "interval"
# The HTML output that states the plan's safety verdict and findings (widgets.findings_html).
FINDINGS_CSS = ".ns-findings"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def chromium() -> str:
    return bs.chromium_or_skip()


@pytest.fixture(scope="module")
def browser(chromium, tmp_path_factory):
    """One headless Chromium (fresh profile) for the whole module."""
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            user_data_dir=str(profile), executable_path=chromium, headless=True, args=bs.CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 1000})
        context.set_default_timeout(60_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser, request):
    """A new tab; uncaught JavaScript errors are kept in ``page.js_errors``; the last view is saved."""
    from playwright.sync_api import Error as PlaywrightError

    page = browser.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    try:
        yield page
    finally:
        try:
            with contextlib.suppress(PlaywrightError):  # a crashed tab has nothing to show
                bs.screenshot(page, f"{request.node.name}-last")
        finally:
            page.close()


@pytest.fixture(scope="module")
def course_dir(tmp_path_factory) -> Path:
    """A throw-away course directory: copies of course/, solutions/ and nbgrader_config.py."""
    root = tmp_path_factory.mktemp("course-copy")
    skip = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    shutil.copytree(ROOT / "course", root / "course", ignore=skip)
    if (ROOT / "solutions").is_dir():
        shutil.copytree(ROOT / "solutions", root / "solutions", ignore=skip)
    config = ROOT / "nbgrader_config.py"
    text = config.read_text() if config.is_file() else (
        "import os\nc = get_config()  # noqa: F821\n"
        "c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))\n"
        "c.CourseDirectory.course_id = 'skin-needling-trainer'\n"
        "c.CourseDirectory.source_directory = 'solutions'\n")
    (root / "exchange").mkdir()
    # The copy's own exchange, so nbgrader's pages do not look for /srv/nbgrader/exchange.
    text += f"\n# Added by tests/test_browser.py\nc.Exchange.root = {str(root / 'exchange')!r}\n"
    (root / "nbgrader_config.py").write_text(text)
    return root


@pytest.fixture(scope="module")
def lab(chromium, course_dir, tmp_path_factory):
    """JupyterLab on 127.0.0.1 serving the course copy (cwd there, so nbgrader finds its config)."""
    state = tmp_path_factory.mktemp("jupyter-state")
    env = bs.jupyter_env(state)
    bs.write_lab_settings(Path(env["JUPYTER_CONFIG_DIR"]))

    def argv(port, token):
        return bs.jupyterlab_argv(port, token, course_dir)

    with bs.serve("jupyterlab", argv, cwd=course_dir, env=env, ready_path="/api/status",
                  log=bs.ARTIFACTS / "jupyterlab.log", timeout=90) as server:
        yield server


# --------------------------------------------------------------------------- JupyterLab


@pytest.mark.browser
@pytest.mark.slow
def test_lab_server_listens_on_loopback_with_a_token_and_serves_a_copy(lab, course_dir):
    status, _ = lab.get("/api/status", auth=False)
    assert status == 403, "the API must refuse a request without the token"
    status, body = lab.get("/api/status")
    assert status == 200 and '"started"' in body
    # Its root is the throw-away copy (only the copy has an exchange folder), so saving or
    # running cells in the browser never writes to the repository.
    status, body = lab.get("/api/contents/")
    names = {item["name"] for item in json.loads(body)["content"]}
    assert status == 200 and {"course", "exchange", "nbgrader_config.py"} <= names, names


@pytest.mark.browser
@pytest.mark.slow
def test_planner_lesson_slider_moves_the_chart_and_the_safety_message(page, lab):
    panel = bs.open_lab_notebook(page, lab, PLANNER_LESSON)
    n_cells = bs.run_all_cells(page, panel)
    assert n_cells > 1
    interval = page.locator(".widget-slider").filter(has=bs.label(page, INTERVAL_LABEL))
    app = bs.find_app(panel, interval, f"the planner app (a slider labelled {INTERVAL_LABEL!r})")
    slider = app.locator(".widget-slider").filter(has=bs.label(page, INTERVAL_LABEL)).first
    app.locator(".js-plotly-plot").first.wait_for()
    findings = app.locator(FINDINGS_CSS).first
    findings.wait_for()
    data_before, message_before = bs.plot_data(app), findings.inner_text()
    bs.shoot(page, app, "lab-planner-before")

    value_before, value_after = bs.move_slider(slider, "Home")  # the shortest interval
    assert value_after != value_before, f"the interval slider did not move from {value_before}"
    data_after = bs.wait_until_changed(lambda: bs.plot_data(app), data_before, what="the planner chart")
    message_after = bs.wait_until_changed(findings.inner_text, message_before, what="the safety message")
    bs.shoot(page, app, "lab-planner-after")
    assert not bs.unexpected_js_errors(page), f"JupyterLab raised JavaScript errors: {page.js_errors}"
    assert data_after != data_before
    # Ana's default plan passes; sessions a few days apart do not.
    assert "PROCEED" in message_before and "PROCEED" not in message_after, (message_before, message_after)


@pytest.mark.browser
@pytest.mark.slow
def test_screening_lesson_verdict_changes_when_a_contraindication_is_ticked(page, lab):
    panel = bs.open_lab_notebook(page, lab, SCREENING_LESSON)
    bs.run_all_cells(page, panel)
    keloid_box = page.locator(".widget-checkbox").filter(has_text="Keloid history")
    app = bs.find_app(panel, keloid_box, "the intake form (a 'Keloid history' checkbox)")
    keloid = app.locator(".widget-checkbox").filter(has_text="Keloid history").first
    verdict = app.locator(FINDINGS_CSS).first
    verdict.wait_for()
    app.locator(".js-plotly-plot").first.wait_for()
    verdict_before, data_before = verdict.inner_text(), bs.plot_data(app)
    assert "DO NOT TREAT" not in verdict_before
    bs.shoot(page, app, "lab-intake-before")

    keloid.locator("input[type=checkbox]").check()
    verdict_after = bs.wait_until_changed(verdict.inner_text, verdict_before, what="the screening verdict")
    bs.wait_until_changed(lambda: bs.plot_data(app), data_before, what="the screening chart")
    bs.shoot(page, app, "lab-intake-after")
    assert not bs.unexpected_js_errors(page), f"JupyterLab raised JavaScript errors: {page.js_errors}"
    assert "DO NOT TREAT" in verdict_after
    assert "keloid" in verdict_after.lower()


@pytest.mark.browser
@pytest.mark.slow
def test_nbgrader_pages_render_in_jupyterlab(page, lab, course_dir):
    assignments = sorted(p.name for p in (course_dir / "solutions").iterdir() if p.is_dir()) \
        if (course_dir / "solutions").is_dir() else []
    page.goto(lab.url("/lab?reset"))
    page.locator("#jp-main-statusbar").wait_for()

    bs.lab_menu(page, "Nbgrader", "Assignment List")
    tab = page.locator(".jp-MainAreaWidget:visible")
    for heading in ("Released assignments", "Downloaded assignments", "Submitted assignments"):
        tab.get_by_text(heading, exact=True).wait_for()
    bs.screenshot(page, "lab-nbgrader-assignment-list")

    bs.lab_menu(page, "Nbgrader", "Formgrader")
    formgrader = page.frame_locator("iframe[src*='formgrader']")
    formgrader.get_by_role("heading", name="Manage Assignments").wait_for()
    for name in assignments:
        formgrader.get_by_role("link", name=name, exact=True).wait_for()
    bs.screenshot(page, "lab-nbgrader-formgrader")


# --------------------------------------------------------------------------- Voila


@pytest.mark.browser
@pytest.mark.slow
def test_voila_planner_app_runs_without_code_and_reacts_to_the_slider(page, tmp_path):
    env = bs.trainee_voila_env(bs.jupyter_env(tmp_path / "jupyter-state"))
    app_digest = _digest(VOILA_APP)
    # As `make voila` runs it (from the repository root), plus a free port and a token.
    with bs.serve("voila", lambda port, token: bs.voila_argv(port, token, VOILA_APP), cwd=ROOT, env=env,
                  ready_path="/voila/static/voila.js", log=bs.ARTIFACTS / "voila.log", timeout=60) as voila:
        status, _ = voila.get("/", auth=False)
        assert status in (302, 403), f"Voila served the app without the token (HTTP {status})"

        page.goto(voila.url("/"))
        interval = page.locator(".widget-slider").filter(has=bs.label(page, INTERVAL_LABEL))
        app = bs.find_app(page, interval, "the Voila planner app", timeout=90)
        slider = app.locator(".widget-slider").filter(has=bs.label(page, INTERVAL_LABEL)).first
        app.locator(".js-plotly-plot").first.wait_for()
        findings = app.locator(FINDINGS_CSS).first
        findings.wait_for()
        text = page.locator("body").inner_text()
        assert "planner_app(" not in text and "from needling_sim" not in text, "Voila shows code"
        code = ".jp-CodeCell .jp-InputArea:visible, .jp-InputArea-editor:visible, .cm-editor:visible"
        assert page.locator(code).count() == 0, "Voila shows a code cell"
        assert page.get_by_role("heading", name="Course planner").is_visible(), "the app's title"
        data_before, message_before = bs.plot_data(app), findings.inner_text()
        bs.shoot(page, app, "voila-planner-before")

        value_before, value_after = bs.move_slider(slider, "Home")
        assert value_after != value_before
        bs.wait_until_changed(lambda: bs.plot_data(app), data_before, what="the Voila chart")
        message_after = bs.wait_until_changed(findings.inner_text, message_before, what="the safety message")
        assert "PROCEED" in message_before and "PROCEED" not in message_after, (message_before, message_after)
        bs.shoot(page, app, "voila-planner-after")
        assert not bs.unexpected_js_errors(page), f"the Voila page raised JavaScript errors: {page.js_errors}"
    assert _digest(VOILA_APP) == app_digest, "Voila modified apps/planner.ipynb"
