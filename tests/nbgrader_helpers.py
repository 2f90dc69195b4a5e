"""Helpers for tests/test_nbgrader.py: a temporary nbgrader course, submissions, and the answer bank.

The bank holds, per assignment, plausible wrong answers a trainee might give. Each wrong answer
replaces the source of one solution cell and names the graded cells it must lose points on
(its ``target`` first). :func:`pack` combines wrong answers that touch different cells into one
submission, so one kernel run grades several of them.

Hostile submissions (an infinite loop, a cell that raises, an edited or deleted test cell,
duplicated cells, a replaced ``showtraceback``, megabytes of output) are built by
:func:`hostile_submissions` from the solution.
"""

from __future__ import annotations

import copy
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
ASSIGNMENTS = ("01_screening", "02_scheduling", "03_healing", "04_outcomes", "05_claims", "06_capstone")
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
#: What every hidden-test assertion message starts with, so a test can tell which part caught an answer.
HIDDEN_TAG = "(grader check)"


# --- environment and nbgrader calls ---------------------------------------------------------------


def nbgrader_env(state: Path) -> dict[str, str]:
    """Environment for nbgrader subprocesses: the venv first on PATH, Jupyter state under ``state``.

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


def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def strip_solution_markers(source: str) -> str:
    """The solution region as a trainee would type it: the marker lines removed.

    Examples
    --------
    >>> strip_solution_markers("### BEGIN SOLUTION\\nx = 1\\n### END SOLUTION\\nx")
    'x = 1\\nx'
    """
    return "\n".join(line for line in source.split("\n") if line.strip() not in SOLUTION_MARKERS)


def solution_sources(assignment: str) -> dict[str, str]:
    """grade_id -> the instructor's answer (markers removed), for every solution cell."""
    nb = read_nb(ROOT / "solutions" / assignment / notebook_name(assignment))
    return {
        nbgrader_meta(c)["grade_id"]: strip_solution_markers(c.source)
        for c in nb.cells
        if nbgrader_meta(c).get("solution")
    }


def grade_cells(assignment: str) -> dict[str, tuple[float, bool]]:
    """grade_id -> (points, autograded) for every graded cell of the instructor notebook."""
    nb = read_nb(ROOT / "solutions" / assignment / notebook_name(assignment))
    out = {}
    for c in nb.cells:
        meta = nbgrader_meta(c)
        if meta.get("grade"):
            out[meta["grade_id"]] = (float(meta["points"]), c.cell_type == "code")
    return out


def fill(release: nbformat.NotebookNode, answers: Mapping[str, str]) -> nbformat.NotebookNode:
    """Copy of a release notebook with the solution cells named in ``answers`` replaced."""
    nb = copy.deepcopy(release)
    seen = set()
    for cell in nb.cells:
        gid = nbgrader_meta(cell).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
            seen.add(gid)
    missing = set(answers) - seen
    if missing:
        raise KeyError(f"no such cells in the release: {sorted(missing)}")
    return nb


def submit(course: Path, student: str, assignment: str, nb: nbformat.NotebookNode) -> Path:
    """Place a notebook (and the release's other files) where ``nbgrader autograde`` looks for it."""
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    for extra in (course / "exercises" / assignment).iterdir():
        if extra.suffix != ".ipynb":
            shutil.copy(extra, folder / extra.name)
    nbformat.write(nb, folder / notebook_name(assignment))
    return folder


# --- the bank -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrongAnswer:
    """One plausible mistake: ``cell``'s source replaced by ``source``.

    ``loses`` are the graded cells that must lose points (``target``, the cell the mistake is
    aimed at, first); every other graded cell must keep full marks. ``hidden_only``: the
    visible checks let it through and only the grader's hidden tests catch it.
    """

    label: str
    cell: str
    source: str
    loses: tuple[str, ...]
    hidden_only: bool = False

    @property
    def target(self) -> str:
        return self.loses[0]


@dataclass(frozen=True)
class Submission:
    student: str
    assignment: str
    answers: Mapping[str, str]
    loses: frozenset[str]
    wrong: tuple[WrongAnswer, ...] = field(default=())


