"""Every number the code chooses, in one table beside the claims it comes from.

The table is ``data/parameters.csv``, one row per number: ``name`` (the identifier the
code reads it by), ``value``, ``unit``, the ``low`` and ``high`` bounds the code accepts
for it (empty: unbounded), the ``claim_id`` in the evidence ledger that the value comes
from (a seed page, a publication or a labelled assumption), and a one-line
``description``. Code never retypes one of these numbers: it reads :func:`parameter`,
and messages are formatted from the value read.

The file is checked when first read: names are unique identifiers, values are numbers
inside their bounds, and every claim id exists in ``claims.csv``.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .evidence import claim_ids

__all__ = ["PARAMETER_COLUMNS", "Parameter", "load_parameters", "parameter", "parameter_names"]

PARAMETER_COLUMNS = ("name", "value", "unit", "low", "high", "claim_id", "description")
_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")


@dataclass(frozen=True)
class Parameter:
    """One number the code uses, with its unit, accepted bounds and source claim.

    Attributes
    ----------
    name : str
        Identifier, with the unit in it where it has one (``max_sessions``, ``..._days``).
    value : int or float
        The value; an int when the file writes it without a decimal point.
    unit : str
        The unit in words (``days``, ``mm``, ``sessions``, ``1`` for a pure number).
    low, high : int, float or None
        The bounds the code accepts for this number (None: unbounded on that side).
    claim_id : str
        The ledger claim the value comes from (:func:`needling_sim.evidence.claim`).
    description : str
        What the number is for, in one line.
    """

    name: str
    value: int | float
    unit: str
    low: int | float | None
    high: int | float | None
    claim_id: str
    description: str


def _number(text: str, name: str, column: str, *, required: bool) -> int | float | None:
    if text == "" and not required:
        return None
    try:
        value = int(text) if re.fullmatch(r"-?\d+", text) else float(text)
    except ValueError:
        allowed = "a number" if required else "a number or empty"
        raise ValueError(f"parameters.csv: {name} has {column}={text!r}; allowed: {allowed}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"parameters.csv: {name} has {column}={text!r}; allowed: a finite number")
    return value


def _row(row: dict[str, str], known_claims: frozenset[str]) -> Parameter:
    name = row["name"]
    if not _NAME.match(name):
        raise ValueError(f"parameters.csv: name={name!r} is not allowed; allowed: lower_case_with_underscores")
    p = Parameter(
        name=name,
        value=_number(row["value"], name, "value", required=True),
        unit=row["unit"],
        low=_number(row["low"], name, "low", required=False),
        high=_number(row["high"], name, "high", required=False),
        claim_id=row["claim_id"],
        description=row["description"],
    )
    if p.claim_id not in known_claims:
        raise ValueError(f"parameters.csv: {name} cites claim_id={p.claim_id!r}, which is not in claims.csv")
    if not p.unit or not p.description.strip():
        raise ValueError(f"parameters.csv: {name} needs a unit and a description")
    if (p.low is not None and p.value < p.low) or (p.high is not None and p.value > p.high):
        raise ValueError(f"parameters.csv: {name}={p.value} lies outside its bounds {p.low} to {p.high}")
    return p


@lru_cache(maxsize=1)
def _parameters() -> dict[str, Parameter]:
    text = resources.files("needling_sim").joinpath("data/parameters.csv").read_text("utf-8")
    reader = csv.DictReader(text.splitlines())
    if tuple(reader.fieldnames or ()) != PARAMETER_COLUMNS:
        raise ValueError(f"parameters.csv: columns are {reader.fieldnames}; expected {list(PARAMETER_COLUMNS)}")
    known = claim_ids()
    out: dict[str, Parameter] = {}
    for row in reader:
        p = _row(row, known)
        if p.name in out:
            raise ValueError(f"parameters.csv: duplicate name {p.name!r}")
        out[p.name] = p
    return out


def parameter_names() -> tuple[str, ...]:
    """Every parameter's name, in file order.

    Examples
    --------
    >>> "max_sessions" in parameter_names()
    True
    """
    return tuple(_parameters())


def parameter(name: str) -> Parameter:
    """Return one parameter of ``data/parameters.csv`` by name.

    Parameters
    ----------
    name : str
        The parameter's name.

    Returns
    -------
    Parameter

    Raises
    ------
    TypeError
        ``name`` is not a str.
    KeyError
        No parameter has that name; the message lists the closest names.

    Examples
    --------
    >>> p = parameter("max_sessions")
    >>> p.value, p.unit
    (24, 'sessions')
    >>> parameter("max_sesions")
    Traceback (most recent call last):
    ...
    KeyError: "parameter name='max_sesions' is not in parameters.csv; did you mean: max_sessions"
    """
    if not isinstance(name, str):
        raise TypeError(f"parameter name must be a str, got {type(name).__name__} {name!r}")
    table = _parameters()
    if name not in table:
        import difflib

        close = difflib.get_close_matches(name, table, n=3) or sorted(table)[:3]
        raise KeyError(f"parameter name={name!r} is not in parameters.csv; did you mean: {', '.join(close)}")
    return table[name]


def load_parameters():
    """The whole table as a pandas DataFrame, one row per parameter (columns :data:`PARAMETER_COLUMNS`).

    Examples
    --------
    >>> load_parameters().set_index("name").loc["max_sessions", "claim_id"]
    'bound.max_sessions'
    """
    import pandas as pd

    return pd.DataFrame([vars(p) for p in _parameters().values()], columns=list(PARAMETER_COLUMNS))
