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
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from dpi_safeguards.check.validate import contribution_files, load_checked, run_validation
from dpi_safeguards.core.errors import SafeguardsError, UsageError
from dpi_safeguards.core.ids import Kind
from dpi_safeguards.core.options import ReleaseOptions
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.exports.framework_json import same_data
from dpi_safeguards.load.folder import render_framework
from dpi_safeguards.load.released import FORMAT_VERSION, framework_from_data
from dpi_safeguards.models.changes import ChangeList
from dpi_safeguards.models.framework import Framework
from dpi_safeguards.models.release import (
    BUNDLE_FORMAT_VERSION,
    ReleaseEntry,
    ReleaseFile,
    ReleaseIndex,
)
from dpi_safeguards.release.bump import BumpDecision, Version, choose_version, required_bump
from dpi_safeguards.release.bundle import (
    Bundle,
    build_bundle,
    compute_changes,
    counts_of,
    same_bundle,
)
from dpi_safeguards.release.feed import render_feed
from dpi_safeguards.release.gitops import commit_and_tag, open_repo, tag_exists
from dpi_safeguards.release.notes import render_changelog
from dpi_safeguards.store.lock import repository_lock
from dpi_safeguards.store.transaction import Transaction, recover
from dpi_safeguards.store.writer import TEMP_PREFIX, dump_json

INDEX_FILE = "index.json"
CHANGELOG_FILE = "CHANGELOG.md"
FEED_FILE = "feed.xml"
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
    bundle_dir: Path
    dry_run: bool
    stamped: list[str] = field(default_factory=list)
    tag: str | None = None
    commit: str | None = None
    log: list[str] = field(default_factory=list)

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


def read_index(releases_dir: Path) -> ReleaseIndex:
    path = releases_dir / INDEX_FILE
    if not path.exists():
        return ReleaseIndex()
    return parse_index(path.read_bytes(), str(path))


def parse_index(data: bytes, source: str) -> ReleaseIndex:

    try:
        return ReleaseIndex.model_validate_json(data)
    except ValidationError as exc:
        raise SafeguardsError(f"{source} is not a valid release index: {exc}") from None


def load_previous(data: bytes, source: str) -> tuple[Framework | None, bool]:
    """The previous release's framework, and whether its format_version differs."""
    try:
        raw = json.loads(data)
    except ValueError as exc:
        raise SafeguardsError(f"{source} cannot be read as JSON: {exc}") from None
    if isinstance(raw, dict) and raw.get("format_version") != FORMAT_VERSION:
        return None, True
    return framework_from_data(raw, source), False


def stamp_deprecations(framework: Framework, version: str) -> tuple[Framework, list[str]]:
    """A copy in which every ``deprecated.version: unreleased`` reads ``version``."""

    stamped = Framework(metadata=framework.metadata)
    ids: list[str] = []
    for kind in Kind:
        target = stamped.table(kind)
        for entry_id, entry in framework.table(kind).items():
            dep = entry.deprecated
            if dep is not None and dep.version == "unreleased":
                entry = entry.model_copy(
                    update={"deprecated": dep.model_copy(update={"version": version})}
                )
                ids.append(entry_id)
            target[entry_id] = entry
    return stamped, ids


def index_entry(
    framework: Framework, bundle: Bundle, version: str, date: str, previous: str | None
) -> ReleaseEntry:
    counts, deprecated = counts_of(framework)
    change_counts: dict[str, int] = {}
    for change in bundle.changes.changes:
        change_counts[change.change] = change_counts.get(change.change, 0) + 1
    return ReleaseEntry(
        version=version,
        date=date,
        path=f"v{version}",
        previous=previous,
        bundle_format_version=BUNDLE_FORMAT_VERSION,
        counts=counts,
        deprecated=deprecated,
        changes=dict(sorted(change_counts.items())),
        files=[
            ReleaseFile(path=p, sha256=f.sha256, size=f.size)
            for p, f in sorted(bundle.manifest.items())
        ],
    )


def render_index(index: ReleaseIndex) -> str:
    return dump_json(index.model_dump(mode="json", by_alias=True))


def render_listing(releases_dir: Path, index: ReleaseIndex, title: str) -> dict[str, str]:
    """index.json, CHANGELOG.md and feed.xml, from the index and each RELEASE_NOTES.md."""

    notes: list[tuple[str, str, str]] = []
    for entry in index.releases:
        path = releases_dir / entry.path / "RELEASE_NOTES.md"
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        notes.append((entry.version, entry.date, text))
    return {
        INDEX_FILE: render_index(index),
        CHANGELOG_FILE: render_changelog([(v, t) for v, _, t in notes]),
        FEED_FILE: render_feed(title, notes),
    }


def sweep_release_temps(releases_dir: Path) -> None:
    if releases_dir.is_dir():
        for leftover in releases_dir.glob(TEMP_PREFIX + "*"):
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)


def release(
    workspace: Workspace,
    options: ReleaseOptions | None = None,
    progress: Progress | None = None,
) -> ReleaseResult:
    options = options or ReleaseOptions()
    if options.dry_run:
        return _release(workspace, options, progress)
    with repository_lock(workspace.root, "release"):
        return _release(workspace, options, progress)


