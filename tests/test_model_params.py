"""ModelParams: every default, bound and source is a row of parameters.csv, and the rows agree with their claims."""

import dataclasses

import pytest

from needling_sim import ModelParams, median_multipliers
from needling_sim.evidence import claim, claim_ids
from needling_sim.model_params import MULTIPLIERS, PARAM_SOURCES, default_params
from needling_sim.parameters import parameter, parameter_names

FIELDS = [f.name for f in dataclasses.fields(ModelParams)]


def test_every_field_is_a_row_of_the_table():
    assert set(FIELDS) <= set(parameter_names())
    assert set(FIELDS) == set(PARAM_SOURCES) == set(ModelParams.SOURCES)
    assert set(PARAM_SOURCES.values()) <= claim_ids()


@pytest.mark.parametrize("name", FIELDS)
def test_the_code_value_equals_the_table(name):
    row = parameter(name)
    field = next(f for f in dataclasses.fields(ModelParams) if f.name == name)
    assert isinstance(row.value, float), "a float field is written with a decimal point"
    assert field.default == row.value
    assert getattr(ModelParams(), name) == row.value
    assert ModelParams.SOURCES[name] == PARAM_SOURCES[name] == row.claim_id


@pytest.mark.parametrize("name", FIELDS)
def test_the_claim_cited_agrees_with_the_value(name):
    row, c = parameter(name), claim(parameter(name).claim_id)
    if c.value_low is None:
        pytest.skip(f"{c.id} gives no figure")
    assert c.value_low <= row.value <= c.value_high, (name, row.value, c.id)
    if c.value_low == c.value_high:
        assert row.value == c.value_low


def test_the_claims_with_two_figures_give_one_to_each_field():
    age = claim("model.age_synthesis")
    assert (ModelParams().age_reference_years, ModelParams().age_halving_years) == (age.value_low, age.value_high)
    # Phase windows come straight from the literature claims (their later figures).
    assert ModelParams().fragile_full_days == claim("phase.inflammation.guo2010").value_high
    assert ModelParams().fragile_end_days == claim("phase.proliferation.guo2010").value_high


def test_model_assumptions_are_labelled_as_such():
    for cid in set(PARAM_SOURCES.values()):
        if cid.startswith("model."):
            c = claim(cid)
            assert c.source_kind == "assumption" and "ssumption" in c.source


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"fibroblast_clearance_per_day": -1}, ValueError, "fibroblast_clearance_per_day=-1.0"),
        ({"inflammation_half_life_days": float("nan")}, ValueError, "inflammation_half_life_days=nan"),
        ({"inflammation_half_life_days": 0}, ValueError, "allowed: .*at least 0.1 days"),
        ({"reinjury_collagen_damage": 1.5}, ValueError, "0 to 1"),
        ({"sigma_injury_gain": -0.1}, ValueError, "at least 0"),
        ({"injury_gain": True}, TypeError, "injury_gain must be a number"),
        ({"fragile_full_days": 30.0}, ValueError, "fragile_full_days=30.0.*allowed: below fragile_end_days=21.0"),
    ],
)
def test_bad_parameters_are_rejected(changes, error, match):
    with pytest.raises(error, match=match):
        ModelParams(**changes)


@pytest.mark.parametrize("name", FIELDS)
def test_each_field_takes_its_table_bounds_and_no_further(name):
    row = parameter(name)
    # fragile_end_days must also stay above fragile_full_days: lower that one to its own bound first.
    base = {"fragile_full_days": parameter("fragile_full_days").low} if name == "fragile_end_days" else {}
    if row.low is not None:
        if name != "fragile_end_days":
            assert getattr(ModelParams(**{name: row.low}), name) == row.low
        with pytest.raises(ValueError, match=f"{name}=.*parameters.csv"):
            ModelParams(**base, **{name: row.low - 1e-6})
    if row.high is not None:
        assert getattr(ModelParams(**{name: row.high}), name) == row.high
        with pytest.raises(ValueError, match=f"{name}=.*parameters.csv"):
            ModelParams(**{name: row.high + 1e-6})


def test_zero_spread_and_zero_penalties_are_allowed():
    p = ModelParams(sigma_collagen_synthesis=0, reinjury_collagen_damage=0, reinjury_inflammation_boost=0)
    assert p.sigma_collagen_synthesis == 0.0


def test_replace_and_the_shared_default():
    p = dataclasses.replace(ModelParams(), inflammation_half_life_days=3.0)
    assert p.inflammation_half_life_days == 3.0 and p != default_params() == ModelParams()
    with pytest.raises(dataclasses.FrozenInstanceError):
        default_params().injury_gain = 2.0


def test_median_multipliers_are_all_one():
    assert set(median_multipliers().values()) == {1.0} and len(median_multipliers()) == 5
    assert set(MULTIPLIERS.values()) == {f for f in FIELDS if f.startswith("sigma_")}
