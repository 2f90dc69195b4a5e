"""Write the course's bibliography page, ``course/bibliography.md``, from the evidence ledger.

Every source in ``needling_sim/data/sources.csv`` gets an entry: its short name, what it is
(for a clinic page: whose marketing page and what it claims), the full reference, a DOI or
PubMed link where one is recorded, and every claim of ``claims.csv`` that cites it, written
out in full. Run it after changing either file; a test fails while the committed page is out
of date::

    .venv/bin/python tools/make_bibliography.py          # rewrite course/bibliography.md
    .venv/bin/python tools/make_bibliography.py --check  # exit 1 if it is out of date

The page is plain Markdown (JupyterLab: right-click it, Open With > Markdown Preview; GitHub
renders it too).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from needling_sim.evidence import Claim, Source, claim, load_sources, source

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "course" / "bibliography.md"

#: Sections of the page, in order: (heading, kinds of source, what the section holds).
SECTIONS = (
    (
        "The five clinic pages",
        ("seed",),
        "The course's facts start from five clinics' marketing pages (the \"seed\" pages, cited in the "
        "lessons by file name, such as `003_5eeea979378cb349.txt`). They are advertising, not peer-reviewed "
        "work: they disagree with each other and sometimes with themselves, and the course shows where. "
        "Their text is not part of the course; each entry says what the page is and what it claims.",
    ),
    (
        "Published literature",
        ("literature",),
        "Studies, reviews and guidelines the course checks the clinic pages against. Follow the link to "
        "read the abstract (most are free to read).",
    ),
    (
        "Rules and labels",
        ("regulation",),
        "A drug's prescribing information and a regulation the course cites.",
    ),
    (
        "The course's own material",
        ("brief", "assumption"),
        "Where no source gives a number the course makes a labelled teaching assumption; each claim below "
        "says what it is built on.",
    ),
)

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_PUBMED = re.compile(r"PubMed (\d+)")
_DOI = re.compile(r"doi:(10\.\S+?)\.?(?:\s|$)")
_NO_LINK = "No DOI or link recorded in the course's sources."


def _md(text: str) -> str:
    """Escape the characters Markdown would read as formatting."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _links(src: Source) -> list[tuple[str, str]]:
    """(label, address) of each link for a source: its recorded url, plus PubMed or DOI named in the citation."""
    links: list[tuple[str, str]] = []
    if src.url:
        label = "DOI" if "doi.org/" in src.url else "PubMed" if "pubmed" in src.url else "Read online"
        links.append((label, src.url))
    doi = _DOI.search(src.citation)
    if doi and not any(label == "DOI" for label, _ in links):
        links.append(("DOI", f"https://doi.org/{doi.group(1)}"))
    pubmed = _PUBMED.search(src.citation)
    if pubmed and not any(label == "PubMed" for label, _ in links):
        links.append(("PubMed", f"https://pubmed.ncbi.nlm.nih.gov/{pubmed.group(1)}/"))
    return links


def _value(c: Claim) -> str:
    if c.value_low is None or c.value_high is None:
        return ""
    lo, hi = f"{c.value_low:g}", f"{c.value_high:g}"
    number = lo if lo == hi else f"{lo} to {hi}"
    return f"{number} {c.unit}".strip()


def _short(claim_id: str) -> str:
    """The short name of a claim's primary source: its name up to the colon (``"Clinic page D"``)."""
    return source(claim(claim_id).source_ids[0]).name.split(":", 1)[0]


def _claim_line(c: Claim, source_id: str) -> str:
    notes = []
    if _value(c):
        notes.append(_value(c))
    if c.source_ids[0] != source_id:
        notes.append(f"primary source: {_md(source(c.source_ids[0]).name)}")
    if c.conflicts_with:
        notes.append("conflicts with " + ", ".join(f"`{o}` ({_md(_short(o))})" for o in c.conflicts_with))
    tail = f" *({'; '.join(notes)})*" if notes else ""
    return f"- `{c.id}`: {_md(c.statement)}{tail}"


def _entry(src: Source, claim_ids: tuple[str, ...]) -> list[str]:
    links = _links(src)
    link_text = " · ".join(f"[{label}]({url})" for label, url in links) if links else "none recorded"
    citation = src.citation.replace(_NO_LINK, "").strip()
    lines = [
        f"### {_md(src.name)}",
        "",
        _md(src.description),
        "",
        f"- **Reference:** {_md(citation)}",
        f"- **Link:** {link_text}",
        f"- **Id in the ledger:** `{src.id}`",
        "",
    ]
    n = len(claim_ids)
    lines.append(f"**Claims citing it ({n}):**" if n else "**Claims citing it:** none.")
    lines.append("")
    lines += [_claim_line(claim(cid), src.id) for cid in claim_ids]
    lines.append("")
    return lines


def render() -> str:
    """The bibliography page as Markdown text (deterministic: same data, same page)."""
    frame = load_sources()
    citing = {row.id: tuple(row.claims) for row in frame.itertuples(index=False)}
    sources = [source(sid) for sid in frame["id"]]
    kinds_known = {k for _, kinds, _ in SECTIONS for k in kinds}
    unknown = sorted({s.kind for s in sources} - kinds_known)
    if unknown:
        raise ValueError(f"sources.csv has kinds the bibliography has no section for: {', '.join(unknown)}")
    counts = {kind: sum(s.kind == kind for s in sources) for kind in kinds_known}
    with_link = sum(bool(_links(s)) for s in sources if s.kind == "literature")
    lines = [
        "# Bibliography: the sources behind the course",
        "",
        "Every number and rule in the course comes from a **claim** in the course's evidence ledger, and every "
        "claim names its sources. This page lists those sources: "
        f"{counts['seed']} clinic pages, {counts['literature']} published works ({with_link} with a DOI or "
        f"PubMed link), {counts['regulation']} rules or labels, and the course's own brief and teaching "
        "assumptions. Under each source are the claims that cite it, in full.",
        "",
        "The course is a teaching model, not clinical advice.",
        "",
        "*This page is generated from `needling_sim/data/sources.csv` and `needling_sim/data/claims.csv` by "
        "`tools/make_bibliography.py`; edit those files, not this page.*",
        "",
        "## Contents",
        "",
    ]
    for heading, kinds, _ in SECTIONS:
        lines.append(f"- {heading} ({sum(counts[k] for k in kinds)})")
    lines.append("")
    for heading, kinds, intro in SECTIONS:
        lines += [f"## {heading}", "", intro, ""]
        for src in sources:
            if src.kind in kinds:
                lines += _entry(src, citing[src.id])
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="only check that the page is up to date (exit 1 if not)")
    parser.add_argument("--output", type=Path, default=PAGE, help=f"page to write or check (default {PAGE})")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.output.read_text("utf-8") if args.output.is_file() else None
        if current != text:
            print(f"{args.output} is out of date: run .venv/bin/python tools/make_bibliography.py", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.write_text(text, "utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
