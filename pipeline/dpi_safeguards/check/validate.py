"""Validation: reading, schema and rules, collected into one :class:`Report`."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from dpi_safeguards.check.rules import CONTRIBUTION_RULES, FRAMEWORK_RULES, EntryAt, Issue, Rule
from dpi_safeguards.check.rules.contribution import (
    ContributionContext,
    build_text_index,
    remember_texts,
)
from dpi_safeguards.check.rules.indexing import FrameworkContext
from dpi_safeguards.check.rules.schema import schema_findings
from dpi_safeguards.check.similarity import (
    LazySimilarityIndex,
    SimilarityIndex,
)
from dpi_safeguards.core.errors import SafeguardsError, UsageError
from dpi_safeguards.core.findings import Finding, Report, Severity
from dpi_safeguards.core.workspace import Workspace, resolved_folder, resolved_path
from dpi_safeguards.load.folder import LoadedFramework, load_framework
from dpi_safeguards.models.contribution import Contribution
from dpi_safeguards.models.framework import Framework
from dpi_safeguards.models.reviewers import ReviewersFile
from dpi_safeguards.store.reader import Document, LoadError, load_document

CONTRIBUTION_SUFFIXES = (".yaml", ".yml", ".json")
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


def submodule_of(path: str | Path) -> Path | None:
    """The folder holding a ``.git`` entry between ``path`` and the nearest enclosing
    ``contributions`` folder (inclusive), or None. A submodule's files are another
    repository's: they are refused, whatever they hold."""
    folders = list(Path(path).absolute().parents)
    top = next((i for i, folder in enumerate(folders) if folder.name == "contributions"), None)
    if top is None:
        return None
    for folder in folders[: top + 1]:
        if os.path.lexists(folder / ".git"):
            return folder
    return None


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


def contribution_files(folder: Path) -> list[Path]:
    """Files named .yaml, .yml or .json under ``folder`` (links too, to be refused by name),
    in path order; links to folders are not entered."""
    return [Path(path) for path, _link in _listing(folder)]


def _listing(folder: Path) -> list[tuple[str, bool]]:
    """(path, is a symbolic link) of :func:`contribution_files`'s files, as strings (the
    listing tells whether a file is a link without a system call per file)."""
    if not folder.is_dir():
        return []
    found: list[tuple[tuple[str, ...], str, bool]] = []
    _collect(str(folder), (), found)
    found.sort()  # by path components, as sorting the Paths would
    return [(path, link) for _parts, path, link in found]


def _collect(
    folder: str, parts: tuple[str, ...], found: list[tuple[tuple[str, ...], str, bool]]
) -> None:
    # os.scandir reports each entry's type without a stat per file (pathlib's rglob then
    # is_file() made two system calls per file).
    try:
        entries = list(os.scandir(folder))
    except (PermissionError, NotADirectoryError):
        return
    for entry in entries:
        name = entry.name
        if entry.is_dir(follow_symlinks=False):
            _collect(entry.path, (*parts, name), found)
            continue
        dot = name.rfind(".")
        suffix = name[dot:].lower() if 0 < dot < len(name) - 1 else ""
        if suffix in CONTRIBUTION_SUFFIXES:
            link = entry.is_symlink()
            if link or entry.is_file():
                found.append(((*parts, name), entry.path, link))


def run_validation(
    workspace: Workspace,
    paths: list[Path] | None,
    *,
    strict: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Validate the framework and contributions (``paths`` None: everything)."""
    report = Report(strict=strict)
    loaded = load_framework(workspace.framework_dir, display_base=workspace.root)
    places = _TargetPlaces(workspace)
    located: list[_TargetPlace] = []
    check_framework_rules = paths is None
    if paths is None:
        for state in workspace.contribution_states():
            located += places.listed(state)
    else:
        for given in paths:
            if not given.exists() and not given.is_symlink():
                raise UsageError(
                    f"{given} does not exist; give contribution files (.yaml, .yml, .json) "
                    "or folders holding them"
                )
            if _is_within(given.resolve(), workspace.framework_dir.resolve()):
                check_framework_rules = True
            elif given.is_dir() and not given.is_symlink():
                listed = places.listed(given)
                if not listed:
                    raise UsageError(
                        f"{given} holds no contribution file (.yaml, .yml or .json); "
                        "nothing to validate there"
                    )
                located += listed
            else:
                located.append(places.of(given))
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
    text_index = build_text_index(loaded.framework) if targets else {}
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


ARCHIVED_STATES = ("merged", "rejected")


@dataclass(frozen=True)
class _TargetPlace:
    path: str | Path  # as given, or as a folder's listing gave it
    resolved: str  # the real path, as a string (no Path built per file of a listing)
    display: str
    # Merged and rejected contributions are history: their text is in the framework (or
    # was refused), so they are read and schema-checked but not held against the
    # framework as it is now.
    archived: bool
    nested: Path | None  # see submodule_of


@dataclass(frozen=True)
class _Folder:
    inside: str  # the real path and a separator: a file's real path is this + its name
    shown: str | None  # relative to the root, None when outside it
    archived: bool
    nested: Path | None


class _TargetPlaces:
    """Where each file of a run is, worked out once per folder: 10,000 files in one folder
    would otherwise resolve and walk the same folders 10,000 times."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self._root = resolved_path(workspace.root)
        self._archived = {resolved_path(workspace.state_dir(s)) for s in ARCHIVED_STATES}
        self._folders: dict[str, _Folder] = {}

    def of(self, path: Path, *, is_link: bool | None = None) -> _TargetPlace:
        """``is_link``: whether ``path`` is a symbolic link, when already known."""
        if is_link is None:
            is_link = path.is_symlink()
        if path.name in ("", ".", "..") or is_link:
            resolved = resolved_path(path)  # a link is shown and filed where it points
            return _TargetPlace(
                path,
                str(resolved),
                self._workspace.display(path),
                resolved.parent in self._archived,
                submodule_of(path),
            )
        return self._in_folder(path, str(path.parent), path.name)

    def listed(self, folder: Path) -> list[_TargetPlace]:
        """The places of :func:`contribution_files`'s files under ``folder``, worked out
        from the listing's strings: building a Path per file cost more than the rest of
        finding its place (10,000 files: a tenth of a second)."""
        places = []
        for path, is_link in _listing(folder):
            if is_link:
                places.append(self.of(Path(path), is_link=True))
            else:
                parent, name = os.path.split(path)
                places.append(self._in_folder(path, parent, name))
        return places

    def _in_folder(self, path: str | Path, parent: str, name: str) -> _TargetPlace:
        """The place of the file ``name`` in the folder ``parent`` (not a link)."""
        folder = self._folder(parent)
        shown = str(path) if folder.shown is None else f"{folder.shown}{name}"
        return _TargetPlace(path, f"{folder.inside}{name}", shown, folder.archived, folder.nested)

    def _folder(self, parent: str) -> _Folder:
        key = parent or "."  # the working directory does not change during a run
        folder = self._folders.get(key)
        if folder is None:
            resolved = resolved_folder(Path(key))
            try:
                relative = str(resolved.relative_to(self._root))
                shown: str | None = "" if relative == "." else f"{relative}{os.sep}"
            except ValueError:
                shown = None
            inside = str(resolved)
            if not inside.endswith(os.sep):
                inside += os.sep
            nested = submodule_of(Path(key) / "_")  # the same for every file in the folder
            folder = _Folder(inside, shown, resolved in self._archived, nested)
            self._folders[key] = folder
        return folder


def _is_within(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


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
