"""``safeguards verify``: a published release is what its checksums and its tag say.

For each release: every file matches ``SHA256SUMS`` and the index (no file missing, none
extra, no symlink); then the release is rebuilt from its git tag ``vX.Y.Z`` (the framework
folder at the tag, the previous release's framework.json as the index at the tag names
it, the version and date from the index) and compared byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import SafeguardsError
from pipeline.models.framework import Framework
from pipeline.release.bundle import SUMS_FILE, build_bundle, parse_sums, read_bundle, sha256
from pipeline.release.models import ReleaseEntry, ReleaseIndex
from pipeline.workspace import Workspace


@dataclass(frozen=True)
class Problem:
    version: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"v{self.version}: {self.path}: {self.message}"


@dataclass
class VerifyResult:
    checked: list[str] = field(default_factory=list)
    rebuilt: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_files(entry: ReleaseEntry, files: dict[str, bytes]) -> list[Problem]:
    """The files against SHA256SUMS and against the index entry."""
    problems: list[Problem] = []
    version = entry.version
    sums_data = files.get(SUMS_FILE)
    if sums_data is None:
        problems.append(Problem(version, SUMS_FILE, "missing"))
        sums: dict[str, str] = {}
    else:
        try:
            sums = parse_sums(sums_data.decode("ascii"))
        except (SafeguardsError, UnicodeDecodeError) as exc:
            problems.append(Problem(version, SUMS_FILE, f"unreadable: {exc}"))
            sums = {}
    for path, digest in sorted(sums.items()):
        if path not in files:
            problems.append(Problem(version, path, f"listed in {SUMS_FILE} but missing"))
        elif sha256(files[path]) != digest:
            problems.append(Problem(version, path, f"does not match its {SUMS_FILE} checksum"))
    if sums_data is not None:
        for path in sorted(set(files) - set(sums) - {SUMS_FILE}):
            problems.append(Problem(version, path, f"not listed in {SUMS_FILE}"))
    listed = {f.path: f for f in entry.files}
    for path, item in sorted(listed.items()):
        if path not in files:
            problems.append(Problem(version, path, "listed in index.json but missing"))
        elif sha256(files[path]) != item.sha256 or len(files[path]) != item.size:
            problems.append(Problem(version, path, "does not match its index.json checksum"))
    for path in sorted(set(files) - set(listed)):
        problems.append(Problem(version, path, "not listed in index.json"))
    return problems


def check_listing(workspace: Workspace, index: ReleaseIndex) -> list[Problem]:
    """CHANGELOG.md and feed.xml are what the index and the release notes give."""
    from pipeline.release.publish import CHANGELOG_FILE, FEED_FILE, render_listing

    problems: list[Problem] = []
    latest = index.latest or "-"
    title = _title(workspace, index)
    for name, expected in render_listing(workspace.releases_dir, index, title).items():
        if name not in (CHANGELOG_FILE, FEED_FILE):
            continue
        path = workspace.releases_dir / name
        if not path.is_file():
            problems.append(Problem(latest, f"releases/{name}", "missing"))
        elif path.read_text(encoding="utf-8") != expected:
            problems.append(
                Problem(latest, f"releases/{name}", "differs from the index and release notes")
            )
    return problems


def _title(workspace: Workspace, index: ReleaseIndex) -> str:
    """The framework title as the latest release has it."""
    import json

    entry = index.find(index.latest or "")
    if entry is not None:
        path = workspace.releases_dir / entry.path / "framework.json"
        try:
            title = json.loads(path.read_text(encoding="utf-8"))["metadata"]["title"]
            if isinstance(title, str):
                return title
        except (OSError, ValueError, KeyError, TypeError):
            pass
    return "Universal DPI Safeguards Framework"


def rebuild_release(workspace: Workspace, entry: ReleaseEntry) -> dict[str, bytes]:
    """The release's files rebuilt from its git tag."""
    from pipeline.release.gitops import open_repo, read_at, tag_exists
    from pipeline.release.publish import INDEX_FILE, load_previous, parse_index
    from pipeline.store.git import checkout_folder
    from pipeline.store.layout import load_framework

    tag = f"v{entry.version}"
    repo = open_repo(workspace.root)
    if repo is None:
        raise SafeguardsError("not in a git repository: cannot rebuild from a tag")
    if not tag_exists(repo, tag):
        # Tags do not travel with every clone or push; the commit that added the release's
        # SHA256SUMS is the release commit --tag would have tagged.
        sums = (workspace.releases_dir / entry.path / "SHA256SUMS").relative_to(
            Path(repo.working_dir).resolve()
        )
        added = repo.git.log("--diff-filter=A", "--format=%H", "--", sums.as_posix()).split()
        if not added:
            raise SafeguardsError(
                f"there is no git tag {tag}, nor a commit adding {sums}, to rebuild from"
            )
        tag = added[-1]
    index_data = read_at(repo, tag, workspace.releases_dir / INDEX_FILE)
    if index_data is None:
        raise SafeguardsError(f"the tag {tag} has no releases/{INDEX_FILE}")
    at_tag = parse_index(index_data, f"{tag}:releases/{INDEX_FILE}").find(entry.version)
    if at_tag is None:
        raise SafeguardsError(f"releases/{INDEX_FILE} at {tag} does not list {entry.version}")
    previous: Framework | None = None
    if at_tag.previous is not None:
        prev_path = workspace.releases_dir / f"v{at_tag.previous}" / "framework.json"
        data = read_at(repo, tag, prev_path)
        if data is None:
            raise SafeguardsError(
                f"the tag {tag} has no releases/v{at_tag.previous}/framework.json"
            )
        previous, _ = load_previous(data, f"{tag}:releases/v{at_tag.previous}/framework.json")
    with checkout_folder(workspace.root, tag) as folder:
        loaded = load_framework(folder, display_base=folder.parent)
    if not loaded.ok:
        raise SafeguardsError(f"the framework at {tag} does not load")
    bundle = build_bundle(
        loaded.framework,
        previous,
        version=entry.version,
        date=at_tag.date,
        previous_version=at_tag.previous,
    )
    return bundle.files


