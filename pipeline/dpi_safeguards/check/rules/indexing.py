"""Rules over the whole framework: ids, parents, references, texts. Each runs in one pass."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from dpi_safeguards.check.rules.registry import DocAt, EntryAt, Issue, framework_rule
from dpi_safeguards.core.choices import KPI_AREA_CODES, KPI_PHASE_CODES
from dpi_safeguards.core.findings import Severity
from dpi_safeguards.core.ids import Kind, namespace_of, sorted_ids
from dpi_safeguards.core.text import normalise_text
from dpi_safeguards.load.folder import LoadedFramework
from dpi_safeguards.load.snapshot import SnapshotDocument
from dpi_safeguards.models.framework import ENTRY_MODELS, Framework
from dpi_safeguards.store.reader import Document, JsonPath


@dataclass
class FrameworkContext:
    loaded: LoadedFramework
    # A country framework's namespace (core.ids.NAMESPACE); None for the universal one.
    namespace: str | None = None

    @property
    def fw(self) -> Framework:
        return self.loaded.framework


# Characters that hide or reorder text: C0/C1 controls (but LF), bidi controls, zero-width.
FORBIDDEN_CHARS = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)


def text_problem(value: str) -> str | None:
    bad = FORBIDDEN_CHARS.search(value)
    if bad is not None:
        char = bad.group()
        name = unicodedata.name(char, f"U+{ord(char):04X}")
        return (
            f"contains the invisible or control character U+{ord(char):04X} ({name}) "
            f"at position {bad.start() + 1}; remove it"
        )
    if value != value.strip():
        return "starts or ends with white space; remove it"
    return None


def url_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc or " " in url:
        return f"{url!r} is not an https URL; write it as https://host/path"
    return None


def walk_strings(value: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, str]]:
    stack: list[tuple[JsonPath, Any]] = [(path, value)]
    while stack:
        here, item = stack.pop()
        if isinstance(item, str):
            yield here, item
        elif isinstance(item, dict):
            for key, child in item.items():
                stack.append(((*here, key), child))
        elif isinstance(item, list):
            for index, child in enumerate(item):
                stack.append(((*here, index), child))


def _any_text_problem(value: Any) -> bool:
    """Whether any string in ``value`` has a text problem. Most documents have none, so
    they are checked without building the path of every string first."""
    search = FORBIDDEN_CHARS.search
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            # Printable ASCII holds none of the characters (the common case, checked in
            # C at a fraction of the cost of the search; str.isascii reads a flag).
            plain = item.isascii() and item.isprintable()
            if (not plain and search(item) is not None) or item != item.strip():
                return True
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


# In a snapshot's compact JSON (no white space outside strings) a string starting or
# ending with white space shows as an unescaped quote beside it, or beside an escaped
# line break; \t, \r, \b, \f and \u escapes may stand for a character refused here.
_JSON_TEXT_MAYBE = re.compile(r'(?<!\\)"\s|\s"|"\\n|\\n"|\\[trbfu]')


def _json_text_is_clean(data_json: str) -> bool:
    """True only when no string in the compact JSON text ``data_json`` can have a text
    problem: a search over the text, without building its data (a false "maybe" costs
    the full walk, never a missed problem)."""
    if data_json.isascii():
        # Tests in C first: printable ASCII holds no refused character, and without a
        # backslash there is no escape, so the only white space beside a quote is a space.
        if not data_json.isprintable():
            return False
        if "\\" not in data_json:
            return '" ' not in data_json and ' "' not in data_json
    elif FORBIDDEN_CHARS.search(data_json) is not None:
        return False
    return _JSON_TEXT_MAYBE.search(data_json) is None


def text_issues(document: Document) -> Iterator[Issue]:
    if isinstance(document, SnapshotDocument) and _json_text_is_clean(document.data_json):
        return
    if not _any_text_problem(document.data):
        return
    for path, value in walk_strings(document.data):
        problem = text_problem(value)
        if problem is not None:
            yield Issue(problem, DocAt(document.path, path))


@framework_rule("IDX007", Severity.ERROR, "text with control, bidi or zero-width characters")
def clean_texts(ctx: FrameworkContext) -> Iterator[Issue]:
    for document in ctx.loaded.documents.values():
        yield from text_issues(document)


def _parent_of(entry_id: str) -> str:
    """The parent of a process or practice whose id its model has checked (F3.1 for
    F3.1.2): parent_id without finding the id's kind first, six patterns per id."""
    return entry_id.rsplit(".", 1)[0]


@framework_rule("IDX002", Severity.ERROR, "process or practice without its parent")
def parents_exist(ctx: FrameworkContext) -> Iterator[Issue]:
    fw = ctx.fw
    for kind, parents, parent_kind in (
        (Kind.PROCESS, fw.principles, "principle"),
        (Kind.PRACTICE, fw.processes, "process"),
    ):
        for entry_id in fw.table(kind):
            parent = _parent_of(entry_id)
            if parent not in parents:
                yield Issue(
                    f"{entry_id} belongs to the {parent_kind} {parent}, which does not exist",
                    EntryAt(entry_id, ("id",)),
                )


