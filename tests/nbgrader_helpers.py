"""Helpers for tests/test_nbgrader.py: a temporary nbgrader course, submissions, the answer bank, grading.

An answer is a plain value typed into an answer cell (see ``needling_sim.grading``). The bank
(``tests/grading/wrong_answers/<assignment>.json``) holds, per assignment, plausible wrong values a trainee
might type, each naming the test cells that must lose their points. :func:`pack` combines wrong answers
that touch different answers and different test cells into one submission, so one grading pass covers
several of them. :func:`grade` grades a notebook the way the trusted side does: answers read from the
answer cells' text (:func:`~needling_sim.grading.answers.read_answers`), plus exported values for the
answers that need a run, each test cell's source checked by
:func:`~needling_sim.grading.trusted.check_cell`.
"""

from __future__ import annotations

import ast
import builtins
import copy
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BANK_DIR = ROOT / "tests" / "grading" / "wrong_answers"
ASSIGNMENTS = ("01_screening", "02_scheduling", "03_healing", "04_outcomes", "05_claims", "06_capstone")
CAPSTONE = "06_capstone"
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
#: The student id the solution's capstone answers (and the capstone's bank) are written for.
SOLUTION_STUDENT = "solution-student"


# --- environment and nbgrader calls ---------------------------------------------------------------


def nbgrader_env(state: Path) -> dict[str, str]:
    """Environment for nbgrader and kernel subprocesses: the venv first on PATH, Jupyter state under ``state``.

    The caller creates the folders (IPython warns when its folder's parent does not exist).

    Examples
    --------
    >>> env = nbgrader_env(Path("/tmp/x"))
    >>> env["JUPYTER_DATA_DIR"], env["PATH"].split(os.pathsep)[0] == str(BIN)
    ('/tmp/x/data', True)
    """
    env = dict(os.environ)
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    for name, sub in (
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("IPYTHONDIR", "ipython"),
    ):
        env[name] = str(state / sub)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    # The kernelspec must be the venv's python3 (jupyter_client runs "python" as sys.executable).
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    env["PLOTLY_RENDERER"] = "plotly_mimetype+notebook"
    env.pop("NBGRADER_EXECUTION", None)
    return env


def run_nbgrader(
    course: Path, *args: str, env: Mapping[str, str], check: bool = True
) -> subprocess.CompletedProcess:
    """Run ``nbgrader <args>`` in ``course`` (its nbgrader_config.py is picked up from the cwd)."""
    proc = subprocess.run(
        [str(BIN / "nbgrader"), *args], cwd=course, env=dict(env), capture_output=True, text=True, timeout=900
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"nbgrader {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


def make_course(tmp: Path) -> Path:
    """Copy the repository's nbgrader config and instructor notebooks into a fresh course folder."""
    course = tmp / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(
        ROOT / "solutions",
        course / "solutions",
        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
    )
    return course


def notebook_name(assignment: str) -> str:
    return f"{assignment}.ipynb"


def read_nb(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def solution_nb(assignment: str) -> nbformat.NotebookNode:
    return read_nb(ROOT / "solutions" / assignment / notebook_name(assignment))


def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def grade_cells(assignment: str) -> dict[str, tuple[float, bool]]:
    """grade_id -> (points, autograded) for every graded cell of the instructor notebook."""
    out = {}
    for c in solution_nb(assignment).cells:
        meta = nbgrader_meta(c)
        if meta.get("grade"):
            out[meta["grade_id"]] = (float(meta["points"]), c.cell_type == "code")
    return out


def check_sources(nb: nbformat.NotebookNode) -> dict[str, str]:
    """grade_id -> source of every autograded test cell of ``nb``."""
    return {
        nbgrader_meta(c)["grade_id"]: c.source
        for c in nb.cells
        if c.cell_type == "code" and nbgrader_meta(c).get("grade")
    }


def answer_cells(nb: nbformat.NotebookNode) -> list:
    return [c for c in nb.cells if c.cell_type == "code" and nbgrader_meta(c).get("solution")]


def stretch_names(nb: nbformat.NotebookNode) -> set[str]:
    """Names the optional programming (``stretch``-tagged) answer cells set, read from their first line."""
    return {
        c.source.split("=", 1)[0].strip() for c in answer_cells(nb) if "stretch" in c.metadata.get("tags", [])
    }


# --- answers as typed -----------------------------------------------------------------------------


def literal(value: object) -> str:
    """Python source a trainee would type for a plain value.

    Examples
    --------
    >>> literal([dt.date(2026, 4, 19), "defer", 0.5, None])
    "[date(2026, 4, 19), 'defer', 0.5, None]"
    >>> literal({"a": ...})
    "{'a': ...}"
    """
    if value is Ellipsis:
        return "..."
    if isinstance(value, dt.date):
        return f"date({value.year}, {value.month}, {value.day})"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {literal(v)}" for k, v in value.items()) + "}"
    return repr(value)


def fill(release: nbformat.NotebookNode, answers: Mapping[str, object]) -> nbformat.NotebookNode:
    """Copy of a release notebook with the answers typed in: each ``name = ...`` line becomes ``name = value``."""
    nb = copy.deepcopy(release)
    seen = set()
    for cell in answer_cells(nb):
        lines = cell.source.split("\n")
        for i, line in enumerate(lines):
            name = line.split("=", 1)[0].strip()
            if "=" in line and name in answers:
                lines[i] = f"{name} = {literal(answers[name])}"
                seen.add(name)
        cell.source = "\n".join(lines)
    missing = set(answers) - seen
    if missing:
        raise KeyError(f"no answer cell sets {sorted(missing)}")
    return nb


def with_cells(release: nbformat.NotebookNode, sources: Mapping[str, str]) -> nbformat.NotebookNode:
    """Copy of a release notebook with whole answer cells (by grade id) replaced by ``sources``."""
    nb = copy.deepcopy(release)
    for cell in answer_cells(nb):
        gid = nbgrader_meta(cell)["grade_id"]
        if gid in sources:
            cell.source = sources[gid]
    return nb


def solution_cell_sources(assignment: str) -> dict[str, str]:
    """grade_id -> the instructor's answer cell as a trainee would type it (markers and stub lines removed)."""
    out = {}
    for cell in answer_cells(solution_nb(assignment)):
        if "### BEGIN SOLUTION" in cell.source:
            body = cell.source.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]
            out[nbgrader_meta(cell)["grade_id"]] = body.strip("\n")
    return out


