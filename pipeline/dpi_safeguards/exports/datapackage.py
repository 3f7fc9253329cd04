"""``datapackage.json``: a Frictionless Data Package describing the release's CSVs."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Protocol

from dpi_safeguards.exports.csv_tables import CSV_ENCODING, ID_SEPARATOR, TABLES, Column, Table
from dpi_safeguards.models.framework import Framework

DATAPACKAGE_FORMAT_VERSION = 1


class FileDigest(Protocol):
    """What a resource needs of its file: its size and SHA-256 (hex)."""

    @property
    def size(self) -> int: ...

    @property
    def sha256(self) -> str: ...


def _size_and_hash(payload: bytes | FileDigest) -> tuple[int, str]:
    if isinstance(payload, bytes):
        return len(payload), hashlib.sha256(payload).hexdigest()
    return payload.size, payload.sha256


def _field(column: Column) -> dict[str, Any]:
    field: dict[str, Any] = {"name": column.name, "type": column.type}
    if column.type == "list":
        field["delimiter"] = ID_SEPARATOR
        field["itemType"] = "string"
    field["description"] = column.description
    constraints: dict[str, Any] = {}
    if column.required:
        constraints["required"] = True
    if column.pattern:
        constraints["pattern"] = column.pattern
    if constraints:
        field["constraints"] = constraints
    return field


def render_datapackage(
    fw: Framework,
    version: str,
    date: str,
    csv_files: Mapping[str, bytes | FileDigest],
    languages: tuple[str, ...] = (),
) -> dict[str, Any]:
    """``csv_files``: each CSV's bytes, or its size and SHA-256 when it is already written.
    ``languages``: the published translations, whose tables (``i18n/<lang>/``) are
    resources too, named ``<table>-<lang>`` (lower case), each with its fallbacks.csv."""
    resources = [_resource(table, csv_files, "", "") for table in TABLES]
    for language in languages:
        folder, suffix = f"i18n/{language}/", f"-{language.lower()}"
        resources += [_resource(table, csv_files, folder, suffix) for table in TABLES]
        resources.append(_fallbacks_resource(csv_files, folder, suffix, language))
    return {
        "profile": "tabular-data-package",
        "name": "dpi-safeguards-framework",
        "title": fw.metadata.title,
        "description": fw.metadata.description,
        "version": version,
        "created": f"{date}T00:00:00Z",
        "licenses": [
            {
                "name": "CC-BY-SA-4.0",
                "path": "https://creativecommons.org/licenses/by-sa/4.0/",
                "title": "Creative Commons Attribution Share-Alike 4.0",
            }
        ],
        "format_version": DATAPACKAGE_FORMAT_VERSION,
        "resources": resources,
    }


_DIALECT = {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True}


def _resource(
    table: Table, csv_files: Mapping[str, bytes | FileDigest], folder: str, suffix: str
) -> dict[str, Any]:
    size, digest = _size_and_hash(csv_files[folder + table.filename])
    schema: dict[str, Any] = {
        "fields": [_field(c) for c in table.columns],
        "missingValues": [""],
        "primaryKey": [table.primary_key],
    }
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {
                "fields": [fk.field],
                "reference": {"resource": fk.resource + suffix, "fields": [fk.reference]},
            }
            for fk in table.foreign_keys
        ]
    return _csv_resource(
        table.name + suffix, folder + table.filename, table.title, table.description,
        (size, digest), schema,
    )  # fmt: skip


def _csv_resource(
    name: str,
    path: str,
    title: str,
    description: str,
    size_and_hash: tuple[int, str],
    schema: dict[str, Any],
) -> dict[str, Any]:
    size, digest = size_and_hash
    return {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "title": title,
        "description": description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": CSV_ENCODING,
        "bytes": size,
        "hash": "sha256:" + digest,
        "dialect": dict(_DIALECT),
        "schema": schema,
    }


def _fallbacks_resource(
    csv_files: Mapping[str, bytes | FileDigest], folder: str, suffix: str, language: str
) -> dict[str, Any]:
    text = {"type": "string", "constraints": {"required": True}}
    reasons = ["missing", "fuzzy", "deprecated"]
    schema: dict[str, Any] = {
        "fields": [
            {"name": "id", "type": "string", **text},
            {"name": "field", "type": "string", **text},
            {"name": "index", "type": "integer", "description": "The item of a list field."},
            {
                "name": "reason",
                "type": "string",
                "constraints": {"required": True, "enum": reasons},
            },
            {"name": "explanation", "type": "string"},
        ],
        "missingValues": [""],
    }
    return _csv_resource(
        "fallbacks" + suffix,
        folder + "fallbacks.csv",
        f"Texts given in English ({language})",
        "Every text of this language's tables that is given in English, and why: missing "
        "(not translated yet), fuzzy (the English changed since it was translated) or "
        "deprecated (not translated).",
        _size_and_hash(csv_files[folder + "fallbacks.csv"]),
        schema,
    )
