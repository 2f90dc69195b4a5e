"""Run a trainee's notebook in a throw-away bubblewrap sandbox.

The grader never runs a trainee's code in its own process. :func:`run_notebook` copies one
submission into a fresh folder and executes it, cell by cell, inside `bubblewrap
<https://github.com/containers/bubblewrap>`_ (Debian package ``bubblewrap``). The sandbox sees:

- the course environment, **read-only**: the virtual environment, the interpreter it links to
  and the ``needling_sim`` package folder; never the checkout around them (``solutions/``,
  the gradebook, other submissions) and never the instructor's home;
- a read-only copy of this one submission (``/home/trainee/submission``, the working folder);
- a private writable scratch folder (``/home/trainee``, a size-capped ``tmpfs``) and an output
  folder where the runner writes the executed notebook;
- no network (``--unshare-net``), its own process tree (``--unshare-pid``): when the sandbox
  ends, every process it started ends with it.

Trusted code runs as root but trainee code does not: inside the sandbox the runner drops to an
unprivileged user id of its own (one per parallel slot), with no capabilities, limits on CPU
time, memory, processes and file size, and a per-cell and a total time limit. Output is capped
as it arrives, so a 200 MB ``print`` costs the trainee only the cut text.

Test cells are blanked before the run (:func:`blank_test_cells`): their hidden parts never
reach trainee code, and checks run on the trusted side (:mod:`needling_sim.grading.trusted`).
The run only produces two things the grader reads, both as untrusted data: the executed
notebook (outputs for the feedback page) and, for answer cells that hold code instead of a
plain value, those names' values as plain JSON (:func:`needling_sim.grading.plain.to_json`).

Run as a module (``python -m needling_sim.grading.sandbox``) this file is the runner inside
the sandbox; nothing else calls that part.

Examples
--------
>>> Limits().total_timeout_s, Limits(cell_timeout_s=5).total_timeout_s
(600, 25)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import fcntl
import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

__all__ = [
    "ALLOW_UNSANDBOXED_FLAG",
    "Limits",
    "SandboxResult",
    "SandboxUnavailable",
    "blank_test_cells",
    "bwrap_path",
    "run_notebook",
]

#: The flag an instructor must pass to grade without bubblewrap (trainee code then runs with
#: the grader's rights: only for a machine that holds nothing worth protecting).
ALLOW_UNSANDBOXED_FLAG = "--i-accept-running-trainee-code-unsandboxed"
#: Where a submission, the scratch folder and the runner's output sit inside the sandbox.
HOME = "/home/trainee"
SUBMISSION = f"{HOME}/submission"
OUT = "/grader-out"
#: First unprivileged user id the sandboxes run as (slot ``n`` prefers ``FIRST_UID + n``).
FIRST_UID = 61000
#: How many user ids sandboxes may use; a run holds a lock on its id, so two grading runs on one
#: machine (two courses, or a test beside a real run) never share an id or kill each other's processes.
UID_RANGE = 1000
#: Text placed in a blanked test cell (the check itself runs in the grader).
BLANKED = "# The grader runs this check on its own side, on your answers as plain values."
_NOTEBOOK = "notebook.ipynb"
_PROGRESS = "progress.ipynb"
_EXPORT = "export.json"
_REPORT = "report.json"


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create a sandbox on this machine."""


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Times in seconds, sizes in bytes, output in characters.

    ``cell_timeout_s`` is nbgrader's ``c.Execute.timeout`` (a cell running longer is
    interrupted); ``total_timeout_s`` ends the whole run (default: five cells' worth).
    """

    cell_timeout_s: int = 120
    total_timeout_s: int | None = None
    cpu_s: int | None = None
    memory_bytes: int = 4 * 2**30
    processes: int = 256
    file_bytes: int = 64 * 2**20
    scratch_bytes: int = 256 * 2**20
    output_chars_per_cell: int = 100_000
    output_chars_total: int = 2_000_000

    def __post_init__(self):
        if self.total_timeout_s is None:
            object.__setattr__(self, "total_timeout_s", 5 * self.cell_timeout_s)
        if self.cpu_s is None:
            object.__setattr__(self, "cpu_s", self.total_timeout_s)
        for name, value in asdict(self).items():
            if type(value) is not int or value <= 0:
                raise ValueError(f"Limits.{name} must be a positive whole number; got {value!r}")


@dataclass(frozen=True)
class SandboxResult:
    """What came back from one sandboxed run (all of it untrusted data, already size-checked).

    Attributes
    ----------
    notebook : nbformat.NotebookNode or None
        The executed notebook (test cells blank), as far as it got; None if nothing came back.
    exported : dict
        Name -> ``{"value": <plain JSON>}`` or ``{"problem": <message>}`` for the requested names.
    notes : list of str
        What stopped or limited the run, one readable line each (time limit, killed, output cut).
    seconds : float
        Wall-clock time of the run.
    sandboxed : bool
        False only when the instructor allowed grading without bubblewrap.
    """

    notebook: nbformat.NotebookNode | None
    exported: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    seconds: float = 0.0
    sandboxed: bool = True

    def to_json(self) -> dict:
        return {
            "notebook": self.notebook,
            "exported": self.exported,
            "notes": self.notes,
            "seconds": self.seconds,
            "sandboxed": self.sandboxed,
        }

    @classmethod
    def from_json(cls, data: dict) -> SandboxResult:
        nb = data.get("notebook")
        return cls(
            notebook=None if nb is None else nbformat.from_dict(nb),
            exported=dict(data.get("exported", {})),
            notes=list(data.get("notes", [])),
            seconds=float(data.get("seconds", 0.0)),
            sandboxed=bool(data.get("sandboxed", True)),
        )


# --- the trusted side ---------------------------------------------------------------------------


def bwrap_path() -> str:
    """The ``bwrap`` executable, or raise :class:`SandboxUnavailable` saying how to install it."""
    found = shutil.which("bwrap")
    if found is None:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed, and the grader will not run trainees' code without it. "
            "Install it with `apt-get install bubblewrap` (the Makefile does this when run as root), "
            f"or, on a machine that holds nothing worth protecting, pass {ALLOW_UNSANDBOXED_FLAG}."
        )
    return found


def is_test_cell(cell) -> bool:
    """An nbgrader autograder-test cell: graded, code, not an answer."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def blank_test_cells(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` whose test cells hold only a comment, and no code cell holds outputs.

    Examples
    --------
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("assert x == 1")])
    >>> nb.cells[0].metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "t", "points": 1}
    >>> blank_test_cells(nb).cells[0].source == BLANKED, nb.cells[0].source
    (True, 'assert x == 1')
    """
    out = copy.deepcopy(nb)
    for cell in out.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        cell.execution_count = None
        if is_test_cell(cell):
            cell.source = BLANKED
    return out


def _environment_paths() -> list[Path]:
    """Folders the sandbox sees read-only: the venv, its interpreter, the package folder."""
    package = Path(__file__).resolve().parents[1]
    paths = [Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), package]
    unique = []
    for path in paths:
        if not any(path == p or p in path.parents for p in unique):
            unique = [p for p in unique if path not in p.parents] + [path]
    return unique


def _system_binds() -> list[str]:
    """The operating system's programs and libraries, read-only, as they are on the host."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = Path("/") / name
        if host.is_symlink():
            args += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            args += ["--ro-bind", str(host), str(host)]
    for name in ("ld.so.cache", "localtime", "nsswitch.conf"):
        if (Path("/etc") / name).exists():
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    return args


