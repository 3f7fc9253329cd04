"""What a release publishes, decided and checked before anything is written: steps 1 to
3 of :mod:`dpi_safeguards.release.publish` (validate, refuse unmerged contributions, diff
against the latest release, choose the version, stamp ``deprecated.version: unreleased``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from dpi_safeguards.check.places import contribution_files
from dpi_safeguards.check.validate import checked_framework, run_validation
from dpi_safeguards.core.errors import SafeguardsError
from dpi_safeguards.core.ids import Kind
from dpi_safeguards.core.options import ReleaseOptions
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.exports.framework_json import same_data
from dpi_safeguards.exports.translated import SUMMARY_FILE, BundleTranslations
from dpi_safeguards.load.folder import load_framework
from dpi_safeguards.load.released import FORMAT_VERSION, framework_from_data
from dpi_safeguards.models.changes import ChangeList
from dpi_safeguards.models.framework import Framework
from dpi_safeguards.models.release import ReleaseIndex
from dpi_safeguards.models.translations import TranslationsSummary
from dpi_safeguards.release.bump import BumpDecision, Version, choose_version, required_bump
from dpi_safeguards.release.bundle import compute_changes
from dpi_safeguards.release.gitops import open_repo, tag_exists
from dpi_safeguards.release.listing import read_index
from dpi_safeguards.translations.project import load_translations


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


@dataclass
class ReleasePlan:
    """What a release publishes, decided (and checked) before anything is written."""

    version: str
    date: str
    previous_version: str | None
    decision: BumpDecision
    index: ReleaseIndex  # the index as read, before this release joins it
    stamped: Framework  # the framework with its deprecations stamped with ``version``
    stamped_ids: list[str]
    changes: ChangeList
    repo: Any | None  # the git repository to tag, with --tag
    translations: BundleTranslations | None = None  # None: no translations/ folder

    @property
    def tag_name(self) -> str:
        return f"v{self.version}"


def _check_valid(workspace: Workspace) -> Framework:
    """A release is cut only from a framework without findings, warnings included: the
    framework, read once for the check and the release."""
    loaded = load_framework(workspace.framework_dir, display_base=workspace.root)
    report = run_validation(workspace, [workspace.framework_dir], strict=True, loaded=loaded)
    if report.errors:
        shown = "; ".join(
            f"{f.file or '-'}:{f.line or 0}: {f.code} {f.message}" for f in report.sorted()[:5]
        )
        raise SafeguardsError(
            f"the framework is not valid ({len(report.errors)} findings, counted strictly): "
            f"{shown}; run 'safeguards validate --strict' and fix them before releasing"
        )
    return checked_framework(loaded, "the framework")


def _check_merged(workspace: Workspace, allow_unmerged: bool) -> None:
    """Accepted contributions belong in the release unless --allow-unmerged says not."""
    accepted = contribution_files(workspace.state_dir("accepted"))
    if accepted and not allow_unmerged:
        names = ", ".join(workspace.display(p) for p in accepted[:5])
        raise SafeguardsError(
            f"{len(accepted)} accepted contributions are not merged yet ({names}); merge them "
            "first, or release without them with --allow-unmerged"
        )


def plan_release(workspace: Workspace, options: ReleaseOptions, release_date: str) -> ReleasePlan:
    """Check the framework, diff it against the latest release, choose the version and
    stamp the deprecations.

    The previous release's framework is a local here: it is let go of (its entries are as
    many as the framework's) on return, before the bundle is rendered."""
    framework = _check_valid(workspace)
    _check_merged(workspace, options.allow_unmerged)
    index = read_index(workspace.releases_dir)
    previous_version = index.latest
    previous, format_changed = _previous_release(workspace, index, release_date)
    translations = release_translations(workspace, framework, index)
    probe = compute_changes(previous, framework, previous_version, "unreleased")
    other = previous is not None and _other_changes(previous, framework)
    decision = required_bump(
        probe,
        format_changed=format_changed,
        other_changes=other,
        # A release whose only change is in the translations is a patch release.
        translations_changed=translations is not None and translations_changed(translations),
    )
    version = choose_version(previous_version, decision, version=options.version, bump=options.bump)
    _check_new_version(index, version)
    repo = _repo_to_tag(workspace, f"v{version}") if options.tag else None
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
    return ReleasePlan(
        version,
        release_date,
        previous_version,
        decision,
        index,
        stamped,
        stamped_ids,
        changes,
        repo,
        translations,
    )


