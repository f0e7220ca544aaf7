"""Every tagged statement the course makes is written once, in data/claims.csv, and shown by id
(issue 15): one claim, one tag, one source, everywhere."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import comsim
from comsim.model import claims, sources
from comsim.model.sources import SOURCES
from comsim.model.tables import TableError
from comsim.publish import sources as sources_page
from testkit.claims import claim_ids

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
_HEADER = ",".join(claims.COLUMNS)


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_notebook_writes_a_tagged_note_by_hand(path):
    """A note's tag and text live in data/claims.csv; a notebook shows it with comsim.claim."""
    by_hand = [
        index
        for index, cell in enumerate(_cells(path))
        if re.search(r"\bnote\(|Note\(", _source(cell))
        or (cell["cell_type"] == "markdown" and "comsim-note" in _source(cell))
    ]
    assert not by_hand, f"{path.name}: cells {by_hand} write a note by hand; use comsim.claim"


# A tag written by hand: a glossary "Provenance:" line, Wine's "[W]", a tag in brackets or in
# parentheses, "is our inference". Explaining the tags (00, the glossary) stays possible.
_HAND_TAG = re.compile(
    r"\*Provenance:\*|\[W\]|[\[(](documented|inferred|wine-reactos|hypothesis)\b(?! H\d)"
    r"|\b(is|are) (our inference|inferred)\b"
)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_markdown_labels_a_statement_by_hand(path):
    """Prose that states a tagged fact shows the claim instead (issue 15)."""
    by_hand = [
        (index, match.group(0))
        for index, cell in enumerate(_cells(path))
        if cell["cell_type"] == "markdown"
        for match in _HAND_TAG.finditer(_source(cell))
    ]
    assert not by_hand, f"{path.name}: tags written by hand in cells {by_hand}; show a claim"


def test_every_glossary_entry_shows_its_claim_and_every_term_the_course_uses_has_one():
    """Issue 15, glossary: each entry carries its claim's tag; the terms the course used without
    defining them have entries."""
    cells = _cells(REPO_ROOT / "notebooks" / "glossary.ipynb")
    anchors = []
    for index, cell in enumerate(cells):
        anchor = re.match(r'<a id="([a-z0-9-]+)"></a>', _source(cell))
        if anchor:
            anchors.append(anchor.group(1))
            after = cells[index + 1]
            assert after["cell_type"] == "code", anchor.group(1)
            assert re.search(r'comsim\.claim\("', _source(after)), anchor.group(1)
    for term in (
        "tightness",
        "h2-reaper",
        "perfmon",
        "region-ownership",
        "cocopyproxy",
        "imarshal",
        "marshalling",
        "run-down",
        "look-aside-list",
    ):
        assert term in anchors, term


def test_every_link_to_the_glossary_lands_on_an_entry():
    glossary = "".join(_source(c) for c in _cells(REPO_ROOT / "notebooks" / "glossary.ipynb"))
    anchors = set(re.findall(r'<a id="([a-z0-9-]+)"></a>', glossary))
    for path in NOTEBOOKS:
        text = "".join(_source(c) for c in _cells(path))
        prefix = "#" if path.stem == "glossary" else "glossary.ipynb#"
        linked = set(re.findall(rf"\]\({re.escape(prefix)}([a-z0-9-]+)\)", text))
        assert linked <= anchors, (path.name, sorted(linked - anchors))


def test_02_matches_the_kbs_pointer_names_to_its_own_before_it_uses_them():
    """Issue 15, glossary: where 02 first writes pItf, pCS or pCopy, the reader has been told
    they are 01's stream, security and copy."""
    sources = [_source(c) for c in _cells(REPO_ROOT / "notebooks" / "02_aggregation.ipynb")]
    first = min(i for i, text in enumerate(sources) if re.search(r"\bp(Itf|CS|Copy)\b", text))
    mapping = sources[first]
    for kb_name, ours in (("pItf", "stream"), ("pCS", "security"), ("pCopy", "copy")):
        assert f"`{kb_name}`" in mapping and f"`{ours}`" in mapping, kb_name


