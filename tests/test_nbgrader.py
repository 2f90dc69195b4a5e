"""nbgrader end to end: generate, autograde, feedback and export in a temporary course.

One module-scoped fixture builds the course once: it generates every assignment from
``solutions/``, places many submissions (the solution, the untouched release, the wrong-answer
bank packed into few notebooks, hostile notebooks) and autogrades them all with one
``nbgrader autograde`` call. The tests then read the gradebook and the graded notebooks.
"""

from __future__ import annotations

import copy
import csv
import filecmp
import fnmatch
import html
import importlib.util
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

# tests/ is not a package and the suite imports in "importlib" mode: load the helpers by path.
_spec = importlib.util.spec_from_file_location(
    "_nbgrader_helpers", Path(__file__).with_name("nbgrader_helpers.py")
)
h = sys.modules.setdefault("_nbgrader_helpers", importlib.util.module_from_spec(_spec))
if not hasattr(h, "BANK"):
    _spec.loader.exec_module(h)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nbgrader")]

ROOT = h.ROOT
TEST_TIMEOUT_S = 15  # per-cell limit while testing; the repository's config uses a longer one
PRESENT = tuple(a for a in h.ASSIGNMENTS if (ROOT / "solutions" / a).is_dir())
SOLUTION, BLANK, REGRADE = "solution-student", "blank-student", "regrade-student"
HOSTILE_ASSIGNMENT = "05_claims"
CAPSTONE = "06_capstone"
COPYCAT, IMPOSTOR = "copycat-student", "impostor-student"
FEEDBACK_STUDENTS = "wrong-*-01"  # a glob nbgrader matches against student folders


class Course:
    """The graded temporary course and everything the tests need to know about it."""

    def __init__(self, root: Path, env: dict[str, str]):
        self.root = root
        self.env = env
        self.submissions: list[h.Submission] = []
        self.hostile: dict[str, frozenset[str]] = {}
        self.timings: dict[str, float] = {}

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.root / 'gradebook.db'}"

    def release(self, assignment: str) -> nbformat.NotebookNode:
        return h.read_nb(self.root / "exercises" / assignment / h.notebook_name(assignment))

    def autograded(self, student: str, assignment: str) -> nbformat.NotebookNode:
        return h.read_nb(self.root / "autograded" / student / assignment / h.notebook_name(assignment))

    def grades(self) -> dict[tuple[str, str, str], tuple]:
        """(student, assignment, cell) -> (auto_score, manual_score, max_score, needs_manual_grade)."""
        from nbgrader.api import Gradebook

        out = {}
        with Gradebook(self.db_url) as gb:
            for student in gb.students:
                for assignment in gb.assignments:
                    for nb in assignment.notebooks:
                        try:
                            sub = gb.find_submission_notebook(nb.name, assignment.name, student.id)
                        except Exception:  # noqa: BLE001 - no submission for this pair
                            continue
                        for g in sub.grades:
                            out[(student.id, assignment.name, g.name)] = (
                                g.auto_score,
                                g.manual_score,
                                g.max_score,
                                g.needs_manual_grade,
                            )
        return out

    def lost(self, student: str, assignment: str) -> set[str]:
        """Autograded cells on which ``student`` scored less than the maximum."""
        auto = {cid for cid, (_, is_auto) in h.grade_cells(assignment).items() if is_auto}
        grades = self.grades()
        return {
            cid
            for cid in auto
            if grades[(student, assignment, cid)][0] < grades[(student, assignment, cid)][2]
        }


HOSTILE_A, HOSTILE_B = "hostile-a", "hostile-b"


def _cell_index(nb, grade_id):
    return next(i for i, c in enumerate(nb.cells) if h.nbgrader_meta(c).get("grade_id") == grade_id)


