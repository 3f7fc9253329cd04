from __future__ import annotations

import click

from dpi_safeguards.cli.commands import workspace_of


@click.command()
@click.option(
    "--check",
    is_flag=True,
    help="Only list files that are not canonical, the snapshot included (exit 1).",
)
@click.pass_context
def command(ctx: click.Context, check: bool) -> int:
    """Re-write the framework files in their one canonical form, and
    framework/snapshot.json from them."""
    from dpi_safeguards import api

    workspace = workspace_of(ctx)
    result = api.format_framework(workspace, check=check)
    verb = "would change" if check else "rewrote"
    for path in result.changed:
        click.echo(f"{verb} {workspace.display(path)}")
    if not result.changed:
        click.echo("framework files are canonical")
    elif check:
        click.echo("run 'safeguards format' to rewrite them")
    return 1 if check and result.changed else 0