def pack(assignment: str, bank: Iterable[WrongAnswer], prefix: str = "wrong") -> list[Submission]:
    """Greedily combine wrong answers that touch different cells and lose on different cells.

    Examples
    --------
    >>> a = WrongAnswer("a", "x", "x = 0", ("test-x",))
    >>> b = WrongAnswer("b", "y", "y = 0", ("test-y",))
    >>> c = WrongAnswer("c", "x", "x = 2", ("test-x",))
    >>> [sorted(s.loses) for s in pack("demo", [a, b, c])]
    [['test-x', 'test-y'], ['test-x']]
    """
    groups: list[list[WrongAnswer]] = []
    for wrong in bank:
        for group in groups:
            if all(wrong.cell != w.cell and not set(wrong.loses) & set(w.loses) for w in group):
                group.append(wrong)
                break
        else:
            groups.append([wrong])
    short = assignment.split("_")[0]
    out = []
    for i, group in enumerate(groups):
        out.append(
            Submission(
                student=f"{prefix}-{short}-{i + 1:02d}",
                assignment=assignment,
                answers={w.cell: w.source for w in group},
                loses=frozenset().union(*(w.loses for w in group)),
                wrong=tuple(group),
            )
        )
    return out


def capstone_answers_copied_from(friend: str) -> dict[str, str]:
    """The capstone's answers typed in as values computed for another trainee's case."""
    from needling_sim import healing_timeline, milestones, recommend_plan, screen
    from needling_sim.cases import virtual_case

    def date(d):
        return f"dt.date({d.year}, {d.month}, {d.day})"

    case = virtual_case(friend)
    first = screen(case.patient, on=case.screening_date).earliest_date
    plan = recommend_plan(case.patient, case.concern, first, area=case.area, policy="six_weeks")
    timeline = healing_timeline(plan, case.patient)
    session_1 = timeline[timeline["session"] == 1]
    rules = ("no_sun", "no_actives", "no_exercise", "no_touching", "ointment")
    last = {r: session_1.loc[session_1[r], "date"].max() for r in rules}
    review = next(m.date for m in milestones(plan, case.patient) if m.name == "full effect")
    return {
        "trainee-id": f"TRAINEE_ID = {friend!r}",
        "answer-first-day": f"first_day = {date(first)}",
        "answer-plan": (
            "from needling_sim import plan_course\n\n"
            f"plan = plan_course({date(plan.start)}, {plan.n_sessions}, {list(plan.intervals_days)}, "
            f"{list(plan.depths_mm)}, {plan.area.value!r})"
        ),
        "answer-aftercare": "last_rule_day = {"
        + ", ".join(f"{r!r}: {date(d)}" for r, d in last.items())
        + "}",
        "answer-review": f"review_date = {date(review)}",
        "rationale-consent": "We waited because of the two waiting periods in my friend's notes.",
    }


def _w(label, cell, source, *loses, hidden_only=False):
    return WrongAnswer(label, cell, source.strip("\n"), tuple(loses), hidden_only)


_SCREEN_LOOP = """
patients = {}
results = {}
for _, row in sheet.iterrows():
    pid = row["patient_id"]
    patients[pid] = Patient.from_intake(row.drop(BOOKKEEPING))
    results[pid] = screen(patients[pid], on=row["screening_date"], isotretinoin_policy=CLINIC_POLICY)
"""

