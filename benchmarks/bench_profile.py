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


def summarize_profile(stats: pstats.Stats, top: int = 20, focus: tuple[str, ...] = ("needling_sim/",)) -> dict:
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


def profile_callable(fn: Callable[[], object], top: int = 20, focus: tuple[str, ...] = ("needling_sim/",)) -> dict:
    """cProfile of ``fn()`` in this process."""
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    return summarize_profile(pstats.Stats(prof), top, focus)


def cumulative_ms(stats: pstats.Stats, parts: dict[str, tuple[str, str]]) -> dict[str, float | None]:
    """Cumulative milliseconds of named functions, each given as (a piece of its file path, its
    name); the largest when several match. A generator-based context manager counts only its own
    frames (entering and leaving), not the body of the ``with`` block."""
    out: dict[str, float | None] = {}
    for label, (file_part, func) in parts.items():
        found = [
            ct
            for (file, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items()  # type: ignore[attr-defined]
            if name == func and file_part in file
        ]
        out[label] = round(max(found) * 1000, 1) if found else None
    return out
