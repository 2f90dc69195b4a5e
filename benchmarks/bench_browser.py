"""What the trainee feels, measured in Chromium: key press to repainted charts, and start-up.

Playwright drives Debian's ``chromium`` (never a browser of Playwright's own) against a real
JupyterLab and a real Voila of this environment, started the way the browser tests start them
(``tests/browser_support.py``). In the page:

- a script installed before any other code wraps ``WebSocket`` and stamps every frame sent and
  received (``performance.now()``, bytes, Jupyter message type, the widget state keys it carries);
- a keydown listener (capture phase) stamps the key press on the slider;
- a ``MutationObserver`` on every target (each Plotly chart of the app, or the floor's label)
  stamps each change, then the end of the next animation frame (``requestAnimationFrame`` and a
  task after it), when the change has been painted; ``plotly_afterplot`` events are counted too.

One *round trip* is the key press to the last target's first painted frame after its last change,
once every target has changed and nothing has changed for :data:`QUIET_MS`. Each press moves the
planner's interval slider one day further (new values, so the model's cache never answers).

Configurations: the lesson 04 planner (``course/04_planning.ipynb`` run with Run All), the lesson
06 planner (1000-patient cohort band) and the Voila planner (``apps/planner.ipynb``); the floor
of each is a bare ``IntSlider`` echoed into a ``Label`` through the same server (the comm round
trip any widget pays). Start-up: lesson 04 from Run All to a usable planner (both charts drawn,
the plan check shown) and Voila from page load to a usable planner, against a kernel start.

Run alone for a quick look: ``.venv/bin/python benchmarks/bench_browser.py [--presses N]
[--profile] [--only lab04 lab06 voila]``; ``make bench`` runs it as the ``browser`` group.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import shutil
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench_common import ROOT, SCRATCH, Figure, Goal, failed

_spec = importlib.util.spec_from_file_location("_browser_support", ROOT / "tests" / "browser_support.py")
bs = sys.modules.setdefault("_browser_support", importlib.util.module_from_spec(_spec))
if not hasattr(bs, "ROOT"):
    _spec.loader.exec_module(bs)

QUIET_MS = 450
INTERVAL_LABEL = "interval"
LESSON_04 = "course/04_planning.ipynb"
LESSON_06 = "course/06_outcomes.ipynb"
FLOOR_NOTEBOOK = "floor_echo.ipynb"
FLOOR_SOURCE = """import ipywidgets as W
slider = W.IntSlider(value=42, min=7, max=120, description="Interval (days)", continuous_update=False)
echo = W.Label(value="42")
slider.observe(lambda change: setattr(echo, "value", str(change["new"])), names="value")
W.VBox([slider, echo])"""

# ------------------------------------------------------------------------------ page instruments

# Installed before the page's own scripts: wraps WebSocket, stamps key presses.
INIT_JS = r"""
(() => {
  const wire = window.__nsWire = [];
  window.__nsKeys = [];
  document.addEventListener('keydown', () => window.__nsKeys.push(performance.now()), true);
  const dec = new TextDecoder('utf-8', {fatal: false});
  function head(buf, offset, n) { return dec.decode(new Uint8Array(buf, offset, Math.min(4000, n))); }
  function describe(data) {
    let bytes = 0, text = '';
    if (typeof data === 'string') { bytes = data.length; text = data.slice(0, 4000); }
    else if (data instanceof ArrayBuffer) { bytes = data.byteLength; text = head(data, 0, bytes); }
    else if (ArrayBuffer.isView(data)) { bytes = data.byteLength; text = head(data.buffer, data.byteOffset, bytes); }
    else if (data instanceof Blob) { bytes = data.size; }
    const type = (text.match(/"msg_type"\s*:\s*"(\w+)"/) || [])[1] || '';
    const method = (text.match(/"method"\s*:\s*"(\w+)"/) || [])[1] || '';
    const keys = [...text.matchAll(/"state"\s*:\s*\{\s*"(\w+)"/g)].map(m => m[1]);
    return {bytes, type, method, keys: keys.join(',')};
  }
  const Native = window.WebSocket;
  class Wrapped extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => wire.push({t: performance.now(), dir: 'in', ...describe(e.data)}));
    }
    send(data) { wire.push({t: performance.now(), dir: 'out', ...describe(data)}); return super.send(data); }
  }
  window.WebSocket = Wrapped;
})();
"""

# Observe the targets (elements) given; returns nothing. State lives in window.__nsWatch.
WATCH_JS = r"""
(targets) => {
  const watch = window.__nsWatch = targets.map(() => ({mutations: [], paints: [], afterplot: []}));
  targets.forEach((el, i) => {
    const w = watch[i];
    let pending = false;
    new MutationObserver(() => {
      const t = performance.now();
      w.mutations.push(t);
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => setTimeout(() => { pending = false; w.paints.push(performance.now()); }, 0));
    }).observe(el, {subtree: true, childList: true, attributes: true, characterData: true});
    if (typeof el.on === 'function') el.on('plotly_afterplot', () => w.afterplot.push(performance.now()));
  });
}
"""

STATE_JS = r"""
() => ({now: performance.now(), keys: window.__nsKeys.slice(-1),
        watch: window.__nsWatch.map(w => ({last: w.mutations.length ? w.mutations[w.mutations.length - 1] : -1}))})
