"""The one answer checker (comsim.teaching.answers): its verdicts follow the stated rule, its
table is plain JSON data, and bad arguments are refused with the parameter's name."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from comsim.teaching.answers import Answer

finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)


@given(
    value=finite,
    tolerance=st.floats(min_value=0, max_value=1e6),
    reply=finite,
)
def test_a_number_is_right_exactly_when_it_is_within_the_tolerance(value, tolerance, reply):
    answer = Answer(value, tolerance=tolerance)
    inside = value - tolerance <= reply <= value + tolerance
    assert answer.verdict(reply).right == inside
    if not inside:
        word = "too high" if reply > value else "too low"
        assert word in answer.verdict(reply).message


@given(value=st.floats(min_value=1e-3, max_value=1e9), share=st.floats(0, 0.99), reply=finite)
def test_a_relative_tolerance_is_a_share_of_the_answer(value, share, reply):
    assume(abs(abs(reply - value) - share * value) > 1e-6 * value)  # off the band's edge
    answer = Answer(value, tolerance=share, relative=True)
    assert answer.verdict(reply).right == (abs(reply - value) <= share * value)


def test_a_hinted_wrong_number_gets_its_diagnosis_and_others_a_direction():
    answer = Answer(40.0, unit="MiB", tolerance=1, hints=[(0, "Release does not free a copy.")])
    assert answer.verdict("0.5 MiB").message == "Not yet: 0.5 MiB. Release does not free a copy."
    assert answer.verdict(80).message.startswith("Not yet: 80 is too high.")
    assert answer.verdict("20,000").status == "wrong"
    assert answer.verdict("40").message == "Right: 40; the answer is 40 MiB."


@pytest.mark.parametrize("reply", ["abc", "4O", "1e500", "nan", "--3", float("nan"), 2**2000])
def test_what_cannot_be_read_as_a_number_is_invalid_not_wrong(reply):
    assert Answer(3.0).verdict(reply).status == "invalid"


@pytest.mark.parametrize("reply", [None, "", "   "])
def test_nothing_given_is_missing(reply):
    assert Answer(3.0).verdict(reply).status == "missing"


def test_a_whole_answer_refuses_fractions_and_reads_separators():
    answer = Answer(20_001, whole=True)
    assert answer.verdict("20,001").right and answer.verdict("20 001").right
    assert answer.verdict("20001.5").status == "invalid"


def test_choices_are_matched_without_regard_to_case_or_spaces():
    answer = Answer("cache", choices=("cache", "copy each time"), hints=[("copy each time", "x")])
    assert answer.verdict(" Cache ").right
    assert answer.verdict("copy each time").message == "Not yet: copy each time. x"
    assert answer.verdict("something else").status == "invalid"


def test_free_text_that_is_not_foreseen_is_wrong():
    answer = Answer("proxy manager")
    assert answer.verdict("Proxy Manager").right
    assert answer.verdict("the heap").message.startswith("Not yet: the heap is not it.")


@given(value=finite, tolerance=st.floats(0, 100), reply=finite)
def test_the_table_is_json_and_holds_the_whole_rule(value, tolerance, reply):
    """A second reader of the table alone (as a static page's script is) gives the same
    verdict as Answer.verdict."""
    answer = Answer(value, tolerance=tolerance, hints=[(value + 3 * tolerance + 1, "close")])
    table = json.loads(json.dumps(answer.table()))
    band = next((b for b in table["bands"] if b[0] <= reply <= b[1]), None)
    expected = band[2:] if band else table["above" if reply > value else "below"]
    got = answer.verdict(reply)
    assert [got.status, got.message] == [expected[0], expected[1].replace("{given}", str(reply))]


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"value": float("inf")}, ValueError, "answer must be a finite number"),
        ({"value": 2**1100}, ValueError, "answer must be a finite number"),
        ({"value": None}, TypeError, "answer must be a non-empty str"),
        ({"value": 1.0, "tolerance": -1}, ValueError, "tolerance must be a finite number in"),
        ({"value": 1.0, "tolerance": 1, "relative": True}, ValueError, "tolerance"),
        ({"value": "a", "tolerance": 1}, ValueError, "numeric answers only"),
        ({"value": "a", "choices": ("a",)}, ValueError, "choices must be at least 2 options"),
        ({"value": "c", "choices": ("a", "b")}, ValueError, "answer must be one of 'a', 'b'"),
        ({"value": 1.0, "hints": "x"}, TypeError, "hints must be a sequence"),
        ({"value": 1.0, "hints": [(1.0, "same")]}, ValueError, "would be accepted as right"),
        ({"value": 1, "whole": True, "hints": [(2, "")]}, ValueError, "diagnosis"),
    ],
)
def test_bad_arguments_are_refused_with_their_name(kwargs, error, words):
    with pytest.raises(error) as info:
        Answer(**kwargs)
    assert words in str(info.value)


def test_the_expected_answer_reads_as_a_person_writes_it():
    assert Answer(40.0625, unit="MiB", tolerance=0.1).text() == "40.1 MiB"
    assert Answer(20_001, whole=True).text() == "20,001"
    assert math.isclose(Answer(2.5, tolerance=0.1, relative=True).spread(10), 1.0)
