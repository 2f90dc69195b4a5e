"""nbgrader configuration for the Skin Needling Trainer course.

The course directory is this repository:

- ``solutions/<assignment>/``  instructor notebooks with nbgrader markers (nbgrader's *source*)
- ``exercises/<assignment>/``  what ``nbgrader generate_assignment`` makes of them (the *release*),
  committed so trainees can open them without nbgrader
- ``submitted/``, ``autograded/``, ``feedback/``, ``gradebook.db``, ``.nbgrader.log``
  instructor working state at the repository root, git-ignored

Run nbgrader from the repository root (``cd`` here first) so this file is found.
docs/INSTRUCTOR_GUIDE.md walks through release, collection, grading and feedback.
"""

import os

from nbgrader.converters.autograde import Autograde
from nbgrader.preprocessors import DeduplicateIds, LimitOutput, NbGraderPreprocessor
from traitlets import Integer

c = get_config()  # noqa: F821 - injected by traitlets when it runs this file

# --- course layout ---------------------------------------------------------------------------
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "skin-needling-trainer"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
# nbgrader's defaults, stated so the layout is visible in one place; the capstone's hidden
# tests read the trainee's id from "<submitted|autograded>/<student_id>/<assignment>".
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# The gradebook is the default sqlite file <root>/gradebook.db (git-ignored).

# Exchange for a class on JupyterHub (see docs/INSTRUCTOR_GUIDE.md, Part B); a single-machine
# course never touches it. NBGRADER_EXCHANGE_ROOT moves it (the class test uses its own).
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE_ROOT", "/srv/nbgrader/exchange")

# --- what trainees see in the release ------------------------------------------------------
c.ClearSolutions.code_stub = {"python": ""}
c.ClearSolutions.text_stub = "Write your answer here."

# --- grading ---------------------------------------------------------------------------------
# nbgrader's Execute preprocessor ignores ExecutePreprocessor.timeout: this is the per-cell limit.
# The longest legitimate cell (a cohort simulation) takes a few seconds; two minutes leaves
# room for a slow grading machine while still ending an infinite loop.
c.Execute.timeout = 120
# Re-add a locked test cell that a trainee deleted, so it is run and counted like everyone's.
c.OverwriteCells.add_missing_cells = True
# Long outputs: nbgrader caps lines and traceback lines ...
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100


class LimitOutputSize(NbGraderPreprocessor):
    """... and this caps the characters of text outputs, so one enormous line cannot bloat a
    graded notebook or its feedback. Rich outputs (HTML, images, figures) are left whole:
    cutting them would break them."""

    max_chars = Integer(100_000, help="Characters kept per text output (-1: no limit)").tag(config=True)

    def _cut(self, text):
        if isinstance(text, list):
            text = "".join(text)
        if self.max_chars < 0 or len(text) <= self.max_chars:
            return text
        dropped = len(text) - self.max_chars
        return (
            text[: self.max_chars]
            + f"\n... output truncated by the grader ({dropped} characters dropped) ...\n"
        )

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                output["text"] = self._cut(output["text"])
            elif "text/plain" in output.get("data", {}):
                output["data"]["text/plain"] = self._cut(output["data"]["text/plain"])
        return cell, resources


class DropEmptyNbgraderMetadata(NbGraderPreprocessor):
    """Finish what DeduplicateIds starts on a copied graded cell.

    When a trainee duplicates a graded cell, DeduplicateIds keeps the last copy and empties the
    others' ``nbgrader`` metadata to ``{}``. With ``add_missing_cells`` on, nbgrader 0.9.6 then
    fails the whole submission with ``KeyError: 'grade_id'``. Removing the empty dict turns the
    extra copies into ordinary cells, which is what DeduplicateIds intends.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.metadata.get("nbgrader") == {}:
            del cell.metadata["nbgrader"]
        return cell, resources


def _with(steps_trait, after, extra):
    steps = list(Autograde.class_traits()[steps_trait].default())
    steps.insert(steps.index(after) + 1, extra)
    return steps


c.Autograde.sanitize_preprocessors = _with(
    "sanitize_preprocessors", DeduplicateIds, DropEmptyNbgraderMetadata
)
c.Autograde.autograde_preprocessors = _with("autograde_preprocessors", LimitOutput, LimitOutputSize)