def _sandbox_env(student_id: str) -> dict[str, str]:
    venv_bin = str(Path(sys.prefix) / "bin")
    return {
        "PATH": f"{venv_bin}:/usr/bin:/bin",
        "HOME": HOME,
        "USER": "trainee",
        "LOGNAME": "trainee",
        "LANG": "C.UTF-8",
        "JUPYTERHUB_USER": student_id,
        "JUPYTER_CONFIG_DIR": f"{HOME}/.jupyter/config",
        "JUPYTER_DATA_DIR": f"{HOME}/.jupyter/data",
        "JUPYTER_RUNTIME_DIR": f"{HOME}/.jupyter/runtime",
        "JUPYTER_PLATFORM_DIRS": "1",
        "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter"),
        "IPYTHONDIR": f"{HOME}/.ipython",
        "MPLCONFIGDIR": f"{HOME}/.matplotlib",
        "PLOTLY_RENDERER": os.environ.get("PLOTLY_RENDERER", "plotly_mimetype+notebook"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MALLOC_ARENA_MAX": "2",
        "NBGRADER_EXECUTION": "autograde",
    }


def _bwrap_command(work: Path, uid: int, limits: Limits, student_id: str) -> list[str]:
    passwd = work / "passwd"
    passwd.write_text(f"root:x:0:0::/:/usr/sbin/nologin\ntrainee:x:{uid}:{uid}::{HOME}:/usr/sbin/nologin\n")
    group = work / "group"
    group.write_text(f"root:x:0:\ntrainee:x:{uid}:\n")
    cmd = [
        bwrap_path(),
        "--unshare-ipc",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--new-session",
        "--hostname",
        "sandbox",
        "--clearenv",
        *_system_binds(),
        "--ro-bind",
        str(passwd),
        "/etc/passwd",
        "--ro-bind",
        str(group),
        "/etc/group",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        str(limits.scratch_bytes),
        "--perms",
        "1777",
        "--tmpfs",
        "/tmp",
        "--size",
        str(limits.scratch_bytes),
        "--perms",
        "0777",
        "--tmpfs",
        HOME,
    ]
    paths = _environment_paths()
    # Parents are made world-traversable (bwrap copies the host's modes, and /root is 0700),
    # so the unprivileged user can reach the read-only folders and nothing else in them.
    parents = sorted({str(parent) for path in paths for parent in path.parents if str(parent) != "/"})
    for parent in parents:
        cmd += ["--perms", "0755", "--dir", parent]
    for path in paths:
        cmd += ["--ro-bind", str(path), str(path)]
    cmd += ["--ro-bind", str(work / "submission"), SUBMISSION, "--bind", str(work / "out"), OUT]
    for name, value in _sandbox_env(student_id).items():
        cmd += ["--setenv", name, value]
    cmd += ["--chdir", SUBMISSION]
    if os.geteuid() == 0:
        # bwrap run by root keeps root inside: drop to the slot's own unprivileged user first.
        cmd += [
            "setpriv",
            f"--reuid={uid}",
            f"--regid={uid}",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--no-new-privs",
        ]
    return cmd


