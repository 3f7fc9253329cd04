"""``safeguards release``: validate, pick the version, build the bundle, publish it.

Order of a real release (under the repository lock):

1. validate the framework strictly; refuse accepted-but-unmerged contributions;
2. diff against the latest release, pick the version (or check the one asked for);
3. stamp ``deprecated.version: unreleased`` with the version (in memory);
4. build the bundle into a temp folder beside ``releases/``;
5. rename the bundle folder into ``releases/vX.Y.Z`` (atomic: a crash leaves no half release);
6. re-write the stamped framework files (canonical) and write ``index.json``,
   ``CHANGELOG.md`` and ``feed.xml``, all in one journaled transaction
   (:mod:`dpi_safeguards.store.transaction`: all of them or none, even after SIGKILL);
7. with ``--tag``: commit ``framework/`` and ``releases/`` and tag the commit ``vX.Y.Z``.

A crash after 5 leaves a release folder the index does not list; the next run with the
same version and date rebuilds it, finds the same bytes, and completes steps 6 and 7.

Steps 1 to 3 are :mod:`dpi_safeguards.release.plan`'s; the listing that step 6 writes is
:mod:`dpi_safeguards.release.listing`'s.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dpi_safeguards.core.errors import SafeguardsError, UsageError
from dpi_safeguards.core.options import ReleaseOptions
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.load.folder import render_framework, with_snapshot
from dpi_safeguards.models.changes import ChangeList
from dpi_safeguards.release.bump import BumpDecision
from dpi_safeguards.release.bundle import Bundle, build_bundle, counts_of, same_bundle
from dpi_safeguards.release.gitops import commit_and_tag
from dpi_safeguards.release.listing import (
    index_entry,
    next_index,
    render_listing,
)
from dpi_safeguards.release.plan import ReleasePlan, plan_release
from dpi_safeguards.store.lock import repository_lock
from dpi_safeguards.store.transaction import Transaction, recover
from dpi_safeguards.store.writer import TEMP_PREFIX

Progress = Callable[[str, int, int], None]


@dataclass
class ReleaseResult:
    version: str
    date: str
    previous: str | None
    decision: BumpDecision
    changes: ChangeList
    counts: dict[str, int]
    deprecated: dict[str, int]
    files: dict[str, int]
    bundle_dir: Path | None  # None: a dry run's bundle, built and not kept
    dry_run: bool
    stamped: list[str] = field(default_factory=list)
    tag: str | None = None
    commit: str | None = None
    log: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)  # the translations published

    @property
    def size(self) -> int:
        return sum(self.files.values())


def today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def check_date(text: str) -> str:
    try:
        parsed = dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--date {text!r} is not a date: write YYYY-MM-DD") from None
    if parsed.isoformat() != text:
        raise UsageError(f"--date {text!r} is not a date: write YYYY-MM-DD")
    return text


def sweep_release_temps(releases_dir: Path) -> None:
    if releases_dir.is_dir():
        for leftover in releases_dir.glob(TEMP_PREFIX + "*"):
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)


# Signs the releases folder once the release is in it (TUF metadata, a higher floor's),
# before anything is committed: returns a line for the log.
Sign = Callable[[], str]


def release(
    workspace: Workspace,
    options: ReleaseOptions | None = None,
    progress: Progress | None = None,
    sign: Sign | None = None,
) -> ReleaseResult:
    options = options or ReleaseOptions()
    if options.dry_run:
        return _release(workspace, options, progress, None)
    with repository_lock(workspace.root, "release"):
        return _release(workspace, options, progress, sign)


def _release(
    workspace: Workspace, options: ReleaseOptions, progress: Progress | None, sign: Sign | None
) -> ReleaseResult:
    if not options.dry_run:
        # finish (or sweep) what a killed merge or release left, before reading anything
        recover(workspace.root, [workspace.framework_dir, workspace.releases_dir])
    release_date = check_date(options.date) if options.date is not None else today()
    if progress:
        progress("validating", 0, 0)
    plan = plan_release(workspace, options, release_date)
    if options.dry_run:
        return _dry_run(plan, options.output, progress)
    result, bundle = _place_bundle(workspace, plan, progress)
    _write_listing(workspace, plan, bundle)
    if sign is not None:
        if progress:
            progress("signing", 0, 0)
        result.log.append(sign())
    if plan.repo is not None:
        paths = [workspace.framework_dir, workspace.releases_dir]
        if plan.translations is not None:
            # The tag holds the catalogues the release was built from (verify reads them).
            paths.append(workspace.translations_dir)
        result.commit = commit_and_tag(plan.repo, paths, plan.tag_name, f"Release {plan.tag_name}")
        result.tag = plan.tag_name
    return result


def _dry_run(plan: ReleasePlan, output: Path | None, progress: Progress | None) -> ReleaseResult:
    """The bundle built where asked (a new or empty folder), or only measured and hashed
    as it is rendered, neither kept nor written (``bundle_dir`` is then None)."""
    if output is None:
        return _result_of(plan, _build(plan, None, progress), None, dry_run=True)
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise UsageError(f"{output} must be a new or empty folder for the dry run's bundle")
    return _result_of(plan, _build(plan, output, progress), output, dry_run=True)


def _build(plan: ReleasePlan, folder: Path | None, progress: Progress | None) -> Bundle:
    # The bundle is written into ``folder`` as it is rendered, never held whole; with no
    # folder (a dry run that keeps nothing) its files are only measured and hashed.
    return build_bundle(
        plan.stamped,
        None,
        version=plan.version,
        date=plan.date,
        previous_version=plan.previous_version,
        changes=plan.changes,
        progress=progress,
        target=folder,
        keep_bytes=False,
        translations=plan.translations,
    )


def _result_of(
    plan: ReleasePlan, bundle: Bundle, bundle_dir: Path | None, *, dry_run: bool
) -> ReleaseResult:
    counts, deprecated = counts_of(plan.stamped)
    return ReleaseResult(
        version=plan.version,
        date=plan.date,
        previous=plan.previous_version,
        decision=plan.decision,
        changes=bundle.changes,
        counts=counts,
        deprecated=deprecated,
        files={p: f.size for p, f in bundle.manifest.items()},
        bundle_dir=bundle_dir,
        dry_run=dry_run,
        stamped=plan.stamped_ids,
        log=list(bundle.log),
        languages=[s.code for s in plan.translations.published()] if plan.translations else [],
    )


def _place_bundle(
    workspace: Workspace, plan: ReleasePlan, progress: Progress | None
) -> tuple[ReleaseResult, Bundle]:
    """Build the bundle in a temp folder beside ``releases/`` and rename it into
    ``releases/vX.Y.Z`` (atomic). A folder there already is accepted only when an
    interrupted run left it with the very same bytes."""
    releases_dir = workspace.releases_dir
    target = releases_dir / plan.tag_name
    existing = target.exists() or target.is_symlink()
    if existing and (target.is_symlink() or not target.is_dir()):
        raise SafeguardsError(_never_overwritten(workspace, target))
    releases_dir.mkdir(parents=True, exist_ok=True)
    sweep_release_temps(releases_dir)
    temp_root = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX + "release-", dir=releases_dir))
    try:
        bundle = _build(plan, temp_root / "bundle", progress)
        result = _result_of(plan, bundle, target, dry_run=False)
        if existing:
            if not same_bundle(target, bundle):
                raise SafeguardsError(_never_overwritten(workspace, target))
            result.log.append(
                f"{workspace.display(target)} was written by an interrupted run; "
                "its bytes match, so only the index is written"
            )
        else:
            if progress:
                progress("writing", 0, 0)
            (temp_root / "bundle").rename(target)
    finally:
        shutil.rmtree(temp_root, ignore_errors=True)
    return result, bundle


def _write_listing(workspace: Workspace, plan: ReleasePlan, bundle: Bundle) -> None:
    """The stamped framework files and the listing change together or not at all."""
    releases_dir = workspace.releases_dir
    new_entry = index_entry(plan.stamped, bundle, plan.version, plan.date, plan.previous_version)
    new_index = next_index(plan.index, new_entry)
    transaction = Transaction(workspace.root)
    folder = workspace.framework_dir
    for name, text in with_snapshot(render_framework(plan.stamped), folder, whole=True).items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            transaction.write(path, text)
    title = plan.stamped.metadata.title
    for name, text in render_listing(releases_dir, new_index, title).items():
        transaction.write(releases_dir / name, text)
    transaction.commit()


def _never_overwritten(workspace: Workspace, target: Path) -> str:
    return (
        f"{workspace.display(target)} exists and the index does not list it; a release "
        "folder is never overwritten: move it away if it is a leftover"
    )
