"""The bibliography page: up to date with the ledger, every source with its name, description,
reference and link, every claim under each source it cites, in full, and readable Markdown."""

import importlib.util
import re
import sys
from pathlib import Path

import mistune
import pytest

from needling_sim.evidence import load_claims, load_sources, source

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("_make_bibliography", ROOT / "tools" / "make_bibliography.py")
mb = sys.modules.setdefault("_make_bibliography", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(mb)


@pytest.fixture(scope="module")
def page() -> str:
    return mb.render()


@pytest.fixture(scope="module")
def entries(page) -> dict[str, str]:
    """Each source's block of the page, by source name."""
    blocks = re.split(r"^### ", page, flags=re.M)[1:]
    return {block.split("\n", 1)[0]: block for block in blocks}


def test_the_committed_page_is_up_to_date(page):
    committed = mb.PAGE.read_text("utf-8")
    assert committed == page, "course/bibliography.md is out of date: run .venv/bin/python tools/make_bibliography.py"


def test_every_source_has_its_name_description_reference_and_link(entries):
    frame = load_sources()
    assert len(entries) == len(frame)
    for sid in frame["id"]:
        s = source(sid)
        block = entries[mb._md(s.name)]
        assert mb._md(s.description) in block
        assert f"`{s.id}`" in block
        reference = s.citation.replace(mb._NO_LINK, "").strip()
        assert f"**Reference:** {mb._md(reference)}" in block
        if s.url:
            assert f"]({s.url})" in block
        if "doi:10." in s.citation:
            assert "[DOI](https://doi.org/10." in block
        if "PubMed " in s.citation:
            assert "[PubMed](https://pubmed.ncbi.nlm.nih.gov/" in block
        if not (s.url or "doi:10." in s.citation or "PubMed " in s.citation):
            assert "**Link:** none recorded" in block


def test_seed_pages_say_what_they_are(entries):
    seeds = [source(sid) for sid in load_sources()["id"] if source(sid).kind == "seed"]
    assert len(seeds) == 5
    for s in seeds:
        block = entries[mb._md(s.name)]
        assert "marketing" in block and "Not peer reviewed" in block
    assert "Complications in Medical Aesthetics Collaborative" in entries[mb._md(source("cmac2021").name)]


def test_every_claim_is_listed_in_full_under_each_source_it_cites(entries):
    for c in load_claims().itertuples(index=False):
        for sid in c.source_ids:
            block = entries[mb._md(source(sid).name)]
            assert f"- `{c.id}`: {mb._md(c.statement)}" in block, (c.id, sid)
        for other in c.conflicts_with:
            line = next(li for li in entries[mb._md(source(c.source_ids[0]).name)].splitlines() if f"`{c.id}`:" in li)
            assert f"`{other}`" in line


def test_claim_counts_match_the_lists(entries):
    for block in entries.values():
        m = re.search(r"\*\*Claims citing it \((\d+)\):\*\*", block)
        listed = len(re.findall(r"^- `[^`]+`: ", block, flags=re.M))
        assert m and int(m.group(1)) == listed


def test_the_page_renders_as_markdown_with_working_links(page):
    html = mistune.html(page)
    assert html.count("<h1>") == 1 and html.count("<h2>") == 1 + len(mb.SECTIONS)
    hrefs = re.findall(r'<a href="([^"]+)"', html)
    assert hrefs and all(h.startswith("https://") for h in hrefs)
    recorded = {source(sid).url for sid in load_sources()["id"]} - {""}
    assert recorded <= set(hrefs)
    # escaped text comes out as written: no stray emphasis from ids with underscores
    assert "000_9935ce379b9fb6f4.txt" in html
    assert "<em>9935" not in html
    assert "…" not in page and "..." not in page


def test_markdown_escaping():
    assert mb._md("a_b*c [d] <e> `f` |g|") == r"a\_b\*c \[d\] \<e\> \`f\` \|g\|"


def test_check_mode_fails_on_a_stale_page_and_passes_on_a_fresh_one(tmp_path, capsys):
    out = tmp_path / "bibliography.md"
    assert mb.main(["--check", "--output", str(out)]) == 1  # missing
    out.write_text("# old\n", "utf-8")
    assert mb.main(["--check", "--output", str(out)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert mb.main(["--output", str(out)]) == 0
    assert mb.main(["--check", "--output", str(out)]) == 0
    assert out.read_text("utf-8") == mb.render()