def release_translations(
    workspace: Workspace, framework: Framework, index: ReleaseIndex
) -> BundleTranslations | None:
    """The catalogues a release publishes from (None without a translations/ folder),
    refused when one has an error; with the latest release's translations.json."""
    folder = workspace.translations_dir
    if not folder.is_dir():
        return None
    translations = load_translations(folder, framework, workspace.display)
    errors = translations.report.errors
    if errors:
        shown = "; ".join(
            f"{f.file or '-'}:{f.line or 0}: {f.code} {f.message}" for f in errors[:5]
        )
        raise SafeguardsError(
            f"the translations have {len(errors)} error(s): {shown}; run 'safeguards "
            "translations check' and fix them (or move the catalogue away) before releasing"
        )
    return BundleTranslations(translations, previous_summary(workspace, index))


def previous_summary(workspace: Workspace, index: ReleaseIndex) -> TranslationsSummary | None:
    entry = index.find(index.latest or "")
    if entry is None:
        return None
    path = workspace.releases_dir / entry.path / SUMMARY_FILE
    if not path.is_file():
        return None
    return read_summary(path.read_bytes(), workspace.display(path))


def read_summary(data: bytes, source: str) -> TranslationsSummary:
    try:
        return TranslationsSummary.model_validate_json(data)
    except ValidationError as exc:
        raise SafeguardsError(f"{source} is not a translations summary: {exc}") from None


def translations_changed(bundle: BundleTranslations) -> bool:
    """Whether what is published of the translations changed since the latest release (a
    catalogue that is not published changes nothing a user downloads)."""

    def published(summary: TranslationsSummary | None) -> set[tuple[str, str]]:
        languages = summary.languages if summary is not None else []
        return {(lang.language, lang.digest) for lang in languages if lang.published}

    return published(bundle.summary()) != published(bundle.previous)


def _previous_release(
    workspace: Workspace, index: ReleaseIndex, release_date: str
) -> tuple[Framework | None, bool]:
    """The latest release's framework (None before the first release), and whether its
    format_version differs; a release is never dated before the latest one."""
    if index.latest is None:
        return None, False
    entry = index.find(index.latest)
    if entry is None:
        raise SafeguardsError(
            f"releases/index.json names {index.latest} as latest but does not list it"
        )
    prev_file = workspace.releases_dir / entry.path / "framework.json"
    if not prev_file.is_file():
        raise SafeguardsError(f"{workspace.display(prev_file)} is missing")
    previous, format_changed = load_previous(prev_file.read_bytes(), str(prev_file))
    if release_date < entry.date:
        raise SafeguardsError(
            f"--date {release_date} is before the latest release's date ({entry.date})"
        )
    return previous, format_changed


def _check_new_version(index: ReleaseIndex, version: str) -> None:
    """Versions only go up, and a published one is never rewritten."""
    latest = index.latest
    if latest is not None and Version.parse(version) <= Version.parse(latest):
        raise SafeguardsError(f"version {version} is not later than {latest}")
    if index.find(version) is not None:
        raise SafeguardsError(f"v{version} is already published; a release is never rewritten")


def _repo_to_tag(workspace: Workspace, tag_name: str) -> Any:
    """The git repository --tag commits to, checked before anything is built."""
    repo = open_repo(workspace.root)
    if repo is None:
        raise SafeguardsError("--tag needs a git repository, and this is not in one")
    if tag_exists(repo, tag_name):
        raise SafeguardsError(f"the git tag {tag_name} exists already")
    return repo


def _other_changes(previous: Framework, framework: Framework) -> bool:
    """Anything the keyed diff does not report (metadata, provenance) changed."""

    return not same_data(previous, framework)