def _hostile(release: nbformat.NotebookNode, solution: dict[str, str]) -> dict[str, tuple]:
    """Two hostile 05_claims notebooks: student -> (notebook, cells expected to lose points).

    Each misbehaviour hits a different graded cell, so one kernel run grades several of them.
    ``hostile-a``: tracebacks switched off, an infinite loop, a deleted test cell, megabytes of output.
    ``hostile-b``: an edited test cell (source, points, lock), a cell that raises, every graded
    cell duplicated with an emptied copy first.
    """
    wrong = {w.label: w for w in h.BANK[HOSTILE_ASSIGNMENT]}
    big = '\nprint("x" * 30_000_000)\nprint("\\n".join(map(str, range(300_000))))'
    nb = h.fill(
        release,
        {
            **solution,
            "answer-seed-spacing": wrong["weeks read as days: no conversion"].source,
            "answer-against-s0": "while True:\n    pass",
            "answer-seed-ranges": wrong["min and max swapped"].source,
            "answer-common-weeks": solution["answer-common-weeks"] + big,
        },
    )
    del nb.cells[_cell_index(nb, "test-seed-spacing")]
    nb.cells.insert(
        _cell_index(nb, "setup") + 1,
        nbformat.v4.new_code_cell(
            "ip = get_ipython()\nip.showtraceback = lambda *args, **kwargs: None\n"
            "ip._showtraceback = lambda *args, **kwargs: None",
            id="no-tracebacks",
        ),
    )
    out = {HOSTILE_A: (nb, {"test-seed-spacing", "test-against-s0", "test-seed-ranges"})}

    nb = h.fill(
        release,
        {
            **solution,
            "answer-against-s0": wrong["one direction only: spacing.s0's own conflicts_with"].source,
            "answer-seed-ranges": 'raise RuntimeError("I give up")\n' + solution["answer-seed-ranges"],
            "answer-common-weeks": wrong["the union instead of the overlap"].source,
        },
    )
    test = nb.cells[_cell_index(nb, "test-against-s0")]
    test.source = "# I checked this myself\npass"
    test.metadata["nbgrader"]["points"] = 100
    test.metadata["nbgrader"]["locked"] = False
    cells = []
    for i, cell in enumerate(nb.cells):
        if h.nbgrader_meta(cell):
            twin = copy.deepcopy(cell)
            twin.id = f"dup-{i}"
            if cell.cell_type == "code":
                twin.source = "pass"
            cells.append(twin)
        cells.append(cell)
    nb.cells = cells
    out[HOSTILE_B] = (nb, {"test-against-s0", "test-seed-ranges", "test-common-weeks"})
    return out


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Course:
    tmp = tmp_path_factory.mktemp("nbgrader")
    c = Course(h.make_course(tmp), h.nbgrader_env(tmp / "jupyter"))
    for sub in ("config", "data", "runtime", "ipython"):
        (tmp / "jupyter" / sub).mkdir(parents=True)
    t0 = time.perf_counter()
    h.run_nbgrader(c.root, "generate_assignment", "*", "--force", env=c.env)
    c.timings["generate"] = time.perf_counter() - t0

    for assignment in PRESENT:
        release = c.release(assignment)
        solution = h.solution_sources(assignment)
        h.submit(c.root, SOLUTION, assignment, h.fill(release, solution))
        h.submit(c.root, BLANK, assignment, release)
        for sub in h.pack(assignment, h.BANK.get(assignment, [])):
            h.submit(c.root, sub.student, assignment, h.fill(release, {**solution, **sub.answers}))
            c.submissions.append(sub)
        if assignment == HOSTILE_ASSIGNMENT:
            for student, (nb, loses) in _hostile(release, solution).items():
                h.submit(c.root, student, assignment, nb)
                c.hostile[student] = frozenset(loses)
            # First submission with a mistake; the re-grade test submits a corrected one.
            first = h.BANK[assignment][0]
            h.submit(c.root, REGRADE, assignment, h.fill(release, {**solution, first.cell: first.source}))
        if assignment == CAPSTONE:
            # Values copied from the solution student's case; and honest work under someone else's id.
            h.submit(c.root, COPYCAT, assignment, h.fill(release, h.capstone_answers_copied_from(SOLUTION)))
            h.submit(
                c.root,
                IMPOSTOR,
                assignment,
                h.fill(release, {**solution, "trainee-id": f"TRAINEE_ID = {SOLUTION!r}"}),
            )

    t0 = time.perf_counter()
    proc = h.run_nbgrader(
        c.root, "autograde", "*", "--force", f"--Execute.timeout={TEST_TIMEOUT_S}", env=c.env, check=False
    )
    c.timings["autograde"] = time.perf_counter() - t0
    c.autograde_log = proc.stdout + proc.stderr
    assert proc.returncode == 0, c.autograde_log[-5000:]

    t0 = time.perf_counter()
    # Feedback for one packed wrong-answer submission per assignment and the solution's chart:
    # enough to check the messages, and much faster than every student's.
    h.run_nbgrader(c.root, "generate_feedback", "*", "--student", FEEDBACK_STUDENTS, "--force", env=c.env)
    h.run_nbgrader(c.root, "generate_feedback", "03_healing", "--student", SOLUTION, "--force", env=c.env)
    h.run_nbgrader(c.root, "export", env=c.env)
    c.timings["feedback+export"] = time.perf_counter() - t0
    print(f"nbgrader timings (s): { {k: round(v, 1) for k, v in c.timings.items()} }")
    return c


