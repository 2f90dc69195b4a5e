"""A local class on JupyterHub: set up, serve, tear down (run as root).

    python hub/classroom.py demo [--trainees 3] [--port 8000]   # what `make hub-demo` runs
    python hub/classroom.py teardown                           # what `make hub-clean` runs

``setup`` makes the class accounts (``nst-instructor``, ``nst-trainee1`` ...; see ``accounts.py``),
a shared password for the hub's test login (JupyterHub's *DummyAuthenticator*: a login fit for a
local demo or test, **never** for a real class), the exchange, the nbgrader settings every server
reads, and the instructor's course folder (``~/course``: ``nbgrader_config.py``, ``solutions/``,
``exercises/``); each trainee gets the lessons (``~/lessons``). Everything runs from the installation
``hub/install.py`` made (default ``/opt/needling-hub``). ``serve`` runs JupyterHub on 127.0.0.1 in the
foreground; ``teardown`` stops it and removes every class account and the class state, also after a
run that was killed (it finds what to remove by the account prefix and marker, and the pid files).

The class's settings live in one JSON file, ``<prefix>/class/class.json`` (root only: it holds the
password); ``jupyterhub_config.py`` reads it through ``NEEDLING_HUB_CLASS``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import accounts  # noqa: E402 - this folder is not a package; the hub config imports it the same way

REPO = Path(__file__).resolve().parents[1]
HUB = REPO / "hub"
DEFAULT_PREFIX = Path(os.environ.get("NEEDLING_HUB_PREFIX", "/opt/needling-hub"))
COURSE_ID = "skin-needling-trainer"
COURSE_FILES = ("nbgrader_config.py", "solutions", "exercises")


@dataclass(frozen=True)
class ClassSettings:
    """Everything the hub and the commands need to know about one class."""

    prefix: str
    instructor: str
    trainees: tuple[str, ...]
    password: str
    admin_token: str
    port: int = 8000
    hub_port: int = 8081
    proxy_api_port: int = 8001
    cull_timeout_s: int = 3600
    cull_every_s: int = 300
    activity_interval_s: int = 60
    course_id: str = COURSE_ID
    home_base: str = "/home"
    extra: dict = field(default_factory=dict)

    @property
    def state(self) -> Path:
        return Path(self.prefix) / "class"

    @property
    def exchange(self) -> Path:
        return self.state / "exchange"

    @property
    def users(self) -> tuple[str, ...]:
        return (self.instructor, *self.trainees)

    def role(self, user: str) -> str:
        return "instructor" if user == self.instructor else "trainee"

    def home(self, user: str) -> Path:
        return Path(self.home_base) / user

    def course_dir(self) -> Path:
        return self.home(self.instructor) / "course"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self, user: str) -> dict[str, str]:
        """The environment of ``user``'s server and commands (JupyterHub 6 passes no PATH itself).

        Examples
        --------
        >>> s = ClassSettings("/opt/x", "nst-instructor", ("nst-ana",), "pw", "tok")
        >>> env = s.environment("nst-ana")
        >>> env["PATH"].split(":")[0], env["JUPYTER_CONFIG_PATH"]
        ('/opt/x/trainee-env/bin', '/opt/x/roles/trainee:/opt/x/class/jupyter-trainee')
        """
        role = self.role(user)
        return {
            "PATH": f"{self.prefix}/trainee-env/bin:/usr/local/bin:/usr/bin:/bin",
            "JUPYTER_CONFIG_PATH": f"{self.prefix}/roles/{role}:{self.state}/jupyter-{role}",
            # Per-user config then lives in ~/.config/jupyter (not ~/.jupyter), data in ~/.local/share/jupyter.
            "JUPYTER_PLATFORM_DIRS": "1",
            "PLOTLY_RENDERER": "plotly_mimetype+notebook",
            "NBGRADER_EXCHANGE_ROOT": str(self.exchange),
            "JUPYTERHUB_ACTIVITY_INTERVAL": str(self.activity_interval_s),
            "LANG": "C.UTF-8",
        }

    def save(self) -> Path:
        self.state.mkdir(parents=True, exist_ok=True)
        path = self.state / "class.json"
        path.write_text(json.dumps(asdict(self), indent=2))
        path.chmod(0o600)
        return path


def load(path: Path | str) -> ClassSettings:
    data = json.loads(Path(path).read_text())
    data["trainees"] = tuple(data["trainees"])
    return ClassSettings(**data)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nbgrader_settings(settings: ClassSettings, role: str) -> str:
    lines = [
        "# Written by hub/classroom.py: the course and the exchange every server of this class uses.",
        "c = get_config()  # noqa: F821",
        f"c.CourseDirectory.course_id = {settings.course_id!r}",
        f"c.Exchange.root = {str(settings.exchange)!r}",
    ]
    if role == "instructor":
        lines.append(f"c.CourseDirectory.root = {str(settings.course_dir())!r}  # formgrader's course")
    return "\n".join(lines) + "\n"


def chown_tree(path: Path, user: str) -> None:
    shutil.chown(path, user, user)
    for item in path.rglob("*"):
        os.chown(item, *_ids(user), follow_symlinks=False)


def _ids(user: str) -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid


def setup(settings: ClassSettings) -> ClassSettings:
    """Accounts, exchange, nbgrader settings and course folders for ``settings`` (after a teardown)."""
    if not (Path(settings.prefix) / ".installed").exists():
        raise SystemExit(f"{settings.prefix} has no class installation: run `make hub-env` first")
    settings.save()
    settings.exchange.mkdir(parents=True, exist_ok=True)
    settings.exchange.chmod(0o1777)  # nbgrader's exchange: everyone writes, the sticky bit stops deletions
    for role in ("trainee", "instructor"):
        folder = settings.state / f"jupyter-{role}"
        folder.mkdir(exist_ok=True)
        (folder / "nbgrader_config.py").write_text(nbgrader_settings(settings, role))
        folder.chmod(0o755)
    os.chmod(settings.state, 0o755)
    for user in settings.users:
        accounts.create_account(user, Path(settings.home_base))
    course = settings.course_dir()
    course.mkdir(exist_ok=True)
    for name in COURSE_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, course / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        else:
            shutil.copy(source, course / name)
    chown_tree(course, settings.instructor)
    for trainee in settings.trainees:
        lessons = settings.home(trainee) / "lessons"
        shutil.copytree(REPO / "course", lessons, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        chown_tree(lessons, trainee)
    return settings


def hub_command(settings: ClassSettings) -> tuple[list[str], dict[str, str]]:
    env = {
        "PATH": f"{settings.prefix}/hub-env/bin:{HUB}/node_modules/.bin:/usr/local/bin:/usr/bin:/bin",
        "NEEDLING_HUB_CLASS": str(settings.state / "class.json"),
        "HOME": str(settings.state),
        "LANG": "C.UTF-8",
    }
    argv = [f"{settings.prefix}/hub-env/bin/python", "-m", "jupyterhub", "-f", str(HUB / "jupyterhub_config.py")]
    return argv, env


def start_hub(settings: ClassSettings, log_path: Path | None = None) -> subprocess.Popen:
    """JupyterHub in its own process group; its pid goes to ``class/hub.pid`` for teardown."""
    argv, env = hub_command(settings)
    with open(log_path or os.devnull, "ab") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            argv, cwd=settings.state, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    (settings.state / "hub.pid").write_text(str(proc.pid))
    return proc


def wait_for_hub(settings: ClassSettings, timeout_s: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"{settings.url}/hub/api/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"JupyterHub did not answer at {settings.url} within {timeout_s:.0f} s")
        time.sleep(0.5)


def _stop_pid_file(pid_file: Path, must_contain: str) -> None:
    try:
        pid = int(pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except (OSError, ValueError):
        return
    if must_contain not in cmdline:
        return  # the pid was reused by something else: leave it alone
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig) if os.getpgid(pid) == pid else os.kill(pid, sig)
        except ProcessLookupError:
            return
        for _ in range(50):
            if not Path(f"/proc/{pid}").exists() or "(Z)" in Path(f"/proc/{pid}/stat").read_text():
                return
            time.sleep(0.1)


def teardown(prefix: Path = DEFAULT_PREFIX) -> list[str]:
    """Stop the hub and its proxy, remove every class account and the class state."""
    state = Path(prefix) / "class"
    _stop_pid_file(state / "hub.pid", "jupyterhub")
    _stop_pid_file(state / "proxy.pid", "configurable-http-proxy")
    removed = accounts.remove_class_accounts()
    if state.exists():
        shutil.rmtree(state)
    return removed


def new_settings(prefix: Path, trainees: int, port: int, **overrides) -> ClassSettings:
    p = accounts.account_prefix()
    return ClassSettings(
        prefix=str(prefix),
        instructor=f"{p}instructor",
        trainees=tuple(f"{p}trainee{i}" for i in range(1, trainees + 1)),
        password=secrets.token_urlsafe(12),
        admin_token=secrets.token_hex(32),
        port=port,
        hub_port=free_port(),
        proxy_api_port=free_port(),
        **overrides,
    )


def demo(prefix: Path, trainees: int, port: int) -> int:
    removed = teardown(prefix)
    if removed:
        print(f"Removed leftover class accounts: {', '.join(removed)}")
    settings = setup(new_settings(prefix, trainees, port))
    proc = start_hub(settings)
    try:
        wait_for_hub(settings)
        print(f"\nClass hub on {settings.url}  (test login: DummyAuthenticator, one shared password; local demo only)")
        print(f"  password for every account: {settings.password}")
        print(
            f"  instructor: {settings.instructor}  (course folder ~/course; formgrader: {settings.url}"
            f"/user/{settings.instructor}/formgrader in its own tab)"
        )
        print(f"  trainees:   {', '.join(settings.trainees)}")
        print("Ctrl-C stops the hub and removes the accounts.\n")
        proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        teardown(prefix)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A local class on JupyterHub (run as root).")
    parser.add_argument("command", choices=("demo", "teardown"))
    parser.add_argument("--prefix", type=Path, default=DEFAULT_PREFIX)
    parser.add_argument("--trainees", type=int, default=3)
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        raise SystemExit("the class hub makes local accounts: run it as root")
    if args.command == "demo":
        return demo(args.prefix, args.trainees, args.port)
    removed = teardown(args.prefix)
    print(f"Removed class accounts: {', '.join(removed) or 'none'}; class state under {args.prefix}/class gone.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
