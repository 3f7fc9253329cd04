"""The id map of a release: old id -> the ids that replace it, and how.

Entries are never deleted, only deprecated (models.base.Deprecation), so the framework of a
release holds every id any earlier release had: the map is a function of that framework
alone, cumulative across versions. One pass over the deprecated entries, each chain of
replacements followed once (memoised), so its cost grows with the number of deprecations.
"""

from __future__ import annotations

from collections import Counter

from dpi_safeguards.core.ids import PROJECT_ID_SOURCE, Kind, sorted_ids
from dpi_safeguards.models.base import Entry
from dpi_safeguards.models.changes import IdMap, IdMapEntry, IdRelation
from dpi_safeguards.models.framework import Framework


def replacements(entry: Entry) -> list[str]:
    """The ids a deprecated entry names as its replacement, in order (none if active)."""
    dep = entry.deprecated
    if dep is None:
        return []
    named = ([dep.replaced_by] if dep.replaced_by else []) + list(dep.also_replaced_by)
    return list(dict.fromkeys(named))


def build_id_map(framework: Framework, release: str) -> IdMap:
    deprecated: dict[str, tuple[Kind, Entry]] = {}
    for kind in Kind:
        for entry_id, entry in framework.table(kind).items():
            if entry.deprecated is not None:
                deprecated[entry_id] = (kind, entry)
    replaced_by = {entry_id: replacements(entry) for entry_id, (_, entry) in deprecated.items()}
    # How many deprecated entries name each id as their only replacement: a merge if > 1.
    sole_targets = Counter(named[0] for named in replaced_by.values() if len(named) == 1)
    current = _CurrentIds(framework, replaced_by)
    entries: list[IdMapEntry] = []
    for kind in Kind:
        ids = [i for i in sorted_ids(framework.table(kind)) if i in deprecated]
        for entry_id in ids:
            entry = deprecated[entry_id][1]
            named = replaced_by[entry_id]
            assert entry.deprecated is not None
            entries.append(
                IdMapEntry(
                    id=entry_id,
                    kind=kind.value,
                    relation=_relation(framework, entry, named, sole_targets),
                    replaced_by=named,
                    current=current.of(entry_id),
                    since=entry.deprecated.version,
                    reason=entry.deprecated.reason,
                )
            )
    return IdMap(release=release, ids=entries)


def _relation(
    framework: Framework, entry: Entry, named: list[str], sole_targets: Counter[str]
) -> IdRelation:
    if not named:
        return "deprecated"
    if len(named) > 1:
        return "split"
    target = framework.get(named[0])
    if _is_provisional(entry) and target is not None and not _is_provisional(target):
        return "renumbered"
    return "merged" if sole_targets[named[0]] > 1 else "moved"


def _is_provisional(entry: Entry) -> bool:
    """Whether this project assigned the entry's id (framework/SOURCES.md, section 4)."""
    return any(record.id_source == PROJECT_ID_SOURCE for record in entry.provenance)


class _CurrentIds:
    """Each deprecated id's active successors, replacement chains followed once each."""

    def __init__(self, framework: Framework, replaced_by: dict[str, list[str]]) -> None:
        self.framework = framework
        self.replaced_by = replaced_by
        self.memo: dict[str, list[str]] = {}

    def of(self, entry_id: str) -> list[str]:
        # Iterative depth-first walk: a long chain must not hit the recursion limit, and a
        # cycle (A replaced by B, B by A; IDX rules refuse it, a release map must not hang)
        # ends where an id is met again.
        if entry_id in self.memo:
            return self.memo[entry_id]
        found: list[str] = []
        seen = {entry_id}
        stack = list(reversed(self.replaced_by.get(entry_id, [])))
        while stack:
            next_id = stack.pop()
            if next_id in seen:
                continue
            seen.add(next_id)
            if next_id in self.memo:
                found += [i for i in self.memo[next_id] if i not in found]
            elif next_id in self.replaced_by:
                stack += reversed(self.replaced_by[next_id])
            elif self.framework.get(next_id) is not None and next_id not in found:
                found.append(next_id)
        self.memo[entry_id] = found
        return found