"""

# Traces, points and shapes of every chart in the app.
CHART_SHAPE_JS = r"""
(app) => Array.from(app.querySelectorAll('.js-plotly-plot')).map(gd => ({
  traces: (gd.data || []).length,
  points: (gd.data || []).reduce((n, t) => n + (t.x ? t.x.length : 0), 0),
  shapes: ((gd.layout || {}).shapes || []).length,
  title: (((gd.layout || {}).title || {}).text || '').slice(0, 60),
}))
"""


@dataclass
class Press:
    """One key press and what followed it (times in ms from the press)."""

    round_trip_ms: float
    per_target_ms: list[float]
    first_out_ms: float | None
    last_in_ms: float | None
    bytes_in: int
    bytes_out: int
    messages: list[dict] = field(default_factory=list)
    redraws: list[int] = field(default_factory=list)


def _press_and_measure(page, handle, key: str, n_targets: int, timeout_s: float = 20) -> Press:
    wire_before = page.evaluate("window.__nsWire.length")
    counts = page.evaluate("window.__nsWatch.map(w => [w.mutations.length, w.paints.length, w.afterplot.length])")
    handle.press(key)
    deadline = time.monotonic() + timeout_s
    while True:
        time.sleep(0.05)
        s = page.evaluate(STATE_JS)
        key_t = s["keys"][0] if s["keys"] else None
        lasts = [w["last"] for w in s["watch"]]
        if key_t is not None and all(t > key_t for t in lasts) and s["now"] - max(lasts) > QUIET_MS:
            break
        if time.monotonic() > deadline:
            changed = [t > (key_t or 0) for t in lasts]
            with contextlib.suppress(Exception):
                bs.screenshot(page, "bench-no-change")
            wire = page.evaluate(
                "(n) => window.__nsWire.slice(n).map(m => [m.dir, m.bytes, m.type, m.keys])", wire_before
            )
            raise AssertionError(f"not every target changed within {timeout_s} s after {key}: {changed}; wire {wire}")
    data = page.evaluate(
        """([wb, counts]) => ({wire: window.__nsWire.slice(wb), key: window.__nsKeys[window.__nsKeys.length - 1],
            watch: window.__nsWatch.map((w, i) => ({mutations: w.mutations.slice(counts[i][0]),
            paints: w.paints.slice(counts[i][1]), afterplot: w.afterplot.slice(counts[i][2])}))})""",
        [wire_before, counts],
    )
    key_t = data["key"]
    per_target = []
    for w in data["watch"]:
        last = max(w["mutations"])
        painted = [p for p in w["paints"] if p >= last]
        per_target.append((painted[0] if painted else last) - key_t)
    wire = [m for m in data["wire"] if m["t"] >= key_t]
    outs = [m for m in wire if m["dir"] == "out"]
    ins = [m for m in wire if m["dir"] == "in"]
    return Press(
        round_trip_ms=max(per_target),
        per_target_ms=per_target,
        first_out_ms=(outs[0]["t"] - key_t) if outs else None,
        last_in_ms=(max(m["t"] for m in ins) - key_t) if ins else None,
        bytes_in=sum(m["bytes"] for m in ins),
        bytes_out=sum(m["bytes"] for m in outs),
        messages=[{k: (round(v - key_t, 1) if k == "t" else v) for k, v in m.items()} for m in wire],
        redraws=[len(w["afterplot"]) for w in data["watch"]],
    )


def measure_presses(page, app, handle, targets_js: str, presses: int, key: str = "ArrowRight") -> list[Press]:
    """Watch the targets inside ``app`` (a JS selector function body) and press ``key`` ``presses`` times."""
    targets = app.evaluate_handle(targets_js)
    page.evaluate(WATCH_JS, targets)
    n = page.evaluate("window.__nsWatch.length")
    handle.focus()
    out = []
    for _ in range(presses):
        out.append(_press_and_measure(page, handle, key, n))
    return out


#: The planner's charts that follow every plan change: the skin diagram (layout.meta "skin_section")
#: follows only depth and area, so an interval press does not wait for it.
PLOTS_IN_APP = (
    "(app) => Array.from(app.querySelectorAll('.js-plotly-plot'))"
    ".filter(gd => !(gd.layout && gd.layout.meta === 'skin_section'))"
)
LABEL_IN_APP = (
    r"(app) => Array.from(app.querySelectorAll('.widget-label')).filter(el => /^\d+$/.test(el.textContent.trim()))"
)


# ------------------------------------------------------------------------------ CPU profile


def _bucket(url: str) -> str:
    if not url:
        return "(native/gc/idle)"
    if "plotly" in url or url.startswith("blob:"):
        return "plotly.js (anywidget bundle)"
    if "jupyter-widgets" in url or "widgets" in url:
        return "ipywidgets front end"
    return "JupyterLab/Voila and other scripts"


def cpu_profile(page, action) -> dict:
    """Chrome's sampling profile of ``action()``: self time by script family and top functions (ms)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 200})
    cdp.send("Profiler.start")
    try:
        action()
    finally:
        profile = cdp.send("Profiler.stop")["profile"]
        cdp.detach()
    nodes = {n["id"]: n for n in profile["nodes"]}
    self_us: dict[int, float] = defaultdict(float)
    deltas = profile.get("timeDeltas", [])
    for sample, dt_us in zip(profile.get("samples", []), deltas[1:] + [0], strict=True):
        self_us[sample] += dt_us
    buckets: dict[str, float] = defaultdict(float)
    functions: dict[str, float] = defaultdict(float)
    for nid, us in self_us.items():
        frame = nodes[nid]["callFrame"]
        name = frame["functionName"] or "(anonymous)"
        if name in ("(idle)", "(program)", "(garbage collector)"):
            buckets[name] += us
            continue
        buckets[_bucket(frame["url"])] += us
        short = frame["url"].rsplit("/", 1)[-1][:40]
        functions[f"{name} ({short}:{frame['lineNumber']})"] += us
    top = sorted(functions.items(), key=lambda kv: -kv[1])[:12]
    return {
        "by_script_ms": {k: round(v / 1000, 1) for k, v in sorted(buckets.items(), key=lambda kv: -kv[1])},
        "top_functions_self_ms": {k: round(v / 1000, 1) for k, v in top},
    }


