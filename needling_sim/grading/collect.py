"""Who submitted: quarantine impersonated submissions before ``nbgrader collect --update``.

nbgrader's filesystem exchange names each submission folder ``<student>+<assignment>+<timestamp>``
(plus a random string) and trusts the name: anyone can run ``nbgrader submit --student=<friend>``,
and the inbound folder is world-writable, so anyone can also drop files into a friend's
submission. ``nbgrader collect --update`` then takes the newest folder per name and replaces the
real work with only a log warning. On a shared filesystem the owner of every file is known:
a submission counts only when the folder and every file in it belong to the account it names.

:func:`screen_inbound` sorts the inbound folders of one assignment into honest and suspect ones;
:func:`quarantine` moves what is foreign out of the exchange into the course's ``quarantine/``
folder (so ``collect`` cannot see it) with a report the instructor reads: a whole folder in a
friend's name, or only the files another account dropped into a real submission; :func:`main` does
both and then runs ``nbgrader collect --update``. Run it as the instructor, from the course
directory::

    python -m needling_sim.grading.collect 01_screening      # or: make collect ASSIGNMENT=01_screening
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

QUARANTINE_DIR = "quarantine"
REPORT_NAME = "QUARANTINE.txt"


@dataclass(frozen=True)
class Inbound:
    """One folder in the exchange's inbound: who it claims to be from, and its problems.

    ``problems`` is empty for an honest submission: every entry is owned by ``student_id`` and
    none is a symbolic link (a link would make collect copy whatever the *instructor* can read).
    """

    path: Path
    student_id: str
    assignment: str
    timestamp: str
    problems: tuple[str, ...]

    @property
    def honest(self) -> bool:
        return not self.problems


def owner_name(uid: int) -> str:
    """The account name of ``uid``, or ``"uid <n>"`` when no account has it.

    Examples
    --------
    >>> owner_name(0)
    'root'
    >>> owner_name(2**31 - 7)
    'uid 2147483641'
    """
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def parse_name(folder_name: str) -> tuple[str, str, str]:
    """``(student_id, assignment, timestamp)`` from an inbound folder name.

    nbgrader writes ``student+assignment+timestamp[+random]``; student ids may hold ``+``, so
    the name is split from the right, as nbgrader's collect does.

    Examples
    --------
    >>> parse_name("ana+01_screening+2026-12-02 04:10:00.123 UTC+Zm9vYmFy")
    ('ana', '01_screening', '2026-12-02 04:10:00.123 UTC')
    >>> parse_name("a+b+01_screening+2026-12-02 04:10:00 UTC+x")
    ('a+b', '01_screening', '2026-12-02 04:10:00 UTC')
    >>> parse_name("ana+01_screening")
    Traceback (most recent call last):
    ...
    ValueError: inbound folder name 'ana+01_screening' is not <student>+<assignment>+<timestamp>[+<random>]
    """
    parts = folder_name.rsplit("+", 3)
    if len(parts) >= 3:
        return parts[0], parts[1], parts[2]
    raise ValueError(f"inbound folder name {folder_name!r} is not <student>+<assignment>+<timestamp>[+<random>]")


def ownership_problems(folder: Path, student_id: str) -> tuple[str, ...]:
    """Every entry of ``folder`` (itself included) not owned by ``student_id``, or a symbolic link."""
    problems = []
    entries = [folder, *sorted(folder.rglob("*"))]
    for entry in entries:
        info = entry.lstat()
        where = "the folder" if entry == folder else str(entry.relative_to(folder))
        if stat.S_ISLNK(info.st_mode):
            problems.append(f"{where} is a symbolic link (to {os.readlink(entry)})")
            continue
        owner = owner_name(info.st_uid)
        if owner != student_id:
            problems.append(f"{where} is owned by {owner}, not {student_id}")
    return tuple(problems)


def screen_inbound(inbound: Path, assignment: str) -> list[Inbound]:
    """The submissions of ``assignment`` in ``inbound``, each with its ownership problems.

    Folders of other assignments are left out; a folder whose name cannot be parsed is listed
    with that problem (and its claimed student as ``"?"``).
    """
    found = []
    for folder in sorted(inbound.iterdir()):
        try:
            student_id, assignment_id, timestamp = parse_name(folder.name)
        except ValueError as error:
            found.append(Inbound(folder, "?", "?", "", (str(error),)))
            continue
        if assignment_id != assignment:
            continue
        if folder.is_symlink() or not folder.is_dir():
            found.append(Inbound(folder, student_id, assignment_id, timestamp, ("not a plain folder",)))
            continue
        found.append(Inbound(folder, student_id, assignment_id, timestamp, ownership_problems(folder, student_id)))
    return found


def foreign_entries(sub: Inbound) -> list[Path]:
    """What to take out of ``sub``: the whole folder, unless only some entries in it are foreign.

    The exchange's submission folders are world-writable, so another trainee can drop a file into
    (or replace a file of) a real submission. When the folder itself belongs to the student it
    names, only the foreign entries go; the student's own files stay and are collected.
    """
    folder_owner = owner_name(sub.path.lstat().st_uid)
    if folder_owner != sub.student_id or sub.path.is_symlink():
        return [sub.path]
    foreign = []
    for entry in sorted(sub.path.rglob("*")):
        if any(parent in foreign for parent in entry.parents):
            continue
        info = entry.lstat()
        if stat.S_ISLNK(info.st_mode) or owner_name(info.st_uid) != sub.student_id:
            foreign.append(entry)
    return foreign


def quarantine(suspects: list[Inbound], quarantine_root: Path) -> Path | None:
    """Move what is foreign in ``suspects`` out of the exchange into ``quarantine_root``; report it.

    Returns the report's path (``None`` when there was nothing to move). Moved entries keep their
    names (under the submission's folder name); nothing is deleted, so the instructor can look
    and decide.
    """
    if not suspects:
        return None
    quarantine_root.mkdir(mode=0o700, parents=True, exist_ok=True)
    report = quarantine_root / REPORT_NAME
    with report.open("a", encoding="utf-8") as out:
        for sub in suspects:
            entries = foreign_entries(sub)
            whole = entries == [sub.path]
            for entry in entries:
                target = quarantine_root / sub.path.name / ("" if whole else entry.relative_to(sub.path))
                if target.exists() or target.is_symlink():
                    shutil.rmtree(target) if target.is_dir() and not target.is_symlink() else target.unlink()
                target.parent.mkdir(parents=True, exist_ok=True)
                # Copy (links stay links) and then remove: the exchange may be on another filesystem.
                if entry.is_dir() and not entry.is_symlink():
                    shutil.copytree(entry, target, symlinks=True)
                    shutil.rmtree(entry)
                else:
                    shutil.copy2(entry, target, follow_symlinks=False)
                    entry.unlink()
            kept = "whole submission quarantined" if whole else "the student's own files kept and collected"
            out.write(f"{sub.path.name}\n  claims: {sub.student_id}, {sub.assignment}, {sub.timestamp} ({kept})\n")
            out.writelines(f"  - {problem}\n" for problem in sub.problems)
    return report


def describe(suspects: list[Inbound]) -> str:
    """What the instructor reads: one block per quarantined submission.

    Examples
    --------
    >>> s = Inbound(Path("/x/ana+01+t+r"), "ana", "01", "t", ("the folder is owned by bob, not ana",))
    >>> print(describe([s]))
    QUARANTINED 1 submission (not collected: written by another account than the student it names):
      ana+01+t+r (claims to be ana): the folder is owned by bob, not ana
    """
    if not suspects:
        return "No suspect submissions: every inbound submission belongs to the student it names."
    lines = [
        f"QUARANTINED {len(suspects)} submission{'s' if len(suspects) != 1 else ''} "
        "(not collected: written by another account than the student it names):"
    ]
    for sub in suspects:
        shown = list(sub.problems[:3]) + ([f"and {len(sub.problems) - 3} more"] if len(sub.problems) > 3 else [])
        lines.append(f"  {sub.path.name} (claims to be {sub.student_id}): {'; '.join(shown)}")
    return "\n".join(lines)


def course_settings(course_dir: Path) -> tuple[Path, str]:
    """``(exchange_root, course_id)`` as the course's ``nbgrader_config.py`` sets them."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_dir)).load_config()
    root = config.Exchange.get("root", "/srv/nbgrader/exchange")
    course_id = config.CourseDirectory.get("course_id", "")
    if not course_id:
        raise SystemExit(f"{course_dir / 'nbgrader_config.py'} sets no CourseDirectory.course_id")
    return Path(root), course_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m needling_sim.grading.collect",
        description="Quarantine submissions not written by the student they name, then nbgrader collect --update.",
    )
    parser.add_argument("assignment", help="assignment name, e.g. 01_screening")
    parser.add_argument("--course-dir", type=Path, default=Path.cwd(), help="the course folder (default: here)")
    parser.add_argument("--no-collect", action="store_true", help="only screen and quarantine")
    args = parser.parse_args(argv)

    course_dir = args.course_dir.resolve()
    exchange_root, course_id = course_settings(course_dir)
    inbound = exchange_root / course_id / "inbound"
    if not inbound.is_dir():
        print(f"No inbound folder at {inbound}: has {args.assignment} been released?", file=sys.stderr)
        return 1
    found = screen_inbound(inbound, args.assignment)
    suspects = [sub for sub in found if not sub.honest]
    report = quarantine(suspects, course_dir / QUARANTINE_DIR)
    print(describe(suspects), file=sys.stderr if suspects else sys.stdout)
    if report:
        print(f"Details: {report}", file=sys.stderr)
    if args.no_collect:
        return 0
    command = ["nbgrader", "collect", "--update", args.assignment]
    return subprocess.run(command, cwd=course_dir, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
