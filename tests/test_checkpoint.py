"""Predict, commit, check: a learner commits a value before the answer unfolds, in the live
notebook and in the offline report, and a wrong answer hears what reasoning leads to it."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from importlib import resources

import nbformat
import numpy as np
import pytest

import comsim
from comsim.engines.trace import MIB
from comsim.model.text import number
from comsim.publish.offline import WIDGET_VIEW, OfflineWidgetPreprocessor, find_remote_references
from comsim.teaching.predict import ANSWER_SUMMARY, METADATA_KEY, Prediction, predict

COPY_NOT_FREED = "Release on a copy does not free it; the proxy manager keeps it."


@pytest.fixture(scope="module")
def growth_mib() -> float:
    """The KB loop's growth of private bytes, as the model computes it."""
    return comsim.simulate().summary.growth_bytes / MIB


def _memory_question(growth_mib: float, **kw) -> Prediction:
    settings = dict(
        unit="MiB",
        tolerance=0.05,
        relative=True,
        hints=[(0, COPY_NOT_FREED)],
        explanation="Every copy stays until the final release.",
        key="memory-after-loop",
    )
    settings.update(kw)
    return predict("How much do private bytes grow during the loop?", growth_mib, **settings)


def _release_question() -> Prediction:
    return predict(
        "Which Release returns 0?",
        "pItf->Release()",
        choices=["pCS->Release()", "pCopy->Release()", "pItf->Release()"],
        hints=[("pCopy->Release()", "The copy's Release lands on the proxy manager's count.")],
        explanation="Only the last pointer to the proxy manager brings its count to 0.",
    )


# -- checking in Python (what the Check button calls) --------------------------------------------
def test_a_prediction_within_the_tolerance_is_right(growth_mib):
    question = _memory_question(growth_mib)
    feedback = question.check(growth_mib * 1.04)
    assert feedback.startswith("Right")
    assert number(growth_mib, "MiB") in feedback
    assert question.committed


def test_a_wrong_answer_a_hint_foresaw_gets_that_hints_diagnosis(growth_mib):
    question = _memory_question(growth_mib)
    feedback = question.check("0")
    assert feedback.startswith("Not yet")
    assert COPY_NOT_FREED in feedback


def test_another_wrong_number_hears_whether_it_is_too_high_or_too_low(growth_mib):
    question = _memory_question(growth_mib)
    assert "too high" in question.check(growth_mib * 2)
    assert "too low" in question.check(growth_mib / 2)
    assert COPY_NOT_FREED not in question.last_feedback


def test_a_learner_may_type_numbers_as_people_write_them(growth_mib):
    question = predict("How many copies?", 20_001, unit="copies")
    assert question.check("20,001").startswith("Right")
    assert question.check("20 001 copies").startswith("Right")
    assert question.check(np.int64(20_001)).startswith("Right")
    assert "20,000 copies is too low" in question.check("20,000 copies")


def test_unreadable_input_asks_again_without_committing(growth_mib):
    question = _memory_question(growth_mib)
    feedback = question.check("forty")
    assert "enter a number" in feedback and "MiB" in feedback
    assert not question.committed


def test_choices_accept_the_right_option_and_diagnose_a_foreseen_wrong_one():
    question = _release_question()
    assert "proxy manager's count" in question.check("pCopy->Release()")
    assert "is not it" in question.check("pCS->Release()")
    assert question.check("pItf->Release()").startswith("Right")


def test_numbers_in_feedback_carry_thousands_separators_and_units():
    assert number(20_001, "iterations") == "20,001 iterations"
    assert number(41_943_040.0, "B") == "41,943,040 B"
    assert number(40.0781, "MiB") == "40.1 MiB"
    assert number(0.00712, "MiB") == "0.00712 MiB"
    assert number(12.5, "%") == "12.5%"


