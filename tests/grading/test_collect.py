"""Who submitted: the ownership screen before ``nbgrader collect --update``.

The screen runs on real folders; the end-to-end test releases, submits and collects with real
nbgrader commands in a throw-away course whose exchange is a temporary folder. Tests that hand
files to another account need root (``chown``); the class test (tests/hub/) does the same with
real trainee accounts through a real JupyterHub.
"""

from __future__ import annotations

import getpass
import os
import pwd
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from needling_sim.grading import collect

ME = getpass.getuser()
BIN = Path(sys.executable).parent
COURSE_ID = "collect-test"
ASSIGNMENT = "a1"
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="handing files to another account needs root")


def _nobody() -> pwd.struct_passwd:
    return pwd.getpwnam("nobody")


def _submission(inbound: Path, student: str, stamp: str, files=("a1.ipynb",)) -> Path:
    folder = inbound / f"{student}+{ASSIGNMENT}+2026-12-02 04:{stamp} UTC+r{stamp.replace(':', '')}"
    folder.mkdir(parents=True)
    for name in files:
        (folder / name).write_text("{}")
    (folder / "timestamp.txt").write_text(f"2026-12-02 04:{stamp} UTC")
    return folder


def test_honest_submission_has_no_problems(tmp_path):
    folder = _submission(tmp_path, ME, "10:00")
    (found,) = collect.screen_inbound(tmp_path, ASSIGNMENT)
    assert found.honest and found.student_id == ME and found.path == folder


def test_a_submission_in_another_students_name_is_suspect(tmp_path):
    _submission(tmp_path, "someone-else", "10:00")
    (found,) = collect.screen_inbound(tmp_path, ASSIGNMENT)
    assert not found.honest
    assert f"the folder is owned by {ME}, not someone-else" in found.problems


def test_a_symbolic_link_is_suspect_even_when_the_owner_is_right(tmp_path):
    folder = _submission(tmp_path, ME, "10:00")
    (folder / "answers.ipynb").symlink_to("/etc/passwd")
    (found,) = collect.screen_inbound(tmp_path, ASSIGNMENT)
    assert found.problems == ("answers.ipynb is a symbolic link (to /etc/passwd)",)


def test_other_assignments_are_left_out_and_bad_names_are_listed(tmp_path):
    (tmp_path / f"{ME}+other+2026-12-02 04:00:00 UTC+x").mkdir()
    (tmp_path / "no-plus-signs").mkdir()
    (found,) = collect.screen_inbound(tmp_path, ASSIGNMENT)
    assert found.student_id == "?" and "not <student>+<assignment>+<timestamp>" in found.problems[0]


@needs_root
def test_a_file_dropped_into_a_real_submission_by_another_account_is_suspect(tmp_path):
    nobody = _nobody()
    folder = _submission(tmp_path, "nobody", "10:00")
    for path in (folder, *folder.iterdir()):
        os.chown(path, nobody.pw_uid, nobody.pw_gid)
    (found,) = collect.screen_inbound(tmp_path, ASSIGNMENT)
    assert found.honest
    (folder / "extra.py").write_text("print('planted')")  # root's file in nobody's folder
    (found,) = collect.screen_inbound(tmp_path, ASSIGNMENT)
    assert found.problems == (f"extra.py is owned by {ME}, not nobody",)
    # Only the planted file leaves the exchange: nobody's own work stays to be collected.
    report = collect.quarantine([found], tmp_path / "quarantine")
    assert sorted(p.name for p in folder.iterdir()) == ["a1.ipynb", "timestamp.txt"]
    assert (tmp_path / "quarantine" / folder.name / "extra.py").read_text() == "print('planted')"
    assert "the student's own files kept and collected" in report.read_text()


def test_quarantine_moves_suspects_out_and_writes_the_report(tmp_path):
    inbound = tmp_path / "inbound"
    real = _submission(inbound, ME, "10:00")
    fake = _submission(inbound, "victim", "20:00")
    found = collect.screen_inbound(inbound, ASSIGNMENT)
    suspects = [s for s in found if not s.honest]
    report = collect.quarantine(suspects, tmp_path / "quarantine")
    assert real.exists() and not fake.exists()
    assert (tmp_path / "quarantine" / fake.name / "a1.ipynb").exists()
    text = report.read_text()
    assert fake.name in text and "claims: victim" in text and f"owned by {ME}, not victim" in text
    assert collect.quarantine([], tmp_path / "quarantine") is None


def _course(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    course = tmp_path / "course"
    (course / "exercises" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]),
        course / "exercises" / ASSIGNMENT / "a1.ipynb",
    )
    (course / "nbgrader_config.py").write_text(
        "import os\nc = get_config()\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\nc.CourseDirectory.release_directory = 'exercises'\n"
        "c.Exchange.root = os.environ.get('NBGRADER_EXCHANGE_ROOT', '/srv/nbgrader/exchange')\n"
    )
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    exchange.chmod(0o1777)
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", NBGRADER_EXCHANGE_ROOT=str(exchange))
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
        env[name] = str(tmp_path / "state" / name)
    return course, env


def _nbgrader(cwd: Path, env: dict[str, str], *args: str) -> None:
    proc = subprocess.run([str(BIN / "nbgrader"), *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_collect_never_replaces_real_work_with_an_impersonated_submission(tmp_path):
    course, env = _course(tmp_path)
    _nbgrader(course, env, "release_assignment", ASSIGNMENT)
    home = tmp_path / "home"
    home.mkdir()
    trainee = (f"--course={COURSE_ID}", f"--Exchange.root={env['NBGRADER_EXCHANGE_ROOT']}")
    _nbgrader(home, env, "fetch_assignment", ASSIGNMENT, *trainee)
    _nbgrader(home, env, "submit", ASSIGNMENT, *trainee)  # my own work
    # The same account, later, submits in the name of a friend: plain collect would take it.
    _nbgrader(home, env, "submit", ASSIGNMENT, *trainee, "--student=victim")

    proc = subprocess.run(
        [sys.executable, "-m", "needling_sim.grading.collect", ASSIGNMENT],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "QUARANTINED 1 submission" in proc.stderr and "claims to be victim" in proc.stderr
    assert (course / "submitted" / ME / ASSIGNMENT / "a1.ipynb").exists()
    assert not (course / "submitted" / "victim").exists()
    (moved,) = [p for p in (course / "quarantine").iterdir() if p.is_dir()]
    assert moved.name.startswith(f"victim+{ASSIGNMENT}+")
