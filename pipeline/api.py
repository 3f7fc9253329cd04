"""The facade the CLI and the tests share. No click, no printing, no ``sys.exit`` here.

Heavy modules are imported inside the functions that need them, so a command pays only
for what it uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import SafeguardsError
from pipeline.report import Report
from pipeline.workspace import Workspace

if TYPE_CHECKING:
    from pipeline.models.framework import Framework
    from pipeline.release.publish import ReleaseResult
    from pipeline.release.verify import VerifyResult


def validate(
    workspace: Workspace,
    paths: list[Path] | None = None,
    *,
    strict: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    from pipeline.validate import run_validation

    return run_validation(workspace, paths, strict=strict, progress=progress)


def load(workspace: Workspace) -> Framework:
    """The framework, or an error naming what is wrong with it."""
    from pipeline.store.layout import load_framework
    from pipeline.validate import framework_findings

    loaded = load_framework(workspace.framework_dir, display_base=workspace.root)
    if not loaded.ok:
        first = next(iter(framework_findings(loaded, rules=False)))
        where = f"{first.file}:{first.line}" if first.line else (first.file or "")
        raise SafeguardsError(
            f"the framework does not load: {where}: {first.code} {first.message} "
            "(run 'safeguards validate' for every finding)"
        )
    return loaded.framework


@dataclass(frozen=True)
class FormatResult:
    changed: list[Path]


def format_framework(workspace: Workspace, *, check: bool = False) -> FormatResult:
    """Re-write the framework in canonical form; ``check`` only lists what would change."""
    from pipeline.store.layout import render_framework, write_framework

    framework = load(workspace)
    if check:
        changed = []
        for name, text in render_framework(framework).items():
            target = workspace.framework_dir / name
            current = target.read_text(encoding="utf-8") if target.exists() else None
            if current != text:
                changed.append(target)
        return FormatResult(changed)
    return FormatResult(write_framework(framework, workspace.framework_dir))


def write_schemas(target: Path) -> list[Path]:
    """Write the generated JSON Schemas into ``target``; returns files that changed."""
    from pipeline.schema_export import render_all
    from pipeline.store.writer import atomic_write

    changed = []
    for name, text in render_all().items():
        path = target / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            atomic_write(path, text)
            changed.append(path)
    return changed


if TYPE_CHECKING:
    from pipeline.intake import IntakeResult


def intake(
    workspace: Workspace,
    body: str,
    *,
    title: str | None = None,
    github: str | None = None,
    issue: int | None = None,
    output: Path | None = None,
    write: bool = True,
) -> IntakeResult:
    """An issue form's rendered Markdown -> a validated contribution file.

    Raises :class:`pipeline.intake.IntakeError` listing every problem under the form's
    labels; nothing is written then.
    """
    from pipeline.intake import run_intake

    return run_intake(
        workspace, body, title=title, github=github, issue=issue, output=output, write=write
    )


# ---- releases (pipeline/release/) ---------------------------------------------------------


def release(
    workspace: Workspace,
    *,
    version: str | None = None,
    bump: str | None = None,
    date: str | None = None,
    dry_run: bool = False,
    tag: bool = False,
    allow_unmerged: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> ReleaseResult:
    """Cut a release (see :mod:`pipeline.release.publish`)."""
    from pipeline.release.publish import release as run_release

    return run_release(
        workspace,
        version=version,
        bump=bump,
        date=date,
        dry_run=dry_run,
        tag=tag,
        allow_unmerged=allow_unmerged,
        progress=progress,
    )


def verify(
    workspace: Workspace, versions: list[str] | None = None, *, rebuild: bool = True
) -> VerifyResult:
    """Re-check published releases: checksums, index, and a rebuild from the git tag."""
    from pipeline.release.verify import verify_releases

    return verify_releases(workspace, versions, rebuild=rebuild)


def bundle(workspace: Workspace, version: str, out_dir: Path) -> list[Path]:
    """Write reproducible .zip and .tar.gz archives of a release (and their SHA256SUMS)."""
    from pipeline.release.archive import write_archives

    return write_archives(workspace, version, out_dir)


def download(source: str, version: str, out_dir: Path) -> Path:
    """Download a release bundle, every file checked against the index's SHA-256."""
    from pipeline.release.download import download_release

    return download_release(source, version, out_dir)
