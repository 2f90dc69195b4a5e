"""The evidence ledger: every number the package uses, with its source.

The ledger is a CSV file shipped inside the package (``data/claims.csv``), one row
per claim. A claim is a short paraphrase of what a seed page or a published source
says, with a value or range and its unit. ``source_kind`` is one of ``seed`` (one of
the five clinic pages, cited by file name), ``literature`` (cited by author, year and
journal) or ``assumption`` (a teaching assumption, labelled as such).

Claims that contradict each other name each other in ``conflicts_with``, on both
sides; the seeds disagree openly and the course teaches trainees to notice it.

Every claim also names its sources by id (``source_ids``, the primary one first) in a
second file, ``data/sources.csv``: one row per clinic page, publication, regulation or
kind of assumption, with a short readable name, a one-line description, the full
citation and a link (a DOI or PubMed address) where one is recorded.
:func:`source` and :func:`sources_of` read it; a bibliography is built from
:func:`load_sources`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pandas as pd

__all__ = [
    "COLUMNS",
    "SOURCE_COLUMNS",
    "SOURCE_KINDS",
    "SOURCE_TYPES",
    "Claim",
    "Source",
    "claim",
    "claim_ids",
    "conflicts",
    "conflicts_of",
    "load_claims",
    "load_sources",
    "require_claims",
    "source",
    "source_ids",
    "sources_of",
]

COLUMNS = (
    "id",
    "topic",
    "statement",
    "value_low",
    "value_high",
    "unit",
    "source_kind",
    "source",
    "source_ids",
    "confidence",
    "conflicts_with",
)
SOURCE_KINDS = ("seed", "literature", "assumption")
SOURCE_COLUMNS = ("id", "kind", "name", "description", "citation", "url")
#: Kinds of row in ``sources.csv``: a clinic page, a publication, a regulation or
#: drug label, the course's evidence brief, or the course's own assumptions.
SOURCE_TYPES = ("seed", "literature", "regulation", "brief", "assumption")
CONFIDENCES = ("low", "medium", "high")


@dataclass(frozen=True)
class Claim:
    """One row of the evidence ledger.

    Attributes
    ----------
    id : str
        Stable identifier such as ``"spacing.s0"``; rules and parameters cite it.
    topic : str
        Grouping used by lessons (``"spacing"``, ``"contraindications"``, ...).
    statement : str
        A short paraphrase of the claim (never a copy of the source's words).
    value_low, value_high : float or None
        The value or range the claim gives, in ``unit``; None when it gives none.
    unit : str
        Unit of the value (``"days"``, ``"mm"``, ...) or ``""``.
    source_kind : str
        ``"seed"``, ``"literature"`` or ``"assumption"``.
    source : str
        Seed file name or citation, as written in the ledger.
    source_ids : tuple of str
        Ids of its sources in ``sources.csv`` (see :func:`source`), primary first.
    confidence : str
        ``"low"``, ``"medium"`` or ``"high"``.
    conflicts_with : tuple of str
        Ids of claims this one contradicts.
    """

    id: str
    topic: str
    statement: str
    value_low: float | None
    value_high: float | None
    unit: str
    source_kind: str
    source: str
    source_ids: tuple[str, ...]
    confidence: str
    conflicts_with: tuple[str, ...]


@dataclass(frozen=True)
class Source:
    """One source the ledger cites: a clinic page, a publication, a rule or an assumption.

    Attributes
    ----------
    id : str
        Stable id (a seed's file name, or a short key such as ``"alam2014"``).
    kind : str
        One of :data:`SOURCE_TYPES`.
    name : str
        A short readable name for lists and charts (``"Alam et al. 2014: randomised
        trial of needling for acne scars"``).
    description : str
        One or two sentences: what it is and what it claims.
    citation : str
        The full reference; says so when no DOI or link is recorded.
    url : str
        A DOI or PubMed address, or ``""`` when none is recorded.
    """

    id: str
    kind: str
    name: str
    description: str
    citation: str
    url: str


def _number(text: str, claim_id: str, field: str) -> float | None:
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"claims.csv: claim {claim_id!r} has {field}={text!r}; expected a number or empty") from None


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("needling_sim").joinpath(f"data/{name}").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def _sources() -> dict[str, Source]:
    out: dict[str, Source] = {}
    for row in _read_csv("sources.csv"):
        sid = row["id"]
        if sid in out:
            raise ValueError(f"sources.csv: duplicate source id {sid!r}")
        if row["kind"] not in SOURCE_TYPES:
            raise ValueError(
                f"sources.csv: source {sid!r} has kind={row['kind']!r}; allowed: {', '.join(SOURCE_TYPES)}"
            )
        for col in ("name", "description", "citation"):
            if not row[col].strip():
                raise ValueError(f"sources.csv: source {sid!r} has an empty {col}")
        if row["url"] and not row["url"].startswith("https://"):
            raise ValueError(f"sources.csv: source {sid!r} has url={row['url']!r}; expected an https:// address")
        out[sid] = Source(**{c: row[c] for c in SOURCE_COLUMNS})
    return out


@lru_cache(maxsize=1)
def _claims() -> dict[str, Claim]:
    rows = _read_csv("claims.csv")
    known_sources = _sources()
    claims: dict[str, Claim] = {}
    for row in rows:
        cid = row["id"]
        if cid in claims:
            raise ValueError(f"claims.csv: duplicate claim id {cid!r}")
        if row["source_kind"] not in SOURCE_KINDS:
            raise ValueError(
                f"claims.csv: claim {cid!r} has source_kind={row['source_kind']!r}; allowed: {', '.join(SOURCE_KINDS)}"
            )
        if row["confidence"] not in CONFIDENCES:
            raise ValueError(
                f"claims.csv: claim {cid!r} has confidence={row['confidence']!r}; allowed: {', '.join(CONFIDENCES)}"
            )
        ids = tuple(i for i in row["source_ids"].split(";") if i)
        if not ids:
            raise ValueError(f"claims.csv: claim {cid!r} names no source_ids")
        for sid in ids:
            if sid not in known_sources:
                raise ValueError(f"claims.csv: claim {cid!r} names unknown source id {sid!r} (see sources.csv)")
        claims[cid] = Claim(
            id=cid,
            topic=row["topic"],
            statement=row["statement"],
            value_low=_number(row["value_low"], cid, "value_low"),
            value_high=_number(row["value_high"], cid, "value_high"),
            unit=row["unit"],
            source_kind=row["source_kind"],
            source=row["source"],
            source_ids=ids,
            confidence=row["confidence"],
            conflicts_with=tuple(c for c in row["conflicts_with"].split(";") if c),
        )
    for c in claims.values():
        for other in c.conflicts_with:
            if other not in claims:
                raise ValueError(f"claims.csv: claim {c.id!r} conflicts with unknown id {other!r}")
    return claims


def claim_ids() -> frozenset[str]:
    """Return the set of every claim id in the ledger.

    Examples
    --------
    >>> "spacing.s0" in claim_ids()
    True
    """
    return frozenset(_claims())


def claim(claim_id: str) -> Claim:
    """Look up one claim by id.

    Parameters
    ----------
    claim_id : str
        A ledger id such as ``"spacing.s1"``.

    Returns
    -------
    Claim

    Raises
    ------
    TypeError
        If ``claim_id`` is not a string.
    KeyError
        If no claim has that id.

    Examples
    --------
    >>> c = claim("spacing.s1")
    >>> (c.value_low, c.value_high, c.unit, c.source)
    (42.0, 56.0, 'days', '001_f417b9583cb5b54d.txt')
    """
    if not isinstance(claim_id, str):
        raise TypeError(f"claim_id must be a str, got {type(claim_id).__name__}: {claim_id!r}")
    try:
        return _claims()[claim_id]
    except KeyError:
        raise KeyError(
            f"claim_id {claim_id!r} is not in the evidence ledger; see needling_sim.evidence.load_claims() for the ids"
        ) from None


def require_claims(*claim_ids_: str) -> tuple[str, ...]:
    """Check that every id exists and return them as a tuple.

    Modules call this when they define a rule or parameter so that a typo in a
    citation fails at import time rather than in a lesson.

    Examples
    --------
    >>> require_claims("spacing.s0", "spacing.s1")
    ('spacing.s0', 'spacing.s1')
    """
    if not claim_ids_:
        raise ValueError("require_claims needs at least one claim id; every number must cite one")
    for cid in claim_ids_:
        claim(cid)
    return tuple(claim_ids_)


def load_claims() -> pd.DataFrame:
    """Return the whole ledger as a DataFrame, one row per claim.

    Columns are ``COLUMNS``; ``conflicts_with`` holds a tuple of ids and the
    value columns are floats (NaN where the claim gives no number).

    Examples
    --------
    >>> df = load_claims()
    >>> sorted(df["source_kind"].unique())
    ['assumption', 'literature', 'seed']
    >>> df.set_index("id").loc["spacing.s0", "value_high"]
    np.float64(42.0)
    """
    rows = [c.__dict__ for c in _claims().values()]
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    df["value_low"] = df["value_low"].astype("float64")
    df["value_high"] = df["value_high"].astype("float64")
    return df


def source(source_id: str) -> Source:
    """Look up one source by id.

    Parameters
    ----------
    source_id : str
        An id from ``sources.csv``: a seed's file name or a key such as ``"alam2014"``.

    Returns
    -------
    Source

    Raises
    ------
    TypeError
        If ``source_id`` is not a string.
    KeyError
        If no source has that id.

    Examples
    --------
    >>> s = source("alam2014")
    >>> s.kind, s.url
    ('literature', 'https://doi.org/10.1001/jamadermatol.2013.8687')
    >>> source("003_5eeea979378cb349.txt").name
    "Clinic page D: 'What Is Micro-Needling?'"
    """
    if not isinstance(source_id, str):
        raise TypeError(f"source_id must be a str, got {type(source_id).__name__}: {source_id!r}")
    try:
        return _sources()[source_id]
    except KeyError:
        raise KeyError(
            f"source_id {source_id!r} is not in sources.csv; see needling_sim.evidence.source_ids() for the ids"
        ) from None


def source_ids() -> tuple[str, ...]:
    """Every source id, in the file's order (seeds first, then the brief, assumptions, literature).

    Examples
    --------
    >>> source_ids()[:2]
    ('000_9935ce379b9fb6f4.txt', '001_f417b9583cb5b54d.txt')
    """
    return tuple(_sources())


def sources_of(claim_id: str) -> tuple[Source, ...]:
    """The sources a claim cites, primary first.

    Examples
    --------
    >>> [s.id for s in sources_of("model.type_iii_weight")]
    ['assumption', 'alam2014', 'wound_reviews']
    """
    return tuple(_sources()[sid] for sid in claim(claim_id).source_ids)


def load_sources() -> pd.DataFrame:
    """Every source as a DataFrame (columns :data:`SOURCE_COLUMNS` plus ``claims``, the ids citing it).

    Examples
    --------
    >>> df = load_sources().set_index("id")
    >>> "Complications in Medical Aesthetics Collaborative" in df.loc["cmac2021", "description"]
    True
    >>> "contra.hsv.cmac2021" in df.loc["cmac2021", "claims"]
    True
    """
    citing: dict[str, list[str]] = {sid: [] for sid in _sources()}
    for c in _claims().values():
        for sid in c.source_ids:
            citing[sid].append(c.id)
    rows = [{**s.__dict__, "claims": tuple(citing[s.id])} for s in _sources().values()]
    return pd.DataFrame(rows, columns=[*SOURCE_COLUMNS, "claims"])


def conflicts_of(claim_id: str) -> tuple[Claim, ...]:
    """Return the claims that contradict ``claim_id`` (in either direction).

    Examples
    --------
    >>> sorted(c.id for c in conflicts_of("spacing.s0"))
    ['spacing.alam2014', 'spacing.eldomyati2015', 'spacing.s1', 'spacing.s1_between', 'spacing.s3']
    """
    this = claim(claim_id)
    ids = set(this.conflicts_with)
    ids.update(c.id for c in _claims().values() if claim_id in c.conflicts_with)
    return tuple(_claims()[i] for i in sorted(ids, key=list(_claims()).index))


def conflicts(topic: str | None = None) -> pd.DataFrame:
    """List every conflicting pair of claims once, optionally for one topic.

    Parameters
    ----------
    topic : str, optional
        Keep pairs where either claim has this topic. None keeps all.

    Returns
    -------
    pandas.DataFrame
        Columns ``claim``, ``claim_source``, ``claim_statement``, ``other``,
        ``other_source``, ``other_statement``, ``topic``.

    Examples
    --------
    >>> pairs = conflicts("spacing")
    >>> bool(((pairs["claim"] == "spacing.s0") & (pairs["other"] == "spacing.s1")).any())
    True
    """
    claims = _claims()
    if topic is not None:
        if not isinstance(topic, str):
            raise TypeError(f"topic must be a str or None, got {type(topic).__name__}")
        topics = {c.topic for c in claims.values()}
        if topic not in topics:
            raise ValueError(f"topic {topic!r} is not in the ledger; allowed: {', '.join(sorted(topics))}")
    order = {cid: i for i, cid in enumerate(claims)}
    seen: set[tuple[str, str]] = set()
    rows = []
    for c in claims.values():
        for other_id in c.conflicts_with:
            a, b = sorted((c.id, other_id), key=order.__getitem__)
            if (a, b) in seen:
                continue
            seen.add((a, b))
            ca, cb = claims[a], claims[b]
            if topic is not None and topic not in (ca.topic, cb.topic):
                continue
            rows.append(
                {
                    "claim": a,
                    "claim_source": ca.source,
                    "claim_statement": ca.statement,
                    "other": b,
                    "other_source": cb.source,
                    "other_statement": cb.statement,
                    "topic": ca.topic,
                }
            )
    return pd.DataFrame(
        rows,
        columns=["claim", "claim_source", "claim_statement", "other", "other_source", "other_statement", "topic"],
    )