# -- the live widget ------------------------------------------------------------------------------
def test_the_answer_stays_folded_until_the_learner_commits_a_value(growth_mib):
    question = _memory_question(growth_mib)
    widget = question.widget
    assert question.show_answer.layout.display == "none"
    question.show_answer.value = True  # forced open before any commit: stays folded
    assert not question.answer_visible
    assert question.answer_box.value == ""  # the answer is not even in the widget's state

    question.input.value = "1"  # Enter in the input box commits a wrong value
    assert "too low" in question.feedback.value
    assert question.show_answer.layout.display != "none"
    question.show_answer.value = True
    assert question.answer_visible
    assert number(growth_mib, "MiB") in question.answer_box.value
    assert "Every copy stays" in question.answer_box.value
    assert widget is question.widget


def test_the_check_button_checks_what_is_in_the_input(growth_mib):
    question = _memory_question(growth_mib)
    question.widget  # noqa: B018 - builds the widget
    question.input.value = "0"
    question.button.click()
    assert COPY_NOT_FREED in question.feedback.value
    assert 'role="status"' in question.feedback.value
    assert 'aria-live="polite"' in question.feedback.value


def test_choices_are_buttons_and_the_check_button_reads_the_one_picked():
    question = _release_question()
    question.widget  # noqa: B018 - builds the widget
    question.button.click()
    assert "choose one" in question.last_feedback and not question.committed
    question.input.value = "pItf->Release()"
    question.button.click()
    assert question.last_feedback.startswith("Right")


# -- the offline report ---------------------------------------------------------------------------
def test_the_display_offers_the_widget_and_a_self_contained_html_fallback(growth_mib):
    bundle, _metadata = _memory_question(growth_mib)._repr_mimebundle_()
    assert WIDGET_VIEW in bundle and "text/html" in bundle
    assert "Predict" in bundle["text/plain"]
    assert number(growth_mib, "MiB") not in bundle["text/plain"]


def test_the_output_says_what_was_asked_the_answer_its_unit_and_tolerance(growth_mib):
    _bundle, metadata = _memory_question(growth_mib)._repr_mimebundle_()
    [asked] = metadata[METADATA_KEY]["predictions"]
    assert asked["key"] == "memory-after-loop" and asked["kind"] == "predict"
    assert asked["prompt"] == "How much do private bytes grow during the loop?"
    assert asked["answer"] == growth_mib and asked["unit"] == "MiB"
    assert asked["tolerance"] == pytest.approx(0.05 * growth_mib)  # relative, made absolute
    assert asked["answer_text"] == number(growth_mib, "MiB")
    json.dumps(metadata)  # a notebook can store it


def test_a_report_keeps_the_checkpoints_html_and_drops_the_widget(growth_mib):
    bundle, metadata = _memory_question(growth_mib)._repr_mimebundle_()
    output = nbformat.v4.new_output("display_data", data=bundle, metadata=metadata)
    cell = nbformat.v4.new_code_cell("q", outputs=[output])
    nb = nbformat.v4.new_notebook(cells=[cell])
    OfflineWidgetPreprocessor().preprocess(nb, {})
    assert set(nb.cells[0].outputs[0].data) == {"text/html", "text/plain"}


def test_the_offline_html_fetches_nothing_and_labels_every_control(growth_mib):
    page = _memory_question(growth_mib).offline_html()
    assert find_remote_references(page) == []
    assert "http" not in page
    uid = "comsim-predict-memory-after-loop"
    assert f'<label for="{uid}-in">' in page and f'id="{uid}-in"' in page
    assert f'<button type="submit" id="{uid}-btn">Check</button>' in page
    assert re.search(r'role="status" aria-live="polite"', page)
    assert f'<details class="cp-answer" id="{uid}-answer" hidden>' in page
    assert f"<summary>{ANSWER_SUMMARY}</summary>" in page
    assert "focus-visible" in page


def test_offline_choices_are_labelled_radio_buttons_in_a_fieldset():
    page = _release_question().offline_html()
    assert page.count('type="radio"') == 3
    assert "<fieldset" in page and "<legend>" in page
    assert len(re.findall(r'<label class="cp-choice" for="', page)) == 3


