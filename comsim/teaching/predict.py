"""Predict, commit, check: a question the learner answers before the notebook reveals it.

``predict`` builds one checkpoint. In a live notebook it is a small ipywidgets form: the
question, an input (or one button per choice), a "Check" button, a feedback line read out by
screen readers, and the answer with its explanation, folded until the learner has committed a
value. In an exported report (no kernel) the same form is plain HTML with a few lines of inline
JavaScript that check the answer in the browser; nothing is loaded from the network. Both come
from one ``Prediction``: its ``_repr_mimebundle_`` carries the widget view and the HTML, and the
report keeps the HTML (see ``comsim.publish.report.OfflineWidgetPreprocessor``).

The answer is always computed in the notebook from comsim, never typed in as a literal::

    growth_mib = comsim.simulate().summary.growth_bytes / MIB
    comsim.predict(
        "How much do private bytes grow during the KB's loop?",
        growth_mib, unit="MiB", tolerance=0.1, relative=True,
        hints=[(0, "Release on a copy does not free it: ...")],
        explanation="Every copy stays until the proxy manager's final release ...",
        key="01-growth",
    )

``Prediction.check(value)`` returns the feedback text; the Check button calls it with the
input's value, so tests can drive a checkpoint without a browser.
"""

from __future__ import annotations

import html
import json
import math
import numbers
import re
import uuid
from collections.abc import Sequence

import ipywidgets as widgets

__all__ = ["Prediction", "predict", "format_number"]

ANSWER_SUMMARY = "Answer (commit a prediction first)"
SHOW_ANSWER = "Show the answer"
HIDE_ANSWER = "Hide the answer"
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
# Colours with AA contrast on white (and on the dark text they sit under): no light grey.
_RIGHT_COLOUR = "#1b5e20"
_WRONG_COLOUR = "#8b1a1a"


