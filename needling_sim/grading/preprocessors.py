"""nbgrader preprocessors of the course: the trusted replacement for nbgrader's ``Execute``.

:class:`TrustedExecute` takes the place of ``nbgrader.preprocessors.Execute`` in
``c.Autograde.autograde_preprocessors`` (``nbgrader_config.py`` sets this). For each notebook
it

1. runs the trainee's notebook in a bubblewrap sandbox (:mod:`needling_sim.grading.sandbox`)
   with its test cells blanked, only for the outputs (the feedback page) and for the values of
   answer cells that hold code instead of a plain value; a class run
   (:mod:`needling_sim.grading.classrun`) may have done this already, in parallel, and left the
   result in :attr:`TrustedExecute.results_dir`;
2. reads the answers: literal answer cells from their source text, the others from the
   sandbox's plain-data export (:mod:`needling_sim.grading.answers`, :mod:`~.trusted`);
3. runs every autograded test cell's source, **as stored in the gradebook**, with
   :func:`needling_sim.grading.trusted.check_cell` in this (the grader's) process, on those plain
   values and with the gradebook's student id, and writes the outcome as the cell's output: an
   error output with the one-line message when the check fails (nbgrader then scores the cell
   0), a short confirmation when it passes (full points).

nbgrader's own ``SaveAutoGrades`` then writes the scores: only the trusted grader touches the
gradebook. The per-cell time limit is nbgrader's usual ``c.Execute.timeout``.

Three small helpers sit beside it: :class:`ReportEditedTestCells` (nbgrader's
``OverwriteCells``, warning only about test cells a trainee really edited),
:class:`DropEmptyNbgraderMetadata` and :class:`LimitOutputSize`.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor, OverwriteCells
from traitlets import Bool, Integer, Unicode

from .answers import read_answers
from .checks import Unreadable
from .sandbox import Limits, SandboxResult, is_test_cell, run_notebook
from .trusted import answers_for_grading, check_cell

__all__ = [
    "DropEmptyNbgraderMetadata",
    "LimitOutputSize",
    "ReportEditedTestCells",
    "TrustedExecute",
    "cached_result_path",
    "check_outputs",
]

#: ``ename`` of the output written for a failed check (what the feedback page shows).
FAILED = "Not yet"


def cached_result_path(results_dir: Path, student: str, notebook: str) -> Path:
    """Where a class run leaves one notebook's sandbox result for :class:`TrustedExecute`.

    ``notebook`` is nbgrader's notebook id: the file name without ``.ipynb``.
    """
    return Path(results_dir) / student / f"{notebook}.sandbox.json"


def check_outputs(passed: bool, message: str) -> list:
    """The outputs a checked test cell gets: nbgrader scores an error output 0, anything else full.

    Examples
    --------
    >>> [o.output_type for o in check_outputs(False, "x: Not yet.")], check_outputs(True, "ok")[0].text
    (['error'], 'ok\\n')
    """
    if passed:
        return [nbformat.v4.new_output("stream", name="stdout", text=message.rstrip("\n") + "\n")]
    return [nbformat.v4.new_output("error", ename=FAILED, evalue=message, traceback=[message])]


def _merge_outputs(nb, ran) -> None:
    """Copy outputs of the sandboxed run into ``nb``'s non-test code cells, matched by source."""
    if ran is None:
        return
    ran_cells = [cell for cell in ran.cells if cell.cell_type == "code"]
    pointer = 0
    for cell in nb.cells:
        if cell.cell_type != "code" or is_test_cell(cell):
            continue
        for index in range(pointer, len(ran_cells)):
            if ran_cells[index].source == cell.source:
                cell.outputs = ran_cells[index].get("outputs", [])
                cell.execution_count = ran_cells[index].get("execution_count")
                pointer = index + 1
                break