# ------------------------------------------------------------------------------ servers and pages


@contextlib.contextmanager
def browser_context(profile_dir: Path):
    from playwright.sync_api import sync_playwright

    chromium = bs.find_chromium()
    if chromium is None:
        raise RuntimeError(bs.ENABLE_HINT)
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            user_data_dir=str(profile_dir),
            executable_path=chromium,
            headless=True,
            args=bs.CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 1000},
        )
        context.set_default_timeout(90_000)
        context.add_init_script(INIT_JS)
        try:
            yield context
        finally:
            context.close()


def _scratch_course(root: Path) -> Path:
    """A throw-away copy of the lessons and the app, plus the floor notebook."""
    import nbformat

    shutil.rmtree(root, ignore_errors=True)
    skip = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    shutil.copytree(ROOT / "course", root / "course", ignore=skip)
    (root / "apps").mkdir(parents=True)
    shutil.copy(ROOT / "apps" / "planner.ipynb", root / "apps" / "planner.ipynb")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_SOURCE)])
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nbformat.write(nb, root / FLOOR_NOTEBOOK)
    shutil.copy(root / FLOOR_NOTEBOOK, root / "apps" / FLOOR_NOTEBOOK)
    return root


@contextlib.contextmanager
def lab_server(root: Path, state: Path):
    env = bs.jupyter_env(state)
    bs.write_lab_settings(Path(env["JUPYTER_CONFIG_DIR"]))
    with bs.serve(
        "jupyterlab",
        lambda port, token: bs.jupyterlab_argv(port, token, root),
        cwd=root,
        env=env,
        ready_path="/api/status",
        log=SCRATCH / "browser-jupyterlab.log",
        timeout=120,
    ) as server:
        yield server


