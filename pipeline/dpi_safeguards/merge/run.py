"""Merging accepted contributions into the framework: all or nothing.

- Ids are assigned here, never by contributors: the next number under the parent (a
  practice under its process, a process under its principle, a KPI within its
  ``KPI-<AREA>-<PHASE>`` family, a reference after ``REF-``), counting deprecated
  entries, and above every id that any git commit's framework or any release's
  ``framework.json`` ever held, so an id is never reused.
- Placeholders (``$name``) are resolved in ``parent``, ``references`` and ``replaced_by``.
- An edit applies only if the entry still holds the value the contribution expected;
  otherwise the contribution is stale and the current value is shown. Filling a
  recorded gap (``Process.gaps``) removes it from the gaps.
- Every new or changed entry gets a provenance record (contribution file, contributors,
  reviewers, date); the contribution moves to ``merged/`` with the ids it received.
- Nothing is written unless every contribution applies and the resulting framework
  passes every framework rule (checked in memory on the files as they would be written).
  A second merge at the same time is refused by the repository lock.

The same :func:`apply_contribution` gives ``safeguards diff CONTRIBUTION`` its preview.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dpi_safeguards.changes.contributions import (
    LoadedContribution,
    check_free,
    describe_findings,
    load_contribution,
    render_contribution,
    require_state,
    target_in,
)
from dpi_safeguards.changes.diff import DiffResult, diff_frameworks
from dpi_safeguards.check.rules.contribution import EDITABLE, build_text_index
from dpi_safeguards.check.similarity import LazySimilarityIndex
from dpi_safeguards.check.validate import (
    contribution_files,
    contribution_findings,
    framework_findings,
)
from dpi_safeguards.core.errors import SafeguardsError
from dpi_safeguards.core.findings import Severity
from dpi_safeguards.core.ids import Kind, is_placeholder, kind_of, last_number, natural_key
from dpi_safeguards.core.options import MergeOptions
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.load.folder import (
    LoadedFramework,
    file_of,
    load_framework,
    load_rendered,
    render_framework,
)
from dpi_safeguards.models.base import Entry, ProvenanceRecord
from dpi_safeguards.models.changes import ChangeList
from dpi_safeguards.models.contribution import (
    AddKpi,
    AddPractice,
    AddProcess,
    AddReference,
    Contribution,
    Deprecate,
    Edit,
    MergeRecord,
)
from dpi_safeguards.models.framework import (
    ENTRY_MODELS,
    KPI_AREA_CODES,
    KPI_PHASE_CODES,
    TABLE_NAMES,
    Framework,
    Process,
    copy_framework,
)
from dpi_safeguards.review.decisions import approvals, check_date, load_reviewers, valid_approvals
from dpi_safeguards.store.git import ids_in_history
from dpi_safeguards.store.lock import repository_lock
from dpi_safeguards.store.transaction import Transaction, recover

# ---- ids ----------------------------------------------------------------------------------


def family_of(entry_id: str) -> str | None:
    """The numbering family an id belongs to (F3.1.2 -> F3.1, KPI-PEO-DES-3 -> KPI-PEO-DES)."""
    kind = kind_of(entry_id)
    if kind in (Kind.PROCESS, Kind.PRACTICE):
        return entry_id.rsplit(".", 1)[0]
    if kind in (Kind.KPI, Kind.REFERENCE):
        return entry_id.rsplit("-", 1)[0]
    return None


class IdAllocator:
    """Hands out the next free number of each family; linear in the number of used ids."""

    def __init__(self, used: Iterable[str] = ()) -> None:
        self._top: dict[str, int] = {}
        for entry_id in used:
            self.reserve(entry_id)

    def reserve(self, entry_id: str) -> None:
        family = family_of(entry_id)
        if family is not None:
            self._top[family] = max(self._top.get(family, 0), last_number(entry_id))

    def allocate(self, family: str, separator: str) -> str:
        number = self._top.get(family, 0) + 1
        self._top[family] = number
        return f"{family}{separator}{number}"


def release_ids(workspace: Workspace) -> set[str]:
    """Every id held by a release's framework.json (releases/*/framework.json)."""

    ids: set[str] = set()
    if not workspace.releases_dir.is_dir():
        return ids
    for file in sorted(workspace.releases_dir.glob("*/framework.json")):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SafeguardsError(
                f"{workspace.display(file)} cannot be read ({exc}); merge needs every "
                "release's ids so that none is reused"
            ) from None
        if not isinstance(data, dict):
            continue
        for key in TABLE_NAMES.values():
            for item in data.get(key) or []:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    ids.add(item["id"])
    return ids


