"""The canvas query and its outputs, through the facade (the command: tests/cli/test_canvas.py)."""

from __future__ import annotations

import csv
import io
import json
from typing import TypedDict, Unpack, cast

import pytest

from dpi_safeguards.core.errors import UsageError
from dpi_safeguards.knowledge.canvas import CanvasIndex, canvas, normalise_name
from dpi_safeguards.knowledge.formats import CSV_COLUMNS, csv_cell, md_inline, render
from dpi_safeguards.load.folder import load_framework
from dpi_safeguards.models.framework import Framework
from tests.support.paths import FIXTURES

CANVAS_FIXTURE = FIXTURES / "canvas"


@pytest.fixture(scope="module")
def fw() -> Framework:
    loaded = load_framework(CANVAS_FIXTURE / "framework")
    assert loaded.ok
    return loaded.framework


class Query(TypedDict, total=False):
    authorities: list[str]
    stages: list[str]
    risks: list[str]
    principles: list[str]


def ids(fw: Framework, **query: Unpack[Query]) -> list[str]:
    return [r.process_id for r in canvas(fw, **query).recommendations]


# ---- the query -------------------------------------------------------------------------


def test_no_selection_lists_every_active_process(fw: Framework) -> None:
    # F3.3 is deprecated; F3.4 has no stages (a gap) and still appears without a stage filter.
    # O3.2's text is a gap: recommendations with a text come first.
    assert ids(fw) == ["F3.1", "F3.2", "F3.4", "F7.1", "O5.1", "O3.2"]


def test_recommendations_with_a_text_come_first(fw: Framework) -> None:
    assert fw.processes["O3.2"].text is None
    assert fw.processes["O5.1"].text is not None
    assert ids(fw, stages=["L1", "L3"]) == ["F3.1", "F3.2", "F7.1", "O5.1", "O3.2"]
    # Within each group the order stays natural (F3.2 < F7.1 < O5.1).
    with_text = [i for i in ids(fw) if fw.processes[i].text is not None]
    assert with_text == ["F3.1", "F3.2", "F3.4", "F7.1", "O5.1"]


def test_guide_query(fw: Framework) -> None:
    result = canvas(
        fw, authorities=["Government"], stages=["Strategy and Design"], risks=["Unequal access"]
    )
    assert [r.process_id for r in result.recommendations] == ["F3.1", "F3.2"]
    first = result.recommendations[0]
    # F3.1.3 is narrowed to R4/L1; F3.1.4 is deprecated.
    assert [p.id for p in first.practices] == ["F3.1.1", "F3.1.2", "F3.1.5"]
    assert [p.id for p in first.practices if p.narrowed_authorities] == ["F3.1.2"]
    assert result.total == 2


def test_values_within_a_dimension_are_ored_dimensions_anded(fw: Framework) -> None:
    assert ids(fw, stages=["L1"]) == ["F3.1", "F7.1", "O3.2"]
    assert ids(fw, stages=["L1", "L3"]) == ["F3.1", "F3.2", "F7.1", "O5.1", "O3.2"]
    assert ids(fw, stages=["L1", "L3"], authorities=["R4"]) == ["F3.1", "O3.2"]
    assert ids(fw, principles=["O3", "F7"]) == ["F7.1", "O3.2"]
    assert ids(fw, risks=["SV1"], authorities=["R5"]) == ["F7.1"]
    assert ids(fw, authorities=["R3"]) == []


def test_process_without_stages_matches_no_stage_filter(fw: Framework) -> None:
    assert "F3.4" in ids(fw, authorities=["R1"])
    for stage in ("L1", "L2", "L3", "L4", "L5"):
        assert "F3.4" not in ids(fw, stages=[stage])