def _runner_command(limits: Limits, names: list[str]) -> list[str]:
    return [
        str(Path(sys.prefix) / "bin" / "python"),
        "-I",
        "-m",
        "needling_sim.grading.sandbox",
        "--notebook",
        f"{SUBMISSION}/{_NOTEBOOK}",
        "--out",
        OUT,
        "--cell-timeout",
        str(limits.cell_timeout_s),
        "--total-timeout",
        str(limits.total_timeout_s),
        "--output-chars-per-cell",
        str(limits.output_chars_per_cell),
        "--output-chars-total",
        str(limits.output_chars_total),
        "--names",
        json.dumps(sorted(names)),
    ]


def _limit_resources(limits: Limits):
    def apply():
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 5))
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _processes_of(uid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields.get("Uid", "-1").split()[0]) == uid and not fields.get("State", "").strip().startswith("Z"):
            pids.append(int(entry.name))
    return pids


def _kill_leftovers(uid: int) -> int:
    """SIGKILL every process still running as the slot's user id; return how many there were."""
    if os.geteuid() != 0:
        return 0
    deadline = time.monotonic() + 2.0  # the kernel tears a dead sandbox's process tree down in a moment
    left = _processes_of(uid)
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = _processes_of(uid)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return len(left)


@contextlib.contextmanager
def _claimed_uid(slot: int):
    """Hold an exclusive lock on a free sandbox user id (trying ``FIRST_UID + slot`` first)."""
    folder = Path("/run/needling-sandbox") if os.access("/run", os.W_OK) else Path(tempfile.gettempdir())
    folder.mkdir(exist_ok=True)
    for offset in range(UID_RANGE):
        uid = FIRST_UID + (slot + offset) % UID_RANGE
        handle = open(folder / f"uid-{uid}.lock", "w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        try:
            _kill_leftovers(uid)  # of an earlier run that crashed while holding this id
            yield uid
        finally:
            handle.close()
        return
    raise SandboxUnavailable(f"all {UID_RANGE} sandbox user ids are in use")


def _read_json(path: Path, max_bytes: int):
    if not path.is_file() or path.stat().st_size > max_bytes:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _read_notebook(out: Path, max_bytes: int) -> nbformat.NotebookNode | None:
    for name in (_NOTEBOOK, _PROGRESS):
        path = out / name
        if not path.is_file() or path.stat().st_size > max_bytes:
            continue
        try:
            nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
            nbformat.validate(nb)
            return nb
        except Exception:  # noqa: BLE001 - whatever the sandbox wrote, it is only untrusted data
            continue
    return None


def _read_export(out: Path, names: list[str], max_bytes: int) -> dict:
    data = _read_json(out / _EXPORT, max_bytes)
    exported = {}
    for name in names:
        entry = data.get(name) if isinstance(data, dict) else None
        if isinstance(entry, dict) and "value" in entry:
            exported[name] = {"value": entry["value"]}
        elif isinstance(entry, dict) and isinstance(entry.get("problem"), str):
            exported[name] = {"problem": entry["problem"][:500]}
        else:
            exported[name] = {"problem": f"`{name}` was not set when the notebook ran (the run did not get that far)."}
    return exported


def submission_digest(folder: Path) -> str:
    """SHA-256 over a submission folder's file names and contents (to reuse a run safely)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def run_notebook(
    nb: nbformat.NotebookNode,
    *,
    student_id: str,
    resources_dir: Path | None = None,
    export_names: list[str] | tuple[str, ...] = (),
    limits: Limits = Limits(),
    slot: int = 0,
    allow_unsandboxed: bool = False,
) -> SandboxResult:
    """Execute ``nb`` (test cells blanked first) in a fresh sandbox and return what came back.

    Parameters
    ----------
    nb : the submission notebook (never modified).
    student_id : the gradebook's id of the trainee (given to the notebook as its login).
    resources_dir : the submission folder; its other files (data a notebook reads) are copied in.
    export_names : answer names whose values the run must export as plain JSON.
    limits : time, memory, process and output limits.
    slot : which parallel slot runs this (each slot has its own unprivileged user id).
    allow_unsandboxed : run without bubblewrap when it is missing (loud; never the default).
    """
    names = sorted(set(export_names))
    started = time.monotonic()
    sandboxed = True
    try:
        bwrap_path()
    except SandboxUnavailable:
        if not allow_unsandboxed:
            raise
        sandboxed = False
    with _claimed_uid(slot) as uid, tempfile.TemporaryDirectory(prefix="needling-sandbox-") as tmp:
        work = Path(tmp)
        os.chmod(work, 0o755)
        submission = work / "submission"
        out = work / "out"
        submission.mkdir()
        out.mkdir()
        if resources_dir is not None:
            for extra in Path(resources_dir).iterdir():
                if extra.is_file() and extra.suffix != ".ipynb" and extra.stat().st_size <= limits.file_bytes:
                    shutil.copy(extra, submission / extra.name)
        nbformat.write(blank_test_cells(nb), submission / _NOTEBOOK)
        for path in submission.iterdir():
            path.chmod(0o644)
        if os.geteuid() == 0:
            os.chown(out, uid, uid)
        runner = _runner_command(limits, names)
        if sandboxed:
            cmd = _bwrap_command(work, uid, limits, student_id) + runner
        else:
            cmd = _unsandboxed_command(runner, work)
        notes = []
        log = work / "sandbox.log"
        with open(log, "wb") as log_file:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_limit_resources(limits),
                cwd=work,
            )
            try:
                proc.wait(timeout=limits.total_timeout_s + 30)
            except subprocess.TimeoutExpired:
                notes.append(f"The notebook ran past the grader's total time limit ({limits.total_timeout_s} s).")
            finally:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
        if sandboxed:
            left = _kill_leftovers(uid)
            if left:
                notes.append(f"{left} process(es) outlived the sandbox and were killed.")
        report = _read_json(out / _REPORT, 1_000_000)
        if isinstance(report, dict) and isinstance(report.get("notes"), list):
            notes.extend(str(n)[:300] for n in report["notes"][:20])
        elif proc.returncode != 0:
            tail = log.read_bytes()[-2000:].decode("utf-8", "replace") if log.exists() else ""
            notes.append(f"The notebook's run ended early (exit status {proc.returncode}). {_last_line(tail)}".strip())
        max_bytes = limits.output_chars_total * 4 + 5 * 2**20
        notebook = _read_notebook(out, max_bytes)
        exported = _read_export(out, names, 5 * 2**20)
    return SandboxResult(
        notebook=notebook,
        exported=exported,
        notes=notes,
        seconds=round(time.monotonic() - started, 3),
        sandboxed=sandboxed,
    )


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _unsandboxed_command(runner: list[str], work: Path) -> list[str]:
    """The runner without bubblewrap: paths point into ``work`` instead of the sandbox's."""
    mapped = []
    for arg in runner:
        arg = arg.replace(SUBMISSION, str(work / "submission")).replace(OUT, str(work / "out"))
        mapped.append(arg)
    return mapped


# --- the runner, inside the sandbox --------------------------------------------------------------
# Everything below runs only inside the sandbox, in a process coverage does not follow; the
# tests in tests/grading/test_sandbox.py exercise it through run_notebook.


def _cut_note(kept: int) -> str:  # pragma: no cover
    return f"\n... output cut by the grader here (it keeps {kept} characters per cell) ...\n"


def _make_client(nb, cell_timeout_s: int, per_cell: int, total: int):  # pragma: no cover
    from nbclient import NotebookClient

    class CappedClient(NotebookClient):
        """Keeps at most ``per_cell`` characters of text per cell and ``total`` in all, as they arrive."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.used_total = 0
            self.used_cell = {}
            self.cut_cells = set()

        def output(self, outs, msg, display_id, cell_index):
            size = len(json.dumps(msg.get("content", {}).get("data", msg.get("content", {}).get("text", ""))))
            used = self.used_cell.get(cell_index, 0)
            if used + size > per_cell or self.used_total + size > total:
                if cell_index not in self.cut_cells:
                    self.cut_cells.add(cell_index)
                    outs.append(nbformat.v4.new_output("stream", name="stderr", text=_cut_note(per_cell)))
                return None
            self.used_cell[cell_index] = used + size
            self.used_total += size
            return super().output(outs, msg, display_id, cell_index)

    return CappedClient(
        nb,
        timeout=cell_timeout_s,
        interrupt_on_timeout=True,
        error_on_timeout={
            "ename": "CellTimeout",
            "evalue": f"This cell ran longer than {cell_timeout_s} s, so the grader stopped it.",
            "traceback": [f"This cell ran longer than {cell_timeout_s} s, so the grader stopped it."],
        },
        allow_errors=True,
        iopub_timeout=5,
        kernel_name="python3",
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(nb.metadata.get("_path", ".")))}},
    )


_EXPORT_CODE = """
def __needling_export(names, path):
    import json, os
    from needling_sim.grading.plain import to_json
    try:
        with open(path, encoding="utf-8") as file:
            found = json.load(file)
    except (OSError, ValueError):
        found = {{}}
    for name in names:
        if name not in globals():
            found[name] = {{"problem": f"`{{name}}` is not set: run its answer cell without errors."}}
            continue
        try:
            found[name] = {{"value": to_json(globals()[name])}}
        except Exception as error:
            found[name] = {{"problem": f"`{{name}}`: {{error}}"[:500]}}
    with open(path + ".tmp", "w", encoding="utf-8") as file:
        json.dump(found, file)
    os.replace(path + ".tmp", path)
__needling_export({names!r}, {path!r})
del __needling_export
"""


def _answer_names(cell, names) -> list[str]:  # pragma: no cover
    """The requested export names an answer cell assigns (empty for any other cell)."""
    if not (cell.metadata.get("nbgrader") or {}).get("solution"):
        return []
    from .answers import assigned_names

    try:
        assigned = assigned_names(cell.source)
    except SyntaxError:
        return []
    return [name for name in assigned if name in names]


def _write_atomic(path: Path, text: str) -> None:  # pragma: no cover
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


async def _run(args) -> None:  # pragma: no cover
    from nbclient.exceptions import DeadKernelError

    out = Path(args.out)
    nb = nbformat.read(args.notebook, as_version=4)
    notes: list[str] = []
    deadline = time.monotonic() + args.total_timeout
    client = _make_client(nb, args.cell_timeout, args.output_chars_per_cell, args.output_chars_total)
    client.resources = {"metadata": {"path": str(Path(args.notebook).parent)}}
    replies: dict[int, dict] = {}

    def keep_reply(cell, cell_index, execute_reply):
        replies[cell_index] = execute_reply

    client.on_cell_executed = keep_reply

    def save(name: str) -> None:
        _write_atomic(out / name, nbformat.writes(nb))

    async with client.async_setup_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
        alive = True
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            if time.monotonic() > deadline:
                notes.append(f"The grader's total time limit ({args.total_timeout} s) stopped the notebook.")
                break
            try:
                await client.async_execute_cell(cell, index)
            except DeadKernelError:
                notes.append("The notebook's kernel died (it may have used more memory than allowed).")
                alive = False
                break
            reply = replies.pop(index, None) or {}
            timed_out = reply.get("content", {}).get("ename") == "CellTimeout"
            if timed_out:
                cell.outputs.append(
                    nbformat.v4.new_output(
                        "error", ename="CellTimeout", evalue=reply["content"]["evalue"], traceback=[]
                    )
                )
            if timed_out and not await _responsive(client):
                notes.append(f"A cell ran past {args.cell_timeout} s and ignored the interrupt; the rest was not run.")
                alive = False
                break
            cell_names = _answer_names(cell, args.names)
            if cell_names and not timed_out:
                # Export right away: a later cell that hangs or kills the run cannot lose this answer.
                await _execute_quietly(client, _EXPORT_CODE.format(names=cell_names, path=str(out / _EXPORT)), 10.0)
            save(_PROGRESS)
        if alive and args.names and time.monotonic() < deadline:
            code = _EXPORT_CODE.format(names=list(args.names), path=str(out / _EXPORT))
            if not await _execute_quietly(client, code, timeout=max(5.0, deadline - time.monotonic())):
                notes.append("The answers computed by code could not be read from the notebook in time.")
        save(_NOTEBOOK)
        _write_atomic(out / _REPORT, json.dumps({"notes": notes}))
        if not alive:
            # Do not wait for a kernel that ignores signals: end the whole sandbox now.
            os.kill(os.getpid(), signal.SIGKILL)


async def _execute_quietly(client, code: str, timeout: float) -> bool:  # pragma: no cover
    """Run ``code`` in the kernel outside any cell; True when the kernel replied within ``timeout``."""
    end = time.monotonic() + timeout
    try:
        msg_id = client.kc.execute(code, store_history=False, silent=True)
        while True:
            reply = await asyncio.wait_for(client.kc.shell_channel.get_msg(timeout=None), end - time.monotonic())
            if reply["parent_header"].get("msg_id") == msg_id:
                return True
    except Exception:  # noqa: BLE001 - a timeout or a dead kernel: either way, no reply
        return False


async def _responsive(client) -> bool:  # pragma: no cover
    """After an interrupt: does the kernel answer a trivial request within a few seconds?"""
    return await _execute_quietly(client, "pass", timeout=5.0)


def main(argv: list[str] | None = None) -> None:  # pragma: no cover
    parser = argparse.ArgumentParser(description="Runner inside the grading sandbox (not for direct use).")
    parser.add_argument("--notebook", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--cell-timeout", type=int, required=True)
    parser.add_argument("--total-timeout", type=int, required=True)
    parser.add_argument("--output-chars-per-cell", type=int, required=True)
    parser.add_argument("--output-chars-total", type=int, required=True)
    parser.add_argument("--names", type=json.loads, default=[])
    args = parser.parse_args(argv)
    asyncio.run(_run(args))


if __name__ == "__main__":
    main()
