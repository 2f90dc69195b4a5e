"""Import time of a module in a fresh interpreter of the project's environment.

Each run starts ``python -c``; inside it ``time.perf_counter()`` brackets the import alone
(interpreter start-up excluded), and the harness also records the whole process's wall time.
One untimed run first, so byte-code compilation and a cold disk cache do not count.
``python -X importtime`` then names the packages the time goes to.
"""

from __future__ import annotations

import importlib.util
import re
import statistics

from bench_common import PY, ROOT, Figure, Goal, run_timed

_CODE = "import time\nt0 = time.perf_counter()\nimport {module}\nprint(repr((time.perf_counter() - t0) * 1000))\n"

#: The maintainer's measurement before and after rfc3987-syntax left the lock
#: (``time python -c "import nbformat"`` on this machine).
NBFORMAT_BEFORE = {
    "with_rfc3987_syntax_s": 1.93,
    "without_rfc3987_syntax_s": 0.18,
    "how": 'time python -c "import nbformat" (whole process), measured by the maintainer on this machine',
}


def time_import(key: str, module: str, runs: int, goal: Goal) -> Figure:
    code = _CODE.format(module=module)
    run_timed([PY, "-c", code], cwd=ROOT)  # warm-up: byte code, disk cache
    inside, wall = [], []
    for _ in range(runs):
        seconds, proc = run_timed([PY, "-c", code], cwd=ROOT)
        inside.append(float(proc.stdout.strip().splitlines()[-1]))
        wall.append(seconds * 1000)
    details = {
        "what": f"`import {module}` timed inside a fresh `python -c` (interpreter start-up excluded)",
        "process_wall_ms": _spread(wall),
        "heaviest_imports_ms": heaviest_imports(module),
    }
    return Figure(key, inside, goal, details)


def _spread(xs: list[float]) -> dict:
    return {"median": round(statistics.median(xs), 1), "min": round(min(xs), 1), "max": round(max(xs), 1)}


_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)$")


def parse_importtime(stderr: str) -> list[dict]:
    """The import tree printed by ``-X importtime`` (children are printed before their parent)."""
    stack: list[dict] = []
    for line in stderr.splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        node = {
            "name": m[4],
            "self_us": int(m[1]),
            "cum_us": int(m[2]),
            "depth": (len(m[3]) - 1) // 2,
            "children": [],
        }
        while stack and stack[-1]["depth"] > node["depth"]:
            child = stack.pop()
            if child["depth"] == node["depth"] + 1:
                node["children"].insert(0, child)
        stack.append(node)
    return [n for n in stack if n["depth"] == 0]


def _entry_points(node: dict, parent: str | None, home: str, out: list[dict]) -> None:
    """Collect the first imports of packages other than ``home`` below ``node``."""
    pkg = node["name"].split(".")[0]
    if parent is not None and pkg != parent.split(".")[0] and pkg != home:
        inner: list[dict] = []
        for child in node["children"]:
            _entry_points(child, node["name"], pkg, inner)
        inner.sort(key=lambda e: -e["ms"])
        entry = {"module": node["name"], "imported_by": parent, "ms": round(node["cum_us"] / 1000, 1)}
        if inner:
            entry["includes"] = {e["module"]: e["ms"] for e in inner[:3]}
        out.append(entry)
        return  # its own subtree is inside its cumulative time
    for child in node["children"]:
        _entry_points(child, node["name"], home, out)


def heaviest_imports(module: str, top: int = 8) -> list[dict]:
    """Where ``import module`` spends its time: each first import of another top-level package
    made while importing ``module``, with who imported it, its cumulative milliseconds and the
    biggest packages it pulls in itself (``includes``)."""
    _, proc = run_timed([PY, "-X", "importtime", "-c", f"import {module}"], cwd=ROOT)
    roots = [r for r in parse_importtime(proc.stderr) if r["name"].split(".")[0] == module.split(".")[0]]
    entries: list[dict] = []
    for root in roots:
        _entry_points(root, None, module.split(".")[0], entries)
    total = sum(r["cum_us"] for r in roots) / 1000
    entries.sort(key=lambda e: -e["ms"])
    return [{"module": f"(all of import {module})", "imported_by": "", "ms": round(total, 1)}] + entries[:top]


def rfc3987_syntax_installed() -> bool:
    return importlib.util.find_spec("rfc3987_syntax") is not None