def solution_answers(assignment: str) -> dict[str, object]:
    """The instructor's literal answers, read from the solution's answer cells as the grader reads them."""
    from needling_sim.grading.answers import read_answers

    return dict(read_answers(solution_nb(assignment)).values)


def submit(course: Path, student: str, assignment: str, nb: nbformat.NotebookNode) -> Path:
    """Place a notebook (and the release's other files) where nbgrader looks for a submission."""
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    for extra in (course / "exercises" / assignment).iterdir():
        if extra.suffix != ".ipynb":
            shutil.copy(extra, folder / extra.name)
    nbformat.write(nb, folder / notebook_name(assignment))
    return folder


# --- grading on the trusted side ------------------------------------------------------------------


def grade(
    nb: nbformat.NotebookNode,
    sources: Mapping[str, str],
    *,
    student_id: str,
    exported: Mapping[str, object] | None = None,
) -> dict:
    """grade_id -> CheckOutcome for each test cell source in ``sources``, on the answers of ``nb``."""
    from needling_sim.grading.answers import read_answers
    from needling_sim.grading.trusted import answers_for_grading, check_cell

    answers = answers_for_grading(read_answers(nb), exported)
    return {gid: check_cell(src, answers, student_id=student_id) for gid, src in sources.items()}


def lost(outcomes: Mapping[str, object]) -> set[str]:
    return {gid for gid, outcome in outcomes.items() if not outcome.passed}


_EXPORT_CELL = """
import json as _json
from needling_sim.grading.plain import to_json as _to_json
print("EXPORT:" + _json.dumps({_n: _to_json(globals()[_n]) for _n in NAMES if _n in globals()}))
"""


