"""nbgrader configuration for the Skin Needling Trainer course.

The course directory is this repository:

- ``solutions/<assignment>/``  instructor notebooks with nbgrader markers (nbgrader's *source*)
- ``exercises/<assignment>/``  what ``nbgrader generate_assignment`` makes of them (the *release*),
  committed so trainees can open them without nbgrader
- ``submitted/``, ``autograded/``, ``feedback/``, ``gradebook.db``, ``.nbgrader.log``, ``.grading/``
  instructor working state at the repository root, git-ignored

Run nbgrader from the repository root (``cd`` here first) so this file is found.
docs/INSTRUCTOR_GUIDE.md walks through release, collection, grading and feedback.
"""

import os

from nbgrader.converters.autograde import Autograde
from nbgrader.preprocessors import DeduplicateIds, Execute, LimitOutput, OverwriteCells

from needling_sim.grading.preprocessors import (
    DropEmptyNbgraderMetadata,
    LimitOutputSize,
    ReportEditedTestCells,
    TrustedExecute,
)

c = get_config()  # noqa: F821 - injected by traitlets when it runs this file

# --- course layout ---------------------------------------------------------------------------
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "skin-needling-trainer"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
# nbgrader's defaults, stated so the layout is visible in one place.
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# The gradebook is the default sqlite file <root>/gradebook.db (git-ignored).
# nbgrader writes no log file unless told to: keep one beside the gradebook.
c.NbGrader.logfile = os.path.join(c.CourseDirectory.root, ".nbgrader.log")

# Exchange for a class on JupyterHub (see docs/INSTRUCTOR_GUIDE.md, Part B); a single-machine
# course never touches it. NBGRADER_EXCHANGE_ROOT moves it (the class test uses its own).
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE_ROOT", "/srv/nbgrader/exchange")

# --- what trainees see in the release ------------------------------------------------------
# An answer cell keeps its first line (`name = ...  # your answer: ...`); the model answer
# between the solution markers is removed and nothing is put in its place.
c.ClearSolutions.code_stub = {"python": ""}
c.ClearSolutions.text_stub = "Write your answer here."

# --- grading ---------------------------------------------------------------------------------
# Trainee code never runs in nbgrader's process: TrustedExecute (needling_sim/grading/
# preprocessors.py) replaces nbgrader's Execute. It runs the notebook in a bubblewrap sandbox
# (test cells blanked) and runs every test cell, as stored in the gradebook, in the grader on
# the answers as plain values. `make grade ASSIGNMENT=...` grades a whole class in parallel.
#
# The per-cell limit is nbgrader's usual setting (nbgrader ignores ExecutePreprocessor.timeout;
# TrustedExecute reads this one). The longest legitimate cell (a cohort simulation) takes a few
# seconds; two minutes leaves room for a slow machine while still ending an infinite loop.
c.Execute.timeout = 120
# The whole notebook's limit in the sandbox (seconds), and the text kept per cell as it arrives.
c.TrustedExecute.total_timeout = 600
c.TrustedExecute.output_chars_per_cell = 100_000
# Grading without bubblewrap is refused. Only on a machine holding nothing worth protecting:
# c.TrustedExecute.allow_unsandboxed = True   (trainee code then runs with the grader's rights)

# Re-add a locked test cell that a trainee deleted, so it is checked and counted like everyone's.
c.OverwriteCells.add_missing_cells = True
# Long outputs: nbgrader caps lines and traceback lines, LimitOutputSize the characters.
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100


def _steps(name, replace=None, after=None, extra=None):
    steps = list(Autograde.class_traits()[name].default())
    if replace is not None:
        old, new = replace
        steps[steps.index(old)] = new
    if after is not None:
        steps.insert(steps.index(after) + 1, extra)
    return steps


c.Autograde.sanitize_preprocessors = _steps(
    "sanitize_preprocessors",
    replace=(OverwriteCells, ReportEditedTestCells),
    after=DeduplicateIds,
    extra=DropEmptyNbgraderMetadata,
)
c.Autograde.autograde_preprocessors = _steps(
    "autograde_preprocessors", replace=(Execute, TrustedExecute), after=LimitOutput, extra=LimitOutputSize
)
