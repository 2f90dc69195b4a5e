"""A whole class on a real local JupyterHub: one cycle from release to feedback, and its isolation.

Run with ``make test-hub`` (root, Node and Chromium; ``.ci/run`` runs it after ``make test``). The
hub, its proxy, the idle culler and every server are real; the instructor and three trainees are
real local accounts (``nst-*``, see hub/accounts.py). The tests below run **in file order** and
share one class (the ``klass`` fixture): each is one step of the cycle an instructor runs.

- trainee1 works in Chromium through JupyterLab's *Assignment List* (Fetch, Submit, Fetch
  Feedback) and hands in the model answers (the source of every answer cell of ``solutions/``);
- trainee2 hands in the release untouched (blank), from the command line;
- trainee3 answers the first half right, from the command line; an extra cell of theirs reports
  whether graded code can see the instructor server's hub token.

Expected scores come from the points in the notebooks. Grading runs as the instructor account
through the documented route (``needling-grade``), never from formgrader's buttons.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "hub"))
import accounts  # noqa: E402
import classroom  # noqa: E402

pytestmark = [pytest.mark.hub]

PREFIX = Path(os.environ.get("NEEDLING_HUB_PREFIX", "/opt/needling-hub"))
# 02_scheduling: no data file beside the notebook, literal and stretch answers (any assignment works).
ASSIGNMENT = os.environ.get("NEEDLING_HUB_ASSIGNMENT", "02_scheduling")
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
CULL_TIMEOUT_S, CULL_EVERY_S, ACTIVITY_S = 120, 15, 10
ARTIFACTS = REPO / "artifacts" / "hub"
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
SPY = (
    "import os\n"
    "print('hub token seen by graded code:', "
    "sorted(k for k in os.environ if 'TOKEN' in k or k in ('JUPYTERHUB_API_URL', 'JPY_API_TOKEN')) or 'none')"
)
CHROMIUM = "/usr/bin/chromium"


# --------------------------------------------------------------------------------- what is needed


def _missing() -> str | None:
    if os.geteuid() != 0:
        return "the class test makes local accounts: run it as root (make test-hub)"
    if not Path(CHROMIUM).exists():
        return "the class test needs Chromium: apt-get install chromium"
    if not shutil.which("node"):
        return "the class test needs Node for configurable-http-proxy: apt-get install nodejs npm"
    if not (PREFIX / ".installed").exists():
        return f"no class installation in {PREFIX}: run it with make test-hub (it builds one)"
    return None


def _required() -> bool:
    return os.environ.get("REQUIRE_HUB") == "1" or os.environ.get("CI", "").lower() == "true"


# ------------------------------------------------------------------------------ notebooks


def _meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def _is_answer(cell) -> bool:
    return cell.cell_type == "code" and _meta(cell).get("solution") and not _meta(cell).get("grade")


def _is_autograded_test(cell) -> bool:
    return cell.cell_type == "code" and _meta(cell).get("grade") and not _meta(cell).get("solution")


def solution_notebook():
    return nbformat.read(REPO / "solutions" / ASSIGNMENT / NOTEBOOK, as_version=4)


def points_of(nb=None) -> dict[str, float]:
    """grade_id -> points of every autograded test cell, in notebook order."""
    nb = nb or solution_notebook()
    return {_meta(c)["grade_id"]: float(_meta(c)["points"]) for c in nb.cells if _is_autograded_test(c)}


def answered(release, *, first_tests: int | None = None, spy: bool = False):
    """The release with the instructor's answer cells copied in (markers removed).

    With ``first_tests=k`` only the answer cells before the k-th test cell are answered, so exactly
    the first k test cells can pass. Returns the notebook and the expected score per test cell.
    """
    solutions = {_meta(c)["grade_id"]: c.source for c in solution_notebook().cells if _is_answer(c)}
    points = points_of()
    nb = copy.deepcopy(release)
    tests_seen, expected = 0, {}
    for cell in nb.cells:
        if _is_autograded_test(cell):
            tests_seen += 1
            expected[_meta(cell)["grade_id"]] = (
                points[_meta(cell)["grade_id"]] if (first_tests is None or tests_seen <= first_tests) else 0.0
            )
        elif _is_answer(cell) and (first_tests is None or tests_seen < first_tests):
            source = solutions[_meta(cell)["grade_id"]]
            cell.source = "\n".join(line for line in source.split("\n") if line.strip() not in MARKERS)
    if spy:
        nb.cells.append(nbformat.v4.new_code_cell(SPY))
    return nb, expected


# ---------------------------------------------------------------------------------- the class


@dataclass
class Klass:
    settings: classroom.ClassSettings
    hub: subprocess.Popen
    log: Path
    figures: dict = field(default_factory=dict)
    expected: dict = field(default_factory=dict)  # trainee -> {grade_id: points}
    notes: dict = field(default_factory=dict)

    @property
    def instructor(self) -> str:
        return self.settings.instructor

    @property
    def trainees(self) -> tuple[str, ...]:
        return self.settings.trainees

    def home(self, user: str) -> Path:
        return self.settings.home(user)

    def as_user(
        self,
        user: str,
        *argv: str,
        cwd: Path | None = None,
        extra_env: dict | None = None,
        check: bool = True,
        timeout: float = 600,
    ) -> subprocess.CompletedProcess:
        """Run ``argv`` as ``user`` with exactly the environment their server has (nothing of root's)."""
        env = {**self.settings.environment(user), "HOME": str(self.home(user)), "USER": user, "LOGNAME": user}
        env.update(extra_env or {})
        command = ["runuser", "-u", user, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items()), *argv]
        proc = subprocess.run(command, cwd=cwd or self.home(user), capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(
                f"{' '.join(argv)} as {user} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            )
        return proc

    def api(
        self, method: str, path: str, token: str | None = None, body: dict | None = None, base: str | None = None
    ) -> tuple[int, object]:
        request = urllib.request.Request(
            (base or f"{self.settings.url}/hub/api") + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"token {token or self.settings.admin_token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read().decode()
                return response.status, json.loads(text) if text.strip().startswith(("{", "[")) else text
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def server(self, user: str) -> dict | None:
        status, info = self.api("GET", f"/users/{user}")
        assert status == 200, info
        return info["servers"].get("")

    def spawn(self, user: str) -> float:
        """Start ``user``'s server through the hub's API; seconds until the hub reports it ready."""
        start = time.monotonic()
        status, info = self.api("POST", f"/users/{user}/server")
        assert status in (201, 202), (status, info)
        while not (self.server(user) or {}).get("ready"):
            assert time.monotonic() - start < 120, f"{user}'s server did not start:\n{self.log_tail()}"
            time.sleep(0.25)
        return time.monotonic() - start

    def user_token(self, user: str) -> str:
        status, info = self.api("POST", f"/users/{user}/tokens", body={"note": "class test", "expires_in": 3600})
        assert status in (200, 201), info
        return info["token"]

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def course(self) -> Path:
        return self.settings.course_dir()

    def inbound(self) -> Path:
        return self.settings.exchange / self.settings.course_id / "inbound"

    def write_as(self, user: str, path: Path, nb) -> None:
        nbformat.write(nb, path)
        shutil.chown(path, user, user)


@pytest.fixture(scope="module")
def klass():
    reason = _missing()
    if reason:
        if _required():
            pytest.fail(f"{reason} (CI=true or REQUIRE_HUB=1: here the class test must run)")
        pytest.skip(reason)
    classroom.teardown(PREFIX)  # leftovers of a killed run
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / "jupyterhub.log"
    log.write_text("")
    settings = classroom.setup(
        classroom.new_settings(
            PREFIX,
            3,
            classroom.free_port(),
            cull_timeout_s=CULL_TIMEOUT_S,
            cull_every_s=CULL_EVERY_S,
            activity_interval_s=ACTIVITY_S,
        )
    )
    hub = classroom.start_hub(settings, log)
    try:
        classroom.wait_for_hub(settings)
        k = Klass(settings, hub, log)
        yield k
        (ARTIFACTS / "figures.json").write_text(json.dumps(k.figures, indent=2))
    finally:
        classroom.teardown(PREFIX)
        hub.wait(timeout=30)
        assert not accounts.class_accounts()


@pytest.fixture(scope="module")
def browser(klass):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = chromium.new_context().new_page()
        page.set_default_timeout(60_000)
        yield page
        chromium.close()


# ---------------------------------------------------------------------------------- the cycle


def test_every_trainee_gets_a_server_of_their_own(klass):
    for user in klass.trainees:
        klass.figures.setdefault("spawn_s", {})[user] = round(klass.spawn(user), 2)
    for user in klass.trainees:
        pid = _server_pid(klass, user)
        assert _owner(pid) == user
        environ = _environ(pid)
        assert environ["PATH"].startswith(f"{PREFIX}/trainee-env/bin:")  # fault 3: the spawner sets PATH
        assert environ["JUPYTER_CONFIG_PATH"].startswith(f"{PREFIX}/roles/trainee:")
    klass.figures["idle_server_pss_mib"] = round(_pss_mib(klass.trainees[1]), 1)


def test_instructor_generates_and_releases(klass):
    course = klass.course()
    for trainee in klass.trainees:
        klass.as_user(klass.instructor, "nbgrader", "db", "student", "add", trainee, cwd=course)
    # Part B's fault 7: without generate_assignment the gradebook has no assignment to grade.
    klass.as_user(klass.instructor, "nbgrader", "generate_assignment", ASSIGNMENT, "--force", cwd=course)
    klass.as_user(klass.instructor, "nbgrader", "release_assignment", ASSIGNMENT, cwd=course)
    outbound = klass.settings.exchange / klass.settings.course_id / "outbound" / ASSIGNMENT / NOTEBOOK
    assert outbound.exists()
    assert "BEGIN HIDDEN TESTS" not in outbound.read_text()


def test_trainee1_fetches_in_the_browser_and_submits_the_model_answers(klass, browser):
    user = klass.trainees[0]
    page = browser
    page.goto(f"{klass.settings.url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", klass.settings.password)
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf"/user/{user}/lab"), timeout=90_000)
    page.locator("#jp-MainMenu").get_by_role("menuitem", name="Nbgrader", exact=True).click()
    page.locator(".lm-Menu").get_by_role("menuitem", name="Assignment List", exact=True).click()
    released = page.locator("#released_assignments_list")
    released.get_by_text(ASSIGNMENT).wait_for()
    released.get_by_role("button", name="Fetch").click()
    fetched = klass.home(user) / ASSIGNMENT / NOTEBOOK
    _wait_for(fetched.exists, f"{fetched} after Fetch")

    nb, klass.expected[user] = answered(nbformat.read(fetched, as_version=4))
    klass.write_as(user, fetched, nb)

    # Memory of a trainee server with a lesson kernel: open a lesson and run it.
    lessons = sorted(p.name for p in (klass.home(user) / "lessons").glob("0[1-9]_*.ipynb"))
    page2 = page.context.new_page()
    page2.goto(f"{klass.settings.url}/user/{user}/lab/tree/lessons/{lessons[0]}?reset")
    page2.locator(".jp-NotebookPanel:visible .jp-Cell").first.wait_for(timeout=90_000)
    page2.locator("#jp-main-statusbar").get_by_text("Idle").wait_for(timeout=90_000)
    page2.locator(".jp-NotebookPanel:visible").click()
    page2.locator("#jp-MainMenu").get_by_role("menuitem", name="Run", exact=True).click()
    page2.locator(".lm-Menu").get_by_role("menuitem", name="Run All Cells", exact=True).click()
    # Run All stops at a cell waiting for a widget; what matters here is a kernel that ran the lesson.
    _wait_for(lambda: _cells_ran(page2) > 0, f"a cell of {lessons[0]} run", timeout_s=240)
    _wait_until_steady(lambda: _cells_ran(page2), steady_s=10, timeout_s=240)
    page2.screenshot(path=str(ARTIFACTS / "lesson.png"))
    klass.figures["lesson"] = lessons[0]
    klass.figures["server_with_lesson_kernel_pss_mib"] = round(_pss_mib(user), 1)
    page2.close()

    page.bring_to_front()
    fetched_list = page.locator("#fetched_assignments_list")
    fetched_list.get_by_role("button", name="Submit").click()
    page.locator("#submitted_assignments_list").get_by_text(ASSIGNMENT).wait_for()
    mine = [p for p in klass.inbound().iterdir() if p.name.startswith(f"{user}+{ASSIGNMENT}+")]
    assert len(mine) == 1 and _owner_of(mine[0]) == user
    klass.notes["trainee1_submission"] = mine[0]


def test_trainee2_and_trainee3_fetch_and_submit_from_the_command_line(klass):
    course_flag = f"--course={klass.settings.course_id}"
    blank, partial = klass.trainees[1], klass.trainees[2]
    for user in (blank, partial):
        klass.as_user(user, "nbgrader", "fetch_assignment", ASSIGNMENT, course_flag)
    release = nbformat.read(klass.home(blank) / ASSIGNMENT / NOTEBOOK, as_version=4)
    klass.expected[blank] = {grade_id: 0.0 for grade_id in points_of(release)}
    half = max(1, len(points_of()) // 2)
    nb, klass.expected[partial] = answered(release, first_tests=half, spy=True)
    klass.write_as(partial, klass.home(partial) / ASSIGNMENT / NOTEBOOK, nb)
    for user in (blank, partial):
        klass.as_user(user, "nbgrader", "submit", ASSIGNMENT, course_flag)
    assert 0 < sum(klass.expected[partial].values()) < sum(points_of().values())


def test_where_the_filesystem_exchange_cannot_protect(klass):
    """What nbgrader's exchange allows, shown as it happens (the collect step below catches it)."""
    victim_folder = klass.notes["trainee1_submission"]
    blank, partial = klass.trainees[1], klass.trainees[2]
    # Inbound cannot be listed (0733) ...
    assert klass.as_user(partial, "ls", str(klass.inbound()), check=False).returncode != 0
    # ... but a submission whose random name is known can be read, and its folder is world-writable.
    assert "cells" in klass.as_user(partial, "cat", str(victim_folder / NOTEBOOK)).stdout
    klass.as_user(partial, "sh", "-c", f"echo planted > '{victim_folder}/planted.py'")
    # --student= impersonation: trainee2 hands in their blank work in trainee1's name, later.
    time.sleep(1.1)  # a later timestamp than trainee1's real submission
    klass.as_user(
        blank,
        "nbgrader",
        "submit",
        ASSIGNMENT,
        f"--course={klass.settings.course_id}",
        f"--student={klass.trainees[0]}",
    )
    claims = sorted(p for p in klass.inbound().iterdir() if p.name.startswith(f"{klass.trainees[0]}+"))
    assert [_owner_of(p) for p in claims] == [klass.trainees[0], blank]  # newest: plain collect would take it


def test_the_instructor_servers_token_is_dangerous_and_the_grading_route_drops_it(klass):
    klass.figures["instructor_spawn_s"] = round(klass.spawn(klass.instructor), 2)
    token = _environ(_server_pid(klass, klass.instructor))["JUPYTERHUB_API_TOKEN"]
    base = f"{klass.settings.url}/user/{klass.instructor}/api"
    status, listing = klass.api("GET", "/contents/course/solutions", token=token, base=base)
    assert status == 200 and ASSIGNMENT in json.dumps(listing)  # what graded code could do with it
    klass.notes["token"] = token

    # The documented route, started from where the token is (a JupyterLab terminal's environment).
    lab_terminal = {
        "JUPYTERHUB_API_TOKEN": token,
        "JPY_API_TOKEN": token,
        "JUPYTERHUB_API_URL": f"http://127.0.0.1:{klass.settings.hub_port}/hub/api",
    }
    start = time.monotonic()
    proc = klass.as_user(
        klass.instructor, f"{PREFIX}/bin/needling-grade", ASSIGNMENT, cwd=klass.course(), extra_env=lab_terminal
    )
    klass.figures["grading_route_s"] = round(time.monotonic() - start, 1)
    klass.notes["grade_output"] = proc.stdout + proc.stderr
    # What grading runs with, started from the same place: not the token, nothing of the caller's.
    graded_env = klass.as_user(
        klass.instructor, f"{PREFIX}/bin/needling-grade", "--env", cwd=klass.course(), extra_env=lab_terminal
    ).stdout
    assert token not in graded_env and "JUPYTERHUB" not in graded_env and "JPY_API_TOKEN" not in graded_env
    # trainee3's extra cell ran in the grader; where its output is kept, it saw no token.
    autograded = klass.course() / "autograded" / klass.trainees[2] / ASSIGNMENT / NOTEBOOK
    outputs = json.dumps(nbformat.read(autograded, as_version=4).cells[-1].get("outputs", []))
    assert outputs == "[]" or "hub token seen by graded code: none" in outputs, outputs
    for folder in ("autograded", "feedback", ".grading"):
        for path in (klass.course() / folder).rglob("*"):
            assert not path.is_file() or token not in path.read_text(errors="replace"), path


def test_collect_quarantined_the_impersonation_and_the_planted_file(klass):
    output = klass.notes["grade_output"]
    assert "QUARANTINED 2 submissions" in output, output
    assert f"claims to be {klass.trainees[0]}): the folder is owned by {klass.trainees[1]}" in output
    assert f"planted.py is owned by {klass.trainees[2]}, not {klass.trainees[0]}" in output
    submitted = klass.course() / "submitted" / klass.trainees[0] / ASSIGNMENT
    assert not (submitted / "planted.py").exists()
    assert (klass.course() / "quarantine" / "QUARANTINE.txt").exists()


def test_the_gradebook_holds_the_exact_scores(klass):
    from nbgrader.api import Gradebook

    got: dict[str, dict[str, float]] = {}
    with Gradebook(f"sqlite:///{klass.course() / 'gradebook.db'}") as gb:
        for trainee in klass.trainees:
            notebook = gb.find_submission_notebook(Path(NOTEBOOK).stem, ASSIGNMENT, trainee)
            got[trainee] = {g.name: g.auto_score for g in notebook.grades if g.name in points_of()}
    assert got == klass.expected
    klass.figures["scores"] = {s: sum(v.values()) for s, v in got.items()}


def test_feedback_reaches_each_trainee(klass, browser):
    page = browser
    page.bring_to_front()
    page.reload()
    page.locator("#jp-MainMenu").get_by_role("menuitem", name="Nbgrader", exact=True).click()
    page.locator(".lm-Menu").get_by_role("menuitem", name="Assignment List", exact=True).click()
    page.locator("#submitted_assignments_list").get_by_role("button", name="Fetch Feedback").first.click()
    for user in klass.trainees[1:]:
        klass.as_user(user, "nbgrader", "fetch_feedback", ASSIGNMENT, f"--course={klass.settings.course_id}")
    for user in klass.trainees:
        folder = klass.home(user) / ASSIGNMENT / "feedback"
        _wait_for(lambda f=folder: list(f.glob(f"*/{ASSIGNMENT}.html")), f"{user}'s feedback")
        (html,) = folder.glob(f"*/{ASSIGNMENT}.html")
        assert _owner_of(html) == user
        text = html.read_text()
        score = sum(klass.expected[user].values())
        assert re.search(rf"{ASSIGNMENT} \(Score: {score:.1f} / ", text), (user, score)
        klass.notes[f"feedback_{user}"] = text
    # Both ways: trainee3's page shows the questions they got right with full marks and the others with none.
    cells = re.findall(r"Test cell</a> \(Score: ([\d.]+) / ([\d.]+)\)", klass.notes[f"feedback_{klass.trainees[2]}"])
    assert any(float(got) == float(top) > 0 for got, top in cells), cells
    assert any(float(got) == 0 < float(top) for got, top in cells), cells


def test_trainees_cannot_reach_each_other_solutions_or_the_gradebook(klass):
    thief, victim = klass.trainees[2], klass.trainees[0]
    for target in (
        klass.home(victim),
        klass.home(victim) / ASSIGNMENT / NOTEBOOK,
        klass.course() / "solutions",
        klass.course() / "gradebook.db",
    ):
        proc = klass.as_user(thief, "cat" if target.suffix else "ls", str(target), check=False)
        assert proc.returncode != 0 and "Permission denied" in proc.stderr, target
    assert oct(klass.home(victim).stat().st_mode & 0o777) == "0o700"  # fault 6
    # The trainees' environment holds no instructor material (fault 2) and no link to the checkout.
    env = PREFIX / "trainee-env"
    site = next(env.glob("lib/python3*/site-packages"))
    assert not list(site.glob("__editable__*")) and not list(site.glob("*.egg-link"))
    assert all(str(REPO) not in pth.read_text() for pth in site.glob("*.pth"))
    hits = subprocess.run(
        ["grep", "-rlI", "-e", "BEGIN HIDDEN TESTS", "-e", "BEGIN SOLUTION", str(env)], capture_output=True, text=True
    ).stdout.split()
    assert [h for h in hits if "/nbgrader/" not in h] == []  # nbgrader's own docs and templates name them
    assert not list(env.rglob("solutions"))


def test_another_users_server_answers_403_and_formgrader_is_the_instructors(klass):
    thief, victim = klass.trainees[2], klass.trainees[0]
    token = klass.user_token(thief)
    url = klass.settings.url
    status, _ = klass.api("GET", "/contents", token=token, base=f"{url}/user/{victim}/api")
    assert status == 403
    status, _ = klass.api("GET", "/status", token=token, base=f"{url}/user/{victim}/api")
    assert status == 403
    # A trainee's own server has no formgrader (404), the instructor's has it (fault 8: its own tab,
    # never inside JupyterLab, where JupyterHub's frame-ancestors policy leaves it blank).
    if not klass.server(thief):
        klass.spawn(thief)
    status, _ = klass.api("GET", "/formgrader", token=token, base=f"{url}/user/{thief}")
    assert status == 404
    if not klass.server(klass.instructor):
        klass.spawn(klass.instructor)
    status, page = klass.api(
        "GET", "/formgrader", token=klass.user_token(klass.instructor), base=f"{url}/user/{klass.instructor}"
    )
    assert status == 200 and "formgrader" in str(page).lower()


def test_idle_servers_are_culled(klass):
    blank = klass.trainees[1]  # started first, never used since
    deadline = time.monotonic() + CULL_TIMEOUT_S + 3 * CULL_EVERY_S
    while klass.server(blank):
        assert time.monotonic() < deadline, f"{blank}'s idle server was not culled:\n{klass.log_tail()}"
        time.sleep(2)
    assert re.search(rf"Culling server {blank}\b|Culling server .*{blank}", klass.log.read_text()), klass.log_tail()


# ---------------------------------------------------------------------------------- helpers


def _wait_for(predicate, what: str, timeout_s: float = 60):
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, f"no {what} within {timeout_s:.0f} s"
        time.sleep(0.25)


def _wait_until_steady(read, *, steady_s: float, timeout_s: float):
    """Wait until ``read()`` has not changed for ``steady_s`` seconds (or ``timeout_s`` passed)."""
    deadline, last, since = time.monotonic() + timeout_s, read(), time.monotonic()
    while time.monotonic() - since < steady_s and time.monotonic() < deadline:
        time.sleep(1)
        now = read()
        if now != last:
            last, since = now, time.monotonic()


def _cells_ran(page) -> int:
    prompts = page.locator(".jp-NotebookPanel:visible").evaluate(
        "(p) => Array.from(p.querySelectorAll('.jp-CodeCell .jp-InputPrompt')).map(e => e.textContent.trim())"
    )
    return sum(bool(re.fullmatch(r"\[\d+\]:", p)) for p in prompts)


def _owner_of(path: Path) -> str:
    import pwd

    return pwd.getpwuid(path.lstat().st_uid).pw_name


def _owner(pid: int) -> str:
    return _owner_of(Path(f"/proc/{pid}"))


def _environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


def _server_pid(klass: Klass, user: str) -> int:
    import pwd

    uid = pwd.getpwnam(user).pw_uid
    for pid in accounts.processes_of(uid):
        if b"jupyterhub-singleuser" in Path(f"/proc/{pid}/cmdline").read_bytes():
            return pid
    raise AssertionError(f"no jupyterhub-singleuser process of {user}")


def _pss_mib(user: str) -> float:
    """Proportional memory (PSS) of every process of ``user``: server, kernels, their children."""
    import pwd

    total_kib = 0
    for pid in accounts.processes_of(pwd.getpwnam(user).pw_uid):
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kib += int(line.split()[1])
        except OSError:
            continue
    return total_kib / 1024
