from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import click

from dpi_safeguards.cli.commands import folder_output, workspace_of


def progress_printer() -> Callable[[str, int, int], None] | None:
    """Progress on a terminal only; quiet when piped or when CI is set."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None

    def show(step: str, done: int, total: int) -> None:
        counter = f" {done}/{total}" if total else ""
        click.echo(f"\r\x1b[K{step}{counter}", err=True, nl=False)
        if total and done == total:
            click.echo("", err=True)

    return show


def _size(n: int) -> str:
    return f"{n} bytes" if n < 10_000 else f"{n / 1024:.0f} KiB ({n} bytes)"


@click.command()
@click.option("--version", "version", default=None, help="Release this version (X.Y.Z).")
@click.option(
    "--bump",
    type=click.Choice(["auto", "major", "minor", "patch"]),
    default=None,
    help="Pick the version from the latest release (default: auto, from what changed).",
)
@click.option("--date", "date", default=None, help="Release date YYYY-MM-DD (default: today, UTC).")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Build the bundle and report on it; write nothing in the repository.",
)
@folder_output(
    "With --dry-run: keep the bundle in this new or empty folder (else it is removed).",
    required=False,
)
@click.option("--tag", is_flag=True, help="Commit the release and tag it vX.Y.Z in git.")
@click.option(
    "--keys",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Signing keys for a signed releases/ (TUF); default $SAFEGUARDS_TUF_KEYS.",
)
@click.option(
    "--allow-unmerged",
    is_flag=True,
    help="Release although contributions/accepted/ holds unmerged contributions.",
)
@click.pass_context
def command(
    ctx: click.Context,
    version: str | None,
    bump: str | None,
    date: str | None,
    dry_run: bool,
    tag: bool,
    keys: Path | None,
    allow_unmerged: bool,
    output: Path | None,
) -> int:
    """Cut a release: validate, pick the version, write releases/vX.Y.Z/ and the index."""
    from dpi_safeguards import api

    options = api.ReleaseOptions(
        version, bump, date, dry_run, tag, allow_unmerged, output, keys=keys
    )
    workspace = workspace_of(ctx)
    progress = progress_printer()
    from dpi_safeguards.release.bump import NothingToRelease

    try:
        result = api.release(workspace, options, progress)
    except NothingToRelease as nothing:
        if not dry_run:
            raise
        # A preview of an unchanged framework is not a failure: say so, exit 0.
        click.echo(f"{nothing}; the published releases are checked by 'safeguards verify'")
        return 0
    finally:
        if progress is not None:
            click.echo("\r\x1b[K", err=True, nl=False)
    head = "would release" if result.dry_run else "released"
    since = f" (after {result.previous})" if result.previous else " (first release)"
    click.echo(f"{head} v{result.version} dated {result.date}{since}")
    if result.decision.bump is not None and result.previous is not None:
        all_reasons = result.decision.reasons
        reasons = "; ".join(all_reasons[:3])
        more = f" and {len(all_reasons) - 3} more" if len(all_reasons) > 3 else ""
        click.echo(f"changes require a {result.decision.bump} release: {reasons}{more}")
    counts = ", ".join(f"{k} {n}" for k, n in result.counts.items())
    click.echo(f"entries (active): {counts}")
    change_counts: dict[str, int] = {}
    for change in result.changes.changes:
        change_counts[change.change] = change_counts.get(change.change, 0) + 1
    shown = ", ".join(f"{n} {k}" for k, n in sorted(change_counts.items())) or "no entry changed"
    click.echo(f"changes: {shown}")
    if result.stamped:
        click.echo(f"deprecations stamped with {result.version}: {', '.join(result.stamped)}")
    if result.bundle_dir is None:
        where = "built, not kept (--output DIR keeps it)"
    elif result.dry_run:
        where = str(result.bundle_dir)
    else:
        where = workspace.display(result.bundle_dir)
    click.echo(f"bundle: {where} ({len(result.files)} files, {_size(result.size)})")
    if result.languages:
        click.echo(f"translations published: {', '.join(result.languages)}")
    for line in result.log:
        click.echo(f"note: {line}")
    if result.tag:
        click.echo(f"tagged {result.tag} at {result.commit}")
    if result.dry_run:
        click.echo("dry run: nothing was written in the repository")
    return 0
