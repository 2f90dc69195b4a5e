"""The trainee's JupyterLab as ``make course`` opens it, and the trainee's Voila, in Chromium.

JupyterLab runs with ``roles/trainee`` on a workspace made by ``tools/trainee_workspace.py`` in a
temporary folder (the repository's own ``workspace/`` is never touched). Voila runs with the same
role as ``make voila``. Screenshots land in ``artifacts/browser/`` (git-ignored).
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from pathlib import Path

import psutil
import pytest

_spec = importlib.util.spec_from_file_location("_browser_support", Path(__file__).with_name("browser_support.py"))
bs = sys.modules.setdefault("_browser_support", importlib.util.module_from_spec(_spec))
if not hasattr(bs, "ROOT"):
    _spec.loader.exec_module(bs)
_tw_spec = importlib.util.spec_from_file_location("trainee_workspace", bs.ROOT / "tools" / "trainee_workspace.py")
tw = sys.modules.setdefault("trainee_workspace", importlib.util.module_from_spec(_tw_spec))
if not hasattr(tw, "Layout"):
    _tw_spec.loader.exec_module(tw)

if bs.find_chromium() is None and not bs.browser_required():
    pytest.skip(bs.ENABLE_HINT, allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
TRAINEE = bs.ROOT / "roles" / "trainee"
# What nbgrader shows when a trainee's exchange is missing, and the news question.
BANNERS = ("exchange directory does not exist", "Error fetching courses", "official Jupyter news", "Traceback")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    chromium = bs.chromium_or_skip()
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            user_data_dir=str(tmp_path_factory.mktemp("chromium-profile")), executable_path=chromium,
            headless=True, args=bs.CHROMIUM_ARGS, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(60_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser, request):
    page = browser.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    page.external = []
    page.on("request", lambda r: page.external.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:",
                                                                                     "blob:")) else None)
    try:
        yield page
    finally:
        bs.screenshot(page, f"{request.node.name}-last")
        page.close()


@pytest.fixture(scope="module")
def trainee_lab(tmp_path_factory):
    """JupyterLab as `make course` starts it, on a throw-away workspace and Jupyter state."""
    base = tmp_path_factory.mktemp("trainee")
    layout = tw.Layout(bs.ROOT, base / "workspace", base / "state")
    tw.make_workspace(layout, log=lambda _: None)
    env = bs.jupyter_env(base / "state" / "jupyter")
    env.update(JUPYTER_CONFIG_PATH=str(TRAINEE), JUPYTER_CONFIG_DIR=str(layout.trainee_config))

    def argv(port, token):
        return [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--ServerApp.ip={bs.HOST}",
                f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
                f"--ServerApp.root_dir={layout.workspace}", "--LabApp.default_url=/lab/tree/course/00_welcome.ipynb",
                *bs.root_flag()]

    with bs.serve("trainee-lab", argv, cwd=layout.workspace, env=env, ready_path="/api/status",
                  log=bs.ARTIFACTS / "trainee-lab.log", timeout=90) as server:
        server.layout = layout
        yield server


def _no_banner(page):
    text = page.locator("body").inner_text()
    shown = [b for b in BANNERS if b.lower() in text.lower()]
    assert not shown, f"the trainee sees {shown}"


def test_the_trainee_lab_opens_on_the_welcome_lesson_and_reaches_the_exercises(page, trainee_lab):
    page.goto(trainee_lab.url("/"))  # the URL `make course` prints; default_url leads on
    tab = page.locator(".lm-TabBar-tab.jp-mod-current", has_text="00_welcome.ipynb")
    tab.wait_for()
    page.locator(".jp-NotebookPanel:visible .jp-Cell").first.wait_for()
    page.locator("#jp-main-statusbar").get_by_text("Idle").wait_for(timeout=90_000)
    time.sleep(2)  # a news toast would appear by now
    bs.screenshot(page, "trainee-lab-welcome")
    _no_banner(page)
    assert page.locator(".jp-toast-message, .Toastify__toast").count() == 0, "a notification pops up"

    status, body = trainee_lab.get("/api/contents/exercises")
    assignments = sorted(item["name"] for item in json.loads(body)["content"])
    assert status == 200 and assignments == sorted(p.name for p in (bs.ROOT / "exercises").iterdir() if p.is_dir())
    first = assignments[0]
    page.goto(trainee_lab.url(f"/lab/tree/exercises/{first}/{first}.ipynb"))
    page.locator(".jp-NotebookPanel:visible .jp-Cell").first.wait_for()
    bs.screenshot(page, "trainee-lab-exercise")
    _no_banner(page)
    assert not bs.unexpected_js_errors(page), page.js_errors


def test_the_trainee_sees_the_assignment_list_without_errors_and_no_instructor_tools(page, trainee_lab):
    page.goto(trainee_lab.url("/lab?reset"))
    page.locator("#jp-main-statusbar").wait_for()
    page.locator("#jp-MainMenu").get_by_role("menuitem", name="Nbgrader", exact=True).click()
    items = page.locator(".lm-Menu .lm-Menu-itemLabel").all_inner_texts()
    assert [i for i in items if i.strip()] == ["Assignment List"], items
    page.locator(".lm-Menu").get_by_role("menuitem", name="Assignment List", exact=True).click()
    listing = page.locator(".jp-MainAreaWidget:visible")
    listing.get_by_text("Downloaded assignments", exact=True).wait_for()
    for name in sorted(p.name for p in (bs.ROOT / "exercises").iterdir() if p.is_dir()):
        listing.get_by_text(name, exact=True).first.wait_for(timeout=30_000)
    bs.screenshot(page, "trainee-lab-assignment-list")
    _no_banner(page)
    page.keyboard.press("Control+Shift+c")  # the command palette lists no instructor command either
    palette = page.locator(".lm-CommandPalette")
    palette.locator("input").fill("formgrader")
    assert palette.locator(".lm-CommandPalette-item:visible").count() == 0
    for path in ("/formgrader", "/formgrader/api/assignments"):
        status, _ = trainee_lab.get(path)
        assert status == 404, f"{path} answers {status} to a trainee"


def test_voila_requests_nothing_from_another_host_and_culls_the_kernels_of_closed_pages(page, tmp_path):
    env = bs.trainee_voila_env(bs.jupyter_env(tmp_path / "jupyter-state"))
    notebook = bs.ROOT / "apps" / "planner.ipynb"

    def argv(port, token):  # the role's culling, with short times so the test can wait for it
        return [*bs.voila_argv(port, token, notebook), "--MappingKernelManager.cull_idle_timeout=6",
                "--MappingKernelManager.cull_interval=2"]

    with bs.serve("voila-trainee", argv, cwd=bs.ROOT, env=env, ready_path="/voila/static/voila.js",
                  log=bs.ARTIFACTS / "voila-trainee.log", timeout=60) as voila:
        for _ in range(3):  # each load starts a kernel; leaving the page abandons it
            page.goto(voila.url("/"))
            page.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
        page.goto("about:blank")
        assert not page.external, f"the Voila page requested other hosts: {sorted(set(page.external))}"

        def kernels():
            """Live kernel processes under Voila (a kernel just shut down may linger as a zombie: gone)."""
            alive = []
            for child in psutil.Process(voila.process.pid).children(recursive=True):
                try:
                    if child.status() != psutil.STATUS_ZOMBIE and "ipykernel" in " ".join(child.cmdline()):
                        alive.append(child)
                except psutil.Error:  # it ended between the listing and the look
                    continue
            return alive

        assert len(kernels()) >= 1
        deadline = time.monotonic() + 60
        while kernels() and time.monotonic() < deadline:
            time.sleep(1)
        assert not kernels(), f"{len(kernels())} kernels of closed pages still run"
    config = json.loads((TRAINEE / "voila.json").read_text())["MappingKernelManager"]
    assert config["cull_connected"] is False and config["cull_idle_timeout"] > 0