# --- the committed files --------------------------------------------------------------------------


def test_all_six_assignments_exist_with_10_to_25_points():
    assert PRESENT == h.ASSIGNMENTS
    folders = {p.name for p in (ROOT / "solutions").iterdir() if p.is_dir()}
    assert folders == set(h.ASSIGNMENTS), "solutions/ holds exactly the six assignments"
    released = {p.name for p in (ROOT / "exercises").iterdir() if p.is_dir()}
    assert released == folders, "exercises/ mirrors solutions/"
    for assignment in PRESENT:
        cells = h.grade_cells(assignment)
        total = sum(points for points, _ in cells.values())
        assert 10 <= total <= 25, f"{assignment}: {total} points"
        assert any(auto for _, auto in cells.values()), assignment


def test_the_set_has_a_manually_graded_written_answer():
    manual = [(a, cid) for a in PRESENT for cid, (_, auto) in h.grade_cells(a).items() if not auto]
    assert manual, "at least one markdown answer graded by hand"


@pytest.mark.parametrize("assignment", PRESENT)
def test_solutions_are_committed_clean(assignment):
    nb = h.read_nb(ROOT / "solutions" / assignment / h.notebook_name(assignment))
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.execution_count is None and not cell.outputs, f"{assignment}: output in {cell.id}"
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("assignment", PRESENT)
def test_every_test_cell_has_hidden_tests_and_a_bank_of_three_wrong_answers(assignment):
    nb = h.read_nb(ROOT / "solutions" / assignment / h.notebook_name(assignment))
    auto = [cid for cid, (_, is_auto) in h.grade_cells(assignment).items() if is_auto]
    sources = {h.nbgrader_meta(c)["grade_id"]: c.source for c in nb.cells if h.nbgrader_meta(c).get("grade")}
    for cid in auto:
        assert "### BEGIN HIDDEN TESTS" in sources[cid], f"{assignment}:{cid} has no hidden tests"
        assert h.HIDDEN_TAG in sources[cid], f"{assignment}:{cid}: tag hidden messages with {h.HIDDEN_TAG!r}"
        n = sum(w.target == cid for w in h.BANK[assignment])
        assert n >= 3, f"{assignment}:{cid} has {n} wrong answers in the bank; want 3 or more"
    assert any(w.hidden_only for w in h.BANK[assignment]), f"{assignment}: no mistake only hidden tests catch"
    solution_cells = set(h.solution_sources(assignment))
    for w in h.BANK[assignment]:
        assert w.cell in solution_cells and set(w.loses) <= set(auto), (assignment, w.label)


# --- generate_assignment --------------------------------------------------------------------------


@pytest.mark.parametrize("assignment", PRESENT)
def test_committed_exercises_match_a_fresh_generate_assignment(course, assignment):
    fresh, committed = course.root / "exercises" / assignment, ROOT / "exercises" / assignment
    assert committed.is_dir(), f"exercises/{assignment} is missing: run nbgrader generate_assignment"
    fresh_files = sorted(p.name for p in fresh.iterdir())
    assert sorted(p.name for p in committed.iterdir() if not p.name.startswith(".")) == fresh_files
    for name in fresh_files:
        if name.endswith(".ipynb"):
            a, b = h.read_nb(fresh / name), h.read_nb(committed / name)
            assert b.metadata == a.metadata, f"{assignment}/{name}: notebook metadata differs"
            assert len(b.cells) == len(a.cells), f"{assignment}/{name}: cell count differs"
            for x, y in zip(a.cells, b.cells, strict=True):
                assert y == x, (
                    f"{assignment}/{name}: cell {x.get('id')} differs from a fresh generate_assignment"
                )
        else:
            assert filecmp.cmp(fresh / name, committed / name, shallow=False), f"{assignment}/{name} differs"


