"""Keyed diff of two framework versions: by id, never by position.

Cost is linear: each kind is a dict keyed by id, entries are compared with ``==`` (cheap,
field by field in pydantic), and only the records that differ are examined field by field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff

from dpi_safeguards.changes.id_map import build_id_map
from dpi_safeguards.core.errors import SafeguardsError
from dpi_safeguards.core.findings import Finding, Severity
from dpi_safeguards.core.ids import Kind, sorted_ids
from dpi_safeguards.models.base import Entry
from dpi_safeguards.models.changes import CHANGE_TYPES, ChangeList, EntryChange, FieldChange
from dpi_safeguards.models.framework import ENTRY_MODELS, Framework, copy_framework

# Fields that are bookkeeping, not content: a change to them alone is not reported.
_IGNORED_FIELDS = frozenset({"provenance"})


def _summary(entry: Entry) -> str | None:
    fields = type(entry).model_fields  # asking for a field a model lacks raises inside it
    for name in ("name", "text", "title"):
        value = getattr(entry, name) if name in fields else None
        if isinstance(value, str):
            return value
    return None


def _principle_of(kind: Kind, entry_id: str) -> str | None:
    if kind in (Kind.PROCESS, Kind.PRACTICE):
        return entry_id.split(".", 1)[0]
    if kind is Kind.PRINCIPLE:
        return entry_id
    return None


def _dump(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", exclude_defaults=True)
    return value


def _credit(entry: Entry) -> tuple[list[str], list[str], str | None]:
    """Contributors and reviewers of the latest contribution recorded on an entry."""
    for record in reversed(entry.provenance):
        if record.contributors or record.reviewers:
            return list(record.contributors), list(record.reviewers), record.source
    return [], [], None


def field_changes(old: Entry, new: Entry) -> list[FieldChange]:
    """Field by field, for one record known to differ: the fields whose JSON values differ
    (order-sensitive; the models are strict, so a field's values always have one JSON
    type and ``!=`` is what deepdiff's affected root keys would say) and, for lists,
    deepdiff's items added and removed."""
    before = old.model_dump(mode="json", exclude=set(_IGNORED_FIELDS))
    after = new.model_dump(mode="json", exclude=set(_IGNORED_FIELDS))
    if before == after:
        return []
    touched = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    changes = []
    for name in type(new).model_fields:
        if name in _IGNORED_FIELDS or name not in touched:
            continue
        change = FieldChange(
            field=name, old=_dump(getattr(old, name, None)), new=_dump(getattr(new, name, None))
        )
        if isinstance(before.get(name), list) and isinstance(after.get(name), list):
            items = DeepDiff(before[name], after[name], ignore_order=True)
            change.added = list(items.get("iterable_item_added", {}).values())
            change.removed = list(items.get("iterable_item_removed", {}).values())
        changes.append(change)
    return changes


def diff_frameworks(
    old: Framework, new: Framework, *, from_label: str | None = None, to_label: str | None = None
) -> ChangeList:
    return _diff(old, new, from_label, to_label)


def _diff(
    old: Framework, new: Framework, from_label: str | None, to_label: str | None
) -> ChangeList:
    changes: list[EntryChange] = []
    for kind in Kind:
        before, after = old.table(kind), new.table(kind)
        for entry_id, entry in after.items():
            previous = before.get(entry_id)
            # Most entries are unchanged: rule them out before any other work.
            if previous is entry or (previous is not None and previous == entry):
                continue
            change = _entry_change(kind, entry_id, previous, entry)
            if change is not None:
                changes.append(change)
        for entry_id in before.keys() - after.keys():
            changes.append(_removal(kind, entry_id, before[entry_id]))
    changes = _fold_moves(changes, new)
    return _change_list(_in_order(changes), new, from_label, to_label)


def _in_order(changes: list[EntryChange]) -> list[EntryChange]:
    """By kind (in Kind's order), then id (natural order), then kind of change. Each
    kind's ids are put in order once (sorted_ids); the changes are then placed by id, not
    sorted by a key made per change (a third of a first release's diff)."""
    by_kind: dict[str, dict[str, list[EntryChange]]] = {kind.value: {} for kind in Kind}
    for change in changes:
        by_kind[change.kind].setdefault(change.id, []).append(change)
    ordered: list[EntryChange] = []
    for of_kind in by_kind.values():
        for entry_id in sorted_ids(of_kind):
            same_id = of_kind[entry_id]
            if len(same_id) > 1:
                same_id.sort(key=lambda c: c.change)
            ordered += same_id
    return ordered


def _entry_change(
    kind: Kind, entry_id: str, previous: Entry | None, entry: Entry
) -> EntryChange | None:
    """An entry added, changed or newly deprecated (``previous`` differs from ``entry``);
    None when only fields that are not reported (provenance) differ."""
    contributors, reviewers, contribution = _credit(entry)
    common: dict[str, Any] = {
        "id": entry_id,
        "kind": kind.value,
        "principle": _principle_of(kind, entry_id),
        "summary": _summary(entry),
        "contributors": contributors,
        "reviewers": reviewers,
        "contribution": contribution,
    }
    if previous is None:
        # From a dict: a third cheaper than keyword arguments (a first release adds all).
        common["change"] = "added"
        return EntryChange.model_validate(common)
    fields = field_changes(previous, entry)
    if not fields:
        return None
    newly_deprecated = previous.deprecated is None and entry.deprecated is not None
    return EntryChange(
        change="deprecated" if newly_deprecated else "changed", fields=fields, **common
    )


def _removal(kind: Kind, entry_id: str, gone: Entry) -> EntryChange:
    return EntryChange(
        id=entry_id,
        kind=kind.value,
        change="removed",
        principle=_principle_of(kind, entry_id),
        summary=_summary(gone),
    )


def _change_list(
    changes: list[EntryChange], new: Framework, from_label: str | None, to_label: str | None
) -> ChangeList:
    """The change list, each change holding (in memory) the newer entry it describes and,
    for a move, the entry it replaces: :func:`apply_changes` rebuilds from them."""
    # The changes are validated models already (built by validation, a move by
    # _fold_moves's validation): they are taken as they are, not dumped and validated
    # again (3.7 s and a second copy of 111,000 changes at 100,000 practices).
    result = ChangeList.model_validate(
        {
            "from": from_label,
            "to": to_label,
            "counts": _counts(changes),
            "changes": changes,
        }
    )
    tables = {kind.value: new.table(kind) for kind in Kind}
    for change in result.changes:
        key = (change.kind, change.id)
        if change.change != "removed":
            result._entries[key] = tables[change.kind].get(change.id)
        if change.moved_from is not None:
            result._replaced[key] = new.get(change.moved_from)
    return result


def apply_changes(framework: Framework, changes: ChangeList) -> Framework:
    """The newer version, rebuilt from the older one and the change list between them:
    ``apply_changes(a, diff_frameworks(a, b)) == b`` (for the entries; metadata is not in a
    change list). Changed fields are applied from the change list's JSON values; added
    and moved entries, and provenance (bookkeeping, not listed field by field), come from
    the entries a change list made by :func:`diff_frameworks` carries in memory. A change
    list read back from changes.json has no such entries: applying an addition from it is
    an error naming the entry."""

    result = copy_framework(framework)
    for change in changes.changes:
        kind = Kind(change.kind)
        table = result.table(kind)
        entry = changes._entries.get((change.kind, change.id))
        replaced = changes._replaced.get((change.kind, change.id))
        if change.change == "removed":
            table.pop(change.id, None)
            continue
        if change.change in ("added", "moved"):
            if entry is None:
                raise SafeguardsError(
                    f"{change.id} is {change.change} but the change list does not hold the "
                    "entry (a change list read from changes.json lists only its summary)"
                )
            table[change.id] = entry
            if replaced is not None and change.moved_from is not None:
                old_kind = framework.kind_of(change.moved_from) or kind
                result.table(old_kind)[change.moved_from] = replaced
            continue
        current = table.get(change.id)
        if current is None:
            raise SafeguardsError(f"{change.id} is {change.change} but the framework lacks it")
        data = current.model_dump(mode="json", exclude_defaults=True)
        for item in change.fields:
            if item.new is None:
                data.pop(item.field, None)
            else:
                data[item.field] = item.new
        if entry is not None:
            data["provenance"] = entry.model_dump(mode="json")["provenance"]
        table[change.id] = ENTRY_MODELS[kind].model_validate(data)
    return result


def _fold_moves(changes: list[EntryChange], new: Framework) -> list[EntryChange]:
    """A deprecation whose one current successor (the release's id map: replacements
    followed through later ones) is added in the same change list is a move."""
    added = {c.id: c for c in changes if c.change == "added"}
    if not added or not any(c.change == "deprecated" for c in changes):
        return changes
    id_map = build_id_map(new, "").lookup()
    folded: list[EntryChange] = []
    moved_targets: dict[str, str] = {}
    for change in changes:
        mapped = id_map.get(change.id) if change.change == "deprecated" else None
        if mapped is not None and len(mapped.current) == 1 and mapped.relation != "split":
            target = mapped.current[0]
            if target in added and target not in moved_targets:
                moved_targets[target] = change.id
                continue
        folded.append(change)
    result = []
    for change in folded:
        if change.id in moved_targets:
            moved = {"change": "moved", "moved_from": moved_targets[change.id]}
            change = EntryChange.model_validate(change.model_dump(by_alias=True) | moved)
        result.append(change)
    return result


def _counts(changes: list[EntryChange]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for change in changes:
        per_kind = counts.setdefault(change.kind, {t: 0 for t in CHANGE_TYPES})
        per_kind[change.change] += 1
    return counts


@dataclass
class DiffResult:
    """A change list, the newer framework (for names in renderings), and for a contribution
    preview its findings (warnings such as CON008) and why it would not apply (stale...)."""

    changes: ChangeList
    framework: Framework
    findings: list[Finding]
    problems: list[str]

    @property
    def exit_code(self) -> int:
        errors = [f for f in self.findings if f.severity is Severity.ERROR]
        return 1 if self.problems or errors else 0