def used_ids(workspace: Workspace, framework: Framework) -> set[str]:
    """Ids never to hand out again: the framework's (deprecated ones too), git history's,
    and every release's."""

    ids = {entry_id for kind in Kind for entry_id in framework.table(kind)}
    # Outside a git repository the framework and the releases are all there is.
    with contextlib.suppress(SafeguardsError):
        ids |= ids_in_history(workspace.root)
    return ids | release_ids(workspace)


# ---- applying one contribution ------------------------------------------------------------




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


# ---- the merge ----------------------------------------------------------------------------


class MergeError(SafeguardsError):
    """One or more accepted contributions cannot be merged; nothing was written."""


@dataclass
class MergedContribution:
    source: Path
    target: Path
    ids: dict[str, str]
    added: list[str]
    changed: list[str]


@dataclass
class MergeResult:
    merged: list[MergedContribution]
    changes: ChangeList
    before: Framework
    after: Framework
    written: list[Path] = field(default_factory=list)
    dry_run: bool = False


def merge(workspace: Workspace, options: MergeOptions | None = None) -> MergeResult:

    options = options or MergeOptions()
    day = check_date(options.date)
    paths = list(options.paths) or None
    if options.dry_run:
        return _merge_locked(workspace, paths, day, True)
    with repository_lock(workspace.root, "merge"):
        recover(workspace.root, [workspace.framework_dir, workspace.contributions_dir])
        return _merge_locked(workspace, paths, day, False)


