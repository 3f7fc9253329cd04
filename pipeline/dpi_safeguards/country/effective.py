"""The effective framework of a country: the pinned release's selected processes and
practices, less the exclusions, plus the country's own entries.

Selection is one pass over the upstream processes and practices, each tested against every
selector (a handful): linear in the size of the release. The dimensions, the KPIs and the
references are all kept: they are the context every process and practice points into.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from dpi_safeguards.core.ids import Kind
from dpi_safeguards.models.base import Entry
from dpi_safeguards.models.country import CountryFile, Selector
from dpi_safeguards.models.framework import Framework, MetadataFile, Practice, Process


@dataclass(frozen=True)
class Dimensions:
    """What a process or practice applies to: a practice's narrowed or its process's."""

    principle: str
    risks: frozenset[str]
    stages: frozenset[str]
    authorities: frozenset[str]


def dimensions(entry: Process | Practice, process: Process) -> Dimensions:
    own = entry if isinstance(entry, Practice) else process
    return Dimensions(
        principle=process.id.split(".", 1)[0],
        risks=frozenset(process.risks),
        stages=frozenset(own.stages or process.stages),
        authorities=frozenset(own.authorities or process.authorities),
    )


def matches(selector: Selector, entry_id: str, dims: Dimensions) -> bool:
    """Every dimension the selector gives matches; one that selects nothing matches none."""
    given = (
        selector.ids,
        selector.principles,
        selector.risks,
        selector.stages,
        selector.authorities,
    )
    if not any(given):
        return False
    if selector.ids and entry_id not in selector.ids:
        process_id = entry_id.rsplit(".", 1)[0]
        if process_id not in selector.ids:
            return False
    if selector.principles and dims.principle not in selector.principles:
        return False
    return all(
        not wanted or not have.isdisjoint(wanted)
        for wanted, have in (
            (selector.risks, dims.risks),
            (selector.stages, dims.stages),
            (selector.authorities, dims.authorities),
        )
    )


@dataclass
class Effective:
    framework: Framework
    # Upstream process and practice ids the selectors chose (before exclusions).
    selected: set[str] = field(default_factory=set)
    # Of those, the ids an exclusion removed (a process's practices with it).
    excluded: set[str] = field(default_factory=set)
    # Upstream processes kept only because a kept practice (or a local one) is under them.
    context: set[str] = field(default_factory=set)
    local: set[str] = field(default_factory=set)

    def items(self) -> Iterator[tuple[Kind, Entry]]:
        """The processes and practices that apply (active, not only context), in the
        framework's order."""
        for kind in (Kind.PROCESS, Kind.PRACTICE):
            for entry_id, entry in self.framework.table(kind).items():
                if entry_id not in self.context and entry.is_active:
                    yield kind, entry


def select_upstream(country: CountryFile, upstream: Framework) -> set[str]:
    """The upstream processes and practices the selectors choose, deprecated ones too: a
    country framework, like the universal one, never drops an id it has released; it
    carries it as deprecated (and nothing deprecated counts as applying: ``items``)."""
    chosen: set[str] = set()
    for process_id, process in upstream.processes.items():
        if _any_match(country, process_id, dimensions(process, process)):
            chosen.add(process_id)
    for practice_id, practice in upstream.practices.items():
        parent = upstream.processes.get(practice_id.rsplit(".", 1)[0])
        if parent is None:
            continue
        if _any_match(country, practice_id, dimensions(practice, parent)):
            chosen.add(practice_id)
    return chosen


def _any_match(country: CountryFile, entry_id: str, dims: Dimensions) -> bool:
    return any(matches(selector, entry_id, dims) for selector in country.select)


def effective_framework(country: CountryFile, upstream: Framework, sources: list[str]) -> Effective:
    selected = select_upstream(country, upstream)
    excluded_ids = {e.id for e in country.exclude}
    excluded = {i for i in selected if i in excluded_ids or i.rsplit(".", 1)[0] in excluded_ids}
    kept = selected - excluded
    metadata = MetadataFile(
        title=country.title,
        licence="CC-BY-SA-4.0",
        format_version=1,
        description=country.description,
        sources=sources,
    )
    fw = Framework(metadata=metadata)
    for kind in (Kind.RISK, Kind.PRINCIPLE, Kind.STAGE, Kind.AUTHORITY, Kind.KPI, Kind.REFERENCE):
        fw.table(kind).update(upstream.table(kind))
    local_processes = {p.id: p for p in country.processes}
    local_practices = {p.id: p for p in country.practices}
    parents = {i.rsplit(".", 1)[0] for i in kept if i in upstream.practices}
    parents |= {i.rsplit(".", 1)[0] for i in local_practices}
    context = {
        p for p in parents if p in upstream.processes and p not in kept and p not in excluded
    }
    for process_id in upstream.processes:
        if process_id in kept or process_id in context:
            fw.processes[process_id] = upstream.processes[process_id]
    fw.processes.update(local_processes)
    for practice_id in upstream.practices:
        if practice_id in kept:
            fw.practices[practice_id] = upstream.practices[practice_id]
    fw.practices.update(local_practices)
    return Effective(
        framework=fw,
        selected=selected,
        excluded=excluded,
        context=context,
        local=set(local_processes) | set(local_practices),
    )
