"""Findings and rules: the Rule type every screening and plan rule is declared with."""

import dataclasses

import pytest

from needling_sim.findings import Finding, Rule, Severity, rule


@rule("test_rule", "skin.pih_lit", "skin.s0")
def _flagged(context, this):
    if context == "none":
        return None
    if context == "one":
        return this.finding("caution", "One.")
    return (this.finding("info", f"Item {i}.", session=i) for i in (1, 2))


def test_the_decorator_makes_a_frozen_rule_with_its_claims():
    assert isinstance(_flagged, Rule)
    assert (_flagged.name, _flagged.claims) == ("test_rule", ("skin.pih_lit", "skin.s0"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        _flagged.name = "other"


def test_a_rule_always_returns_a_tuple_of_findings():
    assert _flagged("none") == ()
    (one,) = _flagged("one")
    assert one == Finding("test_rule", Severity.CAUTION, "One.", ("skin.pih_lit", "skin.s0"))
    assert [f.session for f in _flagged("many")] == [1, 2]


def test_a_finding_cites_the_rules_claims_unless_told_otherwise():
    assert _flagged.finding("info", "m", sources=("spacing.s0",)).sources == ("spacing.s0",)
    with pytest.raises(KeyError, match="not in the evidence ledger"):
        _flagged.finding("info", "m", sources=("no.such.claim",))


def test_a_rule_needs_a_name_and_ledger_claims():
    with pytest.raises(KeyError, match="not in the evidence ledger"):
        rule("x", "no.such.claim")
    with pytest.raises(ValueError, match="at least one claim id"):
        rule("x")
    with pytest.raises(TypeError, match="name must be a non-empty str"):
        rule("", "skin.s0")