def _merge_locked(
    workspace: Workspace, paths: list[Path] | None, day: str, dry_run: bool
) -> MergeResult:

    loaded = load_framework(workspace.framework_dir, display_base=workspace.root)
    if not loaded.ok:
        raise SafeguardsError(
            "the framework does not load; run 'safeguards validate' and fix it before merging"
        )
    before = loaded.framework
    files = list(paths) if paths else contribution_files(workspace.state_dir("accepted"))
    empty = diff_frameworks(before, before, from_label="working framework", to_label="merged")
    if not files:
        return MergeResult([], empty, before, before, dry_run=dry_run)
    seen: set[Path] = set()
    for file in files:
        if file.resolve() in seen:
            raise SafeguardsError(f"{workspace.display(file)} is named twice")
        seen.add(file.resolve())
        require_state(workspace, file, "accepted", "merge")

    settings = load_reviewers(workspace)
    text_index = build_text_index(before)
    problems: list[str] = []
    contributions: list[LoadedContribution] = []
    for file in files:
        try:
            item = load_contribution(workspace, file)
        except SafeguardsError as exc:
            problems.append(str(exc))
            continue
        if item.contribution.merged is not None:
            problems.append(f"{item.shown} was already merged on {item.contribution.merged.date}")
            continue
        accepted_by = valid_approvals(settings, item.contribution)
        if len(accepted_by) < settings.approvals_required:
            problems.append(
                f"{item.shown} has {len(accepted_by)} approval(s) by listed reviewers who are "
                f"not its contributors, {settings.approvals_required} needed; review it with "
                "'safeguards review' instead of moving it by hand"
            )
            continue
        errors = [
            f
            for f in contribution_findings(file, loaded, text_index, item.shown)
            if f.severity is Severity.ERROR
        ]
        if errors:
            problems.append(f"{item.shown} does not validate:\n{describe_findings(errors)}")
            continue
        try:
            check_free(workspace, target_in(workspace, file, "merged"))
        except SafeguardsError as exc:
            problems.append(f"{item.shown}: {exc}")
            continue
        contributions.append(item)

    after = copy_framework(before)
    allocator = IdAllocator(used_ids(workspace, before))
    outcomes: list[tuple[LoadedContribution, Applied]] = []
    for item in contributions:
        target = target_in(workspace, item.path, "merged")
        applied = apply_contribution(
            after,
            item.contribution,
            source=workspace.display(target),
            date=day,
            allocator=allocator,
            reviewers=valid_approvals(settings, item.contribution),
        )
        problems.extend(applied.problems)
        outcomes.append((item, applied))
    origin = {
        entry_id: item.shown
        for item, applied in outcomes
        for entry_id in (*applied.added, *applied.changed)
    }
    # Only the files holding an added or changed entry are rendered, checked and written.
    touched = {file_of(k, i) for i in origin if (k := after.kind_of(i)) is not None}
    rendered = render_framework(after, only=touched) if not problems else {}
    if not problems:
        for text in result_errors(workspace, loaded, after, rendered):
            mentioned = sorted(
                {i for i in re.findall(r"[A-Z][A-Z0-9.\-]*[0-9]", text) if i in origin},
                key=natural_key,
            )
            sources = "".join(f"\n  {i}: from {origin[i]}" for i in mentioned)
            problems.append(
                f"the merged framework would not validate:\n{text}"
                + (f"\n  (ids as the merge would assign them){sources}" if sources else "")
            )
    if problems:
        raise MergeError(
            "nothing was merged; every framework and contribution file is unchanged:\n"
            + "\n".join(f"- {p}" for p in problems)
        )

    changes = diff_frameworks(before, after, from_label="working framework", to_label="merged")
    merged = [
        MergedContribution(
            item.path,
            target_in(workspace, item.path, "merged"),
            applied.ids,
            applied.added,
            applied.changed,
        )
        for item, applied in outcomes
    ]
    result = MergeResult(merged, changes, before, after, dry_run=dry_run)
    if dry_run:
        return result
    # One transaction: the merged contributions, the framework files that change, and the
    # removal of the accepted copies land together, or (after a crash, replayed by the
    # next run) not at all.
    transaction = Transaction(workspace.root)
    for (item, applied), done in zip(outcomes, merged, strict=True):
        record = MergeRecord(date=day, ids=applied.ids, added=applied.added)
        updated = item.contribution.model_copy(update={"merged": record})
        transaction.move(item.path, done.target, render_contribution(updated, done.target))
        result.written.append(done.target)
    for name, text in rendered.items():
        target = workspace.framework_dir / name
        if not target.is_file() or target.read_bytes() != text.encode("utf-8"):
            transaction.write(target, text)
            result.written.append(target)
    transaction.commit()
    return result


# ---- preview (safeguards diff CONTRIBUTION) -----------------------------------------------


def preview(workspace: Workspace, path: Path, *, date: str | None = None) -> DiffResult:
    """What merging ``path`` now would change, with provisional ids (the same code as the
    merge), plus the contribution's findings (near-duplicate warnings among them)."""

    if not path.is_file():
        raise SafeguardsError(f"{workspace.display(path)} does not exist or is not a file")
    loaded = load_framework(workspace.framework_dir, display_base=workspace.root)
    if not loaded.ok:
        raise SafeguardsError(
            "the framework does not load; run 'safeguards validate' and fix it first"
        )
    item = load_contribution(workspace, path)
    before = loaded.framework
    findings = list(
        contribution_findings(
            path,
            loaded,
            build_text_index(before),
            item.shown,
            similarity=LazySimilarityIndex(before),
        )
    )
    after = copy_framework(before)
    applied = apply_contribution(
        after,
        item.contribution,
        source=item.shown,
        date=check_date(date),
        allocator=IdAllocator(used_ids(workspace, before)),
        reviewers=approvals(item.contribution),
    )
    changes = diff_frameworks(before, after, from_label="working framework", to_label=item.shown)
    problems = list(applied.problems)
    if item.contribution.merged is not None:
        record = item.contribution.merged
        problems.insert(
            0,
            f"{item.shown} was already merged on {record.date} "
            f"(added: {', '.join(record.added) or 'nothing'}); this preview applies it again",
        )
    return DiffResult(changes, after, findings, problems)
