"""``safeguards verify``: a published release is what its checksums and its tag say.

For each release: every file matches ``SHA256SUMS`` and the index (no file missing, none
extra, no symlink); then the release is rebuilt from its git tag ``vX.Y.Z`` (the framework
folder at the tag, the previous release's framework.json as the index at the tag names
it, the version and date from the index) and compared byte for byte.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import tomllib
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dpi_safeguards.core.errors import SafeguardsError
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.exports.translated import SUMMARY_FILE, BundleTranslations
from dpi_safeguards.load.folder import load_framework
from dpi_safeguards.models.framework import Framework
from dpi_safeguards.models.release import ReleaseEntry, ReleaseIndex
from dpi_safeguards.models.reports import (
    CheckName,
    CheckOutcome,
    VerifyCheck,
    VerifyProblem,
    VerifyReport,
)
from dpi_safeguards.release import rebuild_at_tag
from dpi_safeguards.release.bundle import SUMS_FILE, build_bundle, parse_sums, read_bundle, sha256
from dpi_safeguards.release.gitops import open_repo, read_at, tag_exists
from dpi_safeguards.release.listing import (
    CHANGELOG_FILE,
    FEED_FILE,
    INDEX_FILE,
    parse_index,
    read_index,
    render_listing,
)
from dpi_safeguards.release.plan import load_previous, read_summary
from dpi_safeguards.store.git import checkout_folder, write_tree
from dpi_safeguards.translations.project import load_translations


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
    checks: list[VerifyCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and all(c.outcome != "failed" for c in self.checks)

    def record(self, version: str, check: CheckName, outcome: CheckOutcome, detail: str) -> None:
        self.checks.append(
            VerifyCheck(version=version, check=check, outcome=outcome, detail=detail)
        )

    def as_report(self) -> VerifyReport:
        """As published in verify-report.schema.json."""
        return VerifyReport(
            ok=self.ok,
            checked=self.checked,
            rebuilt=self.rebuilt,
            problems=[VerifyProblem(**vars(problem)) for problem in self.problems],
            checks=self.checks,
        )


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


def _release_commit(repo: Any, workspace: Workspace, entry: ReleaseEntry) -> str:
    """The release's tag, or the commit that added its SHA256SUMS when the tag is absent."""

    tag = f"v{entry.version}"
    if tag_exists(repo, tag):
        return tag
    # Tags do not travel with every clone or push; the commit that added the release's
    # SHA256SUMS is the release commit --tag would have tagged.
    sums = (workspace.releases_dir / entry.path / SUMS_FILE).resolve()
    relative = sums.relative_to(Path(repo.working_dir).resolve())
    added = repo.git.log("--diff-filter=A", "--format=%H", "--", relative.as_posix()).split()
    if not added:
        raise SafeguardsError(
            f"there is no git tag {tag}, nor a commit adding {relative}, to rebuild from"
        )
    return str(added[-1])


@dataclass(frozen=True)
class ToolSource:
    """Where a commit holds the source of the ``safeguards`` command itself."""

    root: str  # the source root, relative to the repository ('.' or 'dpi_safeguards')
    package: str  # the import package, e.g. 'dpi_safeguards'


