"""Checks: strict, chainable, one short kind message per wrong answer."""

import datetime as dt

import pytest

from needling_sim.grading import WrongAnswer, answer, passed
from needling_sim.grading.checks import Unreadable, same


def message(check):
    with pytest.raises(WrongAnswer) as info:
        check()
    return str(info.value)


@pytest.mark.parametrize(
    "method, args, example",
    [
        ("is_date", (), "date(2026, 4, 19)"),
        ("is_number", (), "a number"),
        ("is_whole_number", (), "a whole number"),
        ("is_text", (), "text in quotes"),
        ("is_choice", (["a", "b"],), "text in quotes"),
        ("is_list", (), "a list"),
        ("is_dict", (["a"],), "a dict"),
    ],
)
def test_unanswered_says_how_to_answer(method, args, example):
    text = message(lambda: getattr(answer("q", ...), method)(*args))
    assert text.startswith("q: No answer yet. Replace the ... with") and example in text


def test_wrong_kind_names_what_was_given():
    assert "it is text" in message(lambda: answer("q", "2026-04-19").is_date())
    assert "it is a date" in message(lambda: answer("q", dt.date(2026, 1, 1)).is_number())
    assert "it is True or False" in message(lambda: answer("q", True).is_number())


def test_ranges_name_the_unit():
    assert "between 0.25 and 2.5 mm" in message(lambda: answer("depth_mm", 3.0).is_number(0.25, 2.5, unit="mm"))
    assert "at least 1" in message(lambda: answer("n", 0).is_whole_number(low=1))
    assert answer("n", 42.0).is_whole_number().value == 42


def test_choices_ignore_case_and_spaces_and_list_the_options():
    assert answer("v", " DEFER ").is_choice(["proceed", "defer"]).value == "defer"
    assert '"proceed", "defer"' in message(lambda: answer("v", "later").is_choice(["proceed", "defer"]))


def test_lists_from_a_menu():
    menu = ["sun", "retinoid", "keloid"]
    assert answer("r", ["Sun", "keloid"]).is_list(options=menu).value == ["sun", "keloid"]
    assert "not on the menu" in message(lambda: answer("r", ["sunburn"]).is_list(options=menu))
    assert "listed twice" in message(lambda: answer("r", ["sun", "SUN"]).is_list(options=menu))
    assert "hold 2 items" in message(lambda: answer("r", ["sun"]).is_list(length=2))
    assert "Item 2" in message(lambda: answer("d", [dt.date(2026, 1, 1), "x"]).is_list(kind="date"))


def test_dicts_name_missing_keys():
    assert "missing 'Mei'" in message(lambda: answer("d", {"Rosa": 1}).is_dict(["Rosa", "Mei"]))


def test_equals_gives_why_and_source():
    text = message(lambda: answer("v", "proceed").equals("defer", why="sun in the last 2 weeks", source="pre.sun.s4"))
    assert text.startswith("v: Not yet. Sun in the last 2 weeks.")
    assert "pre.sun.s4" in text and "004_" in text  # the claim and the page behind it


def test_equals_tolerance_and_order():
    answer("x", 0.31).equals(0.3, why="", tolerance=0.02)
    answer("x", ["b", "a"]).equals(["a", "b"], why="", ignore_order=True)
    with pytest.raises(WrongAnswer):
        answer("x", ["b", "a"]).equals(["a", "b"], why="order matters")


def test_rejects_targets_common_mistakes():
    check = answer("d", dt.date(2026, 4, 13)).is_date()
    text = message(lambda: check.rejects({dt.date(2026, 4, 13): "that is the spacing date alone"}))
    assert text == "d: Not yet. That is the spacing date alone."
    answer("r", ["a"]).rejects({("b",): "no"})
    answer("r", ["b", "a"]).rejects({("a", "b"): "no"})
    assert message(lambda: answer("r", ["b", "a"]).rejects({("a", "b"): "no"}, ignore_order=True)) == "r: Not yet. No."
    assert message(lambda: answer("r", ["b"]).rejects({("b",): "no"})) == "r: Not yet. No."


def test_strict_comparison():
    assert not same(True, 1) and not same("1", 1) and same(2, 2.0)
    assert not same({"a": 1}, {"a": 1, "b": 2})


class AlwaysEqual:
    def __eq__(self, other):
        return True


def test_objects_are_refused_before_any_comparison():
    assert "plain value" in message(lambda: answer("v", AlwaysEqual()))


def test_unreadable_answers_carry_the_reason():
    assert message(lambda: answer("v", Unreadable("the cell is not valid Python"))) == (
        "v: The cell is not valid Python."
    )


def test_wrong_answer_renders_without_traceback():
    assert WrongAnswer("v: Not yet.")._render_traceback_() == ["v: Not yet."]


def test_wrong_answer_in_ipython_shows_one_line(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_cell("from needling_sim.grading import answer\nanswer('v', ...).is_choice(['a'])")
    out = capsys.readouterr()
    shown = (out.out + out.err).strip().splitlines()
    assert shown == ['v: No answer yet. Replace the ... with text in quotes, like "defer".']


def test_passed_says_what_it_means(capsys):
    passed("Question 1")
    assert "passes the checks shown here" in capsys.readouterr().out


def test_name_must_be_an_identifier():
    with pytest.raises(ValueError, match="variable's name"):
        answer("not a name", 1)
