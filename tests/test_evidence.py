"""The evidence ledger: shape, sources, conflicts, and that every citation resolves."""

import ast
import re
from pathlib import Path

import pandas as pd
import pytest

from needling_sim import evidence
from needling_sim.evidence import (
    COLUMNS,
    SOURCE_COLUMNS,
    SOURCE_TYPES,
    Source,
    claim,
    claim_ids,
    conflicts,
    conflicts_of,
    load_claims,
    load_sources,
    require_claims,
    source,
    source_ids,
    sources_of,
)

PACKAGE = Path(evidence.__file__).parent
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED_FILES = (
    "000_9935ce379b9fb6f4.txt",
    "001_f417b9583cb5b54d.txt",
    "002_d122edd26d192c88.txt",
    "003_5eeea979378cb349.txt",
    "004_55f0f796f35cad90.txt",
)


def test_ledger_has_the_required_columns_and_unique_ids():
    df = load_claims()
    assert list(df.columns) == list(COLUMNS)
    assert df["id"].is_unique
    assert set(df["source_kind"]) == {"seed", "literature", "assumption"}
    assert df["statement"].str.len().min() > 10


def test_seed_claims_cite_a_seed_file_and_assumptions_say_so():
    df = load_claims()
    seeds = df[df.source_kind == "seed"]
    assert set(seeds["source"]) == set(SEED_FILES), "every seed is cited and only seed files are"
    assumptions = df[df.source_kind == "assumption"]
    assert (assumptions["confidence"] == "low").all() | assumptions["source"].str.contains("ssumption").all()


def test_ranges_are_ordered():
    df = load_claims().dropna(subset=["value_low", "value_high"])
    assert (df["value_low"] <= df["value_high"]).all()
    assert (df.dropna(subset=["value_low"])["unit"] != "").all()


@pytest.mark.parametrize(
    "topic",
    ["sessions", "spacing", "redness", "aftercare", "collagen", "results", "procedure", "contraindications",
     "pre_care", "skin_types", "overclaims", "dermis", "healing_phases", "pain", "epidermis", "invasiveness",
     "home_devices", "pih", "depth", "areas"],
)
def test_every_topic_of_the_brief_is_covered(topic):
    assert topic in set(load_claims()["topic"])


@pytest.mark.parametrize(
    ("claim_id", "low", "high", "unit"),
    [
        ("spacing.s0", 28, 42, "days"),
        ("spacing.s1", 42, 56, "days"),
        ("spacing.s3", 42, 56, "days"),
        ("sessions.s0", 3, 6, "sessions"),
        ("sessions.s2", 4, 6, "sessions"),
        ("contra.isotretinoin.s3", 3, 3, "months"),
        ("contra.isotretinoin.label", 6, 6, "months"),
        ("contra.radiation.s3", 12, 12, "months"),
        ("pre.sun.s4", 14, 14, "days"),
        ("procedure.s0", 30, 60, "minutes"),
        ("effect.s2_early", 42, 56, "days"),
        ("collagen.s3_12m", 365, 365, "days"),
    ],
)
def test_key_values_match_the_seeds(claim_id, low, high, unit):
    c = claim(claim_id)
    assert (c.value_low, c.value_high, c.unit) == (low, high, unit)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("spacing.s0", "spacing.s1"),
        ("sessions.s0", "sessions.s3"),
        ("redness.s2", "redness.s1"),
        ("ointment.s1", "epidermis.s1"),
        ("collagen.s3_start", "collagen.lit_start"),
        ("contra.isotretinoin.s3", "contra.isotretinoin.label"),
        ("contra.isotretinoin.s3", "contra.isotretinoin.asds2017"),
        ("pain.s3", "pain.s0"),
        ("invasive.s2", "invasive.s3"),
        ("skin.s3", "skin.pih_lit"),
        ("home.s3", "home.s2"),
    ],
)
def test_known_conflicts_are_recorded_both_ways(a, b):
    assert b in {c.id for c in conflicts_of(a)}
    assert a in {c.id for c in conflicts_of(b)}


def test_conflicts_lists_each_pair_once():
    pairs = conflicts()
    keys = {frozenset(p) for p in zip(pairs["claim"], pairs["other"], strict=True)}
    assert len(keys) == len(pairs)
    spacing = conflicts("spacing")
    assert len(spacing) < len(pairs)
    assert {"claim_source", "other_source", "claim_statement", "other_statement"} <= set(spacing.columns)


