"""Merging accepted contributions into the framework: all or nothing.

Ids come from :mod:`.ids`, the changes from :mod:`.apply`. Nothing is written unless
every contribution applies and the resulting framework passes every framework rule
(checked in memory on the files as they would be written); the contributions then move
to ``merged/`` with the ids they received. A second merge at the same time is refused
by the repository lock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

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
from dpi_safeguards.check.places import contribution_files
from dpi_safeguards.check.rules.contribution import build_text_index
from dpi_safeguards.check.similarity import LazySimilarityIndex
from dpi_safeguards.check.validate import checked_framework, contribution_findings
from dpi_safeguards.core.errors import SafeguardsError
from dpi_safeguards.core.findings import Severity
from dpi_safeguards.core.ids import natural_key
from dpi_safeguards.core.options import MergeOptions
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.load.folder import (
    LoadedFramework,
    file_of,
    load_framework,
    render_framework,
    with_snapshot,
)
from dpi_safeguards.merge.apply import Applied, apply_contribution, result_errors
from dpi_safeguards.merge.ids import IdAllocator, used_ids
from dpi_safeguards.models.changes import ChangeList
from dpi_safeguards.models.contribution import (
    MergeRecord,
)
from dpi_safeguards.models.framework import (
    Framework,
    copy_framework,
)
from dpi_safeguards.models.reviewers import ReviewersFile
from dpi_safeguards.review.decisions import approvals, check_date, load_reviewers, valid_approvals
from dpi_safeguards.store.lock import repository_lock
from dpi_safeguards.store.transaction import Transaction, recover

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
    checked_framework(loaded, "the framework")
    before = loaded.framework
    files = list(paths) if paths else contribution_files(workspace.state_dir("accepted"))
    if not files:
        empty = diff_frameworks(before, before, from_label="working framework", to_label="merged")
        return MergeResult([], empty, before, before, dry_run=dry_run)
    _require_accepted_once(workspace, files)
    settings = load_reviewers(workspace)
    problems: list[str] = []
    contributions = _admitted(workspace, loaded, settings, files, problems)
    after = copy_framework(before)
    allocator = IdAllocator(used_ids(workspace, before))
    outcomes: list[tuple[LoadedContribution, Applied]] = []
    for item in contributions:
        applied = apply_contribution(
            after,
            item.contribution,
            source=workspace.display(target_in(workspace, item.path, "merged")),
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
        problems += _result_problems(workspace, loaded, after, rendered, origin)
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
    if not dry_run:
        _write(workspace, day, outcomes, rendered, result, loaded)
    return result


def _require_accepted_once(workspace: Workspace, files: list[Path]) -> None:
    seen: set[Path] = set()
    for file in files:
        if file.resolve() in seen:
            raise SafeguardsError(f"{workspace.display(file)} is named twice")
        seen.add(file.resolve())
        require_state(workspace, file, "accepted", "merge")


def _admitted(
    workspace: Workspace,
    loaded: LoadedFramework,
    settings: ReviewersFile,
    files: list[Path],
    problems: list[str],
) -> list[LoadedContribution]:
    """The contributions that may be merged: not merged yet, approved by enough listed
    reviewers, valid, with a free place in merged/. Why each other one may not is added
    to ``problems``."""
    text_index = build_text_index(loaded.framework)
    admitted = []
    for file in files:
        try:
            item = load_contribution(workspace, file)
        except SafeguardsError as exc:
            problems.append(str(exc))
            continue
        refusal = _refusal(workspace, loaded, settings, text_index, item)
        if refusal is None:
            admitted.append(item)
        else:
            problems.append(refusal)
    return admitted


def _refusal(
    workspace: Workspace,
    loaded: LoadedFramework,
    settings: ReviewersFile,
    text_index: dict[str, str],
    item: LoadedContribution,
) -> str | None:
    if item.contribution.merged is not None:
        return f"{item.shown} was already merged on {item.contribution.merged.date}"
    accepted_by = valid_approvals(settings, item.contribution)
    if len(accepted_by) < settings.approvals_required:
        return (
            f"{item.shown} has {len(accepted_by)} approval(s) by listed reviewers who are "
            f"not its contributors, {settings.approvals_required} needed; review it with "
            "'safeguards review' instead of moving it by hand"
        )
    errors = [
        f
        for f in contribution_findings(item.path, loaded, text_index, item.shown)
        if f.severity is Severity.ERROR
    ]
    if errors:
        return f"{item.shown} does not validate:\n{describe_findings(errors)}"
    try:
        check_free(workspace, target_in(workspace, item.path, "merged"))
    except SafeguardsError as exc:
        return f"{item.shown}: {exc}"
    return None


def _result_problems(
    workspace: Workspace,
    loaded: LoadedFramework,
    after: Framework,
    rendered: dict[str, str],
    origin: dict[str, str],
) -> list[str]:
    """The merged framework's errors, each id in them traced to its contribution."""
    problems = []
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
    return problems


def _write(
    workspace: Workspace,
    day: str,
    outcomes: list[tuple[LoadedContribution, Applied]],
    rendered: dict[str, str],
    result: MergeResult,
    loaded: LoadedFramework,
) -> None:
    """One transaction: the merged contributions, the framework files that change (and
    the snapshot: every file as ``loaded`` read it, and the new texts), and the removal of
    the accepted copies land together, or (after a crash, replayed by the next run) not at
    all."""
    known = loaded.records()
    rendered = with_snapshot(rendered, workspace.framework_dir, whole=False, known=known)
    transaction = Transaction(workspace.root)
    for (item, applied), done in zip(outcomes, result.merged, strict=True):
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


# ---- preview (safeguards diff CONTRIBUTION) -----------------------------------------------


def preview(workspace: Workspace, path: Path, *, date: str | None = None) -> DiffResult:
    """What merging ``path`` now would change, with provisional ids (the same code as the
    merge), plus the contribution's findings (near-duplicate warnings among them)."""

    if not path.is_file():
        raise SafeguardsError(f"{workspace.display(path)} does not exist or is not a file")
    loaded = load_framework(workspace.framework_dir, display_base=workspace.root)
    checked_framework(loaded, "the framework")
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
