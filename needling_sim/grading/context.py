"""Who is being graded: the trusted grader's student id, or the trainee's own login.

When the grader checks a cell it sets the student id from nbgrader's gradebook with
:func:`grading_as`; the checks read it with :func:`student_id`. In a trainee's own kernel
nothing sets it, and :func:`student_id` falls back to the login (``JUPYTERHUB_USER`` on
JupyterHub, else the operating-system user). Nothing in a trainee's kernel can change what
the grader uses: the grader runs in its own process.

Examples
--------
>>> with grading_as("ana"):
...     student_id(), is_grading()
('ana', True)
>>> is_grading()
False
"""

from __future__ import annotations

import contextlib
import contextvars
import getpass
import os

__all__ = ["grading_as", "is_grading", "student_id"]

_STUDENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("needling_grading_student", default=None)


@contextlib.contextmanager
def grading_as(student: str):
    """Run a block as the trusted grader, for ``student`` (the gradebook's id)."""
    if type(student) is not str or not student:
        raise ValueError(f"student must be a non-empty str (nbgrader's student id); got {student!r}")
    token = _STUDENT.set(student)
    try:
        yield student
    finally:
        _STUDENT.reset(token)


def is_grading() -> bool:
    """True inside :func:`grading_as` (the trusted grader), False in a trainee's kernel."""
    return _STUDENT.get() is not None


def student_id() -> str:
    """The id of the trainee whose work this is.

    In the grader: the gradebook's student id. In a trainee's kernel: ``JUPYTERHUB_USER``,
    else the operating-system login.
    """
    graded = _STUDENT.get()
    if graded is not None:
        return graded
    return os.environ.get("JUPYTERHUB_USER") or getpass.getuser()
