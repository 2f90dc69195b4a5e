"""Build the class hub's installation: an interpreter every account can run, the hub's environment,
the trainees' environment, the role folders and the proxy.

Run as root (``make hub-env`` does)::

    python hub/install.py [--prefix /opt/needling-hub]

It makes, under the prefix (all world-readable, nothing world-writable):

``python/``       a copy of this interpreter when its own folder is not readable by every account
                  (pyenv's lives in root's 0700 home), its library path fixed with ``patchelf``
``hub-env/``      JupyterHub and the idle culler (``hub/requirements-hub.lock``); run by root only
``trainee-env/``  the course for trainees: ``requirements.lock`` + ``hub/requirements-trainee.lock``
                  and ``needling_sim`` as a **built wheel**, not editable, so the environment holds no
                  path back to the checkout, ``solutions/`` or hidden tests
``roles/``        ``roles/trainee`` and ``roles/instructor`` (Jupyter configuration folders)
``bin/needling-grade``  the instructor's grading route (``hub/needling-grade``)

and runs ``npm ci`` in ``hub/`` for ``configurable-http-proxy``. A stamp of the inputs' hash makes a
second run with unchanged inputs a no-op. The same steps build the course image for Kubernetes
(``hub/k8s/Dockerfile`` runs this script with ``--no-hub``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HUB = REPO / "hub"
DEFAULT_PREFIX = Path("/opt/needling-hub")
MIN_PYTHON = (3, 11, 5)  # the lock's soupsieve needs it (pyproject's requires-python says the same)
#: Bump when the way the environments are built changes (their inputs are hashed, this file is not).
ENV_RECIPE = "1:"
PIP = ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps"]


def log(message: str) -> None:
    print(f"[hub install] {message}", flush=True)


def readable_by_all(path: Path) -> bool:
    """True when every account can reach and read ``path`` (each parent folder has o+x).

    Examples
    --------
    >>> readable_by_all(Path("/usr/bin/env"))
    True
    >>> readable_by_all(Path("/root/x")) == bool(os.stat("/root").st_mode & stat.S_IXOTH)
    True
    """
    path = Path(os.path.abspath(path))
    for parent in [*reversed(path.parents), path]:
        try:
            mode = parent.stat().st_mode
        except FileNotFoundError:
            return False
        if parent != path and not mode & stat.S_IXOTH:
            return False
    return True


def inputs_hash(*paths: Path) -> str:
    digest = hashlib.sha256()
    for root in paths:
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for file in files:
            if "__pycache__" in file.parts or "node_modules" in file.parts:
                continue
            digest.update(str(file.relative_to(REPO)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def shared_interpreter(prefix: Path) -> Path:
    """A Python every account can run: this one if it already is, else a copy under ``prefix``."""
    if sys.version_info[:3] < MIN_PYTHON:
        raise SystemExit(
            f"Python {'.'.join(map(str, sys.version_info[:3]))} is too old for the lock: need 3.11.5 or later "
            "(Debian 12's python3 is 3.11.2; run with PYTHON=<a newer python>)"
        )
    base = Path(sys.base_prefix)
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    executable = base / "bin" / f"python{version}"
    if readable_by_all(executable) and readable_by_all(base / "lib" / f"python{version}" / "os.py"):
        return executable
    target = prefix / "python"
    log(f"{base} is not readable by other accounts: copying the interpreter to {target}")
    if target.exists():
        shutil.rmtree(target)
    (target / "bin").mkdir(parents=True)
    shutil.copy2(executable, target / "bin" / f"python{version}")
    libdir = Path(sysconfig.get_config_var("LIBDIR") or base / "lib")
    (target / "lib").mkdir()
    for lib in libdir.glob(f"libpython{version}*.so*"):
        shutil.copy2(lib, target / "lib" / lib.name, follow_symlinks=False)
    shutil.copytree(
        base / "lib" / f"python{version}",
        target / "lib" / f"python{version}",
        ignore=lambda folder, names: [n for n in names if n in {"site-packages", "test", "__pycache__"}],
        symlinks=True,
    )
    (target / "lib" / f"python{version}" / "site-packages").mkdir()
    copied = target / "bin" / f"python{version}"
    if sysconfig.get_config_var("Py_ENABLE_SHARED"):
        # The binary finds libpython through a RUNPATH into the original (unreadable) folder.
        if not shutil.which("patchelf"):
            subprocess.run(["apt-get", "update", "-q"], check=True)
            subprocess.run(["apt-get", "install", "-y", "-q", "patchelf"], check=True)
        subprocess.run(["patchelf", "--set-rpath", "$ORIGIN/../lib", str(copied)], check=True)
    os.symlink(f"python{version}", target / "bin" / "python3")
    make_readable(target)
    return copied


def make_readable(root: Path) -> None:
    """u+rwX, go+rX, go-w on everything under ``root``."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        wanted = (mode | stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IROTH) & ~(stat.S_IWGRP | stat.S_IWOTH)
        if path.is_dir() or mode & stat.S_IXUSR:
            wanted |= stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH
        os.chmod(path, wanted)


