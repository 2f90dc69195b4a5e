"""Read a trainee's answers from the text of their answer cells, without running anything.

An answer cell (an nbgrader ``solution`` code cell) holds lines such as::

    next_safe_rosa = date(2026, 4, 19)
    verdict = "defer"

:func:`read_literal_cell` reads such a cell with :mod:`ast`: only plain values are accepted
(see :mod:`needling_sim.grading.plain`), so reading an answer never executes a line of the
trainee's code. A cell that holds anything else (a loop, a call to the model: the optional
programming path) is *not literal*: the names it assigns are listed in
:attr:`AnswerSheet.needs_run`, and their values come from the sandboxed run instead.

Examples
--------
>>> read_literal_cell("x = date(2026, 4, 19)  # my answer\\nrules = ['a', 'b']")
{'x': datetime.date(2026, 4, 19), 'rules': ['a', 'b']}
>>> read_literal_cell("x = max(1, 2)") is None
True
"""

from __future__ import annotations

import ast
import datetime as dt
from dataclasses import dataclass, field

from .plain import NotPlain, to_plain

__all__ = ["AnswerSheet", "answer_cells", "assigned_names", "read_answers", "read_literal_cell"]

_DATE_CALLS = {("date",), ("dt", "date"), ("datetime", "date")}


@dataclass(frozen=True)
class AnswerSheet:
    """What a notebook's answer cells hold, read from their text.

    Attributes
    ----------
    values : dict
        Answer name -> plain value, from literal answer cells (the last assignment wins).
    needs_run : frozenset of str
        Names assigned by non-literal answer cells: their values must come from the sandbox.
    problems : dict
        Answer name (or cell id) -> a message for the trainee, e.g. a syntax error.
    """

    values: dict = field(default_factory=dict)
    needs_run: frozenset = frozenset()
    problems: dict = field(default_factory=dict)


class _NotLiteral(Exception):
    pass


def _dotted(node: ast.expr) -> tuple[str, ...] | None:
    if isinstance(node, ast.Name):
        return (node.id,)
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return None if head is None else (*head, node.attr)
    return None


def _literal(node: ast.expr) -> object:
    """The plain value an expression node spells, or raise _NotLiteral."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _literal(node.operand)
        if type(inner) in (int, float):
            return -inner if isinstance(node.op, ast.USub) else inner
        raise _NotLiteral
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = [_literal(item) for item in node.elts]
        if isinstance(node, ast.Set):
            if any(type(item) in (list, dict, set) for item in items):
                raise NotPlain("a set {...} can hold only single values; use a list [...] instead")
            return set(items)
        return items
    if isinstance(node, ast.Dict):
        if any(key is None for key in node.keys):
            raise _NotLiteral
        keys = [_literal(key) for key in node.keys]
        if any(type(key) is not str for key in keys):
            raise NotPlain("this answer's keys must be text in quotes")
        return {key: _literal(value) for key, value in zip(keys, node.values, strict=True)}
    if isinstance(node, ast.Call) and _dotted(node.func) in _DATE_CALLS and not node.keywords:
        parts = [_literal(arg) for arg in node.args]
        if len(parts) != 3 or any(type(p) is not int for p in parts):
            raise _NotLiteral
        try:
            return dt.date(*parts)
        except ValueError as error:
            raise NotPlain(f"date{tuple(parts)} is not a real date ({error})") from None
    raise _NotLiteral


def _targets(statement: ast.stmt) -> list[str] | None:
    """Plain names a statement assigns (``x = ...``, ``x: int = ...``, ``a = b = ...``), else None."""
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
        targets = [statement.target]
    else:
        return None
    if all(isinstance(target, ast.Name) for target in targets):
        return [target.id for target in targets]
    return None


def assigned_names(source: str) -> list[str]:
    """Names a cell's top-level statements assign, in order (empty if it does not parse).

    Examples
    --------
    >>> assigned_names("a = 1\\nfor i in range(3):\\n    b = i\\nc: int = 2")
    ['a', 'c']
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names = []
    for statement in tree.body:
        for name in _targets(statement) or []:
            if name not in names:
                names.append(name)
    return names


def read_literal_cell(source: str) -> dict | None:
    """Read a literal answer cell: ``{name: plain value}``, or ``None`` if it holds other code.

    Expression statements that only name a value (``x`` on its own line, to show it) and
    ``pass`` are allowed and ignored.

    Raises
    ------
    SyntaxError
        If the cell is not valid Python.
    NotPlain
        If a value is literal but not plain (``date(2026, 2, 30)``, a dict with number keys).
    """
    tree = ast.parse(source)
    values: dict = {}
    for statement in tree.body:
        if isinstance(statement, ast.Pass) or (
            isinstance(statement, ast.Expr) and isinstance(statement.value, (ast.Name, ast.Constant))
        ):
            continue
        names = _targets(statement)
        if names is None:
            return None
        try:
            value = _literal(statement.value)
        except _NotLiteral:
            return None
        for name in names:
            values[name] = to_plain(value)
    return values


def answer_cells(cells) -> list:
    """The answer cells among ``cells``: nbgrader ``solution`` code cells, in order."""
    return [
        cell
        for cell in cells
        if cell.get("cell_type") == "code" and (cell.get("metadata", {}).get("nbgrader") or {}).get("solution")
    ]


def read_answers(nb) -> AnswerSheet:
    """Read every answer cell of ``nb`` (a notebook node or dict) into an :class:`AnswerSheet`.

    Examples
    --------
    >>> cell = {"cell_type": "code", "source": "verdict = 'defer'", "metadata": {"nbgrader": {"solution": True}}}
    >>> read_answers({"cells": [cell]}).values
    {'verdict': 'defer'}
    """
    cells = nb["cells"] if isinstance(nb, dict) else nb.cells
    values: dict = {}
    needs_run: set[str] = set()
    problems: dict = {}
    for index, cell in enumerate(answer_cells(cells)):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        grade_id = (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id", f"answer cell {index + 1}")
        try:
            literal = read_literal_cell(source)
        except SyntaxError as error:
            names = _names_in_broken_cell(source) or [grade_id]
            for name in names:
                problems[name] = (
                    f"this answer cell is not valid Python (line {error.lineno}: {error.msg}); "
                    "check quotes, brackets and commas"
                )
            continue
        except NotPlain as error:
            for name in assigned_names(source) or [grade_id]:
                problems[name] = str(error)
            continue
        if literal is None:
            for name in assigned_names(source):
                needs_run.add(name)
                values.pop(name, None)
            continue
        for name, value in literal.items():
            values[name] = value
            needs_run.discard(name)
            problems.pop(name, None)
    return AnswerSheet(values=values, needs_run=frozenset(needs_run), problems=problems)


def _names_in_broken_cell(source: str) -> list[str]:
    """Best-effort names of ``name = ...`` lines in a cell that does not parse as a whole."""
    names = []
    for line in source.splitlines():
        head, sep, _ = line.partition("=")
        head = head.strip()
        if sep and head.isidentifier() and not line.lstrip().startswith("#") and head not in names:
            names.append(head)
    return names
