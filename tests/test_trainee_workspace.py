"""tools/trainee_workspace.py: the trainee's git-ignored copies, the local exchange, safe refreshes.

The browser tests (tests/test_browser_roles.py) open the result in JupyterLab; these check the files.
"""

import importlib.util
import json
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("trainee_workspace", ROOT / "tools" / "trainee_workspace.py")
tw = sys.modules.setdefault("trainee_workspace", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(tw)


@pytest.fixture
def layout(tmp_path) -> "tw.Layout":
    """A small repository (two lessons, one assignment) and an empty workspace."""
    repo = tmp_path / "repo"
    (repo / "course").mkdir(parents=True)
    (repo / "course" / "00_welcome.ipynb").write_text('{"lesson": 0}')
    (repo / "course" / "01_what.ipynb").write_text('{"lesson": 1}')
    (repo / "exercises" / "01_screening").mkdir(parents=True)
    (repo / "exercises" / "01_screening" / "01_screening.ipynb").write_text('{"release": 1}')
    (repo / "exercises" / "01_screening" / "intake.csv").write_text("age\n34\n")
    return tw.Layout(repo, tmp_path / "workspace", tmp_path / "state")


def test_a_fresh_workspace_holds_the_lessons_the_exercises_and_a_local_release(layout):
    tw.make_workspace(layout, log=lambda _: None)
    assert (layout.course / "00_welcome.ipynb").read_text() == '{"lesson": 0}'
    assert (layout.exercises / "01_screening" / "intake.csv").is_file()
    outbound = layout.exchange / tw.COURSE_ID / "outbound" / "01_screening" / "01_screening.ipynb"
    assert outbound.read_text() == '{"release": 1}'
    assert (layout.exchange / tw.COURSE_ID / "inbound").is_dir()
    config = runpy.run_path(str(layout.trainee_config / "nbgrader_config.py"), init_globals={
        "get_config": lambda: __import__("traitlets.config", fromlist=["Config"]).Config()})["c"]
    assert config.Exchange.root == str(layout.exchange)
    assert config.Exchange.assignment_dir == str(layout.exercises)
    assert config.CourseDirectory.course_id == tw.COURSE_ID


def test_refreshing_keeps_outputs_of_an_unchanged_lesson_and_never_touches_answers(layout):
    tw.make_workspace(layout, log=lambda _: None)
    (layout.course / "00_welcome.ipynb").write_text('{"lesson": 0, "outputs": "mine"}')
    (layout.exercises / "01_screening" / "01_screening.ipynb").write_text('{"answer": 42}')
    (layout.repo / "exercises" / "01_screening" / "01_screening.ipynb").write_text('{"release": 2}')
    tw.make_workspace(layout, log=lambda _: None)
    assert (layout.course / "00_welcome.ipynb").read_text() == '{"lesson": 0, "outputs": "mine"}'
    assert (layout.exercises / "01_screening" / "01_screening.ipynb").read_text() == '{"answer": 42}'
    # The local release follows the repository.
    outbound = layout.exchange / tw.COURSE_ID / "outbound" / "01_screening" / "01_screening.ipynb"
    assert outbound.read_text() == '{"release": 2}'


def test_an_updated_lesson_replaces_the_copy_and_a_saved_copy_is_kept_aside(layout):
    tw.make_workspace(layout, log=lambda _: None)
    (layout.course / "01_what.ipynb").write_text('{"lesson": 1, "notes": "mine"}')  # the trainee saved it
    (layout.repo / "course" / "00_welcome.ipynb").write_text('{"lesson": 0, "v": 2}')
    (layout.repo / "course" / "01_what.ipynb").write_text('{"lesson": 1, "v": 2}')
    said = []
    tw.make_workspace(layout, log=said.append)
    assert (layout.course / "00_welcome.ipynb").read_text() == '{"lesson": 0, "v": 2}'
    assert (layout.course / "01_what.ipynb").read_text() == '{"lesson": 1, "v": 2}'
    kept = layout.workspace / "old-versions" / "course" / "01_what.ipynb"
    assert kept.read_text() == '{"lesson": 1, "notes": "mine"}'
    assert len(said) == 1 and "01_what.ipynb" in said[0] and "old-versions" in said[0]


def test_a_withdrawn_assignment_leaves_the_local_release(layout):
    tw.make_workspace(layout, log=lambda _: None)
    shutil.rmtree(layout.repo / "exercises" / "01_screening")
    tw.make_workspace(layout, log=lambda _: None)
    assert not (layout.exchange / tw.COURSE_ID / "outbound" / "01_screening").exists()


def test_git_ignores_the_workspace():
    out = subprocess.run(["git", "check-ignore", "-q", "workspace/course/00_welcome.ipynb"], cwd=ROOT)
    assert out.returncode == 0, "workspace/ must be git-ignored"


def test_make_course_builds_the_workspace_and_opens_the_trainee_role_on_the_welcome_lesson():
    target = (ROOT / "Makefile").read_text().split("\ncourse:", 1)[1].split("\n\n", 1)[0]
    assert "tools/trainee_workspace.py" in target
    assert "JUPYTER_CONFIG_PATH=$(CURDIR)/roles/trainee" in target
    assert "--ServerApp.root_dir=$(CURDIR)/workspace" in target
    assert "/lab/tree/course/00_welcome.ipynb" in target


@pytest.mark.parametrize("role", ["trainee", "instructor"])
def test_each_role_folder_is_valid_json_and_turns_off_the_news(role):
    folder = ROOT / "roles" / role
    for path in folder.rglob("*.json"):
        json.loads(path.read_text())
    lab = json.loads((folder / "jupyter_server_config.json").read_text())["LabApp"]
    assert lab["news_url"] is None
    page = json.loads((folder / "labconfig" / "page_config.json").read_text())
    assert page["disabledExtensions"]["@jupyterlab/apputils-extension:announcements"] is True


def test_the_trainee_role_hides_and_locks_every_instructor_tool():
    folder = ROOT / "roles" / "trainee"
    page = json.loads((folder / "labconfig" / "page_config.json").read_text())
    server = json.loads((folder / "jupyter_server_config.d" / "needling-trainee.json").read_text())
    for plugin in ("formgrader", "create-assignment", "course-list"):
        assert page["disabledExtensions"][f"@jupyter/nbgrader:{plugin}"] is True
        assert page["lockedExtensions"][f"@jupyter/nbgrader:{plugin}"] is True
    extensions = server["ServerApp"]["jpserver_extensions"]
    assert extensions["nbgrader.server_extensions.formgrader"] is False
    assert extensions["nbgrader.server_extensions.assignment_list"] is True
