"""Applying one contribution to a framework in memory: placeholders (``$name``) resolved
in ``parent``, ``references`` and ``replaced_by``; an edit only where the entry still
holds the value the contribution expected (:meth:`Edit.is_stale`), filling a recorded
gap removes it from ``Process.gaps``; a provenance record on every new or changed entry.
Used by the merge and by ``safeguards diff CONTRIBUTION``'s preview."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from dpi_safeguards.changes.contributions import (
    describe_findings,
)
from dpi_safeguards.check.rules.contribution import EDITABLE
from dpi_safeguards.check.validate import (
    framework_findings,
)
from dpi_safeguards.core.findings import Severity
from dpi_safeguards.core.ids import Kind, is_placeholder, kind_of
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.load.folder import (
    LoadedFramework,
    load_rendered,
)
from dpi_safeguards.merge.ids import IdAllocator
from dpi_safeguards.models.base import Entry, ProvenanceRecord
from dpi_safeguards.models.contribution import (
    AddKpi,
    AddPractice,
    AddProcess,
    AddReference,
    Contribution,
    Deprecate,
    Edit,
)
from dpi_safeguards.models.framework import (
    ENTRY_MODELS,
    KPI_AREA_CODES,
    KPI_PHASE_CODES,
    Framework,
    Process,
)


@dataclass
class Applied:
    source: str
    ids: dict[str, str] = field(default_factory=dict)  # placeholder -> id
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def apply_contribution(
    fw: Framework,
    contribution: Contribution,
    *,
    source: str,
    date: str,
    allocator: IdAllocator,
    reviewers: list[str],
) -> Applied:
    """Apply ``contribution`` to ``fw`` in place (use :func:`copy_framework` first).

    Problems (stale edits, missing targets, invalid results) are collected in the result;
    when there are any, ``fw`` may hold part of the contribution and must be dropped.
    """
    applied = Applied(source)
    record = ProvenanceRecord(
        source=source,
        contributors=[c.name for c in contribution.contributors],
        reviewers=reviewers,
        date=date,
    )
    changes = list(enumerate(contribution.changes, 1))
    assigned_ids: dict[int, str] = {}  # change number -> the id it adds

    def problem(number: int, message: str) -> None:
        applied.problems.append(f"{source}: change {number}: {message}")

    # 1. ids for everything added: processes, KPIs and references first, then practices
    #    (whose parent may be a process added here).
    for number, change in changes:
        new_id: str | None = None
        placeholder: str | None = None
        if isinstance(change, AddProcess):
            placeholder = change.placeholder
            if change.principle not in fw.principles:
                problem(number, f"{change.principle} is not a principle of the framework")
                continue
            new_id = allocator.allocate(change.principle, ".")
        elif isinstance(change, AddKpi):
            family = f"KPI-{KPI_AREA_CODES[change.area]}-{KPI_PHASE_CODES[change.phase]}"
            new_id = allocator.allocate(family, "-")
            placeholder = change.placeholder
        elif isinstance(change, AddReference):
            new_id = allocator.allocate("REF", "-")
            placeholder = change.placeholder
        if new_id is not None and placeholder is not None:
            applied.ids[placeholder] = new_id
        if new_id is not None:
            applied.added.append(new_id)
            assigned_ids[number] = new_id
    for number, change in changes:
        if isinstance(change, AddPractice):
            parent = (
                applied.ids.get(change.parent) if is_placeholder(change.parent) else change.parent
            )
            if parent is None or kind_of(parent) is not Kind.PROCESS:
                problem(
                    number, f"the parent {change.parent} is not a process this contribution adds"
                )
                continue
            if parent not in fw.processes and parent not in applied.added:
                problem(number, f"the parent {parent} is not a process of the framework")
                continue
            new_id = allocator.allocate(parent, ".")
            if change.placeholder is not None:
                applied.ids[change.placeholder] = new_id
            applied.added.append(new_id)
            assigned_ids[number] = new_id

    def resolve(number: int, value: str) -> str:
        if is_placeholder(value):
            if value not in applied.ids:
                problem(number, f"the placeholder {value} is not defined by this contribution")
                return value
            return applied.ids[value]
        return value

    def build(number: int, kind: Kind, data: dict[str, Any]) -> None:
        try:
            entry = ENTRY_MODELS[kind].model_validate(data)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            problem(number, f"the resulting {kind.value} is not valid: {where}: {first['msg']}")
            return
        fw.table(kind)[entry.id] = entry

    provenance = [record.model_dump(mode="json", exclude_defaults=True)]

    # 2. the entries themselves, in the order the contribution gives them
    for number, change in changes:
        assigned = assigned_ids.get(number)
        if isinstance(change, AddProcess) and assigned:
            build(
                number,
                Kind.PROCESS,
                {
                    "id": assigned,
                    "text": change.text,
                    "risks": list(change.risks),
                    "authorities": list(change.authorities),
                    "stages": list(change.stages),
                    "references": [resolve(number, r) for r in change.references],
                    "provenance": provenance,
                },
            )
        elif isinstance(change, AddPractice) and assigned:
            build(
                number,
                Kind.PRACTICE,
                {
                    "id": assigned,
                    "text": change.text,
                    "authorities": list(change.authorities),
                    "stages": list(change.stages),
                    "references": [resolve(number, r) for r in change.references],
                    "provenance": provenance,
                },
            )
        elif isinstance(change, AddKpi) and assigned:
            data: dict[str, Any] = {
                "id": assigned,
                "area": change.area,
                "phase": change.phase,
                "text": change.text,
                "provenance": provenance,
            }
            if change.context is not None:
                data["context"] = change.context
            build(number, Kind.KPI, data)
        elif isinstance(change, AddReference) and assigned:
            build(
                number,
                Kind.REFERENCE,
                {
                    "id": assigned,
                    "title": change.title,
                    "url": change.url,
                    "kind": change.kind,
                    "provenance": provenance,
                },
            )
        elif isinstance(change, Edit):
            _apply_edit(fw, change, number, record, resolve, problem, build, applied)
        elif isinstance(change, Deprecate):
            _apply_deprecation(fw, change, number, record, resolve, problem, build, applied)
    return applied


def _with_record(entry: Entry, record: ProvenanceRecord) -> list[dict[str, Any]]:
    records = [r.model_dump(mode="json", exclude_defaults=True) for r in entry.provenance]
    mine = record.model_dump(mode="json", exclude_defaults=True)
    if not records or records[-1] != mine:
        records.append(mine)
    return records


def _target_entry(
    fw: Framework, target: str, number: int, problem: Any
) -> tuple[Kind, Entry] | None:
    """The kind and entry an edit or deprecation names, or a problem when there is none."""
    kind = fw.kind_of(target)
    entry = fw.table(kind).get(target) if kind is not None else None
    if kind is None or entry is None:
        problem(number, f"{target} is not an entry of the framework")
        return None
    return kind, entry


def _apply_edit(
    fw: Framework,
    change: Edit,
    number: int,
    record: ProvenanceRecord,
    resolve: Any,
    problem: Any,
    build: Any,
    applied: Applied,
) -> None:

    found = _target_entry(fw, change.target, number, problem)
    if found is None:
        return
    kind, entry = found
    if change.field not in EDITABLE[kind]:
        problem(
            number,
            f"a {kind.value} has no editable field '{change.field}'; "
            f"editable: {', '.join(sorted(EDITABLE[kind]))}",
        )
        return
    current = getattr(entry, change.field)
    if change.is_stale(current):
        problem(number, change.stale_message(current))
        return
    value: Any = change.value
    if isinstance(value, list):
        value = [resolve(number, v) for v in value]
    data = entry.model_dump(mode="json", exclude_defaults=True)
    data[change.field] = value
    if isinstance(entry, Process) and change.field in entry.gaps and value:
        data["gaps"] = [g for g in entry.gaps if g != change.field]
    data["provenance"] = _with_record(entry, record)
    build(number, kind, data)
    if change.target not in applied.changed and change.target not in applied.added:
        applied.changed.append(change.target)


def _apply_deprecation(
    fw: Framework,
    change: Deprecate,
    number: int,
    record: ProvenanceRecord,
    resolve: Any,
    problem: Any,
    build: Any,
    applied: Applied,
) -> None:
    found = _target_entry(fw, change.target, number, problem)
    if found is None:
        return
    kind, entry = found
    if entry.deprecated is not None:
        problem(number, f"{change.target} is already deprecated ({entry.deprecated.reason})")
        return
    deprecation: dict[str, Any] = {"version": "unreleased", "reason": change.reason}
    if change.replaced_by is not None:
        target = resolve(number, change.replaced_by)
        if fw.kind_of(target) != kind:
            problem(number, f"replaced_by names {target}, which is not a {kind.value}")
            return
        deprecation["replaced_by"] = target
    data = entry.model_dump(mode="json", exclude_defaults=True)
    data["deprecated"] = deprecation
    data["provenance"] = _with_record(entry, record)
    build(number, kind, data)
    if change.target not in applied.changed:
        applied.changed.append(change.target)


# ---- checking the result ------------------------------------------------------------------


def result_errors(
    workspace: Workspace, loaded: LoadedFramework, after: Framework, rendered: dict[str, str]
) -> list[str]:
    """Every error finding of the merged framework ``after``, checked in memory before
    anything is written. ``rendered`` holds the files the merge changes, as they would be
    written: they are read back (reading and schema, as ``validate`` would read them) and
    take the place of their old versions in ``loaded``; then every framework rule runs on
    the whole of ``after``."""

    fresh = load_rendered(rendered, workspace.framework_dir, display_base=workspace.root)
    replaced = set(fresh.documents) | {e.path for e in fresh.load_errors}
    combined = LoadedFramework(
        framework=after,
        root=loaded.root,
        documents={
            **{k: v for k, v in loaded.documents.items() if k not in replaced},
            **fresh.documents,
        },
        locations={
            **{i: loc for i, loc in loaded.locations.items() if loc[0] not in replaced},
            **fresh.locations,
        },
        duplicates={
            **{
                i: kept
                for i, places in loaded.duplicates.items()
                if (kept := [p for p in places if p[0] not in replaced])
            },
            **fresh.duplicates,
        },
        load_errors=fresh.load_errors,
        schema_problems=fresh.schema_problems,
    )
    errors = [f for f in framework_findings(combined) if f.severity is Severity.ERROR]
    return [describe_findings(errors)] if errors else []