@pytest.mark.parametrize("assignment", PRESENT)
def test_release_hides_solutions_and_hidden_tests(course, assignment):
    text = (course.root / "exercises" / assignment / h.notebook_name(assignment)).read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", h.HIDDEN_TAG, "Marking guide"):
        assert marker not in text, f"{assignment}: release leaks {marker!r}"


# --- autograde: solution, blank, bank -------------------------------------------------------------


def test_autograde_ran_every_submission_in_one_call(course):
    graded = {p.parent.parent.name for p in (course.root / "autograded").glob("*/*/*.ipynb")}
    submitted = {p.parent.parent.name for p in (course.root / "submitted").glob("*/*/*.ipynb")}
    assert graded == submitted


@pytest.mark.parametrize("assignment", PRESENT)
def test_the_solution_gets_full_marks(course, assignment):
    assert course.lost(SOLUTION, assignment) == set()
    grades = course.grades()
    for cid, (points, auto) in h.grade_cells(assignment).items():
        auto_score, _, max_score, needs_manual = grades[(SOLUTION, assignment, cid)]
        assert max_score == points
        if not auto:
            assert needs_manual, f"{cid}: a written answer waits for the instructor"


@pytest.mark.parametrize("assignment", PRESENT)
def test_the_untouched_release_gets_zero(course, assignment):
    grades = course.grades()
    for cid in h.grade_cells(assignment):
        auto_score, manual_score, _, _ = grades[(BLANK, assignment, cid)]
        assert (auto_score or 0) == 0 and (manual_score or 0) == 0, cid


def _submission_ids():
    return [s.student for a in PRESENT for s in h.pack(a, h.BANK.get(a, []))]


@pytest.mark.parametrize("student", _submission_ids())
def test_each_wrong_answer_loses_exactly_where_it_should(course, student):
    sub = next(s for s in course.submissions if s.student == student)
    lost = course.lost(student, sub.assignment)
    assert lost == set(sub.loses), (
        f"{student} ({[w.label for w in sub.wrong]}): lost points on {sorted(lost)}, "
        f"expected {sorted(sub.loses)}"
    )


def _error_text(nb, grade_id) -> tuple[str, str]:
    cell = next(c for c in nb.cells if h.nbgrader_meta(c).get("grade_id") == grade_id)
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert errors, f"{grade_id}: no error output"
    return errors[-1].ename, errors[-1].evalue


@pytest.mark.parametrize("student", _submission_ids())
def test_failure_messages_teach_and_hidden_tests_catch_what_visible_ones_miss(course, student):
    sub = next(s for s in course.submissions if s.student == student)
    nb = course.autograded(student, sub.assignment)
    for wrong in sub.wrong:
        ename, evalue = _error_text(nb, wrong.target)
        assert ename == "AssertionError", f"{wrong.label}: {ename}: {evalue}"
        assert len(evalue) > 40, f"{wrong.label}: the message should explain, got {evalue!r}"
        if wrong.hidden_only:
            assert evalue.startswith(h.HIDDEN_TAG), (
                f"{wrong.label}: visible checks should let it pass: {evalue}"
            )
        else:
            assert not evalue.startswith(h.HIDDEN_TAG), f"{wrong.label}: a visible check should catch it"


# --- hostile submissions -------------------------------------------------------------------------


@pytest.mark.parametrize("student", [HOSTILE_A, HOSTILE_B])
def test_hostile_submissions_are_graded_on_their_own(course, student):
    assert course.lost(student, HOSTILE_ASSIGNMENT) == set(course.hostile[student])
    grades = course.grades()
    for cid, (points, _) in h.grade_cells(HOSTILE_ASSIGNMENT).items():
        assert grades[(student, HOSTILE_ASSIGNMENT, cid)][2] == points, f"{cid}: points were tampered with"
    ids = sorted(g for (s, a, g) in grades if s == student and a == HOSTILE_ASSIGNMENT)
    assert ids == sorted(h.grade_cells(HOSTILE_ASSIGNMENT)), "one grade per graded cell, no more, no less"


def test_an_infinite_loop_times_out_and_the_rest_is_graded(course):
    nb = course.autograded(HOSTILE_A, HOSTILE_ASSIGNMENT)
    cell = nb.cells[_cell_index(nb, "answer-against-s0")]
    assert [o.ename for o in cell.outputs if o.output_type == "error"], "the loop should end in an error"
    assert "test-common-weeks" not in course.lost(HOSTILE_A, HOSTILE_ASSIGNMENT), "later cells still ran"