# -- formatting numbers for people -----------------------------------------------------------------
def format_number(value: float, unit: str = "") -> str:
    """``value`` as a person writes it: thousands separators, at most three significant digits
    for small fractions, and the unit after a space (``40.1 MiB``, ``20,001 calls``)."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        text = f"{int(value):,}"
    elif abs(value) >= 1000:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:,.1f}"
    else:
        text = f"{value:.3g}"
    if not unit:
        return text
    return f"{text}{unit}" if unit in ("%", "×") else f"{text} {unit}"


def _inline(text: str) -> str:
    """Plain text to HTML, with `code` and **bold** marked up and blank lines as paragraphs."""
    out = html.escape(text)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", out)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", out) if p.strip()]
    return "".join(f"<p>{p}</p>" for p in paragraphs)


# -- validating the arguments ----------------------------------------------------------------
def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _text_argument(name: str, value: object, *, allow_empty: bool) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str; got {value!r} ({type(value).__name__})")
    if not allow_empty and not value.strip():
        raise ValueError(f"{name} must be a non-empty str; got {value!r}")
    return value


def _number_argument(name: str, value: object) -> float:
    if not _is_number(value):
        raise TypeError(
            f"{name} must be a real number (int, float or numpy number); got {value!r} "
            f"({type(value).__name__})"
        )
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    return value


# -- the checkpoint --------------------------------------------------------------------------------
class Prediction:
    """One predict-commit-check question.

    ``answer`` is a number (checked within ``tolerance``, absolute or, with ``relative=True``, a
    fraction of the answer) or a str (one of ``choices``, or free text compared without regard
    to case and surrounding spaces). ``hints`` pair a typical wrong answer with a diagnosis of
    the reasoning that leads to it. ``explanation`` is shown with the answer once the learner
    has committed a value. ``key`` names the checkpoint in the page (HTML ids, ``data-key``).

    Public state: ``committed`` (a value was checked), ``attempts``, ``last_feedback``,
    ``answer_visible``; widgets ``input``, ``button``, ``feedback``, ``show_answer``,
    ``answer_box`` and ``widget`` (the VBox that holds them).
    """

    def __init__(
        self,
        question: str,
        answer: float | int | str,
        *,
        unit: str = "",
        tolerance: float = 0.0,
        relative: bool = False,
        choices: Sequence[str] | None = None,
        hints: Sequence[tuple[object, str]] = (),
        explanation: str = "",
        key: str | None = None,
    ):
        self.question = _text_argument("question", question, allow_empty=False)
        self.unit = _text_argument("unit", unit, allow_empty=True).strip()
        self.explanation = _text_argument("explanation", explanation, allow_empty=True)
        if not isinstance(relative, bool):
            raise TypeError(f"relative must be True or False; got {relative!r}")
        self.relative = relative
        if key is not None:
            _text_argument("key", key, allow_empty=False)
            if not _KEY.match(key):
                raise ValueError(
                    "key must be letters, digits, '-' and '_' (it names HTML ids), starting "
                    f"with a letter or digit; got {key!r}"
                )
        self.key = key
        self.choices = self._check_choices(choices)
        self.numeric = _is_number(answer)
        if self.numeric:
            self.answer: float | int | str = _number_argument("answer", answer)
            if float(answer).is_integer() and isinstance(answer, numbers.Integral):
                self.answer = int(answer)
            if self.choices is not None:
                raise TypeError(
                    "answer must be one of the choices (a str) when choices are given; got "
                    f"the number {answer!r}"
                )
        elif isinstance(answer, str):
            if not answer.strip():
                raise ValueError("answer must be a number or a non-empty str; got ''")
            if self.choices is not None and answer not in self.choices:
                raise ValueError(
                    f"answer must be one of the choices {list(self.choices)}; got {answer!r}"
                )
            self.answer = answer
        else:
            raise TypeError(
                f"answer must be a number (int, float, numpy number) or a str; got {answer!r} "
                f"({type(answer).__name__})"
            )
        self.tolerance = _number_argument("tolerance", tolerance)
        if self.tolerance < 0:
            raise ValueError(f"tolerance must be >= 0; got {tolerance!r}")
        if not self.numeric and (self.tolerance or relative):
            raise ValueError(
                f"tolerance and relative apply to numeric answers only; the answer {answer!r} "
                f"is a str (got tolerance={tolerance!r}, relative={relative!r})"
            )
        if relative and self.tolerance >= 1:
            raise ValueError(
                "tolerance must be a fraction below 1 when relative=True (0.05 means within "
                f"5 %); got {tolerance!r}"
            )
        self.hints = self._check_hints(hints)
        self.attempts = 0
        self.last_feedback = ""
        self._status = "none"
        self._uid = key or "p-" + uuid.uuid4().hex[:8]
        self._widget: widgets.VBox | None = None

    # -- argument checks -----------------------------------------------------------------------
    @staticmethod
    def _check_choices(choices: object) -> tuple[str, ...] | None:
        if choices is None:
            return None
        if isinstance(choices, str) or not isinstance(choices, Sequence):
            raise TypeError(
                f"choices must be a sequence of str (e.g. a list) or None; got {choices!r}"
            )
        if len(choices) < 2:
            raise ValueError(f"choices must offer at least 2 options; got {list(choices)!r}")
        for item in choices:
            if not isinstance(item, str) or not item.strip():
                raise TypeError(f"choices must hold non-empty str only; got {item!r}")
        if len(set(choices)) != len(choices):
            raise ValueError(f"choices must not repeat; got {list(choices)!r}")
        return tuple(choices)

    def _check_hints(self, hints: object) -> tuple[tuple[object, str], ...]:
        if isinstance(hints, str) or not isinstance(hints, Sequence):
            raise TypeError(
                f"hints must be a sequence of (wrong answer, diagnosis) pairs; got {hints!r}"
            )
        checked = []
        for i, pair in enumerate(hints):
            if not isinstance(pair, tuple | list) or len(pair) != 2:
                raise TypeError(
                    f"hints[{i}] must be a (wrong answer, diagnosis) pair; got {pair!r}"
                )
            wrong, diagnosis = pair
            _text_argument(f"hints[{i}] diagnosis", diagnosis, allow_empty=False)
            if self.numeric:
                wrong = _number_argument(f"hints[{i}] wrong answer", wrong)
            elif not isinstance(wrong, str):
                raise TypeError(
                    f"hints[{i}] wrong answer must be a str, like the answer; got {wrong!r}"
                )
            elif self.choices is not None and wrong not in self.choices:
                raise ValueError(
                    f"hints[{i}] wrong answer must be one of the choices {list(self.choices)}; "
                    f"got {wrong!r}"
                )
            if self._is_right(wrong):
                raise ValueError(
                    f"hints[{i}] wrong answer {wrong!r} would be accepted as right (answer "
                    f"{self.answer!r}, tolerance {self.tolerance!r}); a hint must be wrong"
                )
            checked.append((wrong, diagnosis))
        return tuple(checked)

    # -- checking ------------------------------------------------------------------------------
    @property
    def absolute_tolerance(self) -> float:
        """How far a numeric answer may be off and still count as right."""
        if not self.numeric:
            return 0.0
        return self.tolerance * abs(self.answer) if self.relative else self.tolerance

    def _is_right(self, value: float | str) -> bool:
        if self.numeric:
            return abs(value - self.answer) <= self.absolute_tolerance
        return _same_text(value, self.answer)

    def _matches_hint(self, value: float | str, wrong: float | str) -> bool:
        if not self.numeric:
            return _same_text(value, wrong)
        spread = self.tolerance * abs(wrong) if self.relative else self.tolerance
        return abs(value - wrong) <= spread

    def parse(self, value: object) -> float | str | None:
        """The learner's input as the answer's type, or None if it cannot be read as one.
        Text like ``"20,001"``, ``"1.5e3"`` or ``"40 MiB"`` reads as a number."""
        if self.numeric:
            if _is_number(value):
                number = float(value)
                return number if math.isfinite(number) else None
            if not isinstance(value, str):
                return None
            text = value.strip()
            if self.unit and text.lower().endswith(self.unit.lower()):
                text = text[: -len(self.unit)]
            text = re.sub(r"[,_\s\u202f\u00a0]", "", text)
            try:
                number = float(text)
            except ValueError:
                return None
            return number if math.isfinite(number) else None
        if value is None:
            return None
        text = str(value).strip()
        return text or None

    def answer_text(self) -> str:
        """The answer as shown to people, with its unit."""
        if self.numeric:
            return format_number(self.answer, self.unit)
        return self.answer

    def check(self, value: object) -> str:
        """Check the learner's ``value`` and return the feedback. A readable value commits the
        prediction (the answer can then be unfolded); unreadable input asks again."""
        parsed = self.parse(value)
        if parsed is None:
            if self.numeric:
                message = (
                    "Please enter a number"
                    + (f" (in {self.unit})" if self.unit else "")
                    + ", for example 12.5, then press Check."
                )
            elif self.choices:
                message = "Please choose one of the options, then press Check."
            else:
                message = "Please type an answer, then press Check."
            return self._set_feedback(message, status="invalid")
        self.attempts += 1
        shown = format_number(parsed, self.unit) if self.numeric else repr(parsed)
        if self._is_right(parsed):
            message = f"Right: {shown}. The model says {self.answer_text()}."
            return self._set_feedback(message, status="right")
        for wrong, diagnosis in self.hints:
            if self._matches_hint(parsed, wrong):
                message = f"Not yet: {shown}. {diagnosis}"
                return self._set_feedback(message, status="wrong")
        if self.numeric:
            direction = "too high" if parsed > self.answer else "too low"
            message = (
                f"Not yet: {shown} is {direction}. Think it through again, or unfold the answer."
            )
        else:
            message = f"Not yet: {shown} is not it. Think it through again, or unfold the answer."
        return self._set_feedback(message, status="wrong")

    @property
    def committed(self) -> bool:
        """True once the learner has checked a readable value, right or wrong."""
        return self.attempts > 0

    # -- the live widget -----------------------------------------------------------------------
    @property
    def widget(self) -> widgets.VBox:
        """The live form (built on first use, so a report build pays for it only once)."""
        if self._widget is None:
            self._build_widget()
        return self._widget

    def _build_widget(self) -> None:
        self.question_html = widgets.HTML(
            f'<div class="comsim-predict-question">{_inline("**Predict.** " + self.question)}</div>'
        )
        label = "Your answer" + (f" ({self.unit})" if self.unit else "")
        if self.choices is not None:
            self.input = widgets.ToggleButtons(
                options=list(self.choices),
                value=None,
                description=label,
                style={"description_width": "initial"},
            )
        else:
            self.input = widgets.Text(
                value="",
                placeholder="a number, e.g. 12.5" if self.numeric else "your answer",
                description=label,
                continuous_update=False,  # the value arrives on Enter (or leaving the box)
                style={"description_width": "initial"},
            )
            self.input.observe(self._on_enter, names="value")
        self.button = widgets.Button(
            description="Check", button_style="primary", tooltip="Check your prediction"
        )
        self.button.on_click(lambda _button: self.check(self.input.value))
        self.feedback = widgets.HTML(value=self._feedback_html("", "none"))
        self.show_answer = widgets.ToggleButton(
            value=False,
            description=SHOW_ANSWER,
            tooltip="Unfold the answer and why",
            layout=widgets.Layout(display="none"),
        )
        self.show_answer.observe(self._on_toggle, names="value")
        self.answer_box = widgets.HTML(value="", layout=widgets.Layout(display="none"))
        self._widget = widgets.VBox(
            [
                self.question_html,
                widgets.HBox([self.input, self.button]),
                self.feedback,
                self.show_answer,
                self.answer_box,
            ],
            layout=widgets.Layout(border="1px solid #4a4a4a", padding="6px", margin="6px 0"),
        )
        self._widget.add_class("comsim-predict")
        if self.last_feedback:
            self._sync_widget(self._status)

    def _on_enter(self, change) -> None:
        if str(change["new"]).strip():
            self.check(change["new"])

    def _on_toggle(self, change) -> None:
        if change["new"] and self.committed:
            self.answer_box.value = self._answer_html()
            self.answer_box.layout.display = None
            self.show_answer.description = HIDE_ANSWER
        else:
            self.answer_box.layout.display = "none"
            self.show_answer.description = SHOW_ANSWER
            if not self.committed:
                self.show_answer.value = False

    @property
    def answer_visible(self) -> bool:
        """True while the live widget shows the answer (only ever after a commit)."""
        return (
            self._widget is not None
            and self.committed
            and self.show_answer.value
            and self.answer_box.layout.display != "none"
        )

    def _answer_html(self) -> str:
        return (
            f"<div><p><strong>Answer:</strong> {html.escape(self.answer_text())}</p>"
            f"{_inline(self.explanation)}</div>"
        )

    def _feedback_html(self, message: str, status: str) -> str:
        # The text keeps the notebook theme's colour (contrast in light and dark themes); a
        # coloured bar marks right or wrong, and the words say it too.
        bar = {"right": _RIGHT_COLOUR, "wrong": _WRONG_COLOUR}.get(status, "transparent")
        return (
            f'<div role="status" aria-live="polite" style="min-height:1.4em;'
            f'border-left:4px solid {bar};padding-left:6px">{html.escape(message)}</div>'
        )

    def _set_feedback(self, message: str, status: str) -> str:
        self.last_feedback = message
        self._status = status
        if self._widget is not None:
            self._sync_widget(status)
        return message

    def _sync_widget(self, status: str) -> None:
        self.feedback.value = self._feedback_html(self.last_feedback, status)
        if self.committed:
            self.show_answer.layout.display = None

    # -- display -------------------------------------------------------------------------------
    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle["text/html"] = self.offline_html()
        bundle["text/plain"] = self.text()
        return bundle

    def text(self) -> str:
        """The question as plain text (no answer): what a terminal or a plain export shows."""
        how = f" (answer in {self.unit})" if self.unit else ""
        options = f"\nChoices: {', '.join(self.choices)}" if self.choices else ""
        return f"Predict: {self.question}{how}{options}"

    def __repr__(self) -> str:
        return f"<Prediction {self.key or self._uid}: {self.question[:60]!r}>"

    def offline_html(self) -> str:
        """The same checkpoint as self-contained HTML + inline JavaScript, for a page with no
        kernel: the answer is checked in the browser; the answer stays hidden until the reader
        has pressed Check once. Nothing is fetched from the network."""
        uid = "comsim-predict-" + self._uid
        e = html.escape
        data = {
            "numeric": self.numeric,
            "answer": self.answer,
            "answerText": self.answer_text(),
            "unit": self.unit,
            "tolerance": self.tolerance,
            "relative": self.relative,
            "hints": [[wrong, diagnosis] for wrong, diagnosis in self.hints],
            "choices": list(self.choices) if self.choices else None,
        }
        payload = json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e")
        label = "Your answer" + (f" ({self.unit})" if self.unit else "")
        if self.choices is not None:
            radios = "".join(
                f'<label class="cp-choice" for="{uid}-c{i}">'
                f'<input type="radio" id="{uid}-c{i}" name="{uid}-choice" value="{e(c)}"> '
                f"{e(c)}</label>"
                for i, c in enumerate(self.choices)
            )
            control = f'<fieldset class="cp-choices"><legend>{e(label)}</legend>{radios}</fieldset>'
        else:
            control = (
                f'<label for="{uid}-in">{e(label)}</label> '
                f'<input type="text" id="{uid}-in" name="{uid}-in" autocomplete="off" '
                f'inputmode="{"decimal" if self.numeric else "text"}" '
                f'aria-describedby="{uid}-fb">'
            )
        return f"""\