def test_practice_narrowing_filters_practices_not_processes(fw: Framework) -> None:
    # Technology Provider at Strategy and Design: F3.1 applies, but F3.1.2 (R1 only) and
    # F3.1.3 (L1 only) do not.
    result = canvas(fw, authorities=["R4"], stages=["L2"])
    assert [r.process_id for r in result.recommendations] == ["F3.1"]
    assert [p.id for p in result.recommendations[0].practices] == ["F3.1.1", "F3.1.5"]
    # Advocates: F7.1 with both practices (F7.1.2 narrowed to R5) ...
    (rec,) = canvas(fw, authorities=["R5"]).recommendations
    assert [p.id for p in rec.practices] == ["F7.1.1", "F7.1.2"]
    # ... Government: F7.1 without F7.1.2.
    gov = {r.process_id: r for r in canvas(fw, authorities=["R1"]).recommendations}
    assert [p.id for p in gov["F7.1"].practices] == ["F7.1.1"]


def test_recommendation_without_matching_practice_is_kept(fw: Framework) -> None:
    (rec,) = canvas(fw, principles=["F3"], stages=["L3"]).recommendations
    assert rec.process_id == "F3.2"
    # F3.2.2 is narrowed to L2; F3.2.1 inherits L2 and L3.
    assert [p.id for p in rec.practices] == ["F3.2.1"]
    (rec,) = canvas(fw, authorities=["R4"], stages=["L1"], principles=["O3"]).recommendations
    assert rec.text is None  # a recorded gap


@pytest.mark.parametrize(
    ("dimension", "value", "expected"),
    [
        ("stages", "L2", "L2"),
        ("stages", "l2", "L2"),
        ("stages", "Strategy and Design", "L2"),
        ("stages", "Strategy & Design", "L2"),
        ("stages", "strategy and design", "L2"),
        ("stages", "  STRATEGY-and-design ", "L2"),
        ("authorities", "technology provider", "R4"),
        ("risks", "ri2", "RI2"),
        ("risks", "Unequal Access", "RI2"),
        ("principles", "do not exclude", "F3"),
    ],
)
def test_names_and_ids(fw: Framework, dimension: str, value: str, expected: str) -> None:
    result = canvas(fw, **cast(Query, {dimension: [value]}))
    key = {"stages": "stage", "authorities": "authority", "risks": "risk"}.get(
        dimension, "principle"
    )
    assert [n.id for n in result.selection.values(key)] == [expected]


def test_repeated_value_counts_once(fw: Framework) -> None:
    result = canvas(fw, stages=["L2", "Strategy and Design", "l2"])
    assert [n.id for n in result.selection.stage] == ["L2"]


def test_unknown_value_lists_valid_ones(fw: Framework) -> None:
    with pytest.raises(UsageError) as info:
        canvas(fw, stages=["Design"])
    message = str(info.value)
    assert "unknown life-cycle stage 'Design'" in message
    assert "L2 Strategy and Design" in message and "L5 Operations and Maintenance" in message
    assert info.value.exit_code == 2


def test_deprecated_values_are_not_valid_filters(fw: Framework) -> None:
    with pytest.raises(UsageError) as info:
        canvas(fw, risks=["RS2"])
    assert "RS2" not in str(info.value).split("valid values")[1]


def test_normalise_name() -> None:
    assert normalise_name("Strategy & Design") == normalise_name("strategy and design")
    assert normalise_name("Deployment/Transformation") == "deployment transformation"


# ---- formats ---------------------------------------------------------------------------


def test_csv_cell_rules() -> None:
    assert csv_cell("plain") == '"plain"'
    assert csv_cell('say "hi", then') == '"say ""hi"", then"'
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert csv_cell(start + "1") == f'"\'{start}1"'
    assert csv_cell("a\nb") == '"a\nb"'
    assert csv_cell("") == '""'


def test_md_inline_escapes_markup() -> None:
    assert md_inline("a | b") == "a \\| b"
    assert md_inline("one\ntwo\r\nthree") == "one<br>two<br>three"
    assert md_inline("<script>") == "\\<script\\>"
    assert md_inline("*x* _y_ [z] `c` ~s~ \\") == "\\*x\\* \\_y\\_ \\[z\\] \\`c\\` \\~s\\~ \\\\"