@framework_rule("IDX013", Severity.ERROR, "entry nested under a parent its id does not name")
def filed_under_parent(ctx: FrameworkContext) -> Iterator[Issue]:
    for entry_id, filed in ctx.loaded.filed_under.items():
        parent = _parent_of(entry_id)
        if parent != filed:
            yield Issue(
                f"{entry_id} is written under {filed}, but its id places it under {parent}; "
                f"move it into {parent}",
                EntryAt(entry_id, ("id",)),
            )


@framework_rule("IDX003", Severity.ERROR, "id used twice")
def unique_ids(ctx: FrameworkContext) -> Iterator[Issue]:
    for entry_id, places in ctx.loaded.duplicates.items():
        first_file, first_path = ctx.loaded.locations[entry_id]
        first = ctx.loaded.documents[first_file].locate(first_path)
        where = f"{first_file}:{first[0]}" if first else first_file
        for file, path in places:
            yield Issue(
                f"the id {entry_id} is already used at {where}; every id is unique",
                DocAt(file, (*path, "id")),
            )


_DIMENSIONS: tuple[tuple[str, Kind], ...] = (
    ("risks", Kind.RISK),
    ("authorities", Kind.AUTHORITY),
    ("stages", Kind.STAGE),
    ("references", Kind.REFERENCE),
)


def _dimensions_of(kind: Kind) -> list[tuple[str, Kind]]:
    """The dimensions an entry of ``kind`` has: asking a model for a field it lacks
    raises inside pydantic, which at 100,000 practices took 0.2 s."""
    fields = ENTRY_MODELS[kind].model_fields
    return [(name, target) for name, target in _DIMENSIONS if name in fields]


@framework_rule("IDX004", Severity.ERROR, "reference to an id that does not exist")
def references_exist(ctx: FrameworkContext) -> Iterator[Issue]:
    fw = ctx.fw
    for kind in (Kind.PROCESS, Kind.PRACTICE):
        dimensions = _dimensions_of(kind)
        for entry_id, entry in fw.table(kind).items():
            for field_name, target_kind in dimensions:
                table = fw.table(target_kind)
                for index, ref in enumerate(getattr(entry, field_name)):
                    if ref not in table:
                        yield Issue(
                            f"{ref} is not a {target_kind.value} of the framework; "
                            f"valid: {_sample(table)}",
                            EntryAt(entry_id, (field_name, index)),
                        )
    for kind in Kind:
        for entry_id, entry in fw.table(kind).items():
            dep = entry.deprecated
            if dep is None:
                continue
            named: list[tuple[tuple[str | int, ...], str]] = (
                [(("replaced_by",), dep.replaced_by)] if dep.replaced_by else []
            )
            named += [(("also_replaced_by", i), t) for i, t in enumerate(dep.also_replaced_by)]
            for where, target in named:
                if fw.kind_of(target) != kind:
                    yield Issue(
                        f"{where[0]} names {target}, which is not a {kind.value} of the framework",
                        EntryAt(entry_id, ("deprecated", *where)),
                    )


def _sample(table: dict[str, Any]) -> str:

    ids = sorted_ids(table)
    return ", ".join(ids) if len(ids) <= 20 else ", ".join(ids[:20]) + ", ..."


@framework_rule("IDX005", Severity.ERROR, "process without a text, risk, stage or authority")
def processes_complete(ctx: FrameworkContext) -> Iterator[Issue]:
    for entry_id, process in ctx.fw.processes.items():
        gaps = set(process.gaps)
        for field_name in ("text", "risks", "authorities", "stages"):
            value = getattr(process, field_name)
            if not value and field_name not in gaps:
                yield Issue(
                    f"has no {field_name}; give at least one, or record '{field_name}' under "
                    "'gaps' when the source does not give it",
                    EntryAt(entry_id, (field_name,) if value is not None else ("id",)),
                )
            elif value and field_name in gaps:
                yield Issue(
                    f"lists '{field_name}' as a gap but has a value; remove it from 'gaps'",
                    EntryAt(entry_id, ("gaps",)),
                )


@framework_rule("IDX006", Severity.ERROR, "two entries with the same text")
def unique_texts(ctx: FrameworkContext) -> Iterator[Issue]:
    for kind in (Kind.PROCESS, Kind.PRACTICE):
        seen: dict[str, str] = {}
        for entry_id, entry in ctx.fw.table(kind).items():
            text = getattr(entry, "text", None)
            if not text:
                continue
            key = normalise_text(text)
            if key in seen:
                yield Issue(
                    f"has the same text as {seen[key]} (compared after Unicode "
                    "normalisation and case folding); merge or reword them",
                    EntryAt(entry_id, ("text",)),
                )
            else:
                seen[key] = entry_id


