"""Local accounts for a class hub: made behind a prefix and a marker, removed the same way.

Every account this module makes has a name starting with the class prefix (``nst-`` unless
``NEEDLING_HUB_ACCOUNT_PREFIX`` says otherwise) **and** the marker below as its full name (GECOS).
:func:`remove_class_accounts` removes only accounts with both, so a real account is never touched,
and :func:`create_account` refuses a name that already belongs to an account without the marker.
Removal needs no record of what was made: after a run that was killed, the next run (or
``make hub-clean``) finds the leftovers by prefix and marker and removes them, processes included.

Homes are made 0700 (``useradd -m`` makes them world-readable on Debian, so trainees could read
each other's work).
"""

from __future__ import annotations

import os
import pwd
import re
import signal
import subprocess
import time
from pathlib import Path

MARKER = "needling-hub class account"
DEFAULT_PREFIX = "nst-"
NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}$")


def account_prefix() -> str:
    """The class prefix (``NEEDLING_HUB_ACCOUNT_PREFIX``, default ``nst-``).

    Examples
    --------
    >>> account_prefix() if "NEEDLING_HUB_ACCOUNT_PREFIX" not in os.environ else "nst-"
    'nst-'
    """
    prefix = os.environ.get("NEEDLING_HUB_ACCOUNT_PREFIX", DEFAULT_PREFIX)
    if not re.fullmatch(r"[a-z][a-z0-9]{1,10}-", prefix):
        raise ValueError(f"NEEDLING_HUB_ACCOUNT_PREFIX={prefix!r}: use 2 to 11 lowercase letters/digits and a '-'")
    return prefix


def is_class_account(entry: pwd.struct_passwd, prefix: str) -> bool:
    return entry.pw_name.startswith(prefix) and entry.pw_gecos.split(",")[0] == MARKER


def create_account(name: str, home_base: Path = Path("/home")) -> pwd.struct_passwd:
    """Make (or reuse) the class account ``name`` with a 0700 home; returns its passwd entry."""
    prefix = account_prefix()
    if not name.startswith(prefix) or not NAME.match(name):
        raise ValueError(f"account {name!r} must start with {prefix!r} and be lowercase letters, digits and '-'")
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--create-home",
                "--base-dir",
                str(home_base),
                "--shell",
                "/bin/bash",
                "--comment",
                MARKER,
                "--user-group",
                name,
            ],
            check=True,
        )
        entry = pwd.getpwnam(name)
    if not is_class_account(entry, prefix):
        raise RuntimeError(f"account {name!r} exists and was not made by the class hub ({entry.pw_gecos!r}): not used")
    os.chmod(entry.pw_dir, 0o700)
    return entry


def processes_of(uid: int) -> list[int]:
    """Process ids whose real user id is ``uid``."""
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            lines = status.read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            if line.startswith("Uid:") and int(line.split()[1]) == uid:
                pids.append(int(status.parent.name))
                break
    return pids


def stop_processes(uid: int, grace_s: float = 3.0) -> None:
    """SIGTERM every process of ``uid``, then SIGKILL what is left after ``grace_s``."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = processes_of(uid)
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace_s
        while processes_of(uid) and time.monotonic() < deadline:
            time.sleep(0.1)


def class_accounts() -> list[pwd.struct_passwd]:
    prefix = account_prefix()
    return [entry for entry in pwd.getpwall() if is_class_account(entry, prefix)]


def remove_class_accounts() -> list[str]:
    """Remove every class account (processes, home, mail spool, own group); returns their names."""
    removed = []
    for entry in class_accounts():
        stop_processes(entry.pw_uid)
        subprocess.run(["userdel", "--remove", entry.pw_name], check=False, capture_output=True)
        if Path(entry.pw_dir).exists() and Path(entry.pw_dir).name == entry.pw_name:
            subprocess.run(["rm", "-rf", "--one-file-system", entry.pw_dir], check=True)
        removed.append(entry.pw_name)
    return removed