def test_csv_is_rfc4180_one_row_per_practice(fw: Framework) -> None:
    result = canvas(fw, authorities=["R1"], stages=["L2"], risks=["RI2"])
    text = render(result, "csv")
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == list(CSV_COLUMNS)
    assert [(r[0], r[3], r[12]) for r in rows[1:]] == [
        ("1", "F3.1", "F3.1.1"),
        ("1", "F3.1", "F3.1.2"),
        ("1", "F3.1", "F3.1.5"),
        ("2", "F3.2", "F3.2.1"),
        ("2", "F3.2", "F3.2.2"),
    ]
    by_practice = {r[12]: r for r in rows[1:]}
    assert by_practice["F3.2.1"][13].startswith("'=HYPERLINK(")
    assert by_practice["F3.2.2"][13].startswith("'-1 is")
    assert by_practice["F3.1.2"][14] == "R1"  # narrowed
    assert by_practice["F3.1.1"][14] == "R1; R4"  # inherited
    assert by_practice["F3.2.1"][4] == "Measure who is left out | by region and group.\n" + (
        "Act on what the numbers show."
    )
    assert by_practice["F3.2.1"][11].startswith('"Actions" for transparent')


def test_csv_recommendation_without_practice_has_one_row(fw: Framework) -> None:
    result = canvas(fw, authorities=["R1"], stages=["L3"], principles=["O5"])
    rows = list(csv.reader(io.StringIO(render(result, "csv"), newline="")))
    assert len(rows) == 2 and rows[1][3] == "O5.1" and rows[1][12] == "O5.1.1"
    result = canvas(fw, authorities=["R4"], principles=["O3"])
    rows = list(csv.reader(io.StringIO(render(result, "csv"), newline="")))
    assert rows[1][4] == ""  # text gap: empty cell


def test_json_output(fw: Framework) -> None:
    data = json.loads(render(canvas(fw, authorities=["R1"], risks=["RI2"]), "json"))
    assert data["total"] == 3
    assert data["selection"]["authority"] == [{"id": "R1", "name": "Government"}]
    assert data["selection"]["stage"] == []
    assert [r["process"]["id"] for r in data["recommendations"]] == ["F3.1", "F3.2", "F3.4"]
    practice = data["recommendations"][0]["practices"][1]
    assert practice["id"] == "F3.1.2" and practice["narrows"] == ["authorities"]


def test_html_escapes_everything(fw: Framework) -> None:
    page = render(canvas(fw, authorities=["R1"], stages=["L2"]), "html")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower()
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_text_output(fw: Framework) -> None:
    text = render(canvas(fw, authorities=["R1"], stages=["L2"], risks=["RI2"]), "text")
    assert "Total recommendations 2" in text
    assert "Recommendation 2 of 2" in text
    assert "Responsible authority: R1 Government\n" in text
    assert "Withdrawn" not in text and "deprecated fixture process" not in text


def test_index_built_once_answers_many(fw: Framework) -> None:
    index = CanvasIndex(fw)
    a = canvas(fw, stages=["L1"], index=index)
    b = canvas(fw, stages=["L1"], index=index)
    assert a == b


def test_text_output_neutralises_terminal_controls(fw: Framework) -> None:
    from dataclasses import replace

    hostile = replace(fw, practices=dict(fw.practices))
    hostile.practices["F3.1.1"] = fw.practices["F3.1.1"].model_copy(
        update={"text": "red \x1b[31m text\x07 and\ttab"}
    )
    text = render(canvas(hostile, authorities=["R1"]), "text")
    assert "\x1b" not in text and "\x07" not in text
    assert "red \ufffd[31m text\ufffd and\ttab" in text
