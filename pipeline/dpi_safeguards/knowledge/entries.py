"""Plain-text views for reviewers: one entry with its children, counts per kind."""

from __future__ import annotations

from typing import Any

from dpi_safeguards.core.errors import SafeguardsError
from dpi_safeguards.core.ids import PROJECT_ID_SOURCE, Kind
from dpi_safeguards.core.suggest import near_ids
from dpi_safeguards.models.base import Entry, ProvenanceRecord
from dpi_safeguards.models.framework import Framework
from dpi_safeguards.models.reports import EntryReport
from dpi_safeguards.store.writer import to_data


def _names(fw: Framework, kind: Kind, ids: list[str]) -> str:
    table = fw.table(kind)
    shown = []
    for entry_id in ids:
        entry = table.get(entry_id)
        name = getattr(entry, "name", None) if entry is not None else None
        shown.append(f"{entry_id} {name}" if name else entry_id)
    return ", ".join(shown) if shown else "-"


def _found(fw: Framework, entry_id: str) -> tuple[Kind, Entry]:
    kind = fw.kind_of(entry_id)
    if kind is None:
        close = near_ids(entry_id, fw.all_ids(), limit=10)
        hint = f"; ids near it: {', '.join(close)}" if close else ""
        raise SafeguardsError(f"no entry has the id {entry_id!r}{hint}")
    return kind, fw.table(kind)[entry_id]


def entry_report(fw: Framework, entry_id: str) -> EntryReport:
    """The entry as framework.json holds it, with its kind and children."""
    kind, entry = _found(fw, entry_id)
    children = fw.children_index().get(entry_id, [])
    return EntryReport(id=entry_id, kind=kind.value, entry=to_data(entry), children=children)


def describe_entry(fw: Framework, entry_id: str) -> str:
    kind, entry = _found(fw, entry_id)
    lines = [f"{entry_id}  ({kind.value})"]
    lines += _own_fields(entry)
    lines += _linked(fw, kind, entry_id, entry)
    lines += _lists(entry)
    if entry.deprecated:
        d = entry.deprecated
        replaced = f", replaced by {d.replaced_by}" if d.replaced_by else ""
        lines.append(f"  DEPRECATED in {d.version}: {d.reason}{replaced}")
    lines += _children(fw, entry_id)
    lines.append("  provenance:")
    lines += [f"    - {_provenance(record)}" for record in entry.provenance]
    return "\n".join(lines) + "\n"


def _own_fields(entry: Any) -> list[str]:
    """Short fields first, then the long texts."""
    fields = ("name", "group", "kind", "area", "phase", "title", "url")
    texts = ("description", "text", "context")
    return [
        f"  {name}: {value}" for name in (*fields, *texts) if (value := getattr(entry, name, None))
    ]


def _linked(fw: Framework, kind: Kind, entry_id: str, entry: Any) -> list[str]:
    """The entries this one is filed under or linked to, by id and name."""
    lines = []
    if kind is Kind.PROCESS:
        lines.append(f"  principle: {_names(fw, Kind.PRINCIPLE, [entry_id.split('.')[0]])}")
    if kind is Kind.PRACTICE:
        lines.append(f"  process: {entry_id.rsplit('.', 1)[0]}")
    for field_name, dim in (
        ("risks", Kind.RISK),
        ("authorities", Kind.AUTHORITY),
        ("stages", Kind.STAGE),
        ("references", Kind.REFERENCE),
    ):
        if hasattr(entry, field_name):
            values = list(getattr(entry, field_name))
            note = " (all of the process's)" if kind is Kind.PRACTICE and not values else ""
            lines.append(f"  {field_name}: {_names(fw, dim, values)}{note}")
    return lines


def _lists(entry: Any) -> list[str]:
    lines = []
    for list_field in ("activities", "personas", "roles", "uses"):
        items: list[str] = getattr(entry, list_field, None) or []
        if items:
            lines.append(f"  {list_field}:")
            lines.extend(f"    - {v}" for v in items)
    return lines


def _children(fw: Framework, entry_id: str) -> list[str]:
    children = fw.children_index().get(entry_id, [])
    if not children:
        return []
    lines = [f"  children ({len(children)}):"]
    for child_id in children:
        child = fw.get(child_id)
        text = getattr(child, "text", None) or "(text not in the sources)"
        mark = " [deprecated]" if child is not None and child.deprecated else ""
        lines.append(f"    {child_id}{mark}  {text}")
    return lines


def _provenance(record: ProvenanceRecord) -> str:
    parts = [record.source]
    if record.location:
        parts.append(record.location)
    if record.id_source:
        parts.append(f"id from {record.id_source}")
    if record.contributors:
        parts.append("contributors: " + ", ".join(record.contributors))
    if record.reviewers:
        parts.append("reviewers: " + ", ".join(record.reviewers))
    return "; ".join(parts)


def project_assigned(fw: Framework) -> dict[str, int]:
    """Per kind, the entries whose id this project assigned (provisional, not official)."""
    return {
        kind.value: sum(
            1
            for e in fw.table(kind).values()
            if any(r.id_source == PROJECT_ID_SOURCE for r in e.provenance)
        )
        for kind in Kind
    }


def stats_table(fw: Framework) -> str:
    provisional = project_assigned(fw)
    rows = [("kind", "active", "deprecated", "total", "project ids")]
    for kind in Kind:
        table = fw.table(kind)
        active = sum(1 for e in table.values() if e.is_active)
        rows.append(
            (
                kind.value,
                str(active),
                str(len(table) - active),
                str(len(table)),
                str(provisional[kind.value]),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for index, row in enumerate(rows):
        out.append(
            "  ".join(
                cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                for i, cell in enumerate(row)
            ).rstrip()
        )
        if index == 0:
            out.append("  ".join("-" * w for w in widths))
    out.append("")
    out.append(
        "project ids: processes and practices this project numbered where no source numbers "
        "them (provisional; framework/SOURCES.md, section 4). KPI and reference ids are the "
        "project's own scheme throughout."
    )
    return "\n".join(out) + "\n"
