"""Rules on a country framework's own file: what it selects, excludes, adds and tracks.
The effective framework then goes through the universal framework's rules as well
(:mod:`dpi_safeguards.country.check`). Each rule yields issues located in the file; the
runner attaches lines."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from dpi_safeguards.check.rules import DocAt, Issue, country_rule
from dpi_safeguards.core.findings import Severity
from dpi_safeguards.core.ids import Kind, namespace_of
from dpi_safeguards.core.suggest import near_ids
from dpi_safeguards.country.effective import Effective
from dpi_safeguards.models.changes import IdMapEntry
from dpi_safeguards.models.country import CountryFile
from dpi_safeguards.models.framework import Framework

# Selector field -> the upstream table its values name.
_SELECTOR_KINDS = (
    ("principles", Kind.PRINCIPLE),
    ("risks", Kind.RISK),
    ("stages", Kind.STAGE),
    ("authorities", Kind.AUTHORITY),
)


@dataclass
class CountryContext:
    file: str  # as shown to users
    country: CountryFile
    upstream: Framework
    upstream_version: str
    effective: Effective
    id_map: dict[str, IdMapEntry]

    def at(self, *path: str | int) -> DocAt:
        return DocAt(self.file, path)


def _upstream_entry_ids(ctx: CountryContext) -> dict[str, None]:
    return {**dict.fromkeys(ctx.upstream.processes), **dict.fromkeys(ctx.upstream.practices)}


@country_rule("CTY002", Severity.ERROR, "selection or exclusion names an id the release lacks")
def names_exist(ctx: CountryContext) -> Iterator[Issue]:
    known = _upstream_entry_ids(ctx)
    release = f"v{ctx.upstream_version}"
    for index, selector in enumerate(ctx.country.select):
        for position, entry_id in enumerate(selector.ids):
            if entry_id not in known:
                hint = _near(entry_id, known)
                yield Issue(
                    f"{entry_id} is not a process or practice of {release}{hint}",
                    ctx.at("select", index, "ids", position),
                )
        for field_name, kind in _SELECTOR_KINDS:
            table = ctx.upstream.table(kind)
            for position, value in enumerate(getattr(selector, field_name)):
                if value not in table:
                    valid = ", ".join(table) or "none"
                    yield Issue(
                        f"{value} is not a {kind.value} of {release}; valid: {valid}",
                        ctx.at("select", index, field_name, position),
                    )
    for index, exclusion in enumerate(ctx.country.exclude):
        if exclusion.id not in known:
            hint = _near(exclusion.id, known)
            yield Issue(
                f"{exclusion.id} is not a process or practice of {release}{hint}",
                ctx.at("exclude", index, "id"),
            )


def _near(entry_id: str, known: dict[str, None]) -> str:
    near = near_ids(entry_id, known)
    return f"; ids near it: {', '.join(near)}" if near else ""


@country_rule("CTY003", Severity.ERROR, "country's own id outside its namespace")
def local_ids_in_namespace(ctx: CountryContext) -> Iterator[Issue]:
    namespace = ctx.country.namespace
    known = _upstream_entry_ids(ctx)
    for table, entries in (
        ("processes", ctx.country.processes),
        ("practices", ctx.country.practices),
    ):
        for index, entry in enumerate(entries):
            if namespace_of(entry.id) is not None:
                continue  # its own namespace, or another one (IDX014 says which)
            parent, _, last = entry.id.rpartition(".")
            taken = f"; {entry.id} is the release's own" if entry.id in known else ""
            yield Issue(
                f"{entry.id} is not in the namespace {namespace}{taken}: the country's own "
                f"entries carry it in their last segment, e.g. {parent}.{namespace}{last}",
                ctx.at(table, index, "id"),
            )


@country_rule("CTY004", Severity.WARNING, "exclusion of an entry no selector selects")
def exclusions_take_effect(ctx: CountryContext) -> Iterator[Issue]:
    known = _upstream_entry_ids(ctx)
    selected = ctx.effective.selected
    parents_of_selected = {i.rsplit(".", 1)[0] for i in selected}
    for index, exclusion in enumerate(ctx.country.exclude):
        entry_id = exclusion.id
        if entry_id in known and entry_id not in selected and entry_id not in parents_of_selected:
            yield Issue(
                f"excludes {entry_id}, which no selector selects; remove the exclusion",
                ctx.at("exclude", index, "id"),
            )


@country_rule("CTY005", Severity.ERROR, "tracking for an entry that does not apply")
def tracking_applies(ctx: CountryContext) -> Iterator[Issue]:
    applies = {entry.id for _, entry in ctx.effective.items()}
    for entry_id in ctx.country.tracking:
        if entry_id in applies:
            continue
        why = (
            "it is excluded"
            if entry_id in ctx.effective.excluded
            else "no selector selects it and it is not one of the country's own"
        )
        yield Issue(
            f"tracks {entry_id}, but {why}; track only what applies",
            ctx.at("tracking", entry_id),
        )


@country_rule("CTY006", Severity.WARNING, "selection names a deprecated entry")
def selected_ids_active(ctx: CountryContext) -> Iterator[Issue]:
    for index, selector in enumerate(ctx.country.select):
        for position, entry_id in enumerate(selector.ids):
            mapped = ctx.id_map.get(entry_id)
            if mapped is None:
                continue
            current = ", ".join(mapped.current)
            instead = f"; select {current} instead" if current else ""
            yield Issue(
                f"{entry_id} is deprecated in v{ctx.upstream_version} ({mapped.relation}: "
                f"{mapped.reason}){instead}",
                ctx.at("select", index, "ids", position),
            )


@country_rule("CTY007", Severity.ERROR, "selector that gives nothing to select by")
def selectors_say_something(ctx: CountryContext) -> Iterator[Issue]:
    for index, selector in enumerate(ctx.country.select):
        fields = (selector.ids, *(getattr(selector, name) for name, _ in _SELECTOR_KINDS))
        if not any(fields):
            yield Issue(
                "selects nothing: give ids, or principles, risks, stages or authorities",
                ctx.at("select", index),
            )


@country_rule("CTY008", Severity.ERROR, "country's own practice under an excluded process")
def local_practices_kept(ctx: CountryContext) -> Iterator[Issue]:
    excluded = {e.id for e in ctx.country.exclude}
    for index, practice in enumerate(ctx.country.practices):
        process_id = practice.id.rsplit(".", 1)[0]
        if process_id in excluded:
            yield Issue(
                f"{practice.id} is under {process_id}, which the file excludes; keep the "
                "process or move the practice",
                ctx.at("practices", index, "id"),
            )
