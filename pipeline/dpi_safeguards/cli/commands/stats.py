from __future__ import annotations

import click

from dpi_safeguards.cli.commands import workspace_of


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def command(ctx: click.Context, fmt: str) -> int:
    """Print how many entries of each kind the framework has."""
    from dpi_safeguards import api
    from dpi_safeguards.knowledge.entries import project_assigned, stats_table

    framework = api.load(workspace_of(ctx))
    if fmt == "json":
        from dpi_safeguards.store.writer import dump_json

        click.echo(
            dump_json(
                {
                    "active": framework.counts(),
                    "total": framework.counts(include_deprecated=True),
                    "project_assigned": project_assigned(framework),
                }
            ),
            nl=False,
        )
    else:
        click.echo(stats_table(framework), nl=False)
    return 0
