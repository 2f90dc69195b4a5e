"""The examples in hub/*.py docstrings, and the account rules that keep real accounts safe."""

from __future__ import annotations

import doctest
import pwd
import sys
from pathlib import Path

import pytest

HUB = Path(__file__).resolve().parents[2] / "hub"
sys.path.insert(0, str(HUB))
import accounts  # noqa: E402
import classroom  # noqa: E402
import install  # noqa: E402


@pytest.mark.parametrize("module", [accounts, classroom, install], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_only_prefixed_and_marked_accounts_are_class_accounts():
    root = pwd.getpwnam("root")
    assert not accounts.is_class_account(root, "nst-")
    fake = pwd.struct_passwd(("nst-ana", "x", 1, 1, "someone real", "/home/nst-ana", "/bin/sh"))
    assert not accounts.is_class_account(fake, "nst-")  # right prefix, no marker: never touched
    made = pwd.struct_passwd(("nst-ana", "x", 1, 1, accounts.MARKER, "/home/nst-ana", "/bin/sh"))
    assert accounts.is_class_account(made, "nst-")
    assert not accounts.is_class_account(made, "other-")


@pytest.mark.parametrize("name", ["root", "ana", "nst-Ana", "nst-a b"])
def test_a_name_outside_the_class_prefix_is_refused(name):
    with pytest.raises(ValueError, match="must start with"):
        accounts.create_account(name)


def test_a_bad_prefix_is_refused(monkeypatch):
    monkeypatch.setenv("NEEDLING_HUB_ACCOUNT_PREFIX", "root")
    with pytest.raises(ValueError, match="NEEDLING_HUB_ACCOUNT_PREFIX='root'"):
        accounts.account_prefix()


def test_the_instructor_role_is_only_the_instructor():
    s = classroom.ClassSettings("/opt/x", "nst-instructor", ("nst-a", "nst-b"), "pw", "tok")
    assert [s.role(u) for u in s.users] == ["instructor", "trainee", "trainee"]
    assert s.environment("nst-instructor")["JUPYTER_CONFIG_PATH"].startswith("/opt/x/roles/instructor:")
    assert "c.CourseDirectory.root = '/home/nst-instructor/course'" in classroom.nbgrader_settings(s, "instructor")
    assert "CourseDirectory.root" not in classroom.nbgrader_settings(s, "trainee")


def test_the_trainee_environment_leaves_out_only_test_tools(tmp_path):
    kept = install.course_requirements(tmp_path / "lock").read_text()
    assert "nbgrader==" in kept and "jupyterlab==" in kept and "plotly==" in kept
    assert "playwright==" not in kept and "pytest==" not in kept
