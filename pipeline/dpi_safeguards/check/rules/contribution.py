"""Rules over one contribution, checked against the current framework."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from dpi_safeguards.check.rules.indexing import text_issues, url_problem
from dpi_safeguards.check.rules.registry import DocAt, Issue, contribution_rule
from dpi_safeguards.check.rules.schema import _invisible_hint
from dpi_safeguards.check.similarity import (
    THRESHOLD,
    LazySimilarityIndex,
    SimilarityIndex,
    prepared,
)
from dpi_safeguards.core.findings import Severity
from dpi_safeguards.core.ids import Kind, is_placeholder, kind_of, sorted_ids
from dpi_safeguards.core.suggest import near_ids
from dpi_safeguards.core.text import normalise_text
from dpi_safeguards.models.contribution import (
    LIST_FIELDS,
    AddKpi,
    AddPractice,
    AddProcess,
    AddReference,
    Contribution,
    Deprecate,
    Edit,
)
from dpi_safeguards.models.framework import Framework, Process
from dpi_safeguards.store.reader import Document

# Which fields an edit may change on each kind.
EDITABLE: dict[Kind, frozenset[str]] = {
    Kind.RISK: frozenset({"name", "description"}),
    Kind.PRINCIPLE: frozenset({"name", "description"}),
    Kind.STAGE: frozenset({"name", "description"}),
    Kind.AUTHORITY: frozenset({"name"}),
    Kind.PROCESS: frozenset({"text", "risks", "authorities", "stages", "references"}),
    Kind.PRACTICE: frozenset({"text", "authorities", "stages", "references"}),
    Kind.KPI: frozenset({"text"}),
    Kind.REFERENCE: frozenset({"title", "url"}),
}


@dataclass
class ContributionContext:
    document: Document
    contribution: Contribution
    framework: Framework
    # texts of the framework, normalised -> id (built once per validate run)
    text_index: Mapping[str, str] = field(default_factory=dict)
    # near-duplicate index of the framework's texts (built once per run, on first use)
    similarity: LazySimilarityIndex | None = None
    # texts proposed by the contributions checked earlier in the same run
    run_texts: SimilarityIndex | None = None

    def at(self, *path: str | int) -> DocAt:
        return DocAt(self.document.path, tuple(path))

    def placeholders(self) -> dict[str, tuple[int, Any]]:
        found: dict[str, tuple[int, Any]] = {}
        for index, change in enumerate(self.contribution.changes):
            name = field_of(change, "placeholder")
            if name is not None and name not in found:
                found[name] = (index, change)
        return found


TEXT_INDEX_KINDS = (Kind.PROCESS, Kind.PRACTICE)


def field_of(model: BaseModel, name: str, default: Any = None) -> Any:
    """``getattr(model, name, default)`` for a field the model's class may not have,
    without the cost of a miss (pydantic's ``__getattr__`` and an exception: a few
    microseconds, on every change of 10,000 files). A model keeps its fields' values in
    its ``__dict__`` (``type(model).model_fields`` would call a class property each time:
    a tenth of a second over 10,000 files)."""
    return model.__dict__.get(name, default)


def build_text_index(framework: Framework) -> dict[str, str]:
    index: dict[str, str] = {}
    for kind in TEXT_INDEX_KINDS:
        for entry_id, entry in framework.table(kind).items():
            text = getattr(entry, "text", None)
            if text:
                index.setdefault(normalise_text(text), entry_id)
    return index


@contribution_rule("IDX007", Severity.ERROR, "text with control, bidi or zero-width characters")
def clean_texts(ctx: ContributionContext) -> Iterator[Issue]:
    yield from text_issues(ctx.document)


@contribution_rule("CON003", Severity.ERROR, "licence consent not given")
def consent_given(ctx: ContributionContext) -> Iterator[Issue]:
    if ctx.contribution.licence_consent is not True:
        yield Issue(
            "must be true: contributions are published under CC BY-SA 4.0, and the "
            "contributors must agree to that",
            ctx.at("licence_consent"),
        )


@contribution_rule("CON001", Severity.ERROR, "placeholder undefined, unused or defined twice")
def placeholders_resolve(ctx: ContributionContext) -> Iterator[Issue]:
    defined: dict[str, int] = {}
    for index, change in enumerate(ctx.contribution.changes):
        name = field_of(change, "placeholder")
        if name is None:
            continue
        if name in defined:
            yield Issue(
                f"the placeholder {name} is already defined by change {defined[name] + 1}",
                ctx.at("changes", index, "placeholder"),
            )
        else:
            defined[name] = index
    for index, path, value in _target_fields(ctx.contribution):
        if is_placeholder(value) and value not in defined:
            yield Issue(
                f"the placeholder {value} is not defined by any change of this contribution; "
                f"defined: {', '.join(sorted(defined)) or 'none'}",
                ctx.at("changes", index, *path),
            )
        elif value.startswith("$") and not is_placeholder(value):
            yield Issue(
                f"{value!r} is not a valid placeholder; use $ followed by lower-case letters, "
                "digits and dashes",
                ctx.at("changes", index, *path),
            )


def _target_fields(c: Contribution) -> Iterator[tuple[int, tuple[str | int, ...], str]]:
    for index, change in enumerate(c.changes):
        if isinstance(change, AddPractice):
            yield index, ("parent",), change.parent
        if isinstance(change, (AddPractice, AddProcess)):
            for i, ref in enumerate(change.references):
                yield index, ("references", i), ref
        if isinstance(change, Deprecate) and change.replaced_by:
            yield index, ("replaced_by",), change.replaced_by
        if (
            isinstance(change, Edit)
            and isinstance(change.value, list)
            and change.field == ("references")
        ):
            for i, ref in enumerate(change.value):
                yield index, ("value", i), ref


@contribution_rule("CON002", Severity.ERROR, "change names an entry that does not exist")
def targets_exist(ctx: ContributionContext) -> Iterator[Issue]:
    fw = ctx.framework
    placeholders = ctx.placeholders()
    for index, change in enumerate(ctx.contribution.changes):
        if isinstance(change, AddPractice) and not is_placeholder(change.parent):
            if change.parent not in fw.processes:
                yield Issue(
                    f"{change.parent} is not a process of the framework; "
                    + _parent_hint(fw, change.parent)
                    + _invisible_hint(change.parent),
                    ctx.at("changes", index, "parent"),
                )
        elif isinstance(change, AddPractice) and change.parent in placeholders:
            _, parent_change = placeholders[change.parent]
            if not isinstance(parent_change, AddProcess):
                yield Issue(
                    f"{change.parent} is not a process added by this contribution",
                    ctx.at("changes", index, "parent"),
                )
        if isinstance(change, AddProcess) and change.principle not in fw.principles:
            yield Issue(
                f"{change.principle} is not a principle; "
                f"valid: {', '.join(sorted_ids(fw.principles))}",
                ctx.at("changes", index, "principle"),
            )
        if isinstance(change, (Edit, Deprecate)) and fw.get(change.target) is None:
            near = near_ids(change.target, fw.all_ids())
            yield Issue(
                f"{change.target} is not an entry of the framework"
                + (f"; ids near it: {', '.join(near)}" if near else "")
                + _invisible_hint(change.target),
                ctx.at("changes", index, "target"),
            )
        if isinstance(change, (AddPractice, AddProcess)):
            for field_name, kind in (
                ("risks", Kind.RISK),
                ("authorities", Kind.AUTHORITY),
                ("stages", Kind.STAGE),
                ("references", Kind.REFERENCE),
            ):
                table = fw.table(kind)
                for i, ref in enumerate(field_of(change, field_name, ())):
                    if not is_placeholder(ref) and ref not in table:
                        yield Issue(
                            f"{ref} is not a {kind.value} of the framework; valid: "
                            f"{', '.join(sorted_ids(table)[:20])}{_invisible_hint(ref)}",
                            ctx.at("changes", index, field_name, i),
                        )
        if isinstance(change, Deprecate) and change.replaced_by:
            target = change.replaced_by
            if not is_placeholder(target) and fw.get(target) is None:
                yield Issue(
                    f"{target} is not an entry of the framework",
                    ctx.at("changes", index, "replaced_by"),
                )


def _parent_hint(fw: Framework, parent: str) -> str:
    """What to write instead of a parent that is not a process: the practice's own
    process, or the processes near the id given."""
    if parent in fw.practices:
        return f"{parent} is a practice; its process is {parent.rsplit('.', 1)[0]}"
    near = near_ids(parent, fw.processes)
    if near:
        return f"processes near it: {', '.join(near)}"
    return "name an existing process (e.g. F3.1) or the placeholder of a process this adds"


@contribution_rule("CON004", Severity.WARNING, "edit written against an older text (stale)")
def edits_current(ctx: ContributionContext) -> Iterator[Issue]:
    for index, change in enumerate(ctx.contribution.changes):
        if not isinstance(change, Edit):
            continue
        entry = ctx.framework.get(change.target)
        if entry is None or change.field not in type(entry).model_fields:
            continue
        current = getattr(entry, change.field)
        if change.is_stale(current):
            yield Issue(change.stale_message(current), ctx.at("changes", index, "expected"))


@contribution_rule("CON005", Severity.ERROR, "edit of a field the entry does not have")
def edit_fields_fit(ctx: ContributionContext) -> Iterator[Issue]:
    for index, change in enumerate(ctx.contribution.changes):
        if not isinstance(change, Edit):
            continue
        kind = ctx.framework.kind_of(change.target) or kind_of(change.target)
        if kind is None:
            continue
        allowed = EDITABLE[kind]
        if change.field not in allowed:
            yield Issue(
                f"a {kind.value} has no editable field '{change.field}'; "
                f"editable: {', '.join(sorted(allowed))}",
                ctx.at("changes", index, "field"),
            )
        is_list = change.field in LIST_FIELDS
        for name in ("expected", "value"):
            value = getattr(change, name)
            if value is None and name == "expected":
                continue  # the entry has no value yet (a recorded gap)
            if is_list != isinstance(value, list):
                yield Issue(
                    f"'{change.field}' is a {'list of ids' if is_list else 'text'}, so "
                    f"'{name}' must be one too",
                    ctx.at("changes", index, name),
                )


@contribution_rule("CON006", Severity.ERROR, "new practice widens its process's dimensions")
def practices_narrow(ctx: ContributionContext) -> Iterator[Issue]:
    placeholders = ctx.placeholders()
    for index, change in enumerate(ctx.contribution.changes):
        if not isinstance(change, AddPractice):
            continue
        parent: Process | AddProcess | None = ctx.framework.processes.get(change.parent)
        if parent is None and change.parent in placeholders:
            # only an added process has dimensions; a parent placeholder naming any other
            # change is CON002's finding (a reference's placeholder used to crash the rule)
            named = placeholders[change.parent][1]
            parent = named if isinstance(named, AddProcess) else None
        if parent is None:
            continue
        for field_name in ("authorities", "stages"):
            allowed = getattr(parent, field_name)
            for i, value in enumerate(getattr(change, field_name)):
                if value not in allowed:
                    yield Issue(
                        f"{value} is not among the process's {field_name} "
                        f"({', '.join(allowed) or 'none'}); a practice may only narrow them",
                        ctx.at("changes", index, field_name, i),
                    )


@contribution_rule("CON007", Severity.ERROR, "deprecates an entry that is already deprecated")
def deprecations_fresh(ctx: ContributionContext) -> Iterator[Issue]:
    for index, change in enumerate(ctx.contribution.changes):
        if isinstance(change, Deprecate):
            entry = ctx.framework.get(change.target)
            if entry is not None and entry.deprecated is not None:
                yield Issue(
                    f"{change.target} is already deprecated ({entry.deprecated.reason})",
                    ctx.at("changes", index, "target"),
                )


@contribution_rule("CON009", Severity.ERROR, "proposed text already in the framework")
def texts_new(ctx: ContributionContext) -> Iterator[Issue]:
    seen: dict[str, int] = {}
    for index, change in enumerate(ctx.contribution.changes):
        text = (
            getattr(change, "text", None) if isinstance(change, (AddPractice, AddProcess)) else None
        )
        if not text:
            continue
        # the cached preparation CON008 reads next: the text is normalised once
        key = prepared(text).normalised
        existing = ctx.text_index.get(key)
        if existing is not None:
            yield Issue(
                f"the same text is already {existing} (compared after Unicode normalisation "
                "and case folding)",
                ctx.at("changes", index, "text"),
            )
        elif key in seen:
            yield Issue(
                f"the same text is proposed by change {seen[key] + 1} of this file",
                ctx.at("changes", index, "text"),
            )
        seen.setdefault(key, index)


@contribution_rule("CON010", Severity.ERROR, "reference URL is not https")
def https_urls(ctx: ContributionContext) -> Iterator[Issue]:
    for index, change in enumerate(ctx.contribution.changes):
        if isinstance(change, AddReference):
            problem = url_problem(change.url)
            if problem:
                yield Issue(problem, ctx.at("changes", index, "url"))
        if isinstance(change, Edit) and change.field == "url" and isinstance(change.value, str):
            problem = url_problem(change.value)
            if problem:
                yield Issue(problem, ctx.at("changes", index, "value"))


def proposed_texts(contribution: Contribution) -> Iterator[tuple[int, str, str, str | None]]:
    """(change index, field, text, the entry it edits or replaces) of every text a
    contribution proposes."""
    replaces = {
        change.replaced_by: change.target
        for change in contribution.changes
        if isinstance(change, Deprecate) and change.replaced_by
    }
    for index, change in enumerate(contribution.changes):
        if isinstance(change, (AddPractice, AddProcess, AddKpi)):
            replaced = replaces.get(change.placeholder) if change.placeholder else None
            yield index, "text", change.text, replaced
        elif isinstance(change, Edit) and change.field == "text" and isinstance(change.value, str):
            yield index, "value", change.value, change.target


@contribution_rule("CON008", Severity.WARNING, "proposed text close to an existing one")
def near_duplicates(ctx: ContributionContext) -> Iterator[Issue]:
    if ctx.similarity is None and ctx.run_texts is None:
        return
    for index, field_name, text, target in proposed_texts(ctx.contribution):
        exclude = frozenset({target}) if target else frozenset()
        if ctx.similarity is not None:
            for match in ctx.similarity.similar(text, exclude, include_identical=False)[:3]:
                yield Issue(
                    f"is {_percent(match.ratio)} similar to {match.label} ({_clip(match.text)!r}); "
                    f"check that it is not a duplicate (near-duplicates: similarity >= "
                    f"{THRESHOLD:.0%} after normalisation)",
                    ctx.at("changes", index, field_name),
                )
        if ctx.run_texts is not None:
            for match in ctx.run_texts.similar(text, include_identical=True)[:3]:
                how = "the same as" if match.ratio == 1.0 else f"{_percent(match.ratio)} similar to"
                yield Issue(
                    f"is {how} the text proposed by {match.label}; check that the two "
                    "contributions do not duplicate each other",
                    ctx.at("changes", index, field_name),
                )


def _percent(ratio: float) -> str:
    """Rounded down, so a near-duplicate never reads as 100%."""
    return f"{int(ratio * 100)}%"


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def remember_texts(ctx: ContributionContext) -> None:
    """Add a checked contribution's texts to the run's index (near-duplicates across files)."""
    if ctx.run_texts is None:
        return
    for index, _field, text, _target in proposed_texts(ctx.contribution):
        ctx.run_texts.add(f"{ctx.document.path} change {index + 1}", text)
