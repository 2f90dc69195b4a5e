"""Plain values: exact types only, a JSON round trip, clear refusals."""

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needling_sim.grading.plain import MAX_ITEMS, NotPlain, describe, from_json, to_json, to_plain

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.dates(),
    st.just(Ellipsis),
)
plain = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@given(plain)
def test_json_round_trip(value):
    assert from_json(json.loads(json.dumps(to_json(value)))) == to_plain(value)


class AlwaysEqual:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class SneakyStr(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


class SneakyList(list):
    def __eq__(self, other):
        return True

    def __len__(self):
        return 4


class SneakyDict(dict):
    def __contains__(self, key):
        return True


class SneakyInt(int):
    pass


@pytest.mark.parametrize(
    "value",
    [
        AlwaysEqual(),
        SneakyStr("defer"),
        SneakyList(),
        SneakyDict(a=1),
        SneakyInt(3),
        [SneakyStr("x")],
        {"k": AlwaysEqual()},
        dt.datetime(2026, 4, 19, 10, 0),
        print,
        type,
        object(),
    ],
)
def test_objects_that_are_not_plain_are_refused(value):
    with pytest.raises(NotPlain, match="plain value|keys"):
        to_plain(value)


def test_dict_keys_must_be_text():
    with pytest.raises(NotPlain, match="keys must be text"):
        to_plain({1: "a"})


@pytest.mark.parametrize("value", [float("nan"), float("inf"), [float("-inf")]])
def test_non_finite_numbers_are_refused(value):
    with pytest.raises(NotPlain, match="not finite"):
        to_plain(value)


def test_size_limits():
    with pytest.raises(NotPlain, match="more than"):
        to_plain(list(range(MAX_ITEMS + 1)))
    with pytest.raises(NotPlain, match="characters"):
        to_plain("x" * 100_001)


def test_tuples_and_sets_become_lists():
    assert to_plain((1, {3, 2})) == [1, [2, 3]]


@pytest.mark.parametrize("obj", [{"$date": "2026-13-01"}, {"$date": 20260101}, {"$date": "2026-1-1"}])
def test_bad_exported_dates_are_refused(obj):
    with pytest.raises(NotPlain, match="not a real date"):
        from_json(obj)


def test_describe_names_kinds_for_trainees():
    assert describe(dt.date(2026, 1, 1)) == "a date"
    assert describe(True) == "True or False"
    assert describe(AlwaysEqual()) == "a AlwaysEqual object"