def tool_source_at(repo: Any, ref: str) -> ToolSource | None:
    """The tool's source in commit ``ref``, as its pyproject.toml names it; None for a
    repository that holds only framework data (it is rebuilt with the installed tool)."""

    tree = repo.commit(ref).tree
    try:
        config = tomllib.loads((tree / "pyproject.toml").data_stream.read().decode("utf-8"))
    except (KeyError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    script = config.get("project", {}).get("scripts", {}).get("safeguards")
    if not isinstance(script, str) or ":" not in script:
        return None
    package = script.split(":", 1)[0].split(".", 1)[0]
    found = config.get("tool", {}).get("setuptools", {}).get("packages", {}).get("find", {})
    where = found.get("where", ["."]) if isinstance(found, dict) else ["."]
    root = where[0] if isinstance(where, list) and where and isinstance(where[0], str) else "."
    bundle = f"{root}/{package}/release/bundle.py".removeprefix("./")
    try:
        tree / bundle
    except KeyError:
        return None
    return ToolSource(root=root, package=package)


def rebuild_release(workspace: Workspace, entry: ReleaseEntry) -> dict[str, bytes]:
    """The release's files rebuilt from its git tag: its framework folder, the previous
    release's framework.json and the index entry as the tag has them, built by the code
    the tag holds when it holds the tool (so a later change to an export never makes an
    earlier release fail), else by the installed tool."""

    repo = open_repo(workspace.root)
    if repo is None:
        raise SafeguardsError(
            "not in a git repository: cannot rebuild from a tag "
            "(--no-rebuild checks the checksums only)"
        )
    tag = _release_commit(repo, workspace, entry)
    index_data = read_at(repo, tag, workspace.releases_dir / INDEX_FILE)
    if index_data is None:
        raise SafeguardsError(f"the tag {tag} has no releases/{INDEX_FILE}")
    at_tag = parse_index(index_data, f"{tag}:releases/{INDEX_FILE}").find(entry.version)
    if at_tag is None:
        raise SafeguardsError(f"releases/{INDEX_FILE} at {tag} does not list {entry.version}")
    previous_data: bytes | None = None
    if at_tag.previous is not None:
        prev_path = workspace.releases_dir / f"v{at_tag.previous}" / "framework.json"
        previous_data = read_at(repo, tag, prev_path)
        if previous_data is None:
            raise SafeguardsError(
                f"the tag {tag} has no releases/v{at_tag.previous}/framework.json"
            )
    tool = tool_source_at(repo, tag)
    summary_data: bytes | None = None
    if at_tag.previous is not None:
        summary_path = workspace.releases_dir / f"v{at_tag.previous}" / SUMMARY_FILE
        summary_data = read_at(repo, tag, summary_path)
    with ExitStack() as stack:
        folder = stack.enter_context(checkout_folder(workspace.root, tag))
        translations_dir = None
        if _has_folder(repo, tag, workspace, "translations"):
            translations_dir = stack.enter_context(
                checkout_folder(workspace.root, tag, "translations")
            )
        if tool is not None:
            return _rebuild_with_code_at(
                repo, tag, tool, folder, previous_data, at_tag, translations_dir, summary_data
            )
        loaded = load_framework(folder, display_base=folder.parent)
        if not loaded.ok:
            raise SafeguardsError(f"the framework at {tag} does not load")
        previous: Framework | None = None
        if previous_data is not None:
            label = f"{tag}:releases/v{at_tag.previous}/framework.json"
            previous, _ = load_previous(previous_data, label)
        translations = None
        if translations_dir is not None:
            found = load_translations(translations_dir, loaded.framework, str)
            prior = read_summary(summary_data, SUMMARY_FILE) if summary_data else None
            translations = BundleTranslations(found, prior)
        bundle = build_bundle(
            loaded.framework,
            previous,
            version=entry.version,
            date=at_tag.date,
            previous_version=at_tag.previous,
            translations=translations,
        )
    return bundle.files


def _has_folder(repo: Any, ref: str, workspace: Workspace, name: str) -> bool:
    relative = (workspace.root.resolve() / name).relative_to(Path(repo.working_dir).resolve())
    try:
        repo.commit(ref).tree / relative.as_posix()
    except KeyError:
        return False
    return True


def _rebuild_with_code_at(
    repo: Any,
    ref: str,
    tool: ToolSource,
    framework_dir: Path,
    previous_data: bytes | None,
    entry: ReleaseEntry,
    translations_dir: Path | None = None,
    summary_data: bytes | None = None,
) -> dict[str, bytes]:
    """Run :mod:`dpi_safeguards.release.rebuild_at_tag` in a child process whose import path
    holds only ``ref``'s copy of the package; read back the files it wrote."""

    with tempfile.TemporaryDirectory(prefix="safeguards-rebuild-") as temp:
        work = Path(temp)
        package_path = f"{tool.root}/{tool.package}".removeprefix("./")
        write_tree(repo.commit(ref).tree / package_path, work / "src" / tool.package)
        previous_json = ""
        if previous_data is not None:
            (work / "previous.json").write_bytes(previous_data)
            previous_json = str(work / "previous.json")
        out = work / "out"
        out.mkdir()
        env = {**os.environ, "PYTHONPATH": str(work / "src"), "PYTHONDONTWRITEBYTECODE": "1"}
        argv = [
            tool.package,
            str(framework_dir),
            previous_json,
            entry.version,
            entry.date,
            entry.previous or "",
            str(out),
        ]
        if translations_dir is not None:
            summary_json = ""
            if summary_data is not None:
                (work / "previous-translations.json").write_bytes(summary_data)
                summary_json = str(work / "previous-translations.json")
            argv += [str(translations_dir), summary_json]
        done = subprocess.run(
            [sys.executable, "-P", str(Path(rebuild_at_tag.__file__)), *argv],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise SafeguardsError(f"the code at {ref} could not rebuild the release: {reason}")
        return {
            path.relative_to(out).as_posix(): path.read_bytes()
            for path in sorted(out.rglob("*"))
            if path.is_file()
        }


def verify_releases(
    workspace: Workspace, versions: list[str] | None = None, *, rebuild: bool = True
) -> VerifyResult:

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
        found = check_files(entry, files)
        result.problems += found
        result.record(
            entry.version,
            "checksums",
            "failed" if found else "ok",
            f"{len(found)} of {len(files)} files differ from SHA256SUMS or index.json"
            if found
            else f"all {len(files)} files match SHA256SUMS and their releases/index.json "
            "entry (SHA-256 and size); none missing, none extra, no symlink",
        )
        if not do_rebuild:
            result.record(entry.version, "rebuild", "skipped", "--no-rebuild")
            continue
        try:
            rebuilt = rebuild_release(workspace, entry)
        except SafeguardsError as exc:
            result.problems.append(Problem(entry.version, "(rebuild)", str(exc)))
            result.record(entry.version, "rebuild", "failed", str(exc))
            continue
        result.rebuilt.append(entry.version)
        before = len(result.problems)
        for path in sorted(set(files) | set(rebuilt)):
            if path not in rebuilt:
                result.problems.append(Problem(entry.version, path, "not produced by the rebuild"))
            elif path not in files:
                result.problems.append(Problem(entry.version, path, "missing (the rebuild has it)"))
            elif files[path] != rebuilt[path]:
                result.problems.append(
                    Problem(entry.version, path, "differs from the rebuild from its tag")
                )
        differing = len(result.problems) - before
        result.record(
            entry.version,
            "rebuild",
            "failed" if differing else "ok",
            "rebuilt from its git tag (the framework, the catalogues and the code there); "
            + (
                f"{differing} files differ"
                if differing
                else f"all {len(rebuilt)} files byte-identical to the published ones"
            ),
        )
    return result
