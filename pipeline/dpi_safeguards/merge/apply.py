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
from dpi_safeguards.core.choices import KPI_AREA_CODES, KPI_PHASE_CODES
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
from dpi_safeguards.models.framework import ENTRY_MODELS, Framework, Process


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
    record = ProvenanceRecord(
        source=source,
        contributors=[c.name for c in contribution.contributors],
        reviewers=reviewers,
        date=date,
    )
    application = _Application(fw, Applied(source), allocator, record)
    changes = list(enumerate(contribution.changes, 1))
    # Ids first: processes, KPIs and references, then practices (whose parent may be a
    # process added here); then the entries, in the order the contribution gives them.
    for number, change in changes:
        application.allocate(number, change)
    for number, change in changes:
        if isinstance(change, AddPractice):
            application.allocate_practice(number, change)
    for number, change in changes:
        application.apply(number, change)
    return application.applied


AnyChange = AddProcess | AddPractice | AddKpi | AddReference | Edit | Deprecate


class _Application:
    """One contribution being applied: the ids it was given, and its problems."""

    def __init__(
        self, fw: Framework, applied: Applied, allocator: IdAllocator, record: ProvenanceRecord
    ) -> None:
        self.fw = fw
        self.applied = applied
        self.allocator = allocator
        self.record = record
        self.provenance = [record.model_dump(mode="json", exclude_defaults=True)]
        self.assigned: dict[int, str] = {}  # change number -> the id it adds

    def problem(self, number: int, message: str) -> None:
        self.applied.problems.append(f"{self.applied.source}: change {number}: {message}")

    def _assign(self, number: int, new_id: str, placeholder: str | None) -> None:
        if placeholder is not None:
            self.applied.ids[placeholder] = new_id
        self.applied.added.append(new_id)
        self.assigned[number] = new_id

    def allocate(self, number: int, change: AnyChange) -> None:
        """The id of an added process, KPI or reference."""
        if isinstance(change, AddProcess):
            if change.principle not in self.fw.principles:
                self.problem(number, f"{change.principle} is not a principle of the framework")
                return
            new_id = self.allocator.allocate(change.principle, ".")
        elif isinstance(change, AddKpi):
            family = f"KPI-{KPI_AREA_CODES[change.area]}-{KPI_PHASE_CODES[change.phase]}"
            new_id = self.allocator.allocate(family, "-")
        elif isinstance(change, AddReference):
            new_id = self.allocator.allocate("REF", "-")
        else:
            return
        self._assign(number, new_id, change.placeholder)

    def allocate_practice(self, number: int, change: AddPractice) -> None:
        ids = self.applied.ids
        parent = ids.get(change.parent) if is_placeholder(change.parent) else change.parent
        if parent is None or kind_of(parent) is not Kind.PROCESS:
            self.problem(
                number, f"the parent {change.parent} is not a process this contribution adds"
            )
            return
        if parent not in self.fw.processes and parent not in self.applied.added:
            self.problem(number, f"the parent {parent} is not a process of the framework")
            return
        self._assign(number, self.allocator.allocate(parent, "."), change.placeholder)

    def resolve(self, number: int, value: str) -> str:
        if not is_placeholder(value):
            return value
        if value not in self.applied.ids:
            self.problem(number, f"the placeholder {value} is not defined by this contribution")
            return value
        return self.applied.ids[value]

    def build(self, number: int, kind: Kind, data: dict[str, Any]) -> None:
        try:
            entry = ENTRY_MODELS[kind].model_validate(data)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            self.problem(
                number, f"the resulting {kind.value} is not valid: {where}: {first['msg']}"
            )
            return
        self.fw.table(kind)[entry.id] = entry

    def apply(self, number: int, change: AnyChange) -> None:
        if isinstance(change, Edit):
            self.edit(number, change)
        elif isinstance(change, Deprecate):
            self.deprecate(number, change)
        elif number in self.assigned:
            kind, data = self._added(number, change)
            self.build(number, kind, {"id": self.assigned[number], **data})

    def _added(
        self, number: int, change: AddProcess | AddPractice | AddKpi | AddReference
    ) -> tuple[Kind, dict[str, Any]]:
        """The kind and fields (but the id) of the entry an addition makes."""
        provenance = self.provenance
        if isinstance(change, AddKpi):
            data: dict[str, Any] = {"area": change.area, "phase": change.phase}
            data["text"] = change.text
            if change.context is not None:
                data["context"] = change.context
            return Kind.KPI, {**data, "provenance": provenance}
        if isinstance(change, AddReference):
            reference = {"title": change.title, "url": change.url, "kind": change.kind}
            return Kind.REFERENCE, {**reference, "provenance": provenance}
        data = {"text": change.text}
        if isinstance(change, AddProcess):
            data["risks"] = list(change.risks)
        data["authorities"] = list(change.authorities)
        data["stages"] = list(change.stages)
        data["references"] = [self.resolve(number, r) for r in change.references]
        kind = Kind.PROCESS if isinstance(change, AddProcess) else Kind.PRACTICE
        return kind, {**data, "provenance": provenance}

    def _target(self, number: int, target: str) -> tuple[Kind, Entry] | None:
        """The kind and entry an edit or deprecation names, or a problem when there is none."""
        kind = self.fw.kind_of(target)
        entry = self.fw.table(kind).get(target) if kind is not None else None
        if kind is None or entry is None:
            self.problem(number, f"{target} is not an entry of the framework")
            return None
        return kind, entry

    def _rebuild(self, number: int, kind: Kind, entry: Entry, data: dict[str, Any]) -> None:
        """``entry`` again with ``data`` and this contribution's provenance record."""
        data["provenance"] = _with_record(entry, self.record)
        self.build(number, kind, data)
        target = entry.id
        if target not in self.applied.changed and target not in self.applied.added:
            self.applied.changed.append(target)

    def edit(self, number: int, change: Edit) -> None:
        found = self._target(number, change.target)
        if found is None:
            return
        kind, entry = found
        if change.field not in EDITABLE[kind]:
            self.problem(
                number,
                f"a {kind.value} has no editable field '{change.field}'; "
                f"editable: {', '.join(sorted(EDITABLE[kind]))}",
            )
            return
        current = getattr(entry, change.field)
        if change.is_stale(current):
            self.problem(number, change.stale_message(current))
            return
        value: Any = change.value
        if isinstance(value, list):
            value = [self.resolve(number, v) for v in value]
        data = entry.model_dump(mode="json", exclude_defaults=True)
        data[change.field] = value
        if isinstance(entry, Process) and change.field in entry.gaps and value:
            data["gaps"] = [g for g in entry.gaps if g != change.field]
        self._rebuild(number, kind, entry, data)

    def deprecate(self, number: int, change: Deprecate) -> None:
        found = self._target(number, change.target)
        if found is None:
            return
        kind, entry = found
        if entry.deprecated is not None:
            self.problem(
                number, f"{change.target} is already deprecated ({entry.deprecated.reason})"
            )
            return
        deprecation: dict[str, Any] = {"version": "unreleased", "reason": change.reason}
        if change.replaced_by is not None:
            target = self.resolve(number, change.replaced_by)
            if self.fw.kind_of(target) != kind:
                self.problem(number, f"replaced_by names {target}, which is not a {kind.value}")
                return
            deprecation["replaced_by"] = target
        data = entry.model_dump(mode="json", exclude_defaults=True)
        data["deprecated"] = deprecation
        self._rebuild(number, kind, entry, data)


def _with_record(entry: Entry, record: ProvenanceRecord) -> list[dict[str, Any]]:
    records = [r.model_dump(mode="json", exclude_defaults=True) for r in entry.provenance]
    mine = record.model_dump(mode="json", exclude_defaults=True)
    if not records or records[-1] != mine:
        records.append(mine)
    return records


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