def test_statements_are_paraphrases_not_copies():
    """No statement shares a run of 6 words with its seed page."""
    if not SEEDS.is_dir():
        pytest.skip(f"seed pages not found at {SEEDS}")
    words = re.compile(r"[a-z0-9]+")
    for row in load_claims().itertuples():
        if row.source_kind != "seed":
            continue
        seed = " ".join(words.findall((SEEDS / row.source).read_text("utf-8").lower()))
        toks = words.findall(row.statement.lower())
        for i in range(len(toks) - 5):
            assert " ".join(toks[i : i + 6]) not in seed, f"{row.id} copies its seed: {row.statement!r}"


def test_lookup_errors_name_the_problem():
    with pytest.raises(KeyError, match="nope"):
        claim("nope")
    with pytest.raises(TypeError, match="claim_id"):
        claim(3)
    with pytest.raises(ValueError, match="at least one"):
        require_claims()
    with pytest.raises(ValueError, match="topic 'nope'"):
        conflicts("nope")
    with pytest.raises(TypeError, match="topic"):
        conflicts(1)


def _cited_ids_in_package():
    """Every string literal in the package that looks like a claim id and is passed as one."""
    cited = set()
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in {"require_claims", "claim"}:
                    cited.update(a.value for a in node.args if isinstance(a, ast.Constant))
    return cited


def test_every_id_the_package_cites_exists():
    cited = _cited_ids_in_package()
    assert cited, "the package cites claims through require_claims()/claim()"
    assert cited <= claim_ids(), f"unknown ids: {sorted(cited - claim_ids())}"


def test_every_screening_rule_cites_claims():
    from needling_sim.screening import RULE_SOURCES

    for rule, sources in RULE_SOURCES.items():
        assert sources, rule
        assert set(sources) <= claim_ids(), rule


def test_load_claims_returns_a_fresh_frame():
    a = load_claims()
    a.loc[0, "statement"] = "changed"
    assert load_claims().loc[0, "statement"] != "changed"
    assert isinstance(a, pd.DataFrame)


def test_bad_ledger_rows_are_rejected(monkeypatch, tmp_path):
    import csv
    import io

    def ledger(**change):
        row = dict.fromkeys(COLUMNS, "")
        row.update(id="x.a", topic="t", statement="A statement.", source_kind="seed", source="s", confidence="low")
        row.update(source_ids="assumption")
        row.update(change)
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=COLUMNS)
        w.writeheader()
        w.writerow(row)
        return buf.getvalue()

    class Files:
        def __init__(self, text):
            self.text = text

        def joinpath(self, _):
            return self

        def read_text(self, _):
            return self.text

    cases = [
        (ledger(source_kind="blog"), "source_kind='blog'"),
        (ledger(confidence="sure"), "confidence='sure'"),
        (ledger(value_low="many"), "value_low='many'"),
        (ledger(conflicts_with="x.b"), "unknown id 'x.b'"),
        (ledger() + ledger().split("\n", 1)[1], "duplicate claim id"),
        (ledger(source_ids=""), "names no source_ids"),
        (ledger(source_ids="assumption;nobody2020"), "unknown source id 'nobody2020'"),
    ]
    evidence._sources()  # read the real sources file before the ledger file is replaced
    for text, message in cases:
        monkeypatch.setattr(evidence.resources, "files", lambda _pkg, t=text: Files(t))
        evidence._claims.cache_clear()
        with pytest.raises(ValueError, match=re.escape(message)):
            evidence._claims()
    monkeypatch.undo()
    evidence._claims.cache_clear()
    assert "spacing.s0" in claim_ids()


# ----------------------------------------------------------------------------- sources


def test_every_claim_names_sources_that_exist_and_every_source_is_cited():
    cited = {sid for cid in claim_ids() for sid in claim(cid).source_ids}
    assert cited == set(source_ids()), f"uncited sources: {sorted(set(source_ids()) - cited)}"
    for row in load_claims().itertuples():
        first = sources_of(row.id)[0]
        if row.source_kind == "seed":
            assert row.source_ids == (row.source,), row.id
        elif row.source_kind == "assumption":
            assert first.id == "assumption", row.id
        else:
            assert first.kind in {"literature", "regulation"}, row.id


