"""Every number in the model has a unit and a source a learner can read, and every scenario the
notebooks name runs."""

from __future__ import annotations

import csv
import dataclasses
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

import comsim
from comsim import PARAMETERS, TAGS, Params
from comsim.model import params
from comsim.model.params import PARAMETERS_CSV, SCENARIOS_CSV
from comsim.model.tables import TableError


def _rows(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


PARAMETER_ROWS = _rows(PARAMETERS_CSV)
SCENARIO_ROWS = _rows(SCENARIOS_CSV)


def _by_name(rows):
    return [pytest.param(row, id=row["name"]) for row in rows]


def _range(text: str) -> tuple[float, float, bool, bool]:
    text = text.strip()
    assert text[0] in "[(" and text[-1] in "])", text
    low, high = (float(x) for x in text[1:-1].split(","))
    return low, high, text[0] == "(", text[-1] == ")"


def _in_range(value: float, text: str) -> bool:
    low, high, low_open, high_open = _range(text)
    above = value > low if low_open else value >= low
    below = value < high if high_open else value <= high
    return above and below


# -- provenance ------------------------------------------------------------------------------------
def test_the_csv_has_the_columns_a_learner_reads():
    assert list(PARAMETER_ROWS[0]) == [
        "name",
        "value",
        "unit",
        "type",
        "range",
        "tag",
        "source",
        "source_key",
        "meaning",
    ]
    names = [row["name"] for row in PARAMETER_ROWS]
    assert len(names) == len(set(names)), "a parameter is listed twice"


@pytest.mark.parametrize("row", _by_name(PARAMETER_ROWS))
def test_every_parameter_has_a_value_a_unit_a_tag_a_source_and_a_meaning(row):
    assert None not in row.values() and None not in row, "the row has too few or too many fields"
    assert row["value"].strip(), "no value"
    if row["name"] != "seed":  # a seed has no unit
        assert row["unit"].strip(), "no unit"
    assert row["type"] in ("int", "float")
    assert row["tag"] in TAGS, f"tag {row['tag']!r} is not one of {TAGS}"
    assert row["source"].strip(), "no source: where does this number come from?"
    assert row["meaning"].strip(), "no meaning"


@pytest.mark.parametrize("row", _by_name(PARAMETER_ROWS))
def test_every_parameters_meaning_is_a_whole_sentence(row):
    # A meaning cut short (e.g. by a comma outside quotes) ends mid-sentence.
    assert row["meaning"].rstrip().endswith((".", ")")), row["meaning"]


def test_the_tags_are_the_four_kinds_of_provenance():
    assert TAGS == ("documented", "wine-reactos", "inferred", "hypothesis")
    assert {row["tag"] for row in PARAMETER_ROWS} <= set(TAGS)


def test_the_kbs_own_numbers_are_tagged_documented():
    tags = {row["name"]: row["tag"] for row in PARAMETER_ROWS}
    assert tags["iterations"] == "documented"
    # Heap defaults documented for Windows XP and later are inferred for NT4 (issue 15, item 7).
    for name in ("decommit_free_block_bytes", "decommit_total_free_bytes"):
        assert tags[name] == "inferred", name
    # The split of the KB's 2 KB into kept and transient bytes is a guess, and says so.
    assert tags["interface_proxy_bytes"] == "hypothesis"
    assert tags["transient_bytes_per_call"] == "hypothesis"
    # "Tightness" as a share of wall time is the course's own definition.
    assert tags["tightness"] == "inferred"


@pytest.mark.parametrize("row", _by_name(PARAMETER_ROWS))
def test_every_source_key_names_a_section_of_the_sources_page(row, repo_root):
    from comsim.model.sources import SOURCES

    key = row["source_key"]
    if key:
        assert key in SOURCES, f"{key!r} is not a key of comsim.model.sources.SOURCES"
        page = (repo_root / "docs" / "sources.md").read_text(encoding="utf-8")
        assert f'<a id="{key}"></a>' in page


def test_the_heap_defaults_cite_their_documentation_and_say_nt4_is_an_inference():
    rows = {row["name"]: row for row in PARAMETER_ROWS}
    for name in (
        "heap_segment_reserve_bytes",
        "heap_segment_commit_bytes",
        "decommit_free_block_bytes",
        "decommit_total_free_bytes",
    ):
        assert rows[name]["source_key"] == "rtl-heap-parameters", name
        assert rows[name]["tag"] == "inferred", name
        assert "Windows XP and later" in rows[name]["source"], name
        assert "NT4 is an inference" in rows[name]["source"], name
        assert "315407" not in rows[name]["source"], name


# -- the CSV and the Params dataclass agree --------------------------------------------------------
def test_every_field_of_params_has_a_row_and_every_row_a_field():
    fields = [f.name for f in dataclasses.fields(Params)]
    rows = [row["name"] for row in PARAMETER_ROWS]
    assert set(fields) - set(rows) == set(), "fields without provenance"
    assert set(rows) - set(fields) == set(), "rows the model never reads"
    assert fields == rows  # and in the same order, so the table reads like the dataclass
    assert list(PARAMETERS) == rows


@pytest.mark.parametrize("row", _by_name(PARAMETER_ROWS))
def test_the_loaded_default_equals_the_csv_value(row):
    name = row["name"]
    expected = int(row["value"]) if row["type"] == "int" else float(row["value"])
    default = getattr(Params(), name)
    assert default == expected
    assert type(default) is type(expected)
    assert getattr(Params.make(), name) == expected
    assert PARAMETERS[name].value == expected
    p = PARAMETERS[name]
    assert (p.unit, p.tag, p.source, p.meaning, p.source_key) == (
        row["unit"],
        row["tag"],
        row["source"],
        row["meaning"],
        row["source_key"],
    )


@pytest.mark.parametrize("row", _by_name(PARAMETER_ROWS))
def test_the_csv_range_contains_the_default(row):
    value = float(row["value"])
    assert math.isfinite(value)
    assert _in_range(value, row["range"]), f"{row['value']} outside {row['range']}"
    assert (
        PARAMETERS[row["name"]].check(PARAMETERS[row["name"]].value)
        == PARAMETERS[row["name"]].value
    )
    low, high, low_open, high_open = _range(row["range"])
    p = PARAMETERS[row["name"]]
    assert (p.low, p.high, p.low_open, p.high_open) == (low, high, low_open, high_open)


def test_the_defaults_pass_their_own_relations():
    Params.make()._check_relations()


def test_the_parameter_table_shows_every_row_with_its_source():
    table = comsim.parameter_table()
    assert list(table["name"]) == [row["name"] for row in PARAMETER_ROWS]
    for column in ("value", "unit", "range", "tag", "source", "source_key", "meaning"):
        assert column in table.columns
    assert (table["source"].str.strip() != "").all()


def test_parameter_notes_show_value_unit_tag_and_source():
    notes = comsim.parameter_notes("interface_proxy_bytes", "iterations")
    text = repr(notes)
    assert "1,792 bytes" in text and "[hypothesis]" in text
    assert "20,001 iterations" in text and "[documented]" in text
    assert "<table" in notes._repr_html_()
    with pytest.raises(ValueError, match="nonsense"):
        comsim.parameter_notes("nonsense")


# -- scenarios -------------------------------------------------------------------------------------
def test_the_scenario_table_names_each_scenario_once():
    names = [row["name"] for row in SCENARIO_ROWS]
    assert names and len(names) == len(set(names))
    assert comsim.scenario_names() == tuple(names)


@pytest.mark.parametrize("row", _by_name(SCENARIO_ROWS))
def test_every_scenario_uses_a_known_strategy_and_policy_and_valid_numbers(row):
    assert row["strategy"] in comsim.STRATEGIES
    assert row["policy"] in comsim.POLICIES
    Params.make(
        iterations=int(row["iterations"]),
        tightness=float(row["tightness"]),
        blankets=int(row["blankets"]),
    )
    assert row["title"].strip() and row["what_it_shows"].strip()
    info = comsim.scenario_info(row["name"])
    assert info == {"title": row["title"], "what_it_shows": row["what_it_shows"]}


@pytest.mark.parametrize("row", _by_name(SCENARIO_ROWS))
def test_every_scenario_runs(row):
    trace = comsim.run_scenario(row["name"], iterations=2000)
    s = trace.summary
    assert s.iterations == 2000
    assert s.strategy == row["strategy"] and s.policy == row["policy"]
    assert s.tightness == float(row["tightness"])
    assert trace.params.blankets == int(row["blankets"])
    assert len(trace.frame) == trace.arrays.private_bytes.size > 2000
    assert trace.frame.attrs["rows"].startswith("the start, every iteration")
    assert s.end_private_bytes <= s.peak_private_bytes


def test_the_scenarios_show_what_they_say():
    def growth(name):
        return comsim.run_scenario(name, iterations=2000).summary.growth_bytes

    assert growth("co-copy-proxy") == growth("kb-tight-loop")
    assert growth("baseline-no-copy") == 0
    assert growth("workaround-cache") < growth("kb-tight-loop") / 100
    assert growth("workaround-cache") <= growth("workaround-three-blankets")
    assert growth("expected-free-on-release") < growth("kb-tight-loop") / 4
    assert growth("kb-loose-loop") <= growth("kb-tight-loop")


def test_every_source_has_a_section_with_its_address_on_the_sources_page(repo_root):
    from comsim.model.sources import SOURCES, source

    page = (repo_root / "docs" / "sources.md").read_text(encoding="utf-8")
    assert "../shared" not in page, "a reader of the public repository has no ../shared"
    for key, src in SOURCES.items():
        assert src.key == key
        assert f'<a id="{key}"></a>' in page, key
        assert src.url in page, f"{key}: its address is not on the page"
        assert src.url.startswith("https://"), key
        assert source(key) is src
    with pytest.raises(ValueError, match="source must be one of"):
        source("kb-315407")


# -- a broken table is refused at load, naming the file, the row and the rule (issue 18, item 7)
_GOOD_ROW = 'tightness,1.0,share,float,"(0, 1]",inferred,ours,,Share of wall time.'


def _table(tmp_path, *rows: str, header: str = ",".join(params.COLUMNS)) -> Path:
    path = tmp_path / "parameters.csv"
    path.write_text("\n".join((header, *rows)) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "rows, rule",
    [
        ([_GOOD_ROW.replace("1.0,", "0,", 1)], "row 2 ('tightness'): the default is outside"),
        ([_GOOD_ROW.replace("1.0,", "abc,", 1)], "row 2 ('tightness'): range must read like"),
        ([_GOOD_ROW.replace('"(0, 1]"', '"0 to 1"')], "row 2 ('tightness'): range must read"),
        ([_GOOD_ROW.replace(",float,", ",double,")], "type must be 'int' or 'float'"),
        ([_GOOD_ROW.replace(",inferred,", ",guessed,")], "tag must be one of"),
        ([_GOOD_ROW, _GOOD_ROW], "row 3 ('tightness'): repeats row 2"),
        ([], "has a header but no rows"),
        (["tightness,1.0"], "row 2 ('tightness'): has a different number of fields"),
    ],
)
def test_a_broken_parameters_table_names_the_file_the_row_and_the_rule(tmp_path, rows, rule):
    with pytest.raises(TableError) as info:
        params.load_parameters(_table(tmp_path, *rows))
    assert "parameters.csv" in str(info.value) and rule in str(info.value)


def test_a_table_without_a_column_or_in_another_encoding_is_refused_by_name(tmp_path):
    with pytest.raises(TableError, match="the header lacks the column"):
        params.load_parameters(_table(tmp_path, _GOOD_ROW, header="name,value"))
    path = tmp_path / "parameters.csv"
    path.write_bytes(b"\xff\xfe\x00broken")
    with pytest.raises(TableError, match="parameters.csv cannot be read"):
        params.load_parameters(path)


@pytest.mark.parametrize("which", ["parameters", "scenarios"])
def test_the_command_line_reports_a_broken_table_without_a_traceback(tmp_path, which):
    """Even ``--help`` loads the parameters: a corrupt table gives one line and exit 1 (2 for
    a broken scenarios table, read when the command runs), never a traceback."""
    import shutil

    package = tmp_path / "site" / "comsim"
    shutil.copytree(
        Path(comsim.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__")
    )
    data = package / "data"
    shutil.copytree(params.DATA_DIR, data, ignore=shutil.ignore_patterns("__pycache__"))
    target = data / f"{which}.csv"
    target.write_text(target.read_text().splitlines()[0] + "\n", encoding="utf-8")
    command = ["--help"] if which == "parameters" else ["scenarios"]
    done = subprocess.run(
        [sys.executable, "-m", "comsim", *command],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "site")},
        capture_output=True,
        text=True,
    )
    assert done.returncode in (1, 2) and "Traceback" not in done.stderr, done.stderr
    assert f"{which}.csv has a header but no rows" in done.stderr
