"""``framework.json``: the whole framework as one JSON document
(read back by :mod:`dpi_safeguards.load.released`).

Shape (format_version 1): ``{"format_version": 1, "metadata": {...}, "risks": [...],
"principles": [...], "stages": [...], "authorities": [...], "processes": [...],
"practices": [...], "kpis": [...], "references": [...]}``; every list in natural id order,
every entry as in the framework files (processes and practices flat, not nested).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dpi_safeguards.core.ids import Kind, sorted_ids
from dpi_safeguards.load.released import FORMAT_VERSION
from dpi_safeguards.models.framework import TABLE_NAMES, Framework
from dpi_safeguards.store.writer import JsonStream, entry_to_data, to_data

# framework.json's keys are the Framework's table names.


def framework_to_data(fw: Framework) -> dict[str, Any]:
    data: dict[str, Any] = {"format_version": FORMAT_VERSION, "metadata": to_data(fw.metadata)}
    for kind, key in TABLE_NAMES.items():
        table = fw.table(kind)
        data[key] = [entry_to_data(table[i]) for i in sorted_ids(table)]
    return data


def framework_stream(fw: Framework) -> dict[str, Any]:
    """:func:`framework_to_data` with each table a :class:`JsonStream` of its entries:
    for :func:`dpi_safeguards.store.writer.iter_dump_json`, which writes the same bytes as
    ``dump_json(framework_to_data(fw))`` without the whole framework as nested dicts."""
    data: dict[str, Any] = {"format_version": FORMAT_VERSION, "metadata": to_data(fw.metadata)}
    for kind, key in TABLE_NAMES.items():
        data[key] = JsonStream(_entries_data(fw, kind))
    return data


def _entries_data(fw: Framework, kind: Kind) -> Iterator[dict[str, Any]]:
    table = fw.table(kind)
    for entry_id in sorted_ids(table):
        yield entry_to_data(table[entry_id])


def same_data(a: Framework, b: Framework) -> bool:
    """``framework_to_data(a) == framework_to_data(b)``, entry by entry: neither framework
    is turned into nested dicts as a whole, and entries that are the same object or equal
    models (whose data are then equal) are not dumped at all."""
    if to_data(a.metadata) != to_data(b.metadata):
        return False
    for kind in TABLE_NAMES:
        table_a, table_b = a.table(kind), b.table(kind)
        if len(table_a) != len(table_b):
            return False
        for id_a, id_b in zip(sorted_ids(table_a), sorted_ids(table_b), strict=True):
            x, y = table_a[id_a], table_b[id_b]
            if x is not y and x != y and to_data(x) != to_data(y):
                return False
    return True


def release_document_stream(fw: Framework, version: str, date: str) -> dict[str, Any]:
    """A release's framework.json for :func:`iter_dump_json`: :func:`framework_stream`
    with the release (version, date) after format_version, entry by entry."""
    data = framework_stream(fw)
    return {
        "format_version": data.pop("format_version"),
        "release": {"version": version, "date": date},
        **data,
    }