class TrustedExecute(NbGraderPreprocessor):
    """Execute in the sandbox, check on the trusted side, write each check's outcome as its output."""

    timeout = Integer(
        None,
        allow_none=True,
        help="Seconds a cell may run in the sandbox (default: c.Execute.timeout, else 120).",
    ).tag(config=True)
    total_timeout = Integer(
        None, allow_none=True, help="Seconds the whole notebook may run (default: five cells' worth)."
    ).tag(config=True)
    memory_bytes = Integer(Limits.memory_bytes, help="Address-space limit of each sandboxed process.").tag(config=True)
    processes = Integer(Limits.processes, help="Processes and threads a sandbox may hold at once.").tag(config=True)
    output_chars_per_cell = Integer(Limits.output_chars_per_cell, help="Text kept per cell, as it arrives.").tag(
        config=True
    )
    results_dir = Unicode(
        "", help="Folder where a class run left sandbox results to reuse (empty: always run the sandbox here)."
    ).tag(config=True)
    slot = Integer(0, help="Parallel slot (its own unprivileged user id) for runs made here.").tag(config=True)
    allow_unsandboxed = Bool(
        False,
        help="Run trainee code WITHOUT bubblewrap when it is missing. Trainee code then runs with the grader's "
        "rights; only for a machine that holds nothing worth protecting.",
    ).tag(config=True)

    def limits(self) -> Limits:
        timeout = self.timeout
        if timeout is None:
            timeout = self.config.get("Execute", {}).get("timeout", 120) or 120
        return Limits(
            cell_timeout_s=int(timeout),
            total_timeout_s=self.total_timeout,
            memory_bytes=self.memory_bytes,
            processes=self.processes,
            output_chars_per_cell=self.output_chars_per_cell,
        )

    def _sandbox_result(self, nb, resources, names) -> SandboxResult:
        meta = resources["nbgrader"]
        if self.results_dir:
            path = cached_result_path(Path(self.results_dir), meta["student"], meta["notebook"])
            if path.is_file():
                self.log.info("Reusing the sandbox run of %s/%s", meta["student"], meta["notebook"])
                return SandboxResult.from_json(json.loads(path.read_text(encoding="utf-8")))
            self.log.warning("No sandbox run of %s/%s was left by the class run: running it now", *path.parts[-2:])
        return run_notebook(
            nb,
            student_id=meta["student"],
            resources_dir=Path(resources.get("metadata", {}).get("path") or "."),
            export_names=sorted(names),
            limits=self.limits(),
            slot=self.slot,
            allow_unsandboxed=self.allow_unsandboxed,
        )

    def preprocess(self, nb, resources):
        meta = resources["nbgrader"]
        student, assignment, notebook = meta["student"], meta["assignment"], meta["notebook"]
        sheet = read_answers(nb)
        result = self._sandbox_result(nb, resources, sheet.needs_run)
        if not result.sandboxed:
            self.log.warning("GRADING %s WITHOUT THE SANDBOX: trainee code ran with the grader's rights.", student)
        _merge_outputs(nb, result.notebook)
        exported = {name: entry["value"] for name, entry in result.exported.items() if "value" in entry}
        answers = answers_for_grading(sheet, exported)
        for name, entry in result.exported.items():
            if "problem" in entry and name in sheet.needs_run:
                answers[name] = Unreadable(entry["problem"])
        with Gradebook(meta["db_url"]) as gb:
            for cell in nb.cells:
                if not is_test_cell(cell):
                    continue
                grade_id = cell.metadata["nbgrader"].get("grade_id", "")
                try:
                    source = gb.find_source_cell(grade_id, notebook, assignment).source
                except MissingEntry:
                    cell.outputs = check_outputs(False, f"{grade_id!r} is not a test cell of this assignment.")
                    continue
                cell.source = source
                outcome = check_cell(source, answers, student_id=student)
                cell.outputs = check_outputs(outcome.passed, outcome.message)
        if result.notes:
            self._note(nb, result.notes)
        for note in result.notes:
            self.log.warning("%s/%s: %s", student, notebook, note)
        return nb, resources

    @staticmethod
    def _note(nb, notes) -> None:
        """Tell the trainee (on the feedback page) what stopped or limited the grader's run."""
        text = "Note from the grader's run of your notebook:\n" + "\n".join(f"- {note}" for note in notes) + "\n"
        for cell in nb.cells:
            if cell.cell_type == "code" and not is_test_cell(cell):
                cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text), *cell.get("outputs", [])]
                return


class ReportEditedTestCells(OverwriteCells):
    """nbgrader's ``OverwriteCells``, minus the false alarm on every test cell.

    The gradebook stores each test cell *with* its hidden tests; the release holds it without
    them. nbgrader compares a submitted cell with the gradebook's, so every untouched test cell
    was reported as ``Attribute 'checksum' ... has changed!``, and a real edit was lost among
    them. This compares the submitted source with the *release's* (the gradebook source with its
    hidden tests removed): only a cell the trainee edited is reported. The cell is restored from
    the gradebook either way, exactly as before.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        self._released = None
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None:
            try:
                source_cell = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
            except MissingEntry:
                source_cell = None
            if source_cell is not None and source_cell.locked:
                released = nbformat.v4.new_code_cell(source_cell.source)
                ClearHiddenTests(parent=self)._remove_hidden_test_region(released)
                self._released = released.source
        self._submitted = cell.source
        return super().preprocess_cell(cell, resources, cell_index)

    def report_change(self, name, attr, old, new):
        if attr == "checksum" and self._released is not None and self._submitted.strip() == self._released.strip():
            return  # the release's own version of the cell: hidden tests are restored, nothing to report
        if attr == "checksum":
            self.log.warning("Test cell %s was edited in the submission; the original was put back.", name)
            return
        super().report_change(name, attr, old, new)


class DropEmptyNbgraderMetadata(NbGraderPreprocessor):
    """Finish what ``DeduplicateIds`` starts on a copied graded cell.

    When a trainee duplicates a graded cell, ``DeduplicateIds`` keeps the last copy and empties
    the others' ``nbgrader`` metadata to ``{}``. With ``add_missing_cells`` on, nbgrader 0.9.6
    then fails the whole submission with ``KeyError: 'grade_id'``. Removing the empty dict turns
    the extra copies into ordinary cells, which is what ``DeduplicateIds`` intends.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.metadata.get("nbgrader") == {}:
            del cell.metadata["nbgrader"]
        return cell, resources


class LimitOutputSize(NbGraderPreprocessor):
    """Cap the characters of text outputs, so one enormous line cannot bloat a graded notebook.

    Rich outputs (HTML, images, figures) are left whole: cutting them would break them.

    Examples
    --------
    >>> LimitOutputSize(max_chars=3)._cut("abcdef")
    'abc\\n... output truncated by the grader (3 characters dropped) ...\\n'
    """

    max_chars = Integer(100_000, help="Characters kept per text output (-1: no limit)").tag(config=True)

    def _cut(self, text):
        if isinstance(text, list):
            text = "".join(text)
        if self.max_chars < 0 or len(text) <= self.max_chars:
            return text
        dropped = len(text) - self.max_chars
        return text[: self.max_chars] + f"\n... output truncated by the grader ({dropped} characters dropped) ...\n"

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                output["text"] = self._cut(output["text"])
            elif "text/plain" in output.get("data", {}):
                output["data"]["text/plain"] = self._cut(output["data"]["text/plain"])
        return cell, resources