def verify_releases(
    workspace: Workspace, versions: list[str] | None = None, *, rebuild: bool = True
) -> VerifyResult:
    from pipeline.release.publish import read_index

    do_rebuild = rebuild
    index: ReleaseIndex = read_index(workspace.releases_dir)
    if not index.releases:
        raise SafeguardsError("releases/index.json lists no release: nothing to verify")
    if versions:
        entries = []
        for wanted in versions:
            entry = index.find(wanted)
            if entry is None:
                known = ", ".join(f"v{r.version}" for r in index.releases)
                raise SafeguardsError(f"no release {wanted} in releases/index.json ({known})")
            entries.append(entry)
    else:
        entries = list(index.releases)
    result = VerifyResult()
    if not versions:
        result.problems += check_listing(workspace, index)
    for entry in entries:
        result.checked.append(entry.version)
        folder = workspace.releases_dir / entry.path
        if not folder.is_dir() or folder.is_symlink():
            result.problems.append(Problem(entry.version, entry.path, "release folder missing"))
            continue
        try:
            files = read_bundle(folder)
        except SafeguardsError as exc:
            result.problems.append(Problem(entry.version, entry.path, str(exc)))
            continue
        result.problems += check_files(entry, files)
        if not do_rebuild:
            continue
        try:
            rebuilt = rebuild_release(workspace, entry)
        except SafeguardsError as exc:
            result.problems.append(Problem(entry.version, "(rebuild)", str(exc)))
            continue
        result.rebuilt.append(entry.version)
        for path in sorted(set(files) | set(rebuilt)):
            if path not in rebuilt:
                result.problems.append(Problem(entry.version, path, "not produced by the rebuild"))
            elif path not in files:
                result.problems.append(Problem(entry.version, path, "missing (the rebuild has it)"))
            elif files[path] != rebuilt[path]:
                result.problems.append(
                    Problem(entry.version, path, "differs from the rebuild from its tag")
                )
    return result