def run_in_kernel(
    nb: nbformat.NotebookNode, cwd: Path, env: Mapping[str, str], export: Iterable[str] = (), timeout: int = 120
) -> tuple[nbformat.NotebookNode, dict]:
    """Run ``nb`` top to bottom in a real kernel in ``cwd`` (errors allowed), as a trainee would.

    Returns the executed notebook and the exported values of ``export`` (JSON form): a stand-in for
    the sandbox's export, used for the optional programming answers.
    """
    from nbclient import NotebookClient

    nb = copy.deepcopy(nb)
    nb.cells.append(nbformat.v4.new_code_cell(_EXPORT_CELL.replace("NAMES", repr(sorted(export))), id="test-export"))
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        NotebookClient(nb, timeout=timeout, allow_errors=True, resources={"metadata": {"path": str(cwd)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    exported = json.loads(text.split("EXPORT:", 1)[1]) if "EXPORT:" in text else {}
    nb.cells.pop()
    return nb, exported


def cell_output(nb: nbformat.NotebookNode, grade_id: str) -> tuple[str, list]:
    """(printed text, error outputs) of the cell ``grade_id`` of an executed notebook."""
    cell = next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == grade_id)
    printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    return printed, [o for o in cell.outputs if o.output_type == "error"]


# --- the bank -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrongAnswer:
    """One plausible mistake: the solution's ``answers`` replaced by these values.

    ``loses``: the test cells that must lose their points (every other one keeps full marks).
    ``hidden_only``: the visible checks let it through and only the grader's hidden checks catch it.
    ``malformed``: the value has the wrong form; its message says what form is expected.
    """

    label: str
    answers: Mapping[str, object]
    loses: tuple[str, ...]
    hidden_only: bool = False
    malformed: bool = False

    @property
    def target(self) -> str:
        return self.loses[0]


def load_bank(assignment: str) -> list[WrongAnswer]:
    from needling_sim.grading.plain import from_json

    doc = json.loads((BANK_DIR / f"{assignment}.json").read_text())
    assert doc["assignment"] == assignment
    return [
        WrongAnswer(
            w["label"],
            {name: from_json(value) for name, value in w["answers"].items()},
            tuple(w["loses"]),
            bool(w.get("hidden_only", False)),
            bool(w.get("malformed", False)),
        )
        for w in doc["wrong"]
    ]


@dataclass(frozen=True)
class Submission:
    student: str
    assignment: str
    answers: Mapping[str, object]
    loses: frozenset[str]
    wrong: tuple[WrongAnswer, ...] = field(default=())


def pack(assignment: str, bank: Iterable[WrongAnswer], prefix: str = "wrong") -> list[Submission]:
    """Greedily combine wrong answers that touch different answers and lose on different test cells.

    Examples
    --------
    >>> a = WrongAnswer("a", {"x": 0}, ("test-x",))
    >>> b = WrongAnswer("b", {"y": 0}, ("test-y",))
    >>> c = WrongAnswer("c", {"x": 2}, ("test-x",))
    >>> [sorted(s.loses) for s in pack("01_demo", [a, b, c])]
    [['test-x', 'test-y'], ['test-x']]
    """
    groups: list[list[WrongAnswer]] = []
    for wrong in bank:
        for group in groups:
            if all(not set(wrong.answers) & set(w.answers) and not set(wrong.loses) & set(w.loses) for w in group):
                group.append(wrong)
                break
        else:
            groups.append([wrong])
    short = assignment.split("_")[0]
    return [
        Submission(
            student=f"{prefix}-{short}-{i + 1:02d}",
            assignment=assignment,
            answers={k: v for w in group for k, v in w.answers.items()},
            loses=frozenset().union(*(w.loses for w in group)),
            wrong=tuple(group),
        )
        for i, group in enumerate(groups)
    ]


# --- the capstone ---------------------------------------------------------------------------------


def capstone_answers(student: str) -> dict[str, object]:
    """The capstone's literal answers, worked out with the model for ``student``'s own case."""
    from needling_sim import healing_timeline, milestones, recommend_plan, screen
    from needling_sim.cases import virtual_case

    case = virtual_case(student)
    first = screen(case.patient, on=case.screening_date).earliest_date
    plan = recommend_plan(case.patient, case.concern, first, area=case.area)
    timeline = healing_timeline(plan, case.patient)
    session_1 = timeline[timeline["session"] == 1]
    marks = {m.name: m.date for m in milestones(plan, case.patient)}
    return {
        "first_day": first,
        "plan_sessions": plan.n_sessions,
        "plan_interval_days": plan.intervals_days[0],
        "plan_depth_mm": plan.depths_mm[0],
        **{f"last_day_{rule}": session_1.loc[session_1[rule], "date"].max()
           for rule in ("no_sun", "no_exercise", "ointment")},
        "review_date": marks["full effect"],
        "red_days_total": int(timeline["redness_visible"].sum()),
    }


# --- static reading of test cells -----------------------------------------------------------------


def free_names(source: str) -> set[str]:
    """Names a cell reads that it does not bind itself (imports, assignments, defs, loops) and are not builtins.

    Examples
    --------
    >>> sorted(free_names("import os\\nx = 1\\nanswer('y', y).equals(x + len(z))"))
    ['answer', 'y', 'z']
    """
    tree = ast.parse(source)
    bound: set[str] = set()
    loaded: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, (ast.Store, ast.Del)) else loaded).add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return loaded - bound - set(dir(builtins))


def answer_calls(source: str) -> list[tuple[str | None, str | None]]:
    """(first argument, second argument) of every ``answer(...)`` call, each a str or a plain name (else None)."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "answer":
            first = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
            second = node.args[1].id if len(node.args) > 1 and isinstance(node.args[1], ast.Name) else None
            out.append((first, second))
    return out


def targeted_messages(source: str) -> list[tuple[str, bool]]:
    """(text, has source=) of every message a test cell writes itself: ``rejects`` reasons, ``fail`` and ``equals``.

    f-strings are returned with their placeholders as ``{}``.
    """

    def text(node) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        return None

    out = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        keywords = {k.arg: k.value for k in node.keywords}
        cited = "source" in keywords
        if node.func.attr == "rejects" and node.args and isinstance(node.args[0], ast.Dict):
            out.extend((t, cited) for t in map(text, node.args[0].values) if t is not None)
        elif node.func.attr == "fail":
            message = text(node.args[0]) if node.args else None
            cited = cited or len(node.args) > 1
            if message is not None:
                out.append((message, cited))
        elif node.func.attr == "equals" and "why" in keywords and text(keywords["why"]) is not None:
            out.append((text(keywords["why"]), cited))
    return out
