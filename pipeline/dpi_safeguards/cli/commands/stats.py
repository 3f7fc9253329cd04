from __future__ import annotations

import click

from dpi_safeguards.cli.commands import format_option, workspace_of


@click.command()
@format_option("text", "json", help="json: stats.schema.json.")
@click.pass_context
def command(ctx: click.Context, fmt: str) -> int:
    """Print how many entries of each kind the framework has."""
    from dpi_safeguards import api
    from dpi_safeguards.store.writer import dump_json

    workspace = workspace_of(ctx)
    if fmt == "json":
        click.echo(dump_json(api.stats_data(workspace).model_dump(mode="json")), nl=False)
    else:
        click.echo(api.stats(workspace).table, nl=False)
    return 0