def test_parameter_notes_carry_one_tag_each_and_name_claims_that_exist():
    """A parameter's source text has no second tag in brackets; what it adds from another
    source is a claim, named by id."""
    table = (REPO_ROOT / "data" / "parameters.csv").read_text(encoding="utf-8")
    assert not re.search(r"\[(documented|inferred|wine-reactos|hypothesis)\b", table)
    named = re.findall(r"claim `([a-z0-9-]+)`", table)
    assert named and set(named) <= set(claims.CLAIMS), sorted(set(named) - set(claims.CLAIMS))


def test_every_claim_a_notebook_shows_exists():
    used = {
        claim_id
        for path in NOTEBOOKS
        for cell in _cells(path)
        for claim_id in claim_ids(_source(cell))
    }
    assert used, "no notebook shows a claim"
    assert used <= set(claims.CLAIMS), sorted(used - set(claims.CLAIMS))


def test_every_documented_claim_names_a_source_with_a_section_on_the_sources_page():
    page = (REPO_ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    for claim in claims.CLAIMS.values():
        if claim.tag == "documented":
            assert claim.source_key, claim.id
        if claim.source_key:
            assert claim.source_key in SOURCES, claim.id
            assert f'<a id="{claim.source_key}"></a>' in page, claim.id


def test_the_sources_page_lists_the_claims_of_each_source_as_the_table_says():
    page = (REPO_ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    assert sources_page.render(page) == page, "run python -m comsim.publish.sources"
    for claim in claims.CLAIMS.values():
        assert f"`{claim.id}`" in page


def test_a_sources_claims_come_before_the_next_parts_heading_not_after_it():
    page = (REPO_ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    part = page.index("## Notebook 06's libraries")
    before, after = page[:part], page[part:]
    assert before.rstrip().endswith("<!-- /claims -->")  # the proxy-manager section's own list
    assert after.index('<a id="matplotlib-close">') < after.index("Claims that cite it:")


def _table(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "claims.csv"
    path.write_text("\n".join((_HEADER, *rows)) + "\n", encoding="utf-8")
    return path


_GOOD = "kb-cause,documented,NT4,kb-q216248,the cause,The proxy manager frees copies late.,"


@pytest.mark.parametrize(
    "rows, rule",
    [
        ([_GOOD, _GOOD.replace("kb-cause", "kb-cause-again")], "says what row 2 says"),
        ([_GOOD.replace(",kb-q216248,", ",,")], "a documented claim names the source"),
        ([_GOOD.replace(",kb-q216248,", ",no-such-page,")], "is not a key of SOURCES"),
        ([_GOOD.replace(",documented,", ",guessed,")], "tag must be one of"),
        ([_GOOD.replace(",NT4,", ",Windows 11,")], "scope must be one of"),
        ([_GOOD.replace("kb-cause", "KB Cause")], "id must be lower-case words"),
        ([_GOOD, _GOOD], "row 3 ('kb-cause'): repeats row 2"),
        (
            ["blanket-nt4,documented,NT4,setblanket,,A blanket is every user's.,"],
            "setblanket is written for Windows 2000 and later",
        ),
        (
            ["h9,hypothesis,NT4,kb-q167133,,Pings might matter.,"],
            "a hypothesis has no source",
        ),
        ([_GOOD + "no-such-page"], "see_also 'no-such-page' is not a key of SOURCES"),
        ([_GOOD + "kb-q216248"], "see_also repeats the claim's own source"),
        ([_GOOD + "copyproxy copyproxy"], "see_also names a source twice"),
        (
            ["h9,hypothesis,NT4,,,Pings might matter.,kb-q167133"],
            "see_also adds to a claim's source",
        ),
    ],
)
def test_a_claims_table_that_breaks_a_rule_is_refused_naming_the_row(tmp_path, rows, rule):
    with pytest.raises(TableError, match=re.escape(rule)):
        claims.load_claims(_table(tmp_path, *rows))


_SOURCE = "kb-q216248,Microsoft KB Q216248,https://example.org/kb,The cause.,NT4,Microsoft"


@pytest.mark.parametrize(
    "row, rule",
    [
        (_SOURCE.replace("kb-q216248", "KB Q216248"), "key must be lower-case words"),
        (_SOURCE.replace("https://", "http://"), "url must start https://"),
        (_SOURCE.replace(",NT4,", ",Windows 11,"), "scope must be one of NT4"),
        (_SOURCE.replace(",The cause.,", ",,"), "title, supports and maker must be filled in"),
    ],
)
def test_a_sources_table_that_breaks_a_rule_is_refused_naming_the_row(tmp_path, row, rule):
    path = tmp_path / "sources.csv"
    path.write_text(",".join(sources.COLUMNS) + "\n" + row + "\n", encoding="utf-8")
    with pytest.raises(TableError, match=r"sources\.csv, row 2 .*" + re.escape(rule)):
        sources.load_sources(path)


def test_the_sources_table_in_data_is_what_the_course_cites():
    assert sources.load_sources() == SOURCES
    assert all(s.url.startswith("https://") for s in SOURCES.values())
    assert SOURCES["kb-q216248"].scope == sources.NT4


def test_two_claims_that_differ_only_in_markup_and_case_say_the_same_thing(tmp_path):
    other = "kb-late,documented,NT4,kb-q216248,,The <em>proxy manager</em> frees copies LATE!,"
    with pytest.raises(TableError, match="says what row 2 says"):
        claims.load_claims(_table(tmp_path, _GOOD, other))


def test_a_claim_shows_its_one_tag_its_scope_its_source_and_the_datas_numbers():
    note = comsim.claim("h1-commit-granularity")
    html = note._repr_html_()
    assert "Hypothesis" in html and "about NT4" in html
    page = comsim.PARAMETERS["page_bytes"].value
    assert f"{page:,} bytes" in html
    documented = next(c for c in claims.CLAIMS.values() if c.tag == "documented")
    assert SOURCES[documented.source_key].url in comsim.claim(documented.id)._repr_html_()


def test_a_folded_claim_shows_its_label_and_folds_its_text_and_links():
    """The glossary folds its notes: the label (tag, scope, title) stays in sight as the
    summary, with no link inside it (a control inside a control fails axe's nested-interactive
    rule); the source links and the text open with it."""
    documented = next(c for c in claims.CLAIMS.values() if c.tag == "documented" and c.title)
    html = comsim.claim(documented.id, folded=True)._repr_html_()
    summary = re.search(r"<summary>(.*?)</summary>(.*)</details>", html, re.S)
    assert summary, html
    assert "Documented by" in summary.group(1) and documented.title in summary.group(1)
    assert "<a " not in summary.group(1)
    body = summary.group(2)
    assert SOURCES[documented.source_key].url in body and f"#{documented.source_key}" in body
    assert "<details" not in comsim.claim(documented.id)._repr_html_()
    with pytest.raises(TypeError, match="folded must be True or False; got 'yes'"):
        comsim.claim(documented.id, folded="yes")


def test_claims_behind_one_fold_count_their_tags_in_sight_and_keep_each_note_whole():
    """A passage resting on several sources folds their notes into one: the summary says how
    many notes of each tag it holds (icon and label) and names their titles, with no link in
    it; opened, each note is whole, with its own tag, source link and text (readers of 02 found
    a box per source too many)."""
    ids = ("proxy-aggregate", "copyproxy-promises", "wine-one-count")
    html = comsim.claims(*ids)._repr_html_()
    summary = re.search(r"<summary>(.*?)</summary>(.*)</details>", html, re.S)
    assert summary, html
    head, body = summary.groups()
    assert "Documented by Microsoft (2)" in head and "Seen in Wine / ReactOS" in head
    assert "(1)" in head and "<a " not in head
    for claim_id in ids:
        found = claims.CLAIMS[claim_id]
        assert found.title in head
        assert SOURCES[found.source_key].url in body and f"comsim-note-{found.tag}" in body
    assert body.count('class="comsim-note ') == 3 and "<details" not in body
    assert repr(comsim.claims(*ids)).count("\n") == 2  # one line per note, as plain text
    with pytest.raises(ValueError, match=r"at least 2 claims .*got \('proxy-aggregate',\)"):
        comsim.claims("proxy-aggregate")
    with pytest.raises(ValueError, match="claim_id must be one of .*got 'no-such-claim'"):
        comsim.claims("proxy-aggregate", "no-such-claim")
    with pytest.raises(TypeError, match="heading must be a non-empty str"):
        comsim.claims(*ids, heading=3)


def test_a_claim_that_needs_a_computed_number_says_which(tmp_path):
    with pytest.raises(ValueError, match="needs a value for bytes_per_call"):
        comsim.claim("kb-2kb-split")
    with pytest.raises(ValueError, match="claim_id must be one of"):
        comsim.claim("no-such-claim")


def test_a_note_with_a_title_that_is_no_text_is_a_type_error():
    """Issue 18, item 17: note(title=5) raised AttributeError."""
    with pytest.raises(TypeError, match="title must be a non-empty str; got 5"):
        comsim.note("documented", "x", title=5)


def test_setblankets_default_constants_are_documented_for_windows_2000_not_nt4():
    """The default constants ask COM to pick a level, and a new proxy's authentication level is
    the higher of the client's and the server's: today's page says so, for Windows 2000 and
    later. The 1998 page gives SetBlanket's default parameters to NT 5 only, so the model taking
    them on NT4 is its own choice, said as such (a COM expert's review: the claim had applied
    an NT 5-only statement to NT4).

    Source: setblanket — IClientSecurity::SetBlanket method (objidl.h)
    Source: setblanket-nt4 — IClientSecurity::SetBlanket (Platform SDK, 1998)"""
    documented = claims.CLAIMS["setblanket-default-levels"]
    assert (documented.tag, documented.scope, documented.source_key) == (
        "documented",
        "Windows 2000 and later",
        "setblanket",
    )
    assert "ask COM to pick" in documented.text
    assert "higher of the client's and the server's" in documented.text
    choice = claims.CLAIMS["model-resolves-default-levels"]
    assert (choice.tag, choice.source_key) == ("inferred", "")
    assert "NT 5 only" in choice.text
    shown = "".join(_source(c) for c in _cells(REPO_ROOT / "notebooks" / "05_the_workaround.ipynb"))
    assert 'claim("setblanket-default-levels")' in shown
    assert 'claim("model-resolves-default-levels")' in shown


def test_the_refcount_rule_also_cites_copyproxy_for_the_copys_one_reference():
    """The rule is COM's (Implementing Reference Counting); that a copy from CopyProxy carries
    one reference its caller must free is the CopyProxy page's, so the claim names it in
    see_also, the note links to it and docs/sources.md lists the claim under it.

    Source: refcounting — Implementing Reference Counting
    Source: copyproxy — IClientSecurity::CopyProxy (Platform SDK, 1998)"""
    rule = claims.CLAIMS["refcount-rule"]
    assert (rule.source_key, rule.see_also) == ("refcounting", ("copyproxy",))
    assert claims.claims_seeing("copyproxy") == [rule]
    note = comsim.claim("refcount-rule")
    assert SOURCES["copyproxy"].title in repr(note)
    assert 'sources.md#copyproxy"' in note._repr_html_()
    page = (REPO_ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    section = page.split('<a id="copyproxy"></a>')[1].split("<a id=")[0]
    assert "`refcount-rule` (documented, any, see also)" in section


@pytest.mark.parametrize("claim_id", sorted(comsim.CLAIMS))
def test_a_claims_quotation_marks_come_in_pairs(claim_id):
    """A quotation mark not doubled inside a quoted CSV field ends the field's quoting early:
    the box then shows a quote that never opens and one that closes nothing (reader U found
    one in kb-2kb-split). Quotes alternate: each opens after a space, each closes before one."""
    claim = comsim.CLAIMS[claim_id]
    for field in (claim.title, claim.text):
        for k, m in enumerate(re.finditer('"', field)):
            before, after = field[: m.start()], field[m.end() :]
            if k % 2 == 0:  # opens
                ok = (before == "" or before[-1] in " ([") and after[:1].strip() != ""
            else:  # closes
                ok = before[-1:].strip() != "" and (after == "" or after[0] in " .,;:)!?")
            near = field[max(0, m.start() - 30) : m.end() + 30]
            assert ok, f"{claim_id}: a stray quotation mark at {near!r}"
        assert field.count('"') % 2 == 0, f"{claim_id}: unpaired quotation mark in {field!r}"
