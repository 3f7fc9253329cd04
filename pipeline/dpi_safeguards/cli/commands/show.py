from __future__ import annotations

import click

from dpi_safeguards.cli.commands import workspace_of


@click.command()
@click.argument("entry_id", metavar="ID")
@click.pass_context
def command(ctx: click.Context, entry_id: str) -> int:
    """Print one entry with its children, dimensions and provenance."""
    from dpi_safeguards import api

    click.echo(api.show(workspace_of(ctx), entry_id), nl=False)
    return 0
