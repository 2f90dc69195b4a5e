"""cProfile summaries small enough for results.json: where the milliseconds go, by function."""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Callable

from bench_common import ROOT


def _name(file: str, line: int, func: str) -> str:
    short = file.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
    if "/lib/python3" in short:
        short = "stdlib/" + short.split("/lib/python3", 1)[1].split("/", 1)[-1]
    return f"{short}:{line}({func})"


def summarize_profile(
    stats: pstats.Stats, top: int = 20, focus: tuple[str, ...] = ("needling_sim/",)
) -> dict:
    """Top functions by own time overall, and by cumulative time among ``focus`` files
    (the project's own code, where a fix would go); milliseconds, profiler overhead included."""
    rows = []
    for (file, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append(
            {
                "function": _name(file, line, func),
                "calls": nc,
                "own_ms": round(tt * 1000, 1),
                "cum_ms": round(ct * 1000, 1),
                "_file": file,
            }
        )
    focused = [r for r in rows if any(f in r["_file"] for f in focus)]
    for r in rows:
        del r["_file"]
    return {
        "total_ms": round(stats.total_tt * 1000, 1),  # type: ignore[attr-defined]
        "by_own_time": sorted(rows, key=lambda r: -r["own_ms"])[:top],
        "project_by_cumulative": sorted(focused, key=lambda r: -r["cum_ms"])[:top],
    }


def profile_callable(
    fn: Callable[[], object], top: int = 20, focus: tuple[str, ...] = ("needling_sim/",)
) -> dict:
    """cProfile of ``fn()`` in this process."""
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    return summarize_profile(pstats.Stats(prof), top, focus)
