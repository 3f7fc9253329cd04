"""Rendering change lists: word diffs, Markdown safety, JSON schema, deepdiff field detail.

(schemas/ drift against the models is checked in tests/unit/test_schemas.py.)
"""

from __future__ import annotations

import json

import jsonschema

from dpi_safeguards import api
from dpi_safeguards.changes.diff import diff_frameworks
from dpi_safeguards.changes.render import (
    ZWJ,
    md_escape,
    render_changes_json,
    render_changes_md,
    render_changes_text,
    word_diff,
)
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.models.base import Deprecation
from dpi_safeguards.models.framework import Framework, copy_framework
from tests.support.paths import REPO

SCHEMA = json.loads((REPO / "schemas" / "changes.schema.json").read_text())


def edited(mini: Workspace, text: str) -> tuple[Framework, Framework]:
    before = api.load(mini)
    after = copy_framework(before)
    after.practices["F3.1.1"] = after.practices["F3.1.1"].model_copy(update={"text": text})
    return before, after


def test_word_diff_runs() -> None:
    assert word_diff("a b c d", "a x c d e") == [
        ("equal", "a"),
        ("delete", "b"),
        ("insert", "x"),
        ("equal", "c d"),
        ("insert", "e"),
    ]


def test_text_and_md_word_diff(mini: Workspace) -> None:
    before, after = edited(mini, "Establish mobile service points in underserved areas.")
    changes = diff_frameworks(before, after, from_label="v1", to_label="v2")
    text = render_changes_text(changes)
    assert "~ F3.1.1 (practice, F3)" in text
    assert "text: Establish [-physical-]{+mobile+} service points" in text
    md = render_changes_md(changes, after)
    assert "(practice, F3 Do not exclude)" in md
    assert "text: Establish ~~physical~~ **mobile** service points" in md


def test_md_defuses_contributed_text(mini: Workspace) -> None:
    hostile = (
        "Ping @secretariat and <script>alert(1)</script> [click](https://evil.example) "
        "*bold* `code` | cell ~~gone~~ $x$ #12\n::error::forged"
    )
    before = api.load(mini)
    after = copy_framework(before)
    after.practices["F3.1.9"] = after.practices["F3.1.1"].model_copy(
        update={"id": "F3.1.9", "text": hostile}
    )
    md = render_changes_md(diff_frameworks(before, after, from_label="@a", to_label="b"), after)
    assert "@secretariat" not in md and f"@{ZWJ}secretariat" in md
    assert "<script>" not in md and "\\<script\\>" in md
    assert "\\[click\\]\\(https" in md
    assert "\\*bold\\*" in md and "\\`code\\`" in md and "\\|" in md and "\\~\\~" in md
    assert not any(line.startswith("::") for line in md.splitlines())
    text = render_changes_text(diff_frameworks(before, after))
    assert not any(line.startswith("::") for line in text.splitlines())


def test_md_escape_is_plain_for_plain_text() -> None:
    assert md_escape("Offer channels that do not require the system.") == (
        "Offer channels that do not require the system."
    )
    assert md_escape("two\nlines") == "two lines"


def test_deepdiff_list_detail_and_deprecation(mini: Workspace) -> None:
    before = api.load(mini)
    after = copy_framework(before)
    after.processes["F3.1"] = after.processes["F3.1"].model_copy(
        update={"stages": ["L2"], "authorities": ["R4", "R1"]}
    )
    after.practices["F3.1.2"] = after.practices["F3.1.2"].model_copy(
        update={"deprecated": Deprecation(version="unreleased", reason="Merged into F3.1.1.")}
    )
    changes = diff_frameworks(before, after)
    by_id = {c.id: c for c in changes.changes}
    fields = {f.field: f for f in by_id["F3.1"].fields}
    assert fields["stages"].removed == ["L1"] and fields["stages"].added == []
    # a reordering is a change, with nothing added or removed
    assert fields["authorities"].old == ["R1", "R4"] and fields["authorities"].added == []
    assert by_id["F3.1.2"].change == "deprecated"
    text = render_changes_text(changes)
    assert "reason: Merged into F3.1.1." in text
    data = json.loads(render_changes_json(changes))
    jsonschema.validate(data, SCHEMA)


def test_empty_change_list(mini: Workspace) -> None:
    fw = api.load(mini)
    changes = diff_frameworks(fw, fw, from_label="a", to_label="b")
    assert "No changes." in render_changes_text(changes)
    assert "No changes." in render_changes_md(changes, fw)
    jsonschema.validate(json.loads(render_changes_json(changes)), SCHEMA)


def test_reviewers_schema_accepts_the_documented_example() -> None:
    schema = json.loads((REPO / "schemas" / "reviewers.schema.json").read_text())
    jsonschema.validate(
        {"approvals_required": 2, "reviewers": [{"name": "Ada", "github": "ada-l"}]}, schema
    )
