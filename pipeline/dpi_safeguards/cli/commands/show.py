from __future__ import annotations

import click

from dpi_safeguards.cli.commands import format_option, workspace_of


@click.command()
@click.argument("entry_id", metavar="ID")
@format_option("text", "json", help="json: entry.schema.json.")
@click.pass_context
def command(ctx: click.Context, entry_id: str, fmt: str) -> int:
    """Print one entry with its children, dimensions and provenance."""
    from dpi_safeguards import api
    from dpi_safeguards.store.writer import dump_json

    workspace = workspace_of(ctx)
    if fmt == "json":
        click.echo(dump_json(api.show_data(workspace, entry_id).model_dump(mode="json")), nl=False)
    else:
        click.echo(api.show(workspace, entry_id), nl=False)
    return 0
