"""``framework.json``: the whole framework as one JSON document, and reading it back.

Shape (format_version 1): ``{"format_version": 1, "metadata": {...}, "risks": [...],
"principles": [...], "stages": [...], "authorities": [...], "processes": [...],
"practices": [...], "kpis": [...], "references": [...]}``; every list in natural id order,
every entry as in the framework files (processes and practices flat, not nested).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pipeline.errors import SafeguardsError
from pipeline.ids import Kind, sorted_ids
from pipeline.models.framework import ENTRY_MODELS, TABLE_NAMES, Framework, MetadataFile
from pipeline.store.reader import gc_paused
from pipeline.store.writer import to_data

FORMAT_VERSION = 1
# framework.json's keys are the Framework's table names.
KIND_KEYS: dict[Kind, str] = TABLE_NAMES


def framework_to_data(fw: Framework) -> dict[str, Any]:
    data: dict[str, Any] = {"format_version": FORMAT_VERSION, "metadata": to_data(fw.metadata)}
    for kind, key in KIND_KEYS.items():
        table = fw.table(kind)
        data[key] = [to_data(table[i]) for i in sorted_ids(table)]
    return data


def framework_from_data(data: Any, source: str = "framework.json") -> Framework:
    if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
        raise SafeguardsError(f"{source}: not a format_version {FORMAT_VERSION} framework.json")
    try:
        fw = Framework(metadata=MetadataFile.model_validate(data["metadata"]))
        for kind, key in KIND_KEYS.items():
            model = ENTRY_MODELS[kind]
            table = fw.table(kind)
            for item in data.get(key, []):
                entry = model.model_validate(item)
                table[entry.id] = entry
    except (ValidationError, KeyError, TypeError) as exc:
        raise SafeguardsError(f"{source}: does not match the framework schema: {exc}") from None
    return fw


def load_release(path: Path) -> Framework:
    """Read a release's ``framework.json`` (a file, or a release folder holding one)."""
    file = path / "framework.json" if path.is_dir() else path
    try:
        with gc_paused():
            data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SafeguardsError(f"{file} does not exist") from None
    except (OSError, ValueError) as exc:
        raise SafeguardsError(f"{file} cannot be read as JSON: {exc}") from None
    return framework_from_data(data, str(file))