def test_sources_have_readable_names_descriptions_and_citations():
    df = load_sources()
    assert list(df.columns) == [*SOURCE_COLUMNS, "claims"]
    assert df["id"].is_unique and set(df["kind"]) <= set(SOURCE_TYPES)
    assert set(df[df.kind == "seed"]["id"]) == set(SEED_FILES)
    for s in map(source, df["id"]):
        assert isinstance(s, Source)
        assert 10 <= len(s.name) <= 90, s.id
        assert s.description.endswith("."), s.id
        if s.kind == "seed":
            assert "marketing" in s.description and "Not peer reviewed" in s.citation, s.id
        if s.kind in {"literature", "regulation"} and not s.url:
            assert s.citation.endswith("No DOI or link recorded in the course's sources."), s.id
        if "doi:" in s.citation:
            doi = s.citation.split("doi:")[1].split(". ")[0].rstrip(".")
            assert s.url == f"https://doi.org/{doi}", s.id


def test_cmac_is_spelled_out():
    assert "Complications in Medical Aesthetics Collaborative" in source("cmac2021").citation
    assert sources_of("contra.hsv.cmac2021") == (source("cmac2021"),)


def test_source_lookup_errors_name_the_problem():
    with pytest.raises(KeyError, match="'nope' is not in sources.csv"):
        source("nope")
    with pytest.raises(TypeError, match="source_id must be a str"):
        source(3)


def test_sources_are_frozen():
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        source("alam2014").url = "x"


def test_every_conflict_is_recorded_on_both_sides():
    """A one-way link fails: each claim that names another as conflicting is named back."""
    one_way = [
        (cid, other)
        for cid in sorted(claim_ids())
        for other in claim(cid).conflicts_with
        if cid not in claim(other).conflicts_with
    ]
    assert not one_way, f"conflicts recorded one way only: {one_way}"
    assert all(cid not in claim(cid).conflicts_with for cid in claim_ids()), "a claim conflicts with itself"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("spacing.ablon2018", "spacing.s1"),
        ("spacing.ablon2018", "spacing.s3"),
        ("spacing.alam2014", "spacing.s2"),
        ("spacing.alam2014", "spacing.harris2015"),
        ("spacing.eldomyati2015", "spacing.s2"),
        ("spacing.eldomyati2015", "spacing.harris2015"),
        ("effect.s2_early", "effect.alam2014"),
        ("redness.depth", "redness.s1"),
        ("redness.depth", "model.redness_threshold"),
        ("benefit.s0", "contra.infection.s0"),
        ("invasive.s2", "epidermis.s2"),
        ("redness.s2", "barrier.s2"),
        ("effect.s3_first", "collagen.s3_start"),
        ("effect.s3_first", "effect.s3_full"),
        ("pain.s3", "numbing.s3"),
        ("invasive.s4", "scabs.s4"),
        ("scarless.s3", "adverse.chu2021"),
        ("safety.s3_indisputable", "adverse.chu2021"),
        ("products.s2", "risk.products.chu2021"),
        ("products.s3", "risk.products.chu2021"),
        ("products.s4", "risk.products.chu2021"),
        ("policy.healing_interval", "spacing.alam2014"),
        ("policy.depth_limit_assumed", "course.harris2015"),
    ],
)
def test_the_issues_missing_links_are_recorded(a, b):
    assert b in claim(a).conflicts_with and a in claim(b).conflicts_with


def test_number_fixes_of_the_issue():
    inflammation = claim("phase.inflammation.guo2010")
    assert (inflammation.value_low, inflammation.value_high) == (2, 5)  # "turns to proliferation around days 2 to 5"
    assert claim("phase.proliferation.guo2010").value_low == inflammation.value_high
    assert (claim("collagen.types").value_low, claim("collagen.types").value_high) == (0.3, 0.3)
    assert (claim("collagen.type_i_normal").value_low, claim("collagen.type_i_normal").value_high) == (0.8, 0.9)
    # "A few days": unlabelled numbers are gone; the labelled readings are assumptions.
    assert claim("redness.s0").value_low is None
    for cid in ("pre.retinoids_days_assumed", "after.actives_days_assumed"):
        assert claim(cid).source_kind == "assumption" and claim(cid).value_low == 5
    # 6 months is 182 days everywhere.
    six_months = [c for c in map(claim, claim_ids()) if c.unit == "days" and c.value_high in (180, 181, 183)]
    assert not six_months, [c.id for c in six_months]
    assert claim("spacing.s1_between").value_high == 182
    assert "last session" in claim("effect.s3_full").statement and claim("effect.full_anchor_assumed").value_low == 182