<div class="comsim-predict" id="{uid}" data-key="{e(self.key or "")}">
<style>
#{uid} {{border:1px solid #4a4a4a;border-radius:4px;padding:8px 12px;margin:8px 0;\
color:#1a1a1a;background:#fff}}
#{uid} .cp-question p {{margin:0 0 6px 0}}
#{uid} input[type=text] {{font-size:1em;padding:3px 6px;border:1px solid #4a4a4a}}
#{uid} button {{font-size:1em;padding:3px 12px;margin-left:6px;color:#fff;background:#0b5394;\
border:1px solid #0b5394;border-radius:3px;cursor:pointer}}
#{uid} input:focus-visible, #{uid} button:focus-visible, #{uid} summary:focus-visible \
{{outline:3px solid #b35900;outline-offset:2px}}
#{uid} .cp-choices {{border:none;padding:0;margin:0 0 4px 0;display:inline-block}}
#{uid} .cp-choice {{margin-right:12px}}
#{uid} .cp-feedback {{min-height:1.4em;margin-top:6px}}
#{uid} .cp-feedback.right {{color:{_RIGHT_COLOUR}}}
#{uid} .cp-feedback.wrong {{color:{_WRONG_COLOUR}}}
#{uid} summary {{cursor:pointer;color:#0b5394}}
</style>
<div class="cp-question">{_inline("**Predict.** " + self.question)}</div>
<form class="cp-form" id="{uid}-form" autocomplete="off">
{control}
<button type="submit" id="{uid}-btn">Check</button>
</form>
<div class="cp-feedback" id="{uid}-fb" role="status" aria-live="polite"></div>
<noscript><p>This check needs JavaScript; open the notebook in Jupyter instead.</p></noscript>
<details class="cp-answer" id="{uid}-answer" hidden>
<summary>{e(ANSWER_SUMMARY)}</summary>
{self._answer_html()}
</details>
<script type="application/json" id="{uid}-data">{payload}</script>
<script>
(function () {{
  var root = document.getElementById("{uid}");
  var data = JSON.parse(document.getElementById("{uid}-data").textContent);
  var form = document.getElementById("{uid}-form");
  var fb = document.getElementById("{uid}-fb");
  var answer = document.getElementById("{uid}-answer");
  function fmt(v) {{
    var a = Math.abs(v), t;
    if (Number.isInteger(v)) t = v.toLocaleString("en-US");
    else if (a >= 1000) t = v.toLocaleString("en-US", {{maximumFractionDigits: 0}});
    else if (a >= 10) t = v.toLocaleString("en-US", {{minimumFractionDigits: 1,
                                                      maximumFractionDigits: 1}});
    else t = String(parseFloat(v.toPrecision(3)));
    if (!data.unit) return t;
    return (data.unit === "%" || data.unit === "\\u00d7") ? t + data.unit : t + " " + data.unit;
  }}
  function same(a, b) {{
    return String(a).trim().toLowerCase() === String(b).trim().toLowerCase();
  }}
  function parse(raw) {{
    if (raw === null || raw === undefined) return null;
    var t = String(raw).trim();
    if (!data.numeric) return t ? t : null;
    if (data.unit && t.toLowerCase().endsWith(data.unit.toLowerCase()))
      t = t.slice(0, t.length - data.unit.length);
    t = t.replace(/[,_\\s\\u202f\\u00a0]/g, "");
    if (!/^[-+]?(\\d+\\.?\\d*|\\.\\d+)(e[-+]?\\d+)?$/i.test(t)) return null;
    var n = parseFloat(t);
    return isFinite(n) ? n : null;
  }}
  function spread(v) {{ return data.relative ? data.tolerance * Math.abs(v) : data.tolerance; }}
  function check(raw) {{
    var v = parse(raw);
    if (v === null) {{
      if (data.numeric) return ["invalid", "Please enter a number" +
        (data.unit ? " (in " + data.unit + ")" : "") + ", for example 12.5, then press Check."];
      if (data.choices) return ["invalid", "Please choose one of the options, then press Check."];
      return ["invalid", "Please type an answer, then press Check."];
    }}
    var shown = data.numeric ? fmt(v) : "'" + v + "'";
    var right = data.numeric ? Math.abs(v - data.answer) <= spread(data.answer)
                             : same(v, data.answer);
    if (right) return ["right", "Right: " + shown + ". The model says " + data.answerText + "."];
    for (var i = 0; i < data.hints.length; i++) {{
      var w = data.hints[i][0];
      var hit = data.numeric ? Math.abs(v - w) <= spread(w) : same(v, w);
      if (hit) return ["wrong", "Not yet: " + shown + ". " + data.hints[i][1]];
    }}
    if (data.numeric) return ["wrong", "Not yet: " + shown + " is " +
      (v > data.answer ? "too high" : "too low") +
      ". Think it through again, or unfold the answer."];
    return ["wrong", "Not yet: " + shown +
      " is not it. Think it through again, or unfold the answer."];
  }}
  form.addEventListener("submit", function (event) {{
    event.preventDefault();
    var raw;
    if (data.choices) {{
      var picked = root.querySelector("input[type=radio]:checked");
      raw = picked ? picked.value : null;
    }} else {{
      raw = document.getElementById("{uid}-in").value;
    }}
    var result = check(raw);
    fb.className = "cp-feedback " + result[0];
    fb.textContent = result[1];
    if (result[0] !== "invalid") answer.hidden = false;
  }});
}})();
</script>
</div>"""


def _same_text(a: object, b: object) -> bool:
    return str(a).strip().casefold() == str(b).strip().casefold()


def predict(
    question: str,
    answer: float | int | str,
    *,
    unit: str = "",
    tolerance: float = 0.0,
    relative: bool = False,
    choices: Sequence[str] | None = None,
    hints: Sequence[tuple[object, str]] = (),
    explanation: str = "",
    key: str | None = None,
) -> Prediction:
    """A predict-commit-check question: the learner commits a value before the answer unfolds.

    ``answer`` comes from comsim in the notebook (never a literal). Numbers are right within
    ``tolerance`` (in ``unit``; or a fraction of the answer with ``relative=True``); a str answer
    is one of ``choices`` (shown as buttons) or free text. ``hints`` pair a typical wrong answer
    with a diagnosis shown when the learner gives it; other wrong numbers hear "too high" or
    "too low". ``explanation`` unfolds with the answer after a commit. Display the result (last
    expression of a cell): a live form in Jupyter, self-contained HTML in an exported report.
    """
    return Prediction(
        question,
        answer,
        unit=unit,
        tolerance=tolerance,
        relative=relative,
        choices=choices,
        hints=hints,
        explanation=explanation,
        key=key,
    )