BANK: dict[str, list[WrongAnswer]] = {
    "01_screening": [
        # Question 1: verdicts
        _w(
            "verdict order reversed: the least severe finding decides",
            "answer-verdicts",
            _SCREEN_LOOP
            + """
verdicts = pd.Series(
    {pid: (min(f.severity for f in r.findings).value if r.findings else "proceed")
     for pid, r in results.items()}
)
""",
            "test-verdicts",
            hidden_only=True,
        ),
        _w(
            "blocked or not, instead of the four verdicts",
            "answer-verdicts",
            _SCREEN_LOOP
            + """
verdicts = pd.Series({pid: ("defer" if r.blocks else "proceed") for pid, r in results.items()})
""",
            "test-verdicts",
        ),
        _w(
            "indexed by row number instead of patient id",
            "answer-verdicts",
            _SCREEN_LOOP
            + """
verdicts = pd.Series([r.verdict.value for r in results.values()])
""",
            "test-verdicts",
        ),
        # Question 2: reasons
        _w(
            "only the most severe finding per patient",
            "answer-reasons",
            """
reasons = pd.concat(
    [r.to_frame().head(1).assign(patient_id=pid) for pid, r in results.items() if r.blocks], ignore_index=True
)
""",
            "test-reasons",
        ),
        _w(
            "verdict order reversed within a patient",
            "answer-reasons",
            """
reasons = pd.concat(
    [r.to_frame().iloc[::-1].assign(patient_id=pid) for pid, r in results.items() if r.blocks],
    ignore_index=True,
)
""",
            "test-reasons",
            hidden_only=True,
        ),
        _w(
            "do_not_treat forgotten: only 'defer' counts as blocked",
            "answer-reasons",
            """
reasons = pd.concat(
    [r.to_frame().assign(patient_id=pid) for pid, r in results.items() if r.verdict == "defer"],
    ignore_index=True,
)
""",
            "test-reasons",
        ),
        # Question 3: earliest dates
        _w(
            "earliest_date taken as is (None for patients treatable today)",
            "answer-earliest",
            """
earliest = pd.Series({pid: r.earliest_date for pid, r in results.items()})
""",
            "test-earliest",
        ),
        _w(
            "off by one: the last day of the wait instead of the first free day",
            "answer-earliest",
            """
import datetime as dt

earliest = pd.Series({
    pid: (r.on if not r.blocks else (r.earliest_date - dt.timedelta(days=1) if r.earliest_date else None))
    for pid, r in results.items()
})
""",
            "test-earliest",
        ),
        _w(
            "washout window ignored: only the first deferring finding's end",
            "answer-earliest",
            """
earliest = pd.Series({
    pid: (r.on if not r.blocks else next((f.until for f in r.findings if f.severity == "defer"), None))
    for pid, r in results.items()
})
""",
            "test-earliest",
            hidden_only=True,
        ),
        # Question 4: policy comparison
        _w(
            "the consensus policy instead of the seed page",
            "answer-policy",
            """
sooner_under_seed = {}
for _, row in sheet.iterrows():
    pid, on = row["patient_id"], row["screening_date"]
    first_day = {}
    for policy in ("drug_label", "consensus"):
        result = screen(patients[pid], on=on, isotretinoin_policy=policy)
        first_day[policy] = on if not result.blocks else result.earliest_date
    if first_day["drug_label"] is not None and first_day["consensus"] is not None:
        gain = (first_day["drug_label"] - first_day["consensus"]).days
        if gain > 0:
            sooner_under_seed[pid] = gain
""",
            "test-policy",
            hidden_only=True,
        ),
        _w(
            "patients whose date does not move kept with 0 days",
            "answer-policy",
            """
sooner_under_seed = {}
for _, row in sheet.iterrows():
    pid, on = row["patient_id"], row["screening_date"]
    if patients[pid].isotretinoin_last_dose is None:
        continue
    first_day = {}
    for policy in ("drug_label", "seed"):
        result = screen(patients[pid], on=on, isotretinoin_policy=policy)
        first_day[policy] = on if not result.blocks else result.earliest_date
    sooner_under_seed[pid] = (first_day["drug_label"] - first_day["seed"]).days
""",
            "test-policy",
        ),
        _w(
            "sign reversed: seed date minus label date",
            "answer-policy",
            """
sooner_under_seed = {}
for _, row in sheet.iterrows():
    pid, on = row["patient_id"], row["screening_date"]
    first_day = {}
    for policy in ("drug_label", "seed"):
        result = screen(patients[pid], on=on, isotretinoin_policy=policy)
        first_day[policy] = on if not result.blocks else result.earliest_date
    if first_day["drug_label"] is not None and first_day["seed"] is not None:
        if first_day["seed"] != first_day["drug_label"]:
            sooner_under_seed[pid] = (first_day["seed"] - first_day["drug_label"]).days
""",
            "test-policy",
        ),
    ],
    "02_scheduling": [
        # Question 1: session dates
        _w(
            "weeks read as days",
            "answer-dates",
            """
course = plan_course(FIRST_SESSION, 4, 6, 1.0, "cheek")
session_dates = [session.date for session in course.sessions]
""",
            "test-dates",
        ),
        _w(
            "four sessions after the first (five in all)",
            "answer-dates",
            """
course = plan_course(FIRST_SESSION, 5, 42, 1.0, "cheek")
session_dates = [session.date for session in course.sessions]
""",
            "test-dates",
        ),
        _w(
            "the wrong seed's spacing: about a month",
            "answer-dates",
            """
course = plan_course(FIRST_SESSION, 4, 28, 1.0, "cheek")
session_dates = [session.date for session in course.sessions]
""",
            "test-dates",
        ),
        # Question 2: minimum gap per policy
        _w(
            "the high end of the claims",
            "answer-min-days",
            """
min_days = {policy: int(min(claim(cid).value_high for cid in ids)) for policy, ids in POLICY_CLAIMS.items()}
""",
            "test-min-days",
        ),
        _w(
            "weeks instead of days",
            "answer-min-days",
            """
min_days = {p: int(min(claim(cid).value_low for cid in ids) / 7) for p, ids in POLICY_CLAIMS.items()}
""",
            "test-min-days",
        ),
        _w(
            "days left as floats",
            "answer-min-days",
            """
min_days = {policy: min(claim(cid).value_low for cid in ids) for policy, ids in POLICY_CLAIMS.items()}
""",
            "test-min-days",
            hidden_only=True,
        ),
        # Question 3: next safe session
        _w(
            "screening on the check-up day ignored",
            "answer-next-safe",
            """
next_safe = {
    "Rosa": dt.date(2026, 3, 2) + dt.timedelta(days=SPACING_MIN_DAYS[SpacingPolicy(CLINIC_POLICY)]),
    "Mei": dt.date(2026, 3, 9) + dt.timedelta(days=SPACING_MIN_DAYS[SpacingPolicy(CLINIC_POLICY)]),
}
""",
            "test-next-safe",
        ),
        _w(
            "the other policy (four weeks)",
            "answer-next-safe",
            """
next_safe = {}
for name, patient, first, checkup in (
    ("Rosa", rosa, dt.date(2026, 3, 2), dt.date(2026, 4, 8)),
    ("Mei", mei, dt.date(2026, 3, 9), dt.date(2026, 4, 1)),
):
    result = screen(patient, on=checkup)
    skin_ready = result.earliest_date if result.blocks else checkup
    next_safe[name] = max(first + dt.timedelta(days=SPACING_MIN_DAYS["four_weeks"]), skin_ready)
""",
            "test-next-safe",
            hidden_only=True,
        ),
        _w(
            "off by one: the last day of the wait",
            "answer-next-safe",
            """
next_safe = {}
for name, patient, first, checkup in (
    ("Rosa", rosa, dt.date(2026, 3, 2), dt.date(2026, 4, 8)),
    ("Mei", mei, dt.date(2026, 3, 9), dt.date(2026, 4, 1)),
):
    result = screen(patient, on=checkup)
    skin_ready = result.earliest_date if result.blocks else checkup
    next_safe[name] = max(first + dt.timedelta(days=42), skin_ready) - dt.timedelta(days=1)
""",
            "test-next-safe",
        ),
        # Question 4: blocking findings
        _w(
            "every finding's rule",
            "answer-blocking",
            """
proposal = plan_course(dt.date(2026, 3, 2), 3, 21, 2.0, "periorbital")
blocking_rules = sorted(f.rule for f in check_plan(proposal, mei))
""",
            "test-blocking",
            hidden_only=True,
        ),
        _w(
            "only the first finding",
            "answer-blocking",
            """
blocking_rules = [check_plan(plan_course(dt.date(2026, 3, 2), 3, 21, 2.0, "periorbital"), mei)[0].rule]
""",
            "test-blocking",
        ),
        _w(
            "cautions counted as blocking",
            "answer-blocking",
            """
findings = check_plan(plan_course(dt.date(2026, 3, 2), 3, 21, 2.0, "periorbital"), mei, CLINIC_POLICY)
blocking_rules = sorted(f.rule for f in findings if f.severity != "info")
""",
            "test-blocking",
            hidden_only=True,
        ),
    ],
    "03_healing": [
        # Question 1: rules on a day
        _w(
            "redness ignored: the rules' own day counts only",
            "answer-rules-day",
            """
from needling_sim.healing import RESTRICTIONS

_day = (dt.date(2026, 3, 5) - plan.start).days
rules_on_march_5 = sorted(name for name, r in RESTRICTIONS.items() if _day <= r.last_day)
""",
            "test-rules-day",
        ),
        _w(
            "the day of the month read as a day number",
            "answer-rules-day",
            """
rules_on_march_5 = sorted(r.name for r in aftercare_on(plan, 5, patient).restrictions)
""",
            "test-rules-day",
        ),
        _w(
            "every rule during inflammation",
            "answer-rules-day",
            """
rules_on_march_5 = sorted(["no_sun", "no_actives", "no_exercise", "no_touching", "ointment"])
""",
            "test-rules-day",
            hidden_only=True,
        ),
        # Question 2: red days
        _w(
            "the whole course counted",
            "answer-red-days",
            """
red_days_after_first = int(timeline["redness_visible"].sum())
""",
            "test-red-days",
        ),
        _w(
            "any redness above 0",
            "answer-red-days",
            """
red_days_after_first = int((timeline.loc[timeline["session"] == 1, "redness"] > 0).sum())
""",
            "test-red-days",
        ),
        _w(
            "the session day itself left out",
            "answer-red-days",
            """
_first = timeline[(timeline["session"] == 1) & (timeline["day"] > 0)]
red_days_after_first = int(_first["redness_visible"].sum())
""",
            "test-red-days",
            hidden_only=True,
        ),
        # Question 3: the chart
        _w(
            "day numbers on the x-axis",
            "answer-chart",
            """
fig = px.line(timeline.iloc[:100], x="day", y="redness", title="Redness",
              labels={"day": "Date", "redness": "Redness (0 to 1)"})
""",
            "test-chart",
        ),
        _w(
            "axis titles left as column names",
            "answer-chart",
            """
fig = px.line(timeline.iloc[:100], x="date", y="redness", title="Redness")
""",
            "test-chart",
        ),
        _w(
            "only the first 42 days",
            "answer-chart",
            """
fig = px.line(timeline.iloc[:42], x="date", y="redness", title="Redness",
              labels={"date": "Date", "redness": "Redness (0 to 1)"})
""",
            "test-chart",
            hidden_only=True,
        ),
        # Question 4: first free day
        _w(
            "after session 1 instead of session 3",
            "answer-free-day",
            """
_rules = ["no_sun", "no_actives", "no_exercise", "no_touching", "ointment"]
_after = timeline[timeline["session"] == 1]
first_free_day = _after[~_after[_rules].any(axis=1) & ~_after["redness_visible"]]["date"].iloc[0]
""",
            "test-free-day",
        ),
        _w(
            "the ointment forgotten",
            "answer-free-day",
            """
_rules = ["no_sun", "no_actives", "no_exercise", "no_touching"]
_after = timeline[timeline["session"] == 3]
first_free_day = _after[~_after[_rules].any(axis=1) & ~_after["redness_visible"]]["date"].iloc[0]
""",
            "test-free-day",
        ),
        _w(
            "off by one: the last day with a rule",
            "answer-free-day",
            """
_rules = ["no_sun", "no_actives", "no_exercise", "no_touching", "ointment"]
_after = timeline[timeline["session"] == 3]
first_free_day = _after[_after[_rules].any(axis=1) | _after["redness_visible"]]["date"].iloc[-1]
""",
            "test-free-day",
            hidden_only=True,
        ),
    ],
    "04_outcomes": [
        # Question 1: one patient
        _w(
            "the reference patient instead of this one",
            "answer-by-interval",
            """
_rows = {}
for interval in INTERVALS:
    _plan = plan_course(START, 3, interval, 0.75, AREA)
    _summary = simulate(_plan).summary
    _rows[interval] = {"improvement_6m": _summary.improvement_6m, "risk": _summary.risk,
                       "reinjured_sessions": _summary.reinjured_sessions,
                       "passes": plan_passes(check_plan(_plan, patient, CLINIC_POLICY))}
by_interval = pd.DataFrame.from_dict(_rows, orient="index")
""",
            "test-by-interval",
            hidden_only=True,
        ),
        _w(
            "improvement at 3 months",
            "answer-by-interval",
            """
_rows = {}
for interval in INTERVALS:
    _plan = plan_course(START, 3, interval, 0.75, AREA)
    _summary = simulate(_plan, patient).summary
    _rows[interval] = {"improvement_6m": _summary.improvement_3m, "risk": _summary.risk,
                       "reinjured_sessions": _summary.reinjured_sessions,
                       "passes": plan_passes(check_plan(_plan, patient, CLINIC_POLICY))}
by_interval = pd.DataFrame.from_dict(_rows, orient="index")
""",
            "test-by-interval",
        ),
        _w(
            "a caution counted as a failure",
            "answer-by-interval",
            """
_rows = {}
for interval in INTERVALS:
    _plan = plan_course(START, 3, interval, 0.75, AREA)
    _summary = simulate(_plan, patient).summary
    _worst = max(f.severity for f in check_plan(_plan, patient, CLINIC_POLICY))
    _rows[interval] = {"improvement_6m": _summary.improvement_6m, "risk": _summary.risk,
                       "reinjured_sessions": _summary.reinjured_sessions, "passes": _worst == "info"}
by_interval = pd.DataFrame.from_dict(_rows, orient="index")
""",
            "test-by-interval",
        ),
        # Question 2: cohorts
        _w(
            "the wrong random seed",
            "answer-cohort",
            """
risk_q95 = {}
for interval in (14, 42):
    _cohort = simulate_cohort(plan_course(START, 3, interval, 0.75, AREA), COHORT_SIZE, 0, patient=patient)
    risk_q95[interval] = float(_cohort.summary.set_index("metric").loc["risk", "q95"])
""",
            "test-cohort",
            hidden_only=True,
        ),
        _w(
            "the median instead of the 95th percentile",
            "answer-cohort",
            """
risk_q95 = {}
for interval in (14, 42):
    _plan = plan_course(START, 3, interval, 0.75, AREA)
    _cohort = simulate_cohort(_plan, COHORT_SIZE, COHORT_SEED, patient=patient)
    risk_q95[interval] = float(_cohort.summary.set_index("metric").loc["risk", "q50"])
""",
            "test-cohort",
            hidden_only=True,
        ),
        _w(
            "the improvement row instead of risk",
            "answer-cohort",
            """
risk_q95 = {}
for interval in (14, 42):
    _plan = plan_course(START, 3, interval, 0.75, AREA)
    _cohort = simulate_cohort(_plan, COHORT_SIZE, COHORT_SEED, patient=patient)
    risk_q95[interval] = float(_cohort.summary.set_index("metric").loc["improvement_6m", "q95"])
""",
            "test-cohort",
        ),
        # Question 3: best plan
        _w(
            "check_plan ignored",
            "answer-best",
            """
_scored = []
for sessions, depth_mm, interval_days in itertools.product([3, 4], [0.5, 0.75, 1.0, 1.25], [28, 42]):
    _plan = plan_course(START, sessions, interval_days, depth_mm, AREA)
    _scored.append((simulate(_plan, patient).summary.improvement_6m,
                    {"sessions": sessions, "depth_mm": depth_mm, "interval_days": interval_days}))
best = max(_scored, key=lambda item: item[0])[1]
""",
            "test-best",
        ),
        _w(
            "the lowest risk instead of the best improvement",
            "answer-best",
            """
_scored = []
for sessions, depth_mm, interval_days in itertools.product([3, 4], [0.5, 0.75, 1.0, 1.25], [28, 42]):
    _plan = plan_course(START, sessions, interval_days, depth_mm, AREA)
    if plan_passes(check_plan(_plan, patient, CLINIC_POLICY)):
        _scored.append((-simulate(_plan, patient).summary.risk,
                        {"sessions": sessions, "depth_mm": depth_mm, "interval_days": interval_days}))
best = max(_scored, key=lambda item: item[0])[1]
""",
            "test-best",
            hidden_only=True,
        ),
        _w(
            "a caution treated as a failure",
            "answer-best",
            """
_scored = []
for sessions, depth_mm, interval_days in itertools.product([3, 4], [0.5, 0.75, 1.0, 1.25], [28, 42]):
    _plan = plan_course(START, sessions, interval_days, depth_mm, AREA)
    if max(f.severity for f in check_plan(_plan, patient, CLINIC_POLICY)) == "info":
        _scored.append((simulate(_plan, patient).summary.improvement_6m,
                        {"sessions": sessions, "depth_mm": depth_mm, "interval_days": interval_days}))
best = max(_scored, key=lambda item: item[0])[1]
""",
            "test-best",
            hidden_only=True,
        ),
    ],
    "05_claims": [
        # Question 1: spacing in weeks per seed claim
        _w(
            "weeks read as days: no conversion",
            "answer-seed-spacing",
            """
_rows = ledger[(ledger["topic"] == "spacing") & (ledger["source_kind"] == "seed")].dropna(
    subset=["value_low", "value_high"])
seed_spacing = _rows.set_index("id")[["source", "value_low", "value_high"]].rename(
    columns={"value_low": "low_weeks", "value_high": "high_weeks"})
""",
            "test-seed-spacing",
        ),
        _w(
            "claims without a number kept (NaN rows)",
            "answer-seed-spacing",
            """
_rows = ledger[(ledger["topic"] == "spacing") & (ledger["source_kind"] == "seed")]
seed_spacing = pd.DataFrame(
    {"source": _rows["source"].to_numpy(), "low_weeks": (_rows["value_low"] / 7).to_numpy(),
     "high_weeks": (_rows["value_high"] / 7).to_numpy()},
    index=_rows["id"].to_numpy(),
)
""",
            "test-seed-spacing",
        ),
        _w(
            "weeks rounded to whole numbers",
            "answer-seed-spacing",
            """
_rows = ledger[(ledger["topic"] == "spacing") & (ledger["source_kind"] == "seed")].dropna(
    subset=["value_low", "value_high"])
seed_spacing = pd.DataFrame(
    {"source": _rows["source"].to_numpy(), "low_weeks": (_rows["value_low"] / 7).round().to_numpy(),
     "high_weeks": (_rows["value_high"] / 7).round().to_numpy()},
    index=_rows["id"].to_numpy(),
)
""",
            "test-seed-spacing",
            hidden_only=True,
        ),
        # Question 2: claims against spacing.s0
        _w(
            "one direction only: spacing.s0's own conflicts_with",
            "answer-against-s0",
            """
against_s0 = sorted(claim("spacing.s0").conflicts_with)
""",
            "test-against-s0",
        ),
        _w(
            "not sorted",
            "answer-against-s0",
            """
against_s0 = [c.id for c in conflicts_of("spacing.s0")]
""",
            "test-against-s0",
        ),
        _w(
            "every spacing claim in any conflict",
            "answer-against-s0",
            """
from needling_sim.evidence import conflicts

_pairs = conflicts("spacing")
against_s0 = sorted((set(_pairs["claim"]) | set(_pairs["other"])) - {"spacing.s0"})
""",
            "test-against-s0",
            hidden_only=True,
        ),
        # Question 3: range per seed page
        _w(
            "only the first claim of each page",
            "answer-seed-ranges",
            """
seed_ranges = (
    ledger[(ledger["topic"] == "spacing") & (ledger["source_kind"] == "seed")]
    .dropna(subset=["value_low", "value_high"])
    .drop_duplicates("source")
    .set_index("source")[["value_low", "value_high"]]
    .rename(columns={"value_low": "low_days", "value_high": "high_days"})
)
""",
            "test-seed-ranges",
        ),
        _w(
            "min and max swapped",
            "answer-seed-ranges",
            """
seed_ranges = (
    ledger[(ledger["topic"] == "spacing") & (ledger["source_kind"] == "seed")]
    .dropna(subset=["value_low", "value_high"])
    .groupby("source")
    .agg(low_days=("value_low", "max"), high_days=("value_high", "min"))
)
""",
            "test-seed-ranges",
        ),
        _w(
            "the page without a number kept",
            "answer-seed-ranges",
            """
seed_ranges = (
    ledger[(ledger["topic"] == "spacing") & (ledger["source_kind"] == "seed")]
    .groupby("source")
    .agg(low_days=("value_low", "min"), high_days=("value_high", "max"))
)
""",
            "test-seed-ranges",
        ),
        # Question 4: common spacing
        _w(
            "the union instead of the overlap",
            "answer-common-weeks",
            """
_s0, _s1 = claim("spacing.s0"), claim("spacing.s1")
common_weeks = (min(_s0.value_low, _s1.value_low) / 7, max(_s0.value_high, _s1.value_high) / 7)
""",
            "test-common-weeks",
        ),
        _w(
            "left in days",
            "answer-common-weeks",
            """
_s0, _s1 = claim("spacing.s0"), claim("spacing.s1")
common_weeks = (max(_s0.value_low, _s1.value_low), min(_s0.value_high, _s1.value_high))
""",
            "test-common-weeks",
        ),
        _w(
            "the later page simply wins",
            "answer-common-weeks",
            """
_s1 = claim("spacing.s1")
common_weeks = (_s1.value_low / 7, _s1.value_high / 7)
""",
            "test-common-weeks",
        ),
    ],
    "06_capstone": [
        # Question 1: first day
        _w(
            "deferral read as 'today'",
            "answer-first-day",
            """
first_day = case.screening_date
""",
            "test-first-day",
        ),
        _w(
            "off by one: the last day of the wait",
            "answer-first-day",
            """
first_day = screen(patient, on=case.screening_date).earliest_date - dt.timedelta(days=1)
""",
            "test-first-day",
        ),
        _w(
            "washout window ignored: the first wait to end",
            "answer-first-day",
            """
first_day = min(f.until for f in screen(patient, on=case.screening_date).findings if f.severity == "defer")
""",
            "test-first-day",
        ),
        # Question 2: the plan
        _w(
            "the other spacing policy (four weeks)",
            "answer-plan",
            """
plan = recommend_plan(patient, case.concern, first_day, area=case.area, policy="four_weeks")
""",
            "test-plan",
        ),
        _w(
            "the acne-scar trials' 1.5 mm, ignoring the area's limit",
            "answer-plan",
            """
from needling_sim import plan_course

plan = plan_course(first_day, 3, 42, 1.5, case.area)
""",
            "test-plan",
        ),
        _w(
            "off by one in spacing: 41 days",
            "answer-plan",
            """
from needling_sim import plan_course

_depth = recommend_plan(patient, case.concern, first_day, area=case.area).depths_mm[0]
plan = plan_course(first_day, 3, 41, _depth, case.area)
""",
            "test-plan",
        ),
        # Question 3: aftercare
        _w(
            "off by one: the first free day",
            "answer-aftercare",
            """
_timeline = healing_timeline(plan, patient)
_session_1 = _timeline[_timeline["session"] == 1]
last_rule_day = {rule: _session_1.loc[_session_1[rule], "date"].max() + dt.timedelta(days=1)
                 for rule in ("no_sun", "no_actives", "no_exercise", "no_touching", "ointment")}
""",
            "test-aftercare",
        ),
        _w(
            "the whole course instead of session 1",
            "answer-aftercare",
            """
_timeline = healing_timeline(plan, patient)
last_rule_day = {rule: _timeline.loc[_timeline[rule], "date"].max()
                 for rule in ("no_sun", "no_actives", "no_exercise", "no_touching", "ointment")}
""",
            "test-aftercare",
        ),
        _w(
            "redness ignored: the rules' own day counts only",
            "answer-aftercare",
            """
from needling_sim.healing import RESTRICTIONS

last_rule_day = {name: plan.start + dt.timedelta(days=r.last_day) for name, r in RESTRICTIONS.items()}
""",
            "test-aftercare",
            hidden_only=True,
        ),
        # Question 4: review date
        _w(
            "six months after the first session",
            "answer-review",
            """
review_date = plan.start + dt.timedelta(days=182)
""",
            "test-review",
            hidden_only=True,
        ),
        _w(
            "the early-results milestone",
            "answer-review",
            """
review_date = next(m.date for m in milestones(plan, patient) if m.name == "early results may show")
""",
            "test-review",
        ),
        _w(
            "twelve months after the course",
            "answer-review",
            """
review_date = next(m.date for m in milestones(plan, patient) if m.name == "collagen may still be forming")
""",
            "test-review",
            hidden_only=True,
        ),
    ],
}
