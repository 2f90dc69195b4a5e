"""Shared pieces of the benchmark harness: summaries of repeated runs, goals, the environment
that subprocesses get, and the facts about the machine that go into ``results.json``.

A benchmark here measures; it never fails on a number. A figure that misses its goal is
reported (and diagnosed where the harness knows how), not raised.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The interpreter running the harness: ``make bench`` runs it with the project's .venv python.
PY = sys.executable
VENV_BIN = str(Path(PY).parent)
#: Benchmark scratch (git-ignored): generated notebooks, temporary courses, Jupyter state.
SCRATCH = ROOT / "artifacts" / "bench"


@dataclass(frozen=True)
class Goal:
    """A target for a figure: ``op`` is ``"<="`` or ``">="``."""

    op: str
    value: float

    def met(self, x: float) -> bool:
        return x <= self.value if self.op == "<=" else x >= self.value

    def __str__(self) -> str:
        return f"{self.op} {self.value:g}"


@dataclass
class Figure:
    """Repeated measurements of one figure plus what is needed to read them."""

    key: str
    samples: list[float]
    goal: Goal | None = None
    details: dict = field(default_factory=dict)
    error: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def quartiles(self) -> tuple[float, float]:
        if len(self.samples) < 2:
            return self.samples[0], self.samples[0]
        q1, _, q3 = statistics.quantiles(self.samples, n=4, method="inclusive")
        return q1, q3

    @property
    def goal_met(self) -> bool | None:
        if self.goal is None or not self.samples:
            return None
        return self.goal.met(self.median)

    def to_json(self) -> dict:
        if not self.samples:
            return {
                "error": self.error or "not measured",
                "goal": str(self.goal) if self.goal else None,
                "details": self.details,
            }
        q1, q3 = self.quartiles()
        out = {
            "median": _round(self.median),
            "min": _round(min(self.samples)),
            "max": _round(max(self.samples)),
            "q1": _round(q1),
            "q3": _round(q3),
            "runs": len(self.samples),
            "samples": [_round(s) for s in self.samples],
            "goal": str(self.goal) if self.goal else None,
            "goal_met": self.goal_met,
        }
        if self.error:
            out["error"] = self.error
        if self.details:
            out["details"] = self.details
        return out


def _round(x: float) -> float:
    return float(f"{x:.4g}") if abs(x) < 1000 else round(x, 1)


def failed(key: str, goal: Goal | None, error: str, **details) -> Figure:
    """A figure that could not be measured (the module it needs has not landed, a run crashed)."""
    return Figure(key, [], goal, details, error)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """Seconds taken by ``fn()`` and its result."""
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def jupyter_env(state_dir: Path) -> dict[str, str]:
    """The environment for Jupyter subprocesses: the venv's bin first on PATH (nbgrader runs
    ``alembic``), Jupyter and IPython state in ``state_dir`` rather than the home directory."""
    env = dict(os.environ)
    path = env.get("PATH", "")
    if VENV_BIN not in path.split(os.pathsep):
        env["PATH"] = VENV_BIN + os.pathsep + path
    for name, sub in (
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("IPYTHONDIR", "ipython"),
    ):
        env[name] = str(state_dir / sub)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    # The python3 kernelspec must be the venv's own (it starts sys.executable).
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    env.pop("NBGRADER_EXECUTION", None)
    env.setdefault("PLOTLY_RENDERER", "plotly_mimetype+notebook")
    return env


def run_timed(
    cmd: list[str], *, cwd: Path, env: dict[str, str] | None = None, check: bool = True
) -> tuple[float, subprocess.CompletedProcess]:
    """Wall-clock seconds of a subprocess, and the completed process (output captured)."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return seconds, proc


def load_avg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


PACKAGES = (
    "numpy",
    "pandas",
    "plotly",
    "ipywidgets",
    "anywidget",
    "nbformat",
    "jsonschema",
    "nbclient",
    "ipykernel",
    "nbval",
    "nbgrader",
    "pytest",
)


def machine() -> dict:
    """What the numbers were measured on."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "mem_total_gib": _mem_total_gib(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "interpreter": PY,
        "in_project_venv": Path(sys.prefix).resolve() == (ROOT / ".venv").resolve(),
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "packages": versions,
    }
