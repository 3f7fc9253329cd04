"""Validation: reading, schema and rules, collected into one :class:`Report`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from dpi_safeguards.check.places import TargetPlace, TargetPlaces, submodule_of
from dpi_safeguards.check.rules import (
    CONTRIBUTION_RULES,
    FRAMEWORK_RULES,
    EntryAt,
    Issue,
    LineAt,
    Rule,
)
from dpi_safeguards.check.rules.contribution import (
    TEXT_INDEX_KINDS,
    ContributionContext,
    remember_texts,
)
from dpi_safeguards.check.rules.indexing import FrameworkContext
from dpi_safeguards.check.rules.schema import schema_findings
from dpi_safeguards.check.similarity import (
    LazySimilarityIndex,
    SimilarityIndex,
)
from dpi_safeguards.core.errors import SafeguardsError
from dpi_safeguards.core.findings import Finding, Report, Severity
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.load.folder import LoadedFramework, load_framework
from dpi_safeguards.models.contribution import Contribution
from dpi_safeguards.models.framework import Framework
from dpi_safeguards.models.reviewers import ReviewersFile
from dpi_safeguards.store.reader import Document, LoadError, load_document

CONTRIBUTION_MAX_BYTES = 1_000_000


def load_error_finding(error: LoadError) -> Finding:
    return Finding(
        code=error.code,
        severity=Severity.ERROR,
        message=error.message,
        file=error.path,
        line=error.line,
        column=error.column,
        field=error.field,
    )


@dataclass
class Locator:
    """Attaches file, line and column to what rules report (one place for all rules)."""

    loaded: LoadedFramework
    documents: dict[str, Document] = field(default_factory=dict)

    def finding(self, rule: Rule[object], issue: Issue) -> Finding:
        at = issue.at
        file: str | None
        if isinstance(at, LineAt):
            return Finding(
                code=rule.code,
                severity=issue.severity or rule.severity,
                message=issue.message,
                file=at.file,
                line=at.line,
                column=at.column,
            )
        if isinstance(at, EntryAt):
            place = self.loaded.locations.get(at.entry_id)
            if place is None:
                file, path = None, at.path
            else:
                file, path = place[0], (*place[1], *at.path)
        else:
            file, path = at.file, at.path
        document = self.documents.get(file or "") or self.loaded.documents.get(file or "")
        position = document.locate(path) if document is not None else None
        label = _label(at.path if isinstance(at, EntryAt) else path)
        if isinstance(at, EntryAt):
            label = f"{at.entry_id}.{label}" if label else at.entry_id
        return Finding(
            code=rule.code,
            severity=issue.severity or rule.severity,
            message=issue.message,
            file=file,
            line=position[0] if position else None,
            column=position[1] if position else None,
            field=label or None,
        )


def _label(path: Iterable[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def framework_findings(loaded: LoadedFramework, *, rules: bool = True) -> Iterator[Finding]:
    for error in loaded.load_errors:
        yield load_error_finding(error)
    for problem in loaded.schema_problems:
        yield from schema_findings(problem.document, problem.error)
    if rules and loaded.ok:
        locator = Locator(loaded)
        ctx = FrameworkContext(loaded)
        for rule in FRAMEWORK_RULES:
            for issue in rule.check(ctx):
                yield locator.finding(rule, issue)


class _NotLookedUp:
    pass


_NOT_LOOKED_UP = _NotLookedUp()


def contribution_findings(
    path: str | Path,
    loaded: LoadedFramework,
    text_index: Mapping[str, str],
    display: str,
    *,
    similarity: LazySimilarityIndex | None = None,
    run_texts: SimilarityIndex | None = None,
    rules: bool = True,
    nested: Path | _NotLookedUp | None = _NOT_LOOKED_UP,
) -> Iterator[Finding]:
    """Reading, schema and (``rules``) the contribution rules against the framework.
    ``nested``: the result of :func:`submodule_of` when the caller already knows it."""
    if isinstance(nested, _NotLookedUp):
        nested = submodule_of(path)
    if nested is not None:
        yield Finding(
            code="LOAD014",
            severity=Severity.ERROR,
            message=(
                f"is inside {nested.name}/, which holds a .git entry (a git submodule or a "
                "nested repository); its content is not part of this repository's history. "
                "Commit the contribution file itself directly in contributions/<state>/"
            ),
            file=display,
        )
        return
    try:
        document = load_document(path, max_bytes=CONTRIBUTION_MAX_BYTES, display=display)
    except LoadError as error:
        yield load_error_finding(error)
        return
    try:
        contribution = Contribution.model_validate(document.data)
    except ValidationError as error:
        yield from schema_findings(document, error)
        return
    if not rules:
        return
    ctx = ContributionContext(
        document, contribution, loaded.framework, text_index, similarity, run_texts
    )
    locator = Locator(loaded, {document.path: document})
    for rule in CONTRIBUTION_RULES:
        for issue in rule.check(ctx):
            yield locator.finding(rule, issue)
    remember_texts(ctx)


def reviewers_findings(path: Path, display: str) -> Iterator[Finding]:
    """Reading and schema (reviewers.schema.json) of contributions/reviewers.yaml."""

    try:
        document = load_document(path, display=display)
    except LoadError as error:
        yield load_error_finding(error)
        return
    try:
        ReviewersFile.model_validate(document.data)
    except ValidationError as error:
        yield from schema_findings(document, error)


def run_validation(
    workspace: Workspace,
    paths: list[Path] | None,
    *,
    strict: bool = False,
    progress: Callable[[int, int], None] | None = None,
    loaded: LoadedFramework | None = None,
) -> Report:
    """Validate the framework and contributions (``paths`` None: everything); ``loaded``:
    the working framework, when the caller has read it already."""
    report = Report(strict=strict)
    if loaded is None:
        loaded = load_framework(workspace.framework_dir, display_base=workspace.root)
    places = TargetPlaces(workspace)
    located: list[TargetPlace] = []
    check_framework_rules = paths is None
    if paths is None:
        for state in workspace.contribution_states():
            located += places.listed(state)
    else:
        located, check_framework_rules = places.given(paths)
    # contributions/reviewers.yaml is the reviewers list, not a contribution.
    reviewers_file = (workspace.contributions_dir / "reviewers.yaml").resolve()
    reviewers_place = str(reviewers_file)
    check_reviewers = paths is None or any(p.resolved == reviewers_place for p in located)
    located = [p for p in located if p.resolved != reviewers_place]
    targets = [p.path for p in located]
    report.framework_files = len(loaded.documents) + len(loaded.load_errors)
    report.files_checked = report.framework_files + len(targets)
    if check_reviewers and reviewers_file.is_file():
        report.extend(reviewers_findings(reviewers_file, workspace.display(reviewers_file)))
        report.files_checked += 1
    report.extend(framework_findings(loaded, rules=check_framework_rules))
    # Built once per run (on first use) and shared by every contribution of the run.
    similarity = LazySimilarityIndex(loaded.framework)
    # The exact-text index comes from the texts the similarity scan normalises anyway.
    text_index = similarity.exact_texts(TEXT_INDEX_KINDS) if targets else {}
    run_texts = SimilarityIndex()
    for done, place in enumerate(located, 1):
        report.extend(
            contribution_findings(
                place.path,
                loaded,
                text_index,
                place.display,
                similarity=similarity,
                run_texts=run_texts,
                rules=not place.archived,
                nested=place.nested,
            )
        )
        if progress is not None:
            progress(done, len(targets))
    return report


VALIDATE_HINT = " (run 'safeguards validate' for every finding)"


def checked_framework(loaded: LoadedFramework, what: str, hint: str = VALIDATE_HINT) -> Framework:
    """The loaded framework, or an error naming the first reason ``what`` does not load."""
    if loaded.ok:
        return loaded.framework
    first = next(iter(framework_findings(loaded, rules=False)))
    where = f"{first.file}:{first.line}" if first.line else (first.file or "")
    raise SafeguardsError(f"{what} does not load: {where}: {first.code} {first.message}{hint}")


def load_checked(workspace: Workspace) -> Framework:
    """The working framework, or an error naming what is wrong with it."""
    loaded = load_framework(workspace.framework_dir, display_base=workspace.root)
    return checked_framework(loaded, "the framework")
