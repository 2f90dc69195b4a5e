"""data/parameters.csv: every number the code chooses, with bounds and a claim."""

import pytest

from needling_sim.evidence import claim
from needling_sim.parameters import PARAMETER_COLUMNS, load_parameters, parameter, parameter_names


def test_every_parameter_cites_a_claim_and_lies_in_its_bounds():
    for name in parameter_names():
        p = parameter(name)
        assert claim(p.claim_id).id == p.claim_id
        assert p.low is None or p.value >= p.low
        assert p.high is None or p.value <= p.high


def test_the_table_has_the_documented_columns_and_one_row_per_name():
    frame = load_parameters()
    assert tuple(frame.columns) == PARAMETER_COLUMNS
    assert frame["name"].is_unique


@pytest.mark.parametrize(("name", "error"), [(3, TypeError), ("no_such_number", KeyError)])
def test_an_unknown_name_names_itself(name, error):
    with pytest.raises(error, match=repr(name)):
        parameter(name)


def test_every_value_agrees_with_the_figure_of_its_claim():
    """Where the cited claim gives a figure, the row lies inside it (and equals it when it is one number)."""
    for name in parameter_names():
        p, c = parameter(name), claim(parameter(name).claim_id)
        if c.value_low is None or c.value_high is None:
            continue
        assert c.value_low <= p.value <= c.value_high, (name, p.value, c.id, c.value_low, c.value_high)
        if c.value_low == c.value_high:
            assert p.value == c.value_low, (name, p.value, c.id)


def test_bounds_have_the_values_type_and_order():
    for name in parameter_names():
        p = parameter(name)
        if p.low is not None and p.high is not None:
            assert p.low <= p.high, name
        if isinstance(p.value, int):
            assert all(b is None or isinstance(b, int) for b in (p.low, p.high)), name
