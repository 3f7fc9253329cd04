"""The published JSON Schemas are generated from the models and agree with them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

from dpi_safeguards.check.schemas import render_all
from dpi_safeguards.models.contribution import Contribution
from dpi_safeguards.store.reader import LoadError, load_document
from tests.support.paths import CASES, REPO


@pytest.mark.parametrize("folder", ["schemas", "pipeline/dpi_safeguards/schemas"])
def test_published_schemas_match_the_models(folder: str) -> None:
    generated = render_all()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in (REPO / folder).glob("*.json")}
    assert on_disk == generated, f"run: safeguards schemas -o {folder}"


def test_schemas_are_valid_draft_2020_12() -> None:
    for text in render_all().values():
        schema = json.loads(text)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"].startswith("https://")
        jsonschema.Draft202012Validator.check_schema(schema)


def _contribution_inputs() -> list[Path]:
    return sorted(
        p
        for p in [*CASES.rglob("contribution.*"), *(REPO / "contributions").rglob("*.yaml")]
        if p.suffix in (".yaml", ".json")
    )


# Where the model is deliberately stricter than the published schema: a date that has the
# form YYYY-MM-DD but is not in the calendar (2024-02-30). The schema's bytes are part of
# every release bundle and `verify` rebuilds published releases with the current code, so
# the pattern cannot change without failing v1.0.0; pydantic checks the calendar.
STRICTER_MODEL = {"SCH005-impossible-date"}


@pytest.mark.parametrize("path", _contribution_inputs(), ids=lambda p: p.parent.name)
def test_schema_and_model_agree(path: Path) -> None:
    """Whatever the loader reads, jsonschema and pydantic give the same verdict."""
    if path.parent.name in STRICTER_MODEL:
        pytest.skip("the model checks the calendar; the published schema only the form")
    try:
        data: Any = load_document(path).data
    except LoadError:
        return
    schema = json.loads((REPO / "schemas" / "contribution.schema.json").read_text())
    schema_ok = jsonschema.Draft202012Validator(schema).is_valid(data)
    try:
        Contribution.model_validate(data)
        model_ok = True
    except ValidationError:
        model_ok = False
    assert schema_ok == model_ok


# Values where regex dialects part ways: a final line break (Python's $ matches before it),
# other line ends, white space at either end, digits other than ASCII, an empty string.
_EDGES = ["", "\n", "\r\n", "\r", " ", "\t", "\u2028", "\x00"]
_VALUES = ["F3", "F3.1", "F3.1.2", "RS1", "L2", "R1", "KPI-PEO-DES-1", "REF-1", "$new-one"]
_VALUES += ["2024-02-01", "1.2.0", "F\u0663", "F3.1.2.4"]


def _pattern_types() -> list[tuple[Any, str]]:
    """Each pattern-typed model type, with the pattern the published schemas give it."""
    from dpi_safeguards.core.ids import ID_PATTERNS, PLACEHOLDER_PATTERN, Kind, anchored
    from dpi_safeguards.models import base, contribution

    names = {Kind.KPI: "Kpi"}
    pairs: list[tuple[Any, str]] = [
        (getattr(base, f"{names.get(k, k.value.title())}Id"), anchored(p))
        for k, p in ID_PATTERNS.items()
    ]
    pairs.append((contribution.Placeholder, anchored(PLACEHOLDER_PATTERN)))
    pairs.append((base.VersionText, anchored(r"[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}")))
    return pairs


@pytest.mark.parametrize("edge", _EDGES, ids=repr)
def test_model_and_schema_patterns_agree_at_every_edge(edge: str) -> None:
    """The models run their patterns in pydantic's Rust engine, the published schemas in
    the anchored form every dialect reads alike: each accepts and refuses the same
    strings, those that differ only at an edge included."""
    from pydantic import TypeAdapter

    published = "".join(render_all().values())
    for model_type, pattern in _pattern_types():
        assert json.dumps(pattern) in published, pattern
        adapter: TypeAdapter[str] = TypeAdapter(model_type)
        checker = jsonschema.Draft202012Validator({"type": "string", "pattern": pattern})
        for value in _VALUES:
            for candidate in (value + edge, edge + value):
                try:
                    adapter.validate_python(candidate, strict=True)
                    model_ok = True
                except ValidationError:
                    model_ok = False
                assert model_ok == checker.is_valid(candidate), (pattern, candidate)