def venv(python: Path, target: Path, *requirements: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    subprocess.run([str(python), "-m", "venv", str(target)], check=True)
    py = target / "bin" / "python"
    for requirement in requirements:
        subprocess.run([str(py), *PIP, "-r", str(requirement)], check=True)
    return py


def install_package(py: Path) -> None:
    """``needling_sim`` as a built wheel (a copy), never an editable link to the checkout."""
    with tempfile.TemporaryDirectory() as wheels:
        subprocess.run(
            [
                str(py),
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--disable-pip-version-check",
                "--no-deps",
                "--no-build-isolation",
                "--wheel-dir",
                wheels,
                str(REPO),
            ],
            check=True,
        )
        (wheel,) = Path(wheels).glob("needling_sim-*.whl")
        subprocess.run([str(py), *PIP, "--force-reinstall", str(wheel)], check=True)
    # pip wheel leaves a build/ folder in the checkout; it is not the repository's.
    shutil.rmtree(REPO / "build", ignore_errors=True)


#: The test suite's own packages: the trainees' environment has no use for them (saves ~250 MB).
TEST_ONLY = {
    "coverage",
    "execnet",
    "greenlet",
    "hypothesis",
    "iniconfig",
    "nbval",
    "playwright",
    "pluggy",
    "pyee",
    "pytest",
    "pytest-cov",
    "pytest-xdist",
    "ruff",
    "sortedcontainers",
}


def course_requirements(target: Path) -> Path:
    """requirements.lock without :data:`TEST_ONLY`, written to ``target``."""
    kept = [
        line
        for line in (REPO / "requirements.lock").read_text().splitlines()
        if line.split("==")[0].strip().lower() not in TEST_ONLY
    ]
    target.write_text("\n".join(kept) + "\n")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prefix", type=Path, default=Path(os.environ.get("NEEDLING_HUB_PREFIX", DEFAULT_PREFIX)))
    parser.add_argument("--no-hub", action="store_true", help="only the trainees' environment (the course image)")
    parser.add_argument("--force", action="store_true", help="rebuild even when the inputs are unchanged")
    args = parser.parse_args(argv)
    prefix = args.prefix.resolve()
    stamp = prefix / ".installed"
    # Three parts, each rebuilt only when its inputs change: the environments (slow), the package
    # wheel and the small files (seconds).
    wanted = {
        "envs": ENV_RECIPE
        + inputs_hash(
            REPO / "requirements.lock",
            *sorted(HUB.glob("requirements-*.lock")),
            HUB / "package.json",
            HUB / "package-lock.json",
        )
        + sys.version
        + str(args.no_hub),
        "package": inputs_hash(REPO / "pyproject.toml", REPO / "needling_sim"),
        "files": inputs_hash(REPO / "roles", HUB / "needling-grade"),
    }
    try:
        done = json.loads(stamp.read_text()) if not args.force else {}
    except (OSError, ValueError):
        done = {}
    # The proxy is installed in this checkout (hub/node_modules, git-ignored), not in the prefix: a
    # fresh clone needs it even when the prefix is up to date.
    proxy = HUB / "node_modules" / ".bin" / "configurable-http-proxy"
    proxy_needed = not args.no_hub and (done.get("envs") != wanted["envs"] or not proxy.exists())
    if done == wanted and not proxy_needed:
        log(f"{prefix} is up to date")
        return 0
    prefix.mkdir(parents=True, exist_ok=True)
    os.chmod(prefix, 0o755)
    trainee = prefix / "trainee-env" / "bin" / "python"
    if done.get("envs") != wanted["envs"]:
        python = shared_interpreter(prefix)
        log(f"interpreter for every account: {python}")
        log("trainees' environment (course lock without the test tools, jupyterhub-singleuser)")
        with tempfile.TemporaryDirectory() as scratch:
            course = course_requirements(Path(scratch) / "course.lock")
            venv(python, prefix / "trainee-env", course, HUB / "requirements-trainee.lock")
        if not args.no_hub:
            log("hub environment (jupyterhub, idle culler)")
            venv(python, prefix / "hub-env", HUB / "requirements-hub.lock")
        done = {"envs": wanted["envs"]}
    if proxy_needed:
        log("configurable-http-proxy (npm ci)")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HUB, check=True)
    if done.get("package") != wanted["package"]:
        log("needling_sim into the trainees' environment, as a built wheel")
        install_package(trainee)
    roles = prefix / "roles"
    if roles.exists():
        shutil.rmtree(roles)
    shutil.copytree(REPO / "roles", roles)
    (prefix / "bin").mkdir(exist_ok=True)
    shutil.copy(HUB / "needling-grade", prefix / "bin" / "needling-grade")
    for path in (prefix / "trainee-env", roles, prefix / "bin", *([prefix / "hub-env"] if not args.no_hub else [])):
        make_readable(path)
    stamp.write_text(json.dumps(wanted))
    log(f"done: {prefix}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