def test_an_edited_or_deleted_test_cell_is_restored_and_run(course):
    for student, grade_id in ((HOSTILE_B, "test-against-s0"), (HOSTILE_A, "test-seed-spacing")):
        nb = course.autograded(student, HOSTILE_ASSIGNMENT)
        cell = nb.cells[_cell_index(nb, grade_id)]
        assert "I checked this myself" not in cell.source and "assert" in cell.source, student
        ename, evalue = _error_text(nb, grade_id)
        assert ename == "AssertionError" and evalue, (student, evalue)


def test_a_cell_that_raises_only_costs_its_own_question(course):
    nb = course.autograded(HOSTILE_B, HOSTILE_ASSIGNMENT)
    cell = nb.cells[_cell_index(nb, "answer-seed-ranges")]
    assert any(o.output_type == "error" and o.ename == "RuntimeError" for o in cell.outputs)
    assert "test-seed-spacing" not in course.lost(HOSTILE_B, HOSTILE_ASSIGNMENT)


def test_duplicated_cells_are_graded_once(course):
    nb = course.autograded(HOSTILE_B, HOSTILE_ASSIGNMENT)
    graded = [h.nbgrader_meta(c)["grade_id"] for c in nb.cells if h.nbgrader_meta(c).get("grade")]
    assert sorted(graded) == sorted(h.grade_cells(HOSTILE_ASSIGNMENT))


def test_replacing_showtraceback_does_not_hide_a_failure(course):
    nb = course.autograded(HOSTILE_A, HOSTILE_ASSIGNMENT)
    ename, evalue = _error_text(nb, "test-seed-ranges")
    assert ename == "AssertionError" and "001_f417b9583cb5b54d.txt" in evalue


def test_megabytes_of_output_are_cut(course):
    name = h.notebook_name(HOSTILE_ASSIGNMENT)
    path = course.root / "autograded" / HOSTILE_A / HOSTILE_ASSIGNMENT / name
    assert path.stat().st_size < 1_000_000, f"{path.stat().st_size} bytes"
    assert "output truncated by the grader" in path.read_text()


def test_hostile_students_do_not_change_anyone_elses_grades(course):
    auto = {cid for cid, (_, is_auto) in h.grade_cells(HOSTILE_ASSIGNMENT).items() if is_auto}
    assert course.lost(SOLUTION, HOSTILE_ASSIGNMENT) == set()
    assert course.lost(BLANK, HOSTILE_ASSIGNMENT) == auto
    for sub in course.submissions:
        if sub.assignment == HOSTILE_ASSIGNMENT:
            assert course.lost(sub.student, HOSTILE_ASSIGNMENT) == set(sub.loses)


# --- the capstone's personal cases ----------------------------------------------------------------


def test_capstone_answers_copied_from_another_case_fail(course):
    auto = {cid for cid, (_, is_auto) in h.grade_cells(CAPSTONE).items() if is_auto}
    assert course.lost(COPYCAT, CAPSTONE) == auto


def test_capstone_grades_the_submitters_own_case_whatever_id_was_typed(course):
    from needling_sim.cases import virtual_case

    assert course.lost(IMPOSTOR, CAPSTONE) == set()
    nb = course.autograded(IMPOSTOR, CAPSTONE)
    printed = "".join(o.get("text", "") for c in nb.cells if c.get("id") == "case" for o in c.outputs)
    assert f"for trainee {IMPOSTOR!r}" in printed and virtual_case(IMPOSTOR).case_id in printed
    assert virtual_case(IMPOSTOR) != virtual_case(SOLUTION)