@contextlib.contextmanager
def voila_server(notebook: Path, state: Path):
    env = bs.jupyter_env(state)

    def argv(port, token):
        return [
            str(bs.BIN / "voila"),
            "--no-browser",
            f"--Voila.ip={bs.HOST}",
            f"--port={port}",
            "--Voila.port_retries=0",
            f"--token={token}",
            str(notebook),
        ]

    with bs.serve(
        "voila",
        argv,
        cwd=ROOT,
        env=env,
        ready_path="/voila/static/voila.js",
        log=SCRATCH / "browser-voila.log",
        timeout=90,
    ) as server:
        yield server


def _interval_app(scope, page, *, cohort: bool = False, timeout: float = 120):
    interval = page.locator(".widget-slider").filter(has=bs.label(page, INTERVAL_LABEL))
    has = interval
    app = scope.locator(".jp-OutputArea-output").filter(has=has)
    if cohort:
        app = app.filter(has_text="cohort")
    app = app.last
    app.wait_for(timeout=timeout * 1000)
    app.scroll_into_view_if_needed()
    handle = bs.slider_handle(app.locator(".widget-slider").filter(has=bs.label(page, INTERVAL_LABEL)).first)
    return app, handle


def _wait_usable(app, n_charts: int, timeout: float = 120) -> None:
    """Both charts have drawn their traces and the plan check is shown."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ok = app.evaluate(
            """(app, n) => { const gds = app.querySelectorAll('.js-plotly-plot');
               return gds.length >= n && Array.from(gds).every(gd => gd.querySelector('.scatterlayer, .barlayer') &&
               (gd.data || []).length > 0) && !!app.querySelector('.ns-findings, .ns-error'); }""",
            n_charts,
        )
        if ok:
            return
        time.sleep(0.05)
    raise AssertionError(f"the planner was not usable within {timeout} s")


def lab_config(page, lab, path: str, *, cohort: bool, presses: int, profile: bool) -> dict:
    """Open ``path``, Run All, time it to a usable planner, then measure key presses."""
    panel = bs.open_lab_notebook(page, lab, path)
    t0 = time.perf_counter()
    bs.lab_menu(page, "Run", "Run All Cells")
    app, handle = _interval_app(panel, page, cohort=cohort)
    _wait_usable(app, 2)
    startup_s = time.perf_counter() - t0
    page.locator("#jp-main-statusbar").get_by_text("Idle").wait_for(timeout=120_000)
    return {"startup_s": startup_s, **_measure_app(page, app, handle, presses, profile)}


def _measure_app(page, app, handle, presses: int, profile: bool) -> dict:
    shape = app.evaluate(CHART_SHAPE_JS)
    result = {"charts": shape, "presses": measure_presses(page, app, handle, PLOTS_IN_APP, presses)}
    if profile:
        more: list[Press] = []
        result["cpu_profile_5_presses"] = cpu_profile(
            page, lambda: more.extend(_press_and_measure(page, handle, "ArrowRight", len(shape)) for _ in range(5))
        )
    return result


def lab_floor(page, lab, presses: int) -> list[Press]:
    panel = bs.open_lab_notebook(page, lab, FLOOR_NOTEBOOK)
    bs.run_all_cells(page, panel)
    return _floor(page, panel, presses)


def _floor(page, scope, presses: int) -> list[Press]:
    app = scope.locator(".jp-OutputArea-output").filter(has=page.locator(".widget-slider")).first
    app.wait_for()
    handle = app.locator(".noUi-handle").first
    app.locator(".widget-label", has_text="42").last.wait_for()
    time.sleep(0.5)
    return measure_presses(page, app, handle, LABEL_IN_APP, presses)


def voila_planner(page, voila, presses: int, profile: bool) -> dict:
    t0 = time.perf_counter()
    page.goto(voila.url("/"), wait_until="commit")
    page.wait_for_function("() => document.body && document.body.innerText.trim().length > 0", polling=50)
    first_text_s = time.perf_counter() - t0
    app, handle = _interval_app(page, page)
    _wait_usable(app, 2)
    usable_s = time.perf_counter() - t0
    time.sleep(0.5)
    return {"first_text_s": first_text_s, "startup_s": usable_s, **_measure_app(page, app, handle, presses, profile)}


def voila_floor(page, voila, presses: int) -> list[Press]:
    page.goto(voila.url("/"))
    return _floor(page, page, presses)


def kernel_start_s() -> float:
    """A fresh python3 kernel from start to its first reply (jupyter_client, as the servers do)."""
    from jupyter_client.manager import start_new_kernel

    t0 = time.perf_counter()
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        return time.perf_counter() - t0
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


# ------------------------------------------------------------------------------ the whole run


def _attempt(out: dict, name: str, context, measure) -> None:
    """``out[name] = measure(page)`` in a new tab; a failure is recorded as ``{"error": ...}``."""
    page = context.new_page()
    try:
        out[name] = measure(page)
    except Exception as exc:  # one configuration failing must not lose the others
        out[name] = {"error": f"{type(exc).__name__}: {exc}".splitlines()[0][:400]}
        with contextlib.suppress(Exception):
            bs.screenshot(page, f"bench-{name}-failed")
    finally:
        page.close()


def run(presses: int = 20, profile: bool = False, only: tuple[str, ...] = ("lab04", "lab06", "voila")) -> dict:
    """Measure every configuration once (a fresh server each); raw results as a dict."""
    work = SCRATCH / "browser"
    root = _scratch_course(work / "course-copy")
    out: dict = {"kernel_start_s": [kernel_start_s() for _ in range(3)]}
    with browser_context(work / "chromium-profile") as context:
        if {"lab04", "lab06"} & set(only):
            with lab_server(root, work / "lab-state") as lab:
                _attempt(out, "lab_floor", context, lambda page: lab_floor(page, lab, presses))
                for name, path, cohort in (("lab04", LESSON_04, False), ("lab06", LESSON_06, True)):
                    if name in only:
                        _attempt(
                            out,
                            name,
                            context,
                            lambda page, p=path, c=cohort: lab_config(
                                page, lab, p, cohort=c, presses=presses, profile=profile
                            ),
                        )
        if "voila" in only:
            # One notebook per Voila, as `make voila` serves the planner.
            with voila_server(root / "apps" / FLOOR_NOTEBOOK, work / "voila-state") as voila:
                _attempt(out, "voila_floor", context, lambda page: voila_floor(page, voila, presses))
            with voila_server(root / "apps" / "planner.ipynb", work / "voila-state") as voila:
                _attempt(out, "voila", context, lambda page: voila_planner(page, voila, presses, profile))
    return out


def _p95(xs: list[float]) -> float:
    if len(xs) < 2:
        return xs[0]
    return statistics.quantiles(xs, n=20, method="inclusive")[-1]


def summarize(presses: list[Press]) -> dict:
    rt = [p.round_trip_ms for p in presses]
    by_type: dict[str, list[int]] = defaultdict(list)
    for p in presses:
        per: dict[str, int] = defaultdict(int)
        for m in p.messages:
            label = f"{m['dir']} {m['type'] or '?'}" + (f" {m['keys']}" if m["keys"] else "")
            per[label] += m["bytes"]
        for k, v in per.items():
            by_type[k].append(v)
    return {
        "p50_ms": round(statistics.median(rt), 1),
        "p95_ms": round(_p95(rt), 1),
        "min_ms": round(min(rt), 1),
        "max_ms": round(max(rt), 1),
        "samples_ms": [round(x, 1) for x in rt],
        "per_target_p50_ms": [
            round(statistics.median(xs), 1) for xs in zip(*(p.per_target_ms for p in presses), strict=True)
        ],
        "first_message_out_p50_ms": _med([p.first_out_ms for p in presses]),
        "last_message_in_p50_ms": _med([p.last_in_ms for p in presses]),
        "bytes_in_p50": int(statistics.median(p.bytes_in for p in presses)),
        "bytes_in_max": max(p.bytes_in for p in presses),
        "bytes_out_p50": int(statistics.median(p.bytes_out for p in presses)),
        "bytes_by_message_p50": {
            k: int(statistics.median(v)) for k, v in sorted(by_type.items(), key=lambda kv: -max(kv[1]))
        },
        "redraws_per_chart_p50": [statistics.median(xs) for xs in zip(*(p.redraws for p in presses), strict=True)],
        "median_press": _timeline(sorted(presses, key=lambda p: p.round_trip_ms)[len(presses) // 2]),
    }


def _timeline(p: Press) -> dict:
    """One press, message by message (ms from the key press), to read where its time went."""
    return {
        "round_trip_ms": round(p.round_trip_ms, 1),
        "per_target_ms": [round(x, 1) for x in p.per_target_ms],
        "messages": [
            f"{m['t']:7.1f} {m['dir']:3} {m['bytes']:6} {m['type']} {m['method']} {m['keys']}".rstrip()
            for m in p.messages
        ],
    }


def _med(xs):
    xs = [x for x in xs if x is not None]
    return round(statistics.median(xs), 1) if xs else None


def report(raw: dict) -> dict:
    out: dict = {"kernel_start_s": [round(x, 2) for x in raw["kernel_start_s"]]}
    for name, value in raw.items():
        if name == "kernel_start_s":
            continue
        if isinstance(value, list):
            out[name] = summarize(value)
        elif "error" in value:
            out[name] = value
        else:
            entry = {k: v for k, v in value.items() if k != "presses"}
            entry.update(summarize(value["presses"]))
            for k in ("startup_s", "first_text_s"):
                if k in entry:
                    entry[k] = round(entry[k], 2)
            out[name] = entry
    return out


FIGURES = {
    # key: (configuration, statistic)
    "browser_lab04_p50_ms": ("lab04", "p50_ms"),
    "browser_lab04_p95_ms": ("lab04", "p95_ms"),
    "browser_lab06_p50_ms": ("lab06", "p50_ms"),
    "browser_lab06_p95_ms": ("lab06", "p95_ms"),
    "browser_lab_floor_p95_ms": ("lab_floor", "p95_ms"),
    "browser_voila_p50_ms": ("voila", "p50_ms"),
    "browser_voila_p95_ms": ("voila", "p95_ms"),
    "browser_voila_floor_p95_ms": ("voila_floor", "p95_ms"),
    "browser_bytes_per_change": ("lab04", "bytes_in_max"),
    "startup_lab04_s": ("lab04", "startup_s"),
    "startup_voila_s": ("voila", "startup_s"),
    "startup_voila_first_text_s": ("voila", "first_text_s"),
    "startup_kernel_s": ("kernel_start_s", None),
}


def figures(runs: int, goals: dict[str, Goal | None], profile: bool, presses: int = 20) -> list[Figure]:
    """The browser figures for ``benchmarks/run.py``: ``runs`` full runs, each with its floor."""
    reports = []
    errors = []
    for i in range(runs):
        try:
            reports.append(report(run(presses=presses, profile=profile and i == 0)))
        except Exception as exc:  # a run that crashed: keep the others
            errors.append(f"{type(exc).__name__}: {exc}".splitlines()[0][:300])
    if not reports:
        return [failed(k, goals.get(k), "; ".join(errors)) for k in FIGURES]
    out = []
    for key, (config, stat) in FIGURES.items():
        if stat is None:
            samples = [x for r in reports for x in r[config]]
        else:
            samples = [r[config][stat] for r in reports if config in r and stat in r[config]]
        fig = Figure(key, [float(s) for s in samples], goals.get(key))
        config_errors = [
            r[config]["error"] for r in reports if isinstance(r.get(config), dict) and "error" in r[config]
        ]
        if config_errors:
            fig.error = f"{len(config_errors)} of {len(reports)} runs failed: {config_errors[0][:200]}"
        if errors:
            fig.error = f"{len(errors)} of {runs} runs failed: {errors[0]}"
        if key.endswith("p95_ms") and stat is not None:
            fig.details["runs"] = [r.get(config) for r in reports]
        out.append(fig)
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="browser round trips and start-up (one run)")
    parser.add_argument("--presses", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--only", nargs="+", default=["lab04", "lab06", "voila"])
    parser.add_argument("--output", type=Path, default=SCRATCH / "browser.json")
    args = parser.parse_args(argv)
    result = report(run(args.presses, args.profile, tuple(args.only)))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    for name, r in result.items():
        if isinstance(r, dict) and "error" in r:
            print(name, "FAILED:", r["error"])
        elif isinstance(r, dict):
            keys = (
                "startup_s",
                "first_text_s",
                "p50_ms",
                "p95_ms",
                "per_target_p50_ms",
                "first_message_out_p50_ms",
                "last_message_in_p50_ms",
                "bytes_in_p50",
                "bytes_in_max",
                "redraws_per_chart_p50",
                "charts",
            )
            print(name, {k: r[k] for k in keys if k in r})
        else:
            print(name, r)
    print("wrote", args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
