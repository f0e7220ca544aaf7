"""Reading executed notebooks as a learner sees them, for the tests of predictions: where each
commitment (a ``comsim.predict`` checkpoint) sits, which prompts to predict the prose makes,
and everything shown before a commitment -- headings, prose, visible code, outputs, alt text
-- in the same and earlier notebooks.

A checkpoint describes itself in its output's metadata (``comsim.teaching.predict.Prediction
.metadata``): prompt, answer, unit, tolerance, the words pages use for the quantity
(``said_as``) and, for a seeded problem, the problem's own text (``given``). Nothing here
executes anything: the tests hand in notebooks already executed (for static pages, so
explorers show their precomputed frames' captions and alt texts as text).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import nbformat

from comsim.teaching.predict import METADATA_KEY

# A prompt to predict: "Predict" opening a line of prose, after a heading's #s or **bold**.
PROMPT = re.compile(r"^\s*(?:#+\s*)?(?:\*\*|_)?Predict\b", re.MULTILINE)
# A number as pages print it: 20,001 or 39.1 or .5, not part of a word or a longer number.
NUMBER = r"(?<![\w.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?![\d])"
_SCRIPT_JSON = re.compile(r'<script type="application/json">(.*?)</script>', re.S)
_DROP = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_ALT = re.compile(r'\balt="([^"]*)"')
_TAG = re.compile(r"<[^>]+>")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")  # markdown links: the words stay, the address goes


@dataclass(frozen=True)
class Shown:
    """One piece of what a learner sees: where it is and its text."""

    notebook: int
    cell: int
    where: str
    text: str


@dataclass(frozen=True)
class Commitment:
    """One checkpoint as its output describes it, and where it sits."""

    notebook: int
    cell: int
    name: str
    meta: dict

    @property
    def numeric(self) -> bool:
        answer = self.meta["answer"]
        return isinstance(answer, int | float) and not isinstance(answer, bool)

    @property
    def after_commit(self) -> str:
        """What the checkpoint shows once the learner has committed: answer and why."""
        m = self.meta
        return " ".join((m["prompt"], m["task"], m["answer_text"], m["explanation"]))

    @property
    def before_commit(self) -> str:
        return " ".join((self.meta["prompt"], self.meta["task"]))


def _hidden(cell, part: str) -> bool:
    """Whether the cell's ``part`` ("input" or "output") is hidden from a learner."""
    tags = set(cell.metadata.get("tags", []))
    folded = cell.metadata.get("jupyter", {})
    if part == "input":
        return bool(tags & {"remove-input", "remove-cell"}) or folded.get("source_hidden", False)
    return bool(tags & {"remove-output", "remove-cell"}) or folded.get("outputs_hidden", False)


def html_text(page: str) -> str:
    """The words of an HTML output: its text, its images' alt texts, and the strings of its
    JSON data (an offline explorer's captions and alt texts), without pictures."""
    found = []
    for blob in _SCRIPT_JSON.findall(page):
        try:
            found += [s for s in _strings(json.loads(html.unescape(blob))) if "base64," not in s]
        except ValueError:
            pass
    found += _ALT.findall(page)
    found.append(_TAG.sub(" ", _DROP.sub(" ", page)))
    return html.unescape(" ".join(found))


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _output_text(output) -> str:
    """What one non-checkpoint output shows, as text."""
    if output.output_type == "stream":
        return output.text
    if output.output_type == "error":
        return f"{output.ename}: {output.evalue}"
    data, parts = output.get("data", {}), []
    if "text/html" in data:
        parts.append(html_text(data["text/html"]))
    elif "text/plain" in data:
        parts.append(data["text/plain"])
    if "text/markdown" in data:
        parts.append(data["text/markdown"])
    alt = output.get("metadata", {}).get("image/png", {})
    if isinstance(alt, dict) and alt.get("alt"):
        parts.append(alt["alt"])
    return " ".join(parts)


def read_course(notebooks: Sequence[nbformat.NotebookNode], names: Sequence[str]):
    """Every piece shown and every commitment, in the order a learner meets them."""
    shown: list[Shown] = []
    committed: list[Commitment] = []
    for n, (nb, name) in enumerate(zip(notebooks, names, strict=True)):
        for c, cell in enumerate(nb.cells):
            where = f"{name}, cell {c}"
            if cell.cell_type == "markdown":
                shown.append(Shown(n, c, f"{where} (markdown)", _LINK_TARGET.sub("]", cell.source)))
                continue
            if cell.cell_type != "code":
                continue
            if not _hidden(cell, "input"):
                shown.append(Shown(n, c, f"{where} (code)", cell.source))
            if _hidden(cell, "output"):
                continue
            for k, output in enumerate(cell.get("outputs", [])):
                metas = output.get("metadata", {}).get(METADATA_KEY, {}).get("predictions")
                if metas:
                    for meta in metas:
                        committed.append(Commitment(n, c, f"{where}, {meta['key']}", meta))
                    continue
                shown.append(Shown(n, c, f"{where}, output {k}", _output_text(output)))
    return shown, committed


