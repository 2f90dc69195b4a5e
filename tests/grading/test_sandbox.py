"""The sandbox: what a trainee notebook can see and do while the grader runs it (real bubblewrap, real kernel)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest

from needling_sim.grading.sandbox import (
    ALLOW_UNSANDBOXED_FLAG,
    BLANKED,
    FIRST_UID,
    Limits,
    SandboxUnavailable,
    _processes_of,
    blank_test_cells,
    run_notebook,
)

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading")]
if shutil.which("bwrap") is None:
    pytestmark.append(pytest.mark.skip(reason="bubblewrap is not installed (make env installs it as root)"))

PROBE = f"""
import json, os, socket, sys
facts = {{"uid": os.getuid(), "cwd": os.getcwd(), "root": sorted(os.listdir("/"))}}
facts["checkout"] = sorted(os.listdir({str(ROOT)!r}))
facts["home_root"] = sorted(os.listdir("/root"))
for name, path in {{"venv": sys.prefix + "/zz.pth", "submission": "probe.txt"}}.items():
    try:
        open(path, "w").write("x")
        facts[name] = "writable"
    except OSError as error:
        facts[name] = type(error).__name__
open(os.path.expanduser("~/scratch.txt"), "w").write("ok")
facts["scratch"] = open(os.path.expanduser("~/scratch.txt")).read()
try:
    socket.create_connection(("1.1.1.1", 80), timeout=2)
    facts["network"] = "reached"
except OSError as error:
    facts["network"] = type(error).__name__
facts["own_notebook"] = open("notebook.ipynb").read()
print(json.dumps(facts))
"""


def _nb(*sources, solution_names=()):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for cell in nb.cells:
        if any(cell.source.startswith(f"{n} =") for n in solution_names):
            cell.metadata["nbgrader"] = {"grade_id": "a", "solution": True, "grade": False, "locked": False}
    return nb


def _test_cell(source):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade_id": "t", "grade": True, "solution": False, "locked": True, "points": 1}
    return cell


def _stdout(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")


def test_the_sandbox_sees_only_the_environment_and_its_own_submission():
    nb = _nb(PROBE)
    nb.cells.append(_test_cell("### BEGIN HIDDEN TESTS\nsecret_expected = 42\n### END HIDDEN TESTS"))
    result = run_notebook(nb, student_id="ana", limits=Limits(cell_timeout_s=30))
    facts = json.loads(_stdout(result.notebook.cells[0]))
    assert facts["uid"] >= FIRST_UID
    assert facts["checkout"] == [".venv", "needling_sim"]  # no solutions/, gradebook, submitted/, exercises/
    assert facts["home_root"] in ([], [".pyenv"])  # at most the interpreter the venv links to
    assert facts["venv"] == "OSError" and facts["submission"] == "OSError"
    assert facts["scratch"] == "ok"
    assert facts["network"] == "OSError"
    assert "secret_expected" not in facts["own_notebook"] and BLANKED in facts["own_notebook"]
    assert result.sandboxed and result.notes == []


def test_answers_computed_by_code_are_exported_as_plain_data():
    nb = _nb(
        "from datetime import date", "gap = (date(2026, 4, 13) - date(2026, 3, 2)).days", "when = date(2026, 4, 19)"
    )
    nb.cells[1].metadata["nbgrader"] = {"grade_id": "a", "solution": True, "grade": False, "locked": False}
    result = run_notebook(nb, student_id="ana", export_names=["gap", "when", "nothing"])
    assert result.exported["gap"] == {"value": 42}
    assert result.exported["when"] == {"value": {"$date": "2026-04-19"}}
    assert "not set" in result.exported["nothing"]["problem"]


def test_a_loop_ignoring_interrupts_keeps_earlier_outputs_and_answers_and_leaves_no_process():
    nb = _nb(
        "print('before the loop')",
        "gap = 6 * 7",
        "import signal, subprocess\nsubprocess.Popen(['sleep', '600'], start_new_session=True)\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
        "print('never')",
        solution_names=("gap",),
    )
    result = run_notebook(nb, student_id="ana", export_names=["gap"], limits=Limits(cell_timeout_s=3))
    assert _stdout(result.notebook.cells[0]) == "before the loop\n"
    assert result.exported["gap"] == {"value": 42}
    assert any("ignored the interrupt" in note for note in result.notes)
    assert _processes_of(FIRST_UID) == []


def test_a_200_mb_print_is_cut_as_it_arrives():
    nb = _nb("print('x' * 200_000_000)", "print('after')")
    result = run_notebook(nb, student_id="ana", limits=Limits(cell_timeout_s=60, output_chars_per_cell=10_000))
    first = _stdout(result.notebook.cells[0]) + "".join(
        "".join(o.get("text", "")) for o in result.notebook.cells[0].outputs if o.get("name") == "stderr"
    )
    assert len(first) < 20_000 and "output cut by the grader" in first
    assert _stdout(result.notebook.cells[1]) == "after\n"


def test_without_bubblewrap_the_grader_refuses_unless_told_loudly(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH on which there is no bwrap
    with pytest.raises(SandboxUnavailable, match=ALLOW_UNSANDBOXED_FLAG):
        run_notebook(_nb("x = 1"), student_id="ana")


def test_blanking_keeps_answer_cells_and_clears_outputs():
    nb = _nb("x = 1")
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="old")]
    nb.cells.append(_test_cell("assert x == 1"))
    blank = blank_test_cells(nb)
    assert [c.source for c in blank.cells] == ["x = 1", BLANKED]
    assert blank.cells[0].outputs == [] and nb.cells[0].outputs != []
    assert os.environ.get("PATH")