def _release(
    workspace: Workspace, options: ReleaseOptions, progress: Progress | None
) -> ReleaseResult:
    version_asked, bump, date = options.version, options.bump, options.date
    dry_run, tag, allow_unmerged = options.dry_run, options.tag, options.allow_unmerged

    if not dry_run:
        # finish (or sweep) what a killed merge or release left, before reading anything
        recover(workspace.root, [workspace.framework_dir, workspace.releases_dir])
    release_date = check_date(date) if date is not None else today()
    if progress:
        progress("validating", 0, 0)
    report = run_validation(workspace, [workspace.framework_dir], strict=True)
    if report.errors:
        shown = "; ".join(
            f"{f.file or '-'}:{f.line or 0}: {f.code} {f.message}" for f in report.sorted()[:5]
        )
        raise SafeguardsError(
            f"the framework is not valid ({len(report.errors)} findings, counted strictly): "
            f"{shown}; run 'safeguards validate --strict' and fix them before releasing"
        )
    accepted = contribution_files(workspace.state_dir("accepted"))
    if accepted and not allow_unmerged:
        names = ", ".join(workspace.display(p) for p in accepted[:5])
        raise SafeguardsError(
            f"{len(accepted)} accepted contributions are not merged yet ({names}); merge them "
            "first, or release without them with --allow-unmerged"
        )
    framework = load_checked(workspace)
    releases_dir = workspace.releases_dir
    index = read_index(releases_dir)
    previous_version = index.latest
    previous: Framework | None = None
    format_changed = False
    if previous_version is not None:
        entry = index.find(previous_version)
        if entry is None:
            raise SafeguardsError(
                f"releases/index.json names {previous_version} as latest but does not list it"
            )
        prev_file = releases_dir / entry.path / "framework.json"
        if not prev_file.is_file():
            raise SafeguardsError(f"{workspace.display(prev_file)} is missing")
        previous, format_changed = load_previous(prev_file.read_bytes(), str(prev_file))
        if release_date < entry.date:
            raise SafeguardsError(
                f"--date {release_date} is before the latest release's date ({entry.date})"
            )
    probe = compute_changes(previous, framework, previous_version, "unreleased")
    other = previous is not None and _other_changes(previous, framework)
    decision = required_bump(probe, format_changed=format_changed, other_changes=other)
    version = choose_version(previous_version, decision, version=version_asked, bump=bump)
    if previous_version is not None and Version.parse(version) <= Version.parse(previous_version):
        raise SafeguardsError(f"version {version} is not later than {previous_version}")
    if index.find(version) is not None:
        raise SafeguardsError(f"v{version} is already published; a release is never rewritten")
    repo = None
    tag_name = f"v{version}"
    if tag:
        repo = open_repo(workspace.root)
        if repo is None:
            raise SafeguardsError("--tag needs a git repository, and this is not in one")
        if tag_exists(repo, tag_name):
            raise SafeguardsError(f"the git tag {tag_name} exists already")
    stamped, stamped_ids = stamp_deprecations(framework, version)
    # Nothing stamped: the stamped framework holds the very entries diffed above, so the
    # bundle's change list is the probe's but for its label (one diff, one change list in
    # memory, instead of two). Otherwise the stamped entries are diffed again.
    if stamped_ids:
        del probe
        changes = compute_changes(previous, stamped, previous_version, version)
    else:
        changes = probe.model_copy(update={"to_version": version})
        del probe
    # The bundle needs the previous release no more (its changes are listed): let go of
    # its entries (as many as the framework's) before rendering.
    previous = None
    target = releases_dir / f"v{version}"

    def build(folder: Path) -> Bundle:
        # The bundle is written into ``folder`` as it is rendered, never held whole.
        return build_bundle(
            stamped,
            None,
            version=version,
            date=release_date,
            previous_version=previous_version,
            changes=changes,
            progress=progress,
            target=folder,
        )

    def result_of(bundle: Bundle, bundle_dir: Path) -> ReleaseResult:
        counts, deprecated = counts_of(stamped)
        return ReleaseResult(
            version=version,
            date=release_date,
            previous=previous_version,
            decision=decision,
            changes=bundle.changes,
            counts=counts,
            deprecated=deprecated,
            files={p: f.size for p, f in bundle.manifest.items()},
            bundle_dir=bundle_dir,
            dry_run=dry_run,
            stamped=stamped_ids,
            log=list(bundle.log),
        )

    if dry_run:
        temp = Path(tempfile.mkdtemp(prefix="safeguards-release-"))
        return result_of(build(temp / f"v{version}"), temp / f"v{version}")
    existing = target.exists() or target.is_symlink()
    if existing and (target.is_symlink() or not target.is_dir()):
        raise SafeguardsError(_never_overwritten(workspace, target))
    releases_dir.mkdir(parents=True, exist_ok=True)
    sweep_release_temps(releases_dir)
    temp_root = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX + "release-", dir=releases_dir))
    try:
        bundle = build(temp_root / "bundle")
        result = result_of(bundle, target)
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
    new_entry = index_entry(stamped, bundle, version, release_date, previous_version)
    releases = sorted(
        [*index.releases, new_entry], key=lambda r: Version.parse(r.version), reverse=True
    )
    new_index = ReleaseIndex(latest=str(Version.parse(releases[0].version)), releases=releases)
    # The stamped framework files and the listing change together or not at all.
    transaction = Transaction(workspace.root)
    for name, text in render_framework(stamped).items():
        path = workspace.framework_dir / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            transaction.write(path, text)
    for name, text in render_listing(releases_dir, new_index, stamped.metadata.title).items():
        transaction.write(releases_dir / name, text)
    transaction.commit()
    if tag and repo is not None:
        result.commit = commit_and_tag(
            repo, [workspace.framework_dir, releases_dir], tag_name, f"Release {tag_name}"
        )
        result.tag = tag_name
    return result


def _never_overwritten(workspace: Workspace, target: Path) -> str:
    return (
        f"{workspace.display(target)} exists and the index does not list it; a release "
        "folder is never overwritten: move it away if it is a leftover"
    )


def _other_changes(previous: Framework, framework: Framework) -> bool:
    """Anything the keyed diff does not report (metadata, provenance) changed."""

    return not same_data(previous, framework)
