"""Grading: plain-value answers, checks with kind messages, and the trusted checker.

A trainee answers a question by typing a plain value into an answer cell; a test cell checks
it with :func:`answer` (and says so with :func:`passed`). The grader reads the answers as
plain data and runs the checks on the trusted side (:mod:`needling_sim.grading.trusted`),
never in the trainee's kernel. Modules:

- :mod:`~needling_sim.grading.plain`: what counts as a plain value, and its JSON form;
- :mod:`~needling_sim.grading.answers`: reading answer cells from their text;
- :mod:`~needling_sim.grading.checks`: :func:`answer`, :class:`WrongAnswer`, :func:`passed`;
- :mod:`~needling_sim.grading.context`: :func:`student_id`, set by the grader;
- :mod:`~needling_sim.grading.trusted`: :func:`~needling_sim.grading.trusted.check_cell`.
"""

from .checks import WrongAnswer, answer, passed
from .context import student_id

__all__ = ["WrongAnswer", "answer", "passed", "student_id"]
