"""Benchmarks of the Skin Needling Trainer: ``make bench`` (or ``.venv/bin/python benchmarks/run.py``).

Prints a table and writes ``benchmarks/results.json``: for every figure the median of several
runs with its spread (min, max, quartiles, every sample), its goal and whether the median meets
it, plus the machine, the load average and, where a goal is missed, a diagnosis (cProfile,
``-X importtime`` or per-cell timings). A full run also refreshes the table in README.md's
"Benchmarks" section (between the ``bench:table`` markers; ``--no-readme`` skips that).

This is a benchmark, not a test: a missed goal never changes the exit status. The exit status is
1 only when a figure could not be measured at all (a module it needs is missing, a run crashed, or
the reference loop disagrees with ``simulate_cohort``).

Options: ``--quick`` (3 runs of the cheap figures, 1 of the heavy ones instead of 5 and 3),
``--runs N``, ``--only GROUP ...`` (imports, model, slider, lessons, autograde, grading, browser; the result goes to
``artifacts/bench/results-partial.json`` unless ``--output`` is given), ``--no-diagnose``,
``--assignment NAME`` (the nbgrader assignment to autograde; default: the first in solutions/).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import ROOT, SCRATCH, Figure, Goal, failed, load_avg, machine  # noqa: E402

GOALS: dict[str, Goal | None] = {
    "slider_p50_ms": None,
    "slider_p95_ms": Goal("<=", 30),
    "simulate_ms": None,
    "cohort_100k_s": Goal("<=", 1),
    "import_nbformat_ms": Goal("<=", 400),
    "import_core_ms": Goal("<=", 150),
    "lesson_beyond_kernel_worst_s": Goal("<=", 1),
    "nbval_lessons_wall_s": None,
    "autograde_ratio_vs_floor": Goal("<=", 1.2),
    # In Chromium (bench_browser.py): key press to both planner charts repainted, each next to
    # its floor (a bare IntSlider echoed into a Label through the same server), and start-up.
    "browser_lab04_p50_ms": Goal("<=", 50),
    "browser_lab04_p95_ms": Goal("<=", 100),
    "browser_lab06_p50_ms": Goal("<=", 50),
    "browser_lab06_p95_ms": Goal("<=", 100),
    "browser_lab_floor_p95_ms": None,
    "browser_voila_p50_ms": Goal("<=", 50),
    "browser_voila_p95_ms": Goal("<=", 100),
    "browser_voila_floor_p95_ms": None,
    "browser_bytes_per_change": None,
    "startup_lab04_s": Goal("<=", 6),
    "startup_voila_s": Goal("<=", 5),
    "startup_voila_first_text_s": None,
    "startup_kernel_s": None,
    "grading_30_plain_s": None,
    "grading_30_sandboxed_s": None,
    "grading_speedup_vs_plain": Goal(">=", 1),
}
GROUPS: dict[str, tuple[str, ...]] = {
    "imports": ("import_nbformat_ms", "import_core_ms"),
    "model": ("simulate_ms", "cohort_100k_s"),
    "slider": ("slider_p50_ms", "slider_p95_ms"),
    "lessons": ("lesson_beyond_kernel_worst_s", "nbval_lessons_wall_s"),
    "autograde": ("autograde_ratio_vs_floor",),
    "browser": tuple(k for k in GOALS if k.startswith(("browser_", "startup_"))),
    "grading": ("grading_30_plain_s", "grading_30_sandboxed_s", "grading_speedup_vs_plain"),
}
RESULTS = Path(__file__).resolve().parent / "results.json"
README = ROOT / "README.md"
TABLE_START, TABLE_END = "<!-- bench:table:start -->", "<!-- bench:table:end -->"


def _group_runner(name: str, cheap: int, heavy: int, args) -> Callable[[], list[Figure]]:
    diagnose = not args.no_diagnose
    state = SCRATCH / "jupyter-state"
    if name == "imports":
        import bench_imports as m

        return lambda: [
            m.time_import("import_nbformat_ms", "nbformat", cheap, GOALS["import_nbformat_ms"]),
            m.time_import("import_core_ms", "needling_sim", cheap, GOALS["import_core_ms"]),
        ]
    if name == "model":
        import bench_model as m

        return lambda: [
            m.simulate_ms(cheap, GOALS["simulate_ms"], diagnose),
            *m.cohort(heavy, GOALS["cohort_100k_s"], diagnose),
        ]
    if name == "slider":
        import bench_slider as m

        return lambda: m.slider(cheap, GOALS["slider_p95_ms"], diagnose)
    if name == "lessons":
        import bench_notebooks as m

        return lambda: m.lessons(heavy, state, GOALS["lesson_beyond_kernel_worst_s"])
    if name == "browser":
        import bench_browser as m

        return lambda: m.figures(heavy, GOALS, diagnose)
    if name == "autograde":
        import bench_notebooks as m

        return lambda: [m.autograde_ratio(heavy, state, GOALS["autograde_ratio_vs_floor"], args.assignment, diagnose)]
    if name == "grading":
        import bench_grading as m

        return lambda: m.grading_speedup(1, GOALS["grading_speedup_vs_plain"], args.assignment)
    raise ValueError(f"group {name!r} is not known; allowed: {', '.join(GROUPS)}")


def _fmt(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 100 else f"{x:.0f}"


def table_rows(figures: dict[str, Figure]) -> list[list[str]]:
    rows = []
    for key in GOALS:
        fig = figures.get(key)
        if fig is None:
            continue
        if not fig.samples:
            rows.append([key, "-", "-", "0", str(fig.goal or ""), f"not measured: {fig.error[:70]}"])
            continue
        status = {True: "met", False: "MISSED", None: ""}[fig.goal_met]
        if fig.error:
            status = (status + "; " if status else "") + fig.error
        spread = f"{_fmt(min(fig.samples))} to {_fmt(max(fig.samples))}"
        rows.append([key, _fmt(fig.median), spread, str(len(fig.samples)), str(fig.goal or ""), status])
    return rows


HEADER = ["figure", "median", "min to max", "runs", "goal", "status"]


def text_table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(HEADER, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def markdown_table(rows: list[list[str]], results: dict) -> str:
    m = results["machine"]
    la = results["load_avg"]
    dirty = ", uncommitted changes" if m["git_dirty"] else ""
    lines = [
        f"Measured {m['date']} on {m['cpu_model']}, {m['cores']} cores, {m['mem_total_gib']} GiB, "
        f"Python {m['python']} (commit {m['git_commit']}{dirty}); "
        f"load average {la['start'][0]} at the start, {la['end'][0]} at the end"
        f"{'; --quick' if results['options']['quick'] else ''}.",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "|".join("---" for _ in HEADER) + "|",
    ]
    lines += ["| " + " | ".join(c.replace("|", "/") for c in r) + " |" for r in rows]
    return "\n".join(lines)


def update_readme(markdown: str) -> bool:
    """Replace the table between the markers in README.md (re-read right before writing)."""
    if not README.exists():
        return False
    text = README.read_text()
    if TABLE_START not in text or TABLE_END not in text:
        return False
    head, rest = text.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    README.write_text(f"{head}{TABLE_START}\n{markdown}\n{TABLE_END}{tail}")
    return True


def why(fig: Figure) -> list[str]:
    """A few lines on why a goal was missed, from the diagnosis in ``fig.details``."""
    d = fig.details
    out = []
    if "heaviest_imports_ms" in d:
        for e in d["heaviest_imports_ms"][:4]:
            inner = ", ".join(f"{m} {ms} ms" for m, ms in e.get("includes", {}).items())
            out.append(
                f"{e['ms']:8.1f} ms  {e['module']}"
                + (f" (imported by {e['imported_by']})" if e["imported_by"] else "")
                + (f"; includes {inner}" if inner else "")
            )
    for name in ("profile", "profile_50_changes"):
        if name in d:
            prof = d[name]
            out.append(f"cProfile total {prof['total_ms']} ms; project functions by cumulative time:")
            out += [f"{r['cum_ms']:8.1f} ms  {r['function']} x{r['calls']}" for r in prof["project_by_cumulative"][:8]]
            out.append("by own time:")
            out += [f"{r['own_ms']:8.1f} ms  {r['function']} x{r['calls']}" for r in prof["by_own_time"][:6]]
    for lesson, cells in d.get("slowest_cells_last_run", {}).items():
        beyond = d["beyond_kernel_s_per_lesson"][lesson][-1]
        if beyond > 1:
            slow = ", ".join(f"cell {c['cell']} {c['seconds']} s `{c['code'][:40]}`" for c in cells[:2])
            out.append(f"{beyond:6.2f} s beyond the kernel  {lesson}: {slow}")
    for run in d.get("runs", [])[:1]:
        if not run or "cpu_profile_5_presses" not in run:
            continue
        prof = run["cpu_profile_5_presses"]
        out.append(
            "Chromium's profile of 5 presses, self time by script (ms): "
            + ", ".join(f"{k} {v}" for k, v in prof["by_script_ms"].items())
        )
        out.append("median press, ms from the key: " + "; ".join(run["median_press"]["messages"][:14]))
    if "kernel_cell_seconds" in d:
        for nb, info in d["kernel_cell_seconds"].items():
            out.append(
                f"{nb}: kernel start {info['kernel_start_s']} s, "
                f"cells+shutdown {info['cells_and_shutdown_s']} s "
                f"(floor: {d['floor_kernel_cell_seconds']['cells_and_shutdown_s']} s); slowest cells:"
            )
            out += [f"{c['seconds']:7.3f} s  cell {c['cell']} `{c['code'][:60]}`" for c in info["slowest_cells"][:4]]
    if "grader_imports_ms" in d:
        out.append(
            "the grader's imports (fresh interpreter): "
            + ", ".join(f"{e['module']} {e['ms']} ms" for e in d["grader_imports_ms"][:5])
        )
    if "profile_of_grader_process" in d:
        prof = d["profile_of_grader_process"]
        out.append("grader process under cProfile (ms, profiler overhead included):")
        out += [f"{ms if ms is not None else '-':>10}  {label}" for label, ms in prof["breakdown_ms"].items()]
        out.append("nbgrader preprocessors by cumulative time:")
        out += [f"{r['cum_ms']:10.1f}  {r['function']} x{r['calls']}" for r in prof["project_by_cumulative"][:6]]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (3 cheap, 1 heavy)")
    parser.add_argument("--runs", type=int, help="runs of every figure (overrides the defaults)")
    parser.add_argument("--only", nargs="+", choices=list(GROUPS), help="run only these groups")
    parser.add_argument("--output", type=Path, help="where to write the JSON")
    parser.add_argument("--no-diagnose", action="store_true", help="skip profiling of missed goals")
    parser.add_argument("--no-readme", action="store_true", help="do not refresh README.md's table")
    parser.add_argument("--assignment", help="nbgrader assignment to autograde (default: first in solutions/)")
    args = parser.parse_args(argv)
    if args.runs is not None and args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")
    cheap, heavy = (3, 1) if args.quick else (5, 3)
    if args.runs:
        cheap = heavy = args.runs
    groups = args.only or list(GROUPS)
    output = args.output or (RESULTS if not args.only else SCRATCH / "results-partial.json")

    SCRATCH.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(SCRATCH / "jupyter-state", ignore_errors=True)
    info = machine()
    if not info["in_project_venv"]:
        print(f"warning: running with {sys.executable}, not the project's .venv", file=sys.stderr)
    start_load, t_start = load_avg(), time.perf_counter()
    print(
        f"Benchmarks on {info['cpu_model']} ({info['cores']} cores), Python {info['python']}, "
        f"load average {start_load}; runs: {cheap} (cheap) / {heavy} (heavy)",
        flush=True,
    )

    figures: dict[str, Figure] = {}
    for group in groups:
        print(f"  {group} ...", end=" ", flush=True)
        t0, load0 = time.perf_counter(), load_avg()
        try:
            measured = _group_runner(group, cheap, heavy, args)()
        except Exception as exc:  # a harness or model failure: record it, carry on with the others
            traceback.print_exc()
            measured = [
                failed(k, GOALS[k], f"{type(exc).__name__}: {exc}".splitlines()[0][:300]) for k in GROUPS[group]
            ]
        for fig in measured:
            fig.details.setdefault("load_avg_at_start", load0)
            figures[fig.key] = fig
        print(f"{time.perf_counter() - t0:.0f} s", flush=True)

    results: dict = {
        "schema": 1,
        "machine": info,
        "load_avg": {"start": start_load, "end": load_avg()},
        "options": {"quick": args.quick, "runs_cheap": cheap, "runs_heavy": heavy, "groups": groups},
        "duration_s": round(time.perf_counter() - t_start, 1),
    }
    for key in GOALS:
        if key in figures:
            results[key] = figures[key].to_json()
    if "import_nbformat_ms" in figures:
        from bench_imports import NBFORMAT_BEFORE, rfc3987_syntax_installed

        results["import_nbformat_ms"].setdefault("details", {})["before"] = NBFORMAT_BEFORE
        results["import_nbformat_ms"]["details"]["rfc3987_syntax_installed"] = rfc3987_syntax_installed()

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n")
    rows = table_rows(figures)
    print()
    print(text_table(rows))
    print(
        f"\nload average {results['load_avg']['start']} -> {results['load_avg']['end']}; "
        f"{results['duration_s']} s; wrote {os.path.relpath(output)}"
    )
    if output == RESULTS and not args.no_readme:
        if update_readme(markdown_table(rows, results)):
            print("refreshed the table in README.md")
    missed = [f for f in figures.values() if f.goal_met is False]
    for fig in missed:
        lines = why(fig)
        if lines:
            print(f"\nWhy {fig.key} misses its goal ({_fmt(fig.median)}, goal {fig.goal}):")
            print("\n".join("  " + ln for ln in lines))
    return 1 if any(not f.samples for f in figures.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