def test_a_trainee_validating_the_capstone_at_home_uses_the_typed_id(course, tmp_path):
    """Outside nbgrader's folders the typed id picks the case: copied answers pass the visible
    checks there (nbgrader's Validator, as the Validate button runs it), and fail when graded."""
    release = course.release(CAPSTONE)
    own = tmp_path / "home" / "ana" / CAPSTONE
    copied = tmp_path / "home" / "cleo" / CAPSTONE
    for folder, answers in (
        (own, {**h.solution_sources(CAPSTONE), "trainee-id": 'TRAINEE_ID = "ana"'}),
        (copied, h.capstone_answers_copied_from(SOLUTION)),
    ):
        folder.mkdir(parents=True)
        nbformat.write(h.fill(release, answers), folder / h.notebook_name(CAPSTONE))
    script = (
        "import json, sys\nfrom nbgrader.validator import Validator\n"
        "print(json.dumps({p: Validator().validate(p) for p in sys.argv[1:]}))"
    )
    paths = [str(f / h.notebook_name(CAPSTONE)) for f in (own, copied)]
    proc = subprocess.run(
        [sys.executable, "-c", script, *paths], env=course.env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    assert results[paths[0]] == {}, results[paths[0]]
    assert results[paths[1]] == {}, "locally, values copied from the friend's case pass the visible checks"
    assert course.lost(COPYCAT, CAPSTONE), "... and fail when graded"


# --- feedback, export, re-grading -----------------------------------------------------------------


def test_feedback_html_shows_the_failure_messages(course):
    checked = 0
    for sub in course.submissions:
        if not fnmatch.fnmatch(sub.student, FEEDBACK_STUDENTS):
            assert not (course.root / "feedback" / sub.student).exists()
            continue
        page = course.root / "feedback" / sub.student / sub.assignment / f"{sub.assignment}.html"
        assert page.is_file(), page
        text = html.unescape(page.read_text())
        nb = course.autograded(sub.student, sub.assignment)
        for wrong in sub.wrong:
            _, evalue = _error_text(nb, wrong.target)
            first_words = evalue.split(". ")[0][:60]
            assert first_words in text, f"{sub.student}: feedback lacks {first_words!r}"
            checked += 1
    assert checked >= 3 * len(PRESENT)


def test_feedback_shows_the_healing_chart(course):
    page = course.root / "feedback" / SOLUTION / "03_healing" / "03_healing.html"
    text = page.read_text()
    assert "plotly-graph-div" in text and "Redness (0 to 1)" in text
    # plotly.js is embedded in the page (the "notebook" renderer), not loaded from a CDN.
    assert "plotly.js v" in text
    assert not re.search(r'<script[^>]*src="[^"]*plotly', text), "the figure must not need the network"


def test_export_writes_a_row_per_student_and_assignment(course):
    with open(course.root / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    students = {p.name for p in (course.root / "submitted").iterdir()}
    assert {(r["student_id"], r["assignment"]) for r in rows} == {(s, a) for s in students for a in PRESENT}
    assert len(rows) == len(students) * len(PRESENT)
    for r in rows:
        if r["student_id"] == SOLUTION:
            auto_max = sum(p for p, auto in h.grade_cells(r["assignment"]).values() if auto)
            assert float(r["score"]) == auto_max, r


def test_regrading_one_student_keeps_every_earlier_grade(course):
    from nbgrader.api import Gradebook

    # An instructor marks written answers by hand first.
    manual_cell = next(cid for cid, (_, auto) in h.grade_cells(HOSTILE_ASSIGNMENT).items() if not auto)
    with Gradebook(course.db_url) as gb:
        for student in (SOLUTION, REGRADE):
            grade = gb.find_grade(manual_cell, HOSTILE_ASSIGNMENT, HOSTILE_ASSIGNMENT, student)
            grade.manual_score = 2
        gb.db.commit()
    before = course.grades()
    assert "test-seed-spacing" in course.lost(REGRADE, HOSTILE_ASSIGNMENT)

    release = course.release(HOSTILE_ASSIGNMENT)
    h.submit(
        course.root, REGRADE, HOSTILE_ASSIGNMENT, h.fill(release, h.solution_sources(HOSTILE_ASSIGNMENT))
    )
    h.run_nbgrader(
        course.root,
        "autograde",
        HOSTILE_ASSIGNMENT,
        "--student",
        REGRADE,
        "--force",
        f"--Execute.timeout={TEST_TIMEOUT_S}",
        env=course.env,
    )
    after = course.grades()
    assert {k: v for k, v in after.items() if k[0] != REGRADE} == {
        k: v for k, v in before.items() if k[0] != REGRADE
    }
    assert course.lost(REGRADE, HOSTILE_ASSIGNMENT) == set()
    assert after[(REGRADE, HOSTILE_ASSIGNMENT, manual_cell)][1] == 2, (
        "the hand-given mark survives re-grading"
    )
