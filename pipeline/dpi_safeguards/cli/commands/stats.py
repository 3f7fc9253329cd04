from __future__ import annotations

import click

from dpi_safeguards.cli.commands import workspace_of


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def command(ctx: click.Context, fmt: str) -> int:
    """Print how many entries of each kind the framework has."""
    from dpi_safeguards import api
    from dpi_safeguards.store.writer import dump_json

    found = api.stats(workspace_of(ctx))
    if fmt == "json":
        data = {
            "active": found.active,
            "total": found.total,
            "project_assigned": found.project_assigned,
        }
        click.echo(dump_json(data), nl=False)
    else:
        click.echo(found.table, nl=False)
    return 0
