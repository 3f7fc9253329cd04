"""The release's id map: every relation, chains, cycles, and its use by diff and release."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from dpi_safeguards import api
from dpi_safeguards.changes.diff import diff_frameworks
from dpi_safeguards.changes.id_map import build_id_map
from dpi_safeguards.check.schemas import generate
from dpi_safeguards.core.ids import PROJECT_ID_SOURCE
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.load.folder import write_framework
from dpi_safeguards.models.base import Deprecation, ProvenanceRecord
from dpi_safeguards.models.framework import Framework, Practice, copy_framework


def _practice(entry_id: str, *, official: bool = True, **deprecation: object) -> Practice:
    record = ProvenanceRecord(source="test", id_source=None if official else PROJECT_ID_SOURCE)
    dep = Deprecation.model_validate(deprecation) if deprecation else None
    return Practice(id=entry_id, text=f"Practice {entry_id}.", provenance=[record], deprecated=dep)


def _framework(mini: Workspace, *practices: Practice) -> Framework:
    framework = copy_framework(api.load(mini))
    for practice in practices:
        framework.practices[practice.id] = practice
    return framework


def _relations(framework: Framework) -> dict[str, tuple[str, list[str], list[str]]]:
    return {
        e.id: (e.relation, e.replaced_by, e.current) for e in build_id_map(framework, "9.9.9").ids
    }


def test_every_relation_is_named(mini: Workspace) -> None:
    framework = _framework(
        mini,
        _practice("F3.1.3", version="1.1.0", reason="Gone."),
        _practice("F3.1.4", version="1.1.0", reason="Moved.", replaced_by="F3.1.1"),
        _practice("F3.1.5", version="1.1.0", reason="Merged.", replaced_by="F3.1.9"),
        _practice("F3.1.6", version="1.1.0", reason="Merged.", replaced_by="F3.1.9"),
        _practice(
            "F3.1.7",
            version="1.1.0",
            reason="Split.",
            replaced_by="F3.1.10",
            also_replaced_by=["F3.1.11"],
        ),
        _practice(
            "F3.1.8", official=False, version="1.1.0", reason="Official.", replaced_by="F3.1.12"
        ),
        _practice("F3.1.9"),
        _practice("F3.1.10"),
        _practice("F3.1.11"),
        _practice("F3.1.12"),
    )
    assert _relations(framework) == {
        "F3.1.3": ("deprecated", [], []),
        "F3.1.4": ("moved", ["F3.1.1"], ["F3.1.1"]),
        "F3.1.5": ("merged", ["F3.1.9"], ["F3.1.9"]),
        "F3.1.6": ("merged", ["F3.1.9"], ["F3.1.9"]),
        "F3.1.7": ("split", ["F3.1.10", "F3.1.11"], ["F3.1.10", "F3.1.11"]),
        "F3.1.8": ("renumbered", ["F3.1.12"], ["F3.1.12"]),
    }


def test_current_follows_chains_and_stops_at_a_cycle(mini: Workspace) -> None:
    framework = _framework(
        mini,
        _practice("F3.1.3", version="1.1.0", reason="a", replaced_by="F3.1.4"),
        _practice("F3.1.4", version="1.2.0", reason="b", replaced_by="F3.1.5"),
        _practice("F3.1.5"),
        _practice("F3.1.6", version="1.1.0", reason="c", replaced_by="F3.1.7"),
        _practice("F3.1.7", version="1.1.0", reason="d", replaced_by="F3.1.6"),
    )
    relations = _relations(framework)
    assert relations["F3.1.3"] == ("moved", ["F3.1.4"], ["F3.1.5"])
    assert relations["F3.1.4"] == ("moved", ["F3.1.5"], ["F3.1.5"])
    assert relations["F3.1.6"][2] == [] and relations["F3.1.7"][2] == []


def test_a_long_chain_does_not_recurse(mini: Workspace) -> None:
    chain = [
        _practice(f"F3.1.{n}", version="1.1.0", reason="next", replaced_by=f"F3.1.{n + 1}")
        for n in range(3, 5003)
    ]
    framework = _framework(mini, *chain, _practice("F3.1.5003"))
    id_map = build_id_map(framework, "9.9.9")
    assert {tuple(e.current) for e in id_map.ids} == {("F3.1.5003",)}


def test_diff_reports_a_move_through_a_chain(mini: Workspace) -> None:
    old = api.load(mini)
    new = _framework(
        mini,
        old.practices["F3.1.2"].model_copy(
            update={"deprecated": Deprecation(version="1.1.0", reason="x", replaced_by="F3.1.3")}
        ),
        _practice("F3.1.3", version="1.1.0", reason="y", replaced_by="F3.1.4"),
        _practice("F3.1.4"),
    )
    changes = diff_frameworks(old, new)
    moved = [(c.id, c.moved_from) for c in changes.changes if c.change == "moved"]
    assert moved == [("F3.1.4", "F3.1.2")]


def test_every_release_ships_a_map_valid_against_its_schema(mini_root: Path) -> None:
    workspace = Workspace(mini_root)
    api.release(workspace, api.ReleaseOptions(date="2026-01-15"))
    framework = api.load(workspace)
    framework.practices["F3.1.2"] = framework.practices["F3.1.2"].model_copy(
        update={
            "deprecated": Deprecation(version="unreleased", reason="Moved.", replaced_by="F3.1.1")
        }
    )
    write_framework(framework, workspace.framework_dir)
    api.release(workspace, api.ReleaseOptions(date="2026-02-15"))
    schema = generate("id-map")
    first = json.loads((mini_root / "releases/v1.0.0/id-map.json").read_text("utf-8"))
    second = json.loads((mini_root / "releases/v1.1.0/id-map.json").read_text("utf-8"))
    for document in (first, second):
        jsonschema.Draft202012Validator(schema).validate(document)
    assert first == {"format_version": 1, "release": "1.0.0", "ids": []}
    assert second["ids"] == [
        {
            "id": "F3.1.2",
            "kind": "practice",
            "relation": "moved",
            "replaced_by": ["F3.1.1"],
            "current": ["F3.1.1"],
            "since": "1.1.0",
            "reason": "Moved.",
        }
    ]
    sums = (mini_root / "releases/v1.1.0/SHA256SUMS").read_text("ascii")
    assert "  id-map.json\n" in sums and "  schemas/id-map.schema.json\n" in sums
