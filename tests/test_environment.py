"""Set-up stays honest: environment.yml, requirements.lock and pyproject agree; the core stays light."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"requirements.lock: {line!r} is not pinned with =="
            pins[_norm(name)] = version
    return pins


def conda_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    pip = [d for dep in env["dependencies"] if isinstance(dep, dict) for d in dep.get("pip", []) if d != "-e ."]
    for dep in [*env["dependencies"], *pip]:
        if isinstance(dep, str) and dep not in ("pip",) and not dep.startswith("python="):
            name, _, version = dep.partition("==")
            assert version, f"environment.yml: {dep!r} is not pinned with =="
            pins[_norm(name)] = version
    return pins


def pyproject_names() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        deps.extend(extra)
    return {_norm(re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0]) for d in deps}


def test_environment_yml_pins_the_same_versions_as_the_lock():
    lock, conda = lock_pins(), conda_pins()
    drift = {n: (v, lock.get(n)) for n, v in conda.items() if lock.get(n) != v}
    assert not drift, f"environment.yml vs requirements.lock (name: (conda, lock)): {drift}"


def test_environment_yml_names_every_top_level_dependency():
    top = pyproject_names()
    conda = set(conda_pins()) - {"setuptools"}
    assert top == conda, f"only in pyproject: {top - conda}; only in environment.yml: {conda - top}"


def test_lock_leaves_out_the_slow_optional_parser():
    assert "rfc3987-syntax" not in lock_pins()


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in ci
    assert "make test" in readme and "make course" in readme


def test_core_import_is_free_of_plotting_widgets_and_heavy_numerics():
    """Submodules load on first use (PEP 562 in needling_sim/__init__.py), so the bare import is near free."""
    heavy = ("plotly", "ipywidgets", "pandas", "numpy")
    code = f"import sys, needling_sim; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_ruff_lints_the_python_code():
    paths = ["needling_sim", "tests", "tools", "benchmarks", "hub", "conftest.py"]
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *paths],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
