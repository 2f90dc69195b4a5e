"""The hostile class run: honest trainees and every exploit of the bank, graded in one class run.

One ``grade_assignment`` run (what ``make grade`` does) grades the whole class in bubblewrap
sandboxes. Every exploit must score zero on the cells it targets, honest work keeps full marks,
no other trainee's grade or file changes, and the run finishes and names its failures.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import warnings
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("_exploit_bank", Path(__file__).with_name("exploit_bank.py"))
bank = sys.modules.setdefault("_exploit_bank", importlib.util.module_from_spec(_spec))
if not hasattr(bank, "Exploit"):
    _spec.loader.exec_module(bank)

from needling_sim.grading import classrun, export  # noqa: E402
from needling_sim.grading.sandbox import FIRST_UID, Limits, _processes_of  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading")]
EXPLOITS = bank.exploits()
JOBS = 2
LIMITS = Limits(cell_timeout_s=10, total_timeout_s=180)  # 02_scheduling takes ~25 s on a loaded machine


def _grade(course, assignment, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbgrader's own SQLAlchemy and traitlets warnings
        return classrun.grade_assignment(course, assignment, jobs=JOBS, limits=LIMITS, log=lambda _m: None, **kwargs)


@pytest.fixture(scope="module", params=bank.ASSIGNMENTS)
def hostile(request, tmp_path_factory):
    assignment = request.param
    if not (bank.solutions_folder(assignment) / f"{assignment}.ipynb").is_file():
        pytest.skip(f"{assignment} is not in this checkout")
    course = bank.make_course(tmp_path_factory.mktemp("hostile"), assignment=assignment)
    students = bank.build_class(course, EXPLOITS, assignment)
    site = Path(sys.prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    before = {
        "files": {s: bank.tree_digest(course / "submitted" / s) for s, e in students.items() if e is None},
        "site": sorted(p.name for p in site.iterdir()),
    }
    report = _grade(course, assignment)
    return {"course": course, "a": assignment, "students": students, "before": before, "report": report, "site": site}


def _exploit_in(hostile, exploit):
    if exploit.student not in hostile["students"]:
        pytest.skip(f"{exploit.name} names cells that {hostile['a']} does not have")


def test_the_run_finishes_and_grades_everyone_it_can(hostile):
    report, students = hostile["report"], hostile["students"]
    refused = {e.student for e in EXPLOITS if e.failed and e.student in students}
    assert set(report.graded()) == set(students) - refused, report.summary()
    assert set(report.failed()) == refused, report.summary()
    log = (hostile["course"] / ".nbgrader.log").read_text(encoding="utf-8")
    assert "No sandbox run" not in log, "the serial grading step ran trainee code again instead of reusing the run"


@pytest.mark.parametrize("exploit", [e for e in EXPLOITS if e.failed], ids=lambda e: e.name)
def test_a_broken_notebook_is_reported_by_student_and_reason(hostile, exploit):
    _exploit_in(hostile, exploit)
    reason = hostile["report"].failed()[exploit.student]
    assert exploit.failed.lower() in reason.lower(), reason


@pytest.mark.parametrize("exploit", [e for e in EXPLOITS if not e.failed], ids=lambda e: e.name)
def test_every_exploit_scores_zero_where_it_targets_and_nothing_else_changes(hostile, exploit):
    _exploit_in(hostile, exploit)
    cells = bank.autograded_cells(hostile["course"], hostile["a"])
    scores = bank.cell_scores(hostile["course"], hostile["a"])[exploit.student]
    zero = bank.expected_zero(exploit, cells)
    assert {gid: scores[gid] for gid in zero} == dict.fromkeys(zero, 0.0), exploit.summary
    assert {gid: scores[gid] for gid in cells if gid not in zero} == {
        gid: points for gid, points in cells.items() if gid not in zero
    }, f"{exploit.summary}: honest answers beside it lost marks"


def test_honest_work_keeps_full_marks_and_blank_work_scores_zero(hostile):
    cells = bank.autograded_cells(hostile["course"], hostile["a"])
    scores = bank.cell_scores(hostile["course"], hostile["a"])
    for student in bank.HONEST_STUDENTS:
        assert scores[student] == cells, student
    assert set(scores[bank.BLANK_STUDENT].values()) == {0.0}


def test_no_other_trainees_files_nor_the_environment_change(hostile):
    course, before = hostile["course"], hostile["before"]
    for student, digest in before["files"].items():
        assert bank.tree_digest(course / "submitted" / student) == digest, student
    assert (course / "gradebook.db").is_file()
    assert (course / "solutions" / hostile["a"] / f"{hostile['a']}.ipynb").is_file()
    assert sorted(p.name for p in hostile["site"].iterdir()) == before["site"]


def test_no_process_of_a_sandbox_outlives_the_run(hostile):
    for slot in range(JOBS):
        assert _processes_of(FIRST_UID + slot) == []


def test_only_an_edited_test_cell_is_reported_as_changed(hostile):
    _exploit_in(hostile, bank.load_exploit(bank.EXPLOITS / "edited_test_cell.py"))
    log = (hostile["course"] / ".nbgrader.log").read_text(encoding="utf-8")
    assert "has changed" not in log
    edited = [line for line in log.splitlines() if "was edited in the submission" in line]
    assert edited and all("test-next-safe" in line or "test-blocking" in line for line in edited)


def test_limits_are_reported_to_the_instructor(hostile):
    entries = hostile["report"].students
    assert any("ignored the interrupt" in n for n in entries["x-sigint-ignoring-loop"]["notes"])
    assert any("ended early" in n for n in entries["x-kill-parent"]["notes"])


def test_export_names_failures_instead_of_a_zero(hostile):
    rows = {(r["student_id"], r["assignment"]): r for r in export.grade_rows(hostile["course"])}
    broken = rows[("x-invalid-json", hostile["a"])]
    assert broken["status"] == "failed" and broken["score"] == "" and "JSON" in broken["reason"]
    ana = rows[("ana", hostile["a"])]
    assert ana["status"] in ("graded", "needs hand marking") and float(ana["score"]) == sum(
        bank.autograded_cells(hostile["course"], hostile["a"]).values()
    )


def test_a_rerun_after_an_interruption_redoes_only_what_was_not_finished(hostile):
    course = hostile["course"]
    path = classrun.ledger_path(course, hostile["a"])
    ledger = json.loads(path.read_text(encoding="utf-8"))
    ledger["carmen"]["status"] = "sandboxed"  # as if the grader was killed before carmen's grades were written
    path.write_text(json.dumps(ledger), encoding="utf-8")
    rows = {r["student_id"]: r for r in export.grade_rows(course)}
    assert rows["carmen"]["status"] == "not graded yet"
    report = _grade(course, hostile["a"])
    assert report.students["carmen"]["status"] == "graded"
    assert bank.cell_scores(course, hostile["a"])["carmen"] == bank.autograded_cells(course, hostile["a"])


def test_export_command_writes_the_table(hostile, tmp_path, capsys):
    out = tmp_path / "grades.csv"
    assert export.main(["--root", str(hostile["course"]), "--to", str(out)]) == 0
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert header == ",".join(export.COLUMNS) and "failed" in capsys.readouterr().out


def test_grading_without_a_gradebook_or_without_bubblewrap_is_refused_with_what_to_do(tmp_path, monkeypatch, capsys):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    assert classrun.main(["02_scheduling", "--root", str(tmp_path)]) == 2
    assert "nbgrader generate_assignment 02_scheduling" in capsys.readouterr().err
    monkeypatch.setenv("PATH", str(tmp_path))  # no bwrap on it
    assert classrun.main(["02_scheduling", "--root", str(tmp_path)]) == 2
    assert "--i-accept-running-trainee-code-unsandboxed" in capsys.readouterr().err
