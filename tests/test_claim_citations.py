"""Every claim id cited in lesson and exercise text (course/, exercises/, solutions/) exists in the ledger.

Scans whatever notebooks are there (they are being rewritten): all of a markdown cell, and the string literals
of a code cell (so ``area.value`` in code is Python, ``"spacing.s0"`` is a citation). A claim id is a dotted
lowercase name whose first part is one of the ledger's first parts (``spacing.s0``,
``contra.isotretinoin.asds2017``, ``model.type_iii_weight``); names in another dotted name, calls, file names
and fragments ending in ``_`` (an id being built, ``"dermis.meng2022_" + area``) are not citations.
"""

import json
import re
from pathlib import Path

import pytest

from needling_sim.evidence import claim_ids

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIRS = ("course", "exercises", "solutions")
_FILE_SUFFIXES = {"py", "ipynb", "csv", "md", "txt", "html", "json", "png", "svg"}


def _id_pattern() -> re.Pattern:
    prefixes = sorted({cid.split(".")[0] for cid in claim_ids()}, key=len, reverse=True)
    return re.compile(
        r"(?<![\w./-])(?:" + "|".join(map(re.escape, prefixes)) + r")(?:\.[a-z0-9_]+)+(?![\w(])"
    )


def cited_ids(text: str) -> set[str]:
    """Claim-id-like names in a text (see the module docstring).

    >>> sorted(cited_ids("see `spacing.s0` and claim('contra.isotretinoin.asds2017'); course.py; x.spacing.s1"))
    ['contra.isotretinoin.asds2017', 'spacing.s0']
    """
    found = set()
    for m in _id_pattern().finditer(text):
        name = m.group(0).rstrip(".")
        if name.rsplit(".", 1)[-1] in _FILE_SUFFIXES or name.endswith("_"):
            continue
        found.add(name)
    return found


def _notebooks():
    return sorted(p for d in NOTEBOOK_DIRS for p in (ROOT / d).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def test_the_scan_finds_the_notebooks_and_their_citations():
    books = _notebooks()
    assert books, "no notebooks found under course/, exercises/ or solutions/"
    assert any(cited_ids(_text(b)) for b in books), "no claim id is cited anywhere: the pattern is broken"


def test_the_pattern_knows_real_ids_from_python_names():
    assert cited_ids("the seed (`spacing.s1`) and Alam (spacing.alam2014).") == {"spacing.s1", "spacing.alam2014"}
    assert cited_ids("needling_sim.course.plan_course(...); outcome.SUMMARY_DAYS; areas.py; model.fit(") == set()
    assert cited_ids("spacing.nope") == {"spacing.nope"}  # an unknown id is still found, so the test below can fail
    assert cited_ids('"dermis.meng2022_" + area') == set()


_STRING = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")


_FIELD = re.compile(r"\{[^{}]*\}")


def _text(path: Path) -> str:
    """Markdown cells whole; code cells' string literals only."""
    nb = json.loads(path.read_text("utf-8"))
    parts = []
    for cell in nb.get("cells", []):
        source = "".join(cell.get("source", ""))
        if cell.get("cell_type") == "code":
            # String literals only, without f-string replacement fields ({area.value} is Python).
            source = _FIELD.sub(" ", " ".join(_STRING.findall(source)))
        parts.append(source)
    return "\n".join(parts)


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_cited_claim_id_exists(path):
    unknown = sorted(cited_ids(_text(path)) - claim_ids())
    assert not unknown, f"{path.relative_to(ROOT)} cites ids that are not in the ledger: {', '.join(unknown)}"