def prompts_without_commitment(nb: nbformat.NotebookNode, name: str) -> list[str]:
    """Each prompt to predict in ``nb``'s prose whose next output is not a commitment: the
    first code cell after it that shows anything must be a checkpoint, before the next
    heading."""
    problems = []
    for c, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown" or not PROMPT.search(cell.source):
            continue
        verdict = f"no commitment follows it: the notebook ends ({name}, cell {c})"
        for j in range(c + 1, len(nb.cells)):
            later = nb.cells[j]
            if later.cell_type == "markdown":
                if later.source.lstrip().startswith("#"):
                    verdict = f"a new section starts at cell {j} before any commitment"
                    break
                continue
            outputs = [] if _hidden(later, "output") else later.get("outputs", [])
            if not outputs:
                continue
            first = outputs[0].get("metadata", {}).get(METADATA_KEY, {}).get("predictions")
            verdict = "" if first else f"cell {j} shows an output before any commitment"
            break
        if verdict:
            line = PROMPT.search(cell.source).group(0).strip()
            problems.append(f"{name}, cell {c} ({line!r}...): {verdict}")
    return problems


def _phrase(text: str) -> str:
    return re.escape(text.strip()).replace(r"\ ", r"\s+")


def statements(commitment: Commitment, text: str) -> list[str]:
    """The places in ``text`` that state a number within the commitment's tolerance of its
    answer, in its unit (a number before the unit, or before or after a ``said_as`` word)."""
    m = commitment.meta
    answer, spread = float(m["answer"]), float(m["tolerance"])
    patterns = []
    if m["unit"]:
        patterns.append(rf"{NUMBER}\s*{_phrase(m['unit'])}(?!\w)")
    for word in m["said_as"]:
        patterns.append(rf"{NUMBER}\s+{_phrase(word)}(?!\w)")
        joint = r"\s*(?:=|:|is|of|was|now|returns|to)?\s*"
        patterns.append(rf"(?<!\w){_phrase(word)}{joint}{NUMBER}")
    found = []
    for pattern in patterns:
        for match in re.finditer(pattern, text, re.IGNORECASE):
            value = float(match.group(1).replace(",", ""))
            if abs(value - answer) <= spread + 1e-9 * max(1.0, abs(answer)):
                found.append(" ".join(text[max(0, match.start() - 40) : match.end() + 10].split()))
    return found


def spoilers(
    shown: Sequence[Shown],
    committed: Sequence[Commitment],
    targets: Sequence[Commitment] | None = None,
) -> list[str]:
    """For each numeric commitment (of ``targets``, all by default), every earlier piece
    (same or earlier notebook, earlier cell, or its own cell's code and other outputs) that
    states its answer. A seeded problem (``given``) is read against its own text only:
    nothing else in the course is about its program. Earlier checkpoints count with their
    answers (the learner has seen them)."""
    problems = []
    for target in committed if targets is None else targets:
        if not target.numeric:
            continue
        m = target.meta
        if not m["unit"] and not m["said_as"]:
            problems.append(
                f"{target.name}: a number with no unit and no said_as; the test cannot tell "
                "where a page states it (give unit= or said_as=)"
            )
            continue
        before = _before(target, shown, committed)
        for where, text in before:
            for quote in statements(target, text):
                problems.append(
                    f"{target.name} (answer {m['answer_text']}): {where} shows {quote!r}"
                )
    return problems


def _before(target: Commitment, shown: Sequence[Shown], committed: Sequence[Commitment]):
    """(where, text) of everything on screen before ``target`` is committed."""
    if target.meta["given"]:
        return [("the problem's text", target.meta["given"]), ("the prompt", target.before_commit)]
    key = (target.notebook, target.cell)
    out = [(s.where, s.text) for s in shown if (s.notebook, s.cell) <= key]
    for other in committed:
        if other is target:
            out.append(("the prompt", other.before_commit))
        elif (other.notebook, other.cell) < key:
            out.append((f"{other.name} once answered", other.after_commit))
        elif (other.notebook, other.cell) == key:
            out.append((other.name, other.before_commit))
    return out
