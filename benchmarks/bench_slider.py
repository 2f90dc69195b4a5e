"""Planner responsiveness, Python side: from setting a control's value to the figures holding
the new data.

``needling_sim.widgets.planner_app()`` builds the app; its controls observe ``value`` and
update each ``FigureWidget`` in place, synchronously, so the time from the assignment
``app.controls["interval_days"].value = x`` until it returns is the latency. Every change is
checked: at least one figure's trace data must differ from before (if an update were deferred,
the harness waits for it, up to a second, and says so). No browser is involved; the comm
messages go nowhere without a front end.
"""

from __future__ import annotations

import statistics
import time

from bench_common import Figure, Goal, failed
from bench_profile import profile_callable

CONTROL = "interval_days"
CHANGES = 200


def _fingerprint(app) -> tuple[str, ...]:
    """The trace data of every figure, serialised (outside the timed region)."""
    from plotly.io.json import to_json_plotly

    return tuple(to_json_plotly([t.to_plotly_json() for t in fw.data]) for fw in app.figures.values())


def _values(control) -> list:
    """Distinct valid values spread over the control's range, ordered so consecutive ones differ."""
    if hasattr(control, "options") and control.options:
        opts = [o[1] if isinstance(o, tuple) else o for o in control.options]
    else:
        step = control.step or 1
        n = int(round((control.max - control.min) / step)) + 1
        opts = [control.min + i * step for i in range(n)]
    opts = [v for v in opts if v != control.value] + [control.value]
    picks = [opts[round(i * (len(opts) - 1) / 7)] for i in range(8)] if len(opts) > 8 else opts
    picks = list(dict.fromkeys(picks))
    low, high = picks[: len(picks) // 2], picks[len(picks) // 2 :]
    order = [v for pair in zip(high, low, strict=False) for v in pair] + high[len(low) :]
    if len(order) < 2:
        raise ValueError(f"control {CONTROL!r} offers fewer than two values: {opts}")
    return order


def _one_run(planner_app, changes: int) -> tuple[list[float], dict, float]:
    t0 = time.perf_counter()
    app = planner_app()
    build_ms = (time.perf_counter() - t0) * 1000
    control = app.controls[CONTROL]
    values = _values(control)
    for v in values[:4]:  # warm-up
        control.value = v
    latencies = []
    changed_per_figure = dict.fromkeys(app.figures, 0)
    deferred = 0
    for i in range(changes):
        value = values[i % len(values)]
        if value == control.value:
            value = values[(i + 1) % len(values)]
        before = _fingerprint(app)
        t0 = time.perf_counter()
        control.value = value
        t1 = time.perf_counter()
        after = _fingerprint(app)
        if after == before:  # not (yet) updated: wait for it, and count it as deferred
            deadline = t1 + 1.0
            while after == before and time.perf_counter() < deadline:
                time.sleep(0.001)
                after = _fingerprint(app)
            if after == before:
                raise AssertionError(f"{CONTROL}={value!r}: no figure's trace data changed within 1 s")
            t1 = time.perf_counter()
            deferred += 1
        latencies.append((t1 - t0) * 1000)
        for name, a, b in zip(app.figures, before, after, strict=True):
            changed_per_figure[name] += a != b
    info = {"values_cycled": values, "changes_per_figure": changed_per_figure, "deferred_updates": deferred}
    return latencies, info, build_ms


def _pct(xs: list[float], q: int) -> float:
    return statistics.quantiles(xs, n=100, method="inclusive")[q - 1]


def slider(runs: int, goal_p95: Goal, diagnose: bool, changes: int = CHANGES) -> list[Figure]:
    keys = ("slider_p50_ms", "slider_p95_ms")
    try:
        from needling_sim.widgets import planner_app
    except ImportError as exc:
        return [
            failed(k, goal_p95 if k.endswith("p95_ms") else None, f"planner_app has not landed ({exc})") for k in keys
        ]
    p50, p95, build, maxima = [], [], [], []
    info: dict = {}
    for _ in range(runs):
        lat, info, build_ms = _one_run(planner_app, changes)
        p50.append(_pct(lat, 50))
        p95.append(_pct(lat, 95))
        maxima.append(max(lat))
        build.append(build_ms)
    details = {
        "what": f'app.controls["{CONTROL}"].value = x until the FigureWidgets hold the new traces, '
        f"{changes} changes per run, p50/p95 per run",
        "figures": list(info["changes_per_figure"]),
        **info,
        "worst_single_change_ms": round(max(maxima), 1),
        "app_build_ms": round(statistics.median(build), 1),
    }
    fig50 = Figure(keys[0], p50, None, details)
    fig95 = Figure(keys[1], p95, goal_p95, {"details_in": keys[0]})
    if diagnose and fig95.goal_met is False:
        app = planner_app()
        control = app.controls[CONTROL]
        values = _values(control)

        def drive():
            for i in range(50):
                control.value = values[i % len(values)]  # consecutive values differ

        fig95.details["profile_50_changes"] = profile_callable(drive)
    return [fig50, fig95]
