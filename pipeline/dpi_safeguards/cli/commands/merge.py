from __future__ import annotations

from pathlib import Path

import click

from dpi_safeguards.cli.commands import emit, format_option, workspace_of


@click.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--date", default=None, metavar="YYYY-MM-DD", help="Merge date (today).")
@click.option("--dry-run", is_flag=True, help="Only print the change the merge would make.")
@format_option("text", "md", "json", help="Format of the change list printed by --dry-run.")
@click.pass_context
def command(
    ctx: click.Context, files: tuple[Path, ...], date: str | None, dry_run: bool, fmt: str
) -> int:
    """Merge accepted contributions into the framework (default: all of
    contributions/accepted/), assigning ids; all or nothing."""
    from dpi_safeguards import api
    from dpi_safeguards.changes.render import CHANGE_RENDERERS

    workspace = workspace_of(ctx)
    result = api.merge(workspace, api.MergeOptions(files, date=date, dry_run=dry_run))
    if not result.merged:
        click.echo("nothing to merge: contributions/accepted/ is empty")
        return 0
    if dry_run:
        emit(CHANGE_RENDERERS[fmt](result.changes, result.after))
        click.echo(f"dry run: {len(result.merged)} contribution(s) would merge", err=True)
        return 0
    for item in result.merged:
        ids = ", ".join(
            [f"{p} -> {i}" for p, i in item.ids.items()]
            + [i for i in item.added if i not in item.ids.values()]
        )
        changed = ", ".join(item.changed)
        parts = [f"added {ids}" if ids else "", f"changed {changed}" if changed else ""]
        detail = "; ".join(p for p in parts if p)
        click.echo(
            f"merged {workspace.display(item.source)} -> {workspace.display(item.target)}"
            + (f": {detail}" if detail else "")
        )
    click.echo(f"{len(result.merged)} contribution(s) merged; run 'safeguards validate'")
    return 0