def test_text_that_looks_like_markup_cannot_break_out_of_the_page():
    question = predict(
        "Is </script><b>bold</b> escaped?",
        1,
        hints=[(2, "</script><script>alert(1)</script>")],
        explanation="<img src=x>",
    )
    page = question.offline_html()
    assert "<b>bold</b>" not in page and "<img src=x>" not in page
    assert page.count("</script>") == 2  # the data block and the checking script


@pytest.mark.browser
def test_the_offline_check_in_a_browser_says_what_python_says(growth_mib):
    sync_api = pytest.importorskip("playwright.sync_api")

    question = _memory_question(growth_mib)
    choice = _release_question()
    page_html = f"<html><body>{question.offline_html()}{choice.offline_html()}</body></html>"
    uid = "#comsim-predict-memory-after-loop"
    # Playwright's sync API refuses a thread with a running asyncio loop (a kernel test in the
    # same worker may have left one), so the browser runs in a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(
            _drive_offline_checks, sync_api, page_html, uid, question, choice, growth_mib
        ).result()


def _drive_offline_checks(sync_api, page_html, uid, question, choice, growth_mib):
    from testkit.browser import launch_chromium

    with sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page()
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.set_content(page_html)
            assert page.is_hidden(f"{uid}-answer")
            page.fill(f"{uid}-in", "forty")
            page.press(f"{uid}-in", "Enter")
            assert page.is_hidden(f"{uid}-answer"), "unreadable input must not commit"
            for typed in ("0", "1e3", "20,001", f"{growth_mib:.2f}"):
                page.fill(f"{uid}-in", typed)
                page.press(f"{uid}-in", "Enter")  # the keyboard alone checks
                assert page.text_content(f"{uid}-fb") == question.check(typed), typed
            assert page.is_visible(f"{uid}-answer summary")
            choice_root = page.locator(".comsim-predict").nth(1)
            choice_root.locator("input[type=radio]").nth(1).check()
            choice_root.locator("button").click()
            assert choice_root.locator("[role=status]").text_content() == choice.check(
                "pCopy->Release()"
            )
            assert errors == []
        finally:
            browser.close()


# Questions of every kind the checker knows, and replies a learner might type to each: right,
# foreseen wrong, too high or low, unreadable, blank, with separators, units and odd spacing.
_KINDS = {
    "memory": (
        dict(answer=40.0625, unit="MiB", tolerance=0.05, relative=True, hints=[(0, "Not 0.")]),
        [
            "40",
            " 40.1 MiB ",
            "40 mib",
            "0",
            "0.01",
            "1e3",
            "-5",
            "38,000",
            "forty",
            "4O",
            "",
            "   ",
            "1e500",
            "Infinity",
            "nan",
            "--3",
            ".5",
            "+41",
            "4_0",
            "40 MiB MiB",
        ],
    ),
    "copies": (
        dict(answer=20_001, unit="copies", hints=[(1, "One copy per call, not one in all.")]),
        [
            "20,001",
            "20 001 copies",
            "20001.0",
            "20001.5",
            "1",
            "1 copies",
            "20,000 copies",
            "2e4",
            "20\u202f001",
            "twenty",
            "",
        ],
    ),
    "text": (
        dict(answer="proxy manager", hints=[("heap", "The heap only lends the memory.")]),
        [
            "proxy manager",
            " Proxy Manager ",
            "PROXY MANAGER",
            "heap",
            "Heap ",
            "the heap",
            "",
            "  ",
            "<b>proxy</b>",
        ],
    ),
}