@framework_rule("IDX008", Severity.ERROR, "reference URL is not https")
def https_urls(ctx: FrameworkContext) -> Iterator[Issue]:
    for entry_id, reference in ctx.fw.references.items():
        if reference.url is not None:
            problem = url_problem(reference.url)
            if problem:
                yield Issue(problem, EntryAt(entry_id, ("url",)))


@framework_rule("IDX009", Severity.ERROR, "practice widens its process's authorities or stages")
def practices_narrow(ctx: FrameworkContext) -> Iterator[Issue]:
    fw = ctx.fw
    for entry_id, practice in fw.practices.items():
        process = fw.processes.get(entry_id.rsplit(".", 1)[0])
        if process is None:
            continue
        for field_name in ("authorities", "stages"):
            narrowed = getattr(practice, field_name)
            if not narrowed:  # most practices keep their process's values
                continue
            allowed = set(getattr(process, field_name))
            for index, value in enumerate(narrowed):
                if value not in allowed:
                    yield Issue(
                        f"{value} is not among its process {process.id}'s {field_name} "
                        f"({', '.join(getattr(process, field_name))}); a practice may only "
                        "narrow them",
                        EntryAt(entry_id, (field_name, index)),
                    )


@framework_rule("IDX010", Severity.WARNING, "active entry relies on a deprecated one")
def no_deprecated_use(ctx: FrameworkContext) -> Iterator[Issue]:
    fw = ctx.fw
    # Few entries are deprecated: each reference is looked up in their ids alone.
    deprecated = {i for kind in Kind for i, e in fw.table(kind).items() if not e.is_active}
    if not deprecated:
        return
    for kind in (Kind.PROCESS, Kind.PRACTICE):
        dimensions = _dimensions_of(kind)
        for entry_id, entry in fw.table(kind).items():
            if not entry.is_active:
                continue
            parent = _parent_of(entry_id)
            if parent in deprecated and fw.get(parent) is not None:
                yield Issue(
                    f"is active but its parent {parent} is deprecated; deprecate it too or move it",
                    EntryAt(entry_id, ("id",)),
                )
            for field_name, target_kind in dimensions:
                for index, ref in enumerate(getattr(entry, field_name)):
                    if ref in deprecated and ref in fw.table(target_kind):
                        yield Issue(
                            f"refers to the deprecated {target_kind.value} {ref}",
                            EntryAt(entry_id, (field_name, index)),
                        )


_GROUP_OF_PREFIX = {"RS": "safety", "RI": "inclusion", "SV": "structural"}
_KIND_OF_PREFIX = {"F": "foundational", "O": "operational"}


@framework_rule("IDX011", Severity.ERROR, "id prefix disagrees with the entry's group or kind")
def prefixes_agree(ctx: FrameworkContext) -> Iterator[Issue]:
    fw = ctx.fw
    for risk_id, risk in fw.risks.items():
        expected = _GROUP_OF_PREFIX.get(risk_id[:2])
        if expected and risk.group != expected:
            yield Issue(
                f"{risk_id} is a {expected} risk by its prefix but its group is {risk.group}",
                EntryAt(risk_id, ("group",)),
            )
    for principle_id, principle in fw.principles.items():
        expected = _KIND_OF_PREFIX[principle_id[0]]
        if principle.kind != expected:
            yield Issue(
                f"{principle_id} is {expected} by its prefix but its kind is {principle.kind}",
                EntryAt(principle_id, ("kind",)),
            )
    for kpi_id, kpi in fw.kpis.items():
        expected_id = f"KPI-{KPI_AREA_CODES[kpi.area]}-{KPI_PHASE_CODES[kpi.phase]}-"
        if not kpi_id.startswith(expected_id):
            yield Issue(
                f"{kpi_id} does not match its area/phase; expected {expected_id}<n>",
                EntryAt(kpi_id, ("id",)),
            )


@framework_rule("IDX014", Severity.ERROR, "id in a country namespace this framework does not have")
def namespaces_own(ctx: FrameworkContext) -> Iterator[Issue]:
    for kind in (Kind.PROCESS, Kind.PRACTICE):
        for entry_id in ctx.fw.table(kind):
            namespace = namespace_of(entry_id)
            if namespace is not None and namespace != ctx.namespace:
                where = (
                    "the universal framework has none: its ids are numbers only (F3.1.2)"
                    if ctx.namespace is None
                    else f"this country framework's namespace is {ctx.namespace}"
                )
                yield Issue(
                    f"{entry_id} carries the country namespace {namespace}; {where}",
                    EntryAt(entry_id, ("id",)),
                )