@pytest.mark.browser
def test_a_reply_gets_the_same_verdict_and_words_in_the_page_as_in_python():
    """The page's script only looks replies up in the checker's table, so the browser and
    Answer.verdict agree on the status and on every word, for every kind of question."""
    sync_api = pytest.importorskip("playwright.sync_api")

    questions = [
        (predict(f"Question {name}?", key=f"kind-{name}", **settings), replies)
        for name, (settings, replies) in _KINDS.items()
    ]
    choice = _release_question()
    questions.append((choice, [None, *choice.expected.choices]))
    expected = [
        (k, reply, question.expected.verdict(reply).status, question.check(reply))
        for k, (question, replies) in enumerate(questions)
        for reply in replies
    ]
    page_html = "".join(question.offline_html() for question, _ in questions)
    with ThreadPoolExecutor(max_workers=1) as pool:  # see the browser test above
        seen = pool.submit(_verdicts_in_a_browser, sync_api, page_html, expected).result()

    assert seen == expected


def _verdicts_in_a_browser(sync_api, page_html, rows):
    """(widget, reply, status, feedback) as the page shows them, for each (widget, reply)."""
    from testkit.browser import launch_chromium

    with sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page()
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.set_content(f"<html><body>{page_html}</body></html>")
            seen = []
            for k, reply, _, _ in rows:
                root = page.locator(".comsim-predict").nth(k)
                if root.locator("input[type=text]").count():
                    root.locator("input[type=text]").fill(reply)
                elif reply is not None:
                    root.locator(f'input[type=radio][value="{reply}"]').check()
                root.locator("button").click()
                feedback = root.locator("[role=status]")
                status = feedback.get_attribute("class").split()[-1]
                seen.append((k, reply, status, feedback.text_content()))
            assert errors == []
            return seen
        finally:
            browser.close()


def test_the_pages_script_writes_no_rule_or_message_of_its_own():
    script = (resources.files("comsim.teaching") / "static" / "comsim.js").read_text()
    tables = [predict("Q?", **settings).expected.table() for settings, _ in _KINDS.values()]
    tables.append(_release_question().expected.table())
    said = [
        t[key]
        for t in tables
        for key in ("missing", "invalid", "above", "below", "otherwise")
        if key in t
    ]
    said += [band[2:] for t in tables for band in t.get("bands", [])]
    said += [verdict for t in tables for verdict in t.get("texts", {}).values()]
    words = {piece.strip(" .:") for _, message in said for piece in message.split("{given}")}

    assert [w for w in words if w and w in script] == []
    assert "tolerance" not in script and "casefold" not in script


# -- bad arguments ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "error", "names"),
    [
        (dict(question=""), ValueError, "question"),
        (dict(question=3), TypeError, "question"),
        (dict(answer=None), TypeError, "answer"),
        (dict(answer=True), TypeError, "answer"),
        (dict(answer=float("nan")), ValueError, "answer"),
        (dict(tolerance=-1), ValueError, "tolerance"),
        (dict(tolerance="5%"), TypeError, "tolerance"),
        (dict(tolerance=1.5, relative=True), ValueError, "tolerance"),
        (dict(relative="yes"), TypeError, "relative"),
        (dict(unit=None), TypeError, "unit"),
        (dict(hints=[(0,)]), TypeError, "hints[0]"),
        (dict(hints="0 is wrong"), TypeError, "hints"),
        (dict(hints=[(10, "right, not wrong")]), ValueError, "hints[0]"),
        (dict(key="has space"), ValueError, "key"),
        (dict(answer="b", choices=["a"]), ValueError, "choices"),
        (dict(answer="c", choices=["a", "b"]), ValueError, "answer must be one of 'a', 'b'"),
        (dict(answer=1, choices=["a", "b"]), TypeError, "choices"),
        (dict(answer="a", tolerance=0.1), ValueError, "tolerance"),
        (dict(said_as="refcount"), TypeError, "said_as"),
        (dict(said_as=[""]), ValueError, "said_as"),
    ],
)
def test_bad_arguments_are_refused_with_a_message_naming_the_parameter(kwargs, error, names):
    settings = dict(question="How many?", answer=10, tolerance=0.5)
    settings.update(kwargs)
    question = settings.pop("question")
    answer = settings.pop("answer")
    with pytest.raises(error, match=re.escape(names)):
        predict(question, answer, **settings)


def test_predict_is_part_of_the_public_api():
    assert comsim.predict is predict
    assert comsim.Prediction is Prediction
