from __future__ import annotations

from pathlib import Path

import click

from dpi_safeguards.cli.commands import folder_output, workspace_of


@click.command()
@click.option(
    "--release", metavar="vX.Y.Z", default=None, help="Build from a published release instead."
)
@folder_output("Folder to write index.html into (created if missing).")
@click.option("--title", default=None, help="The page's title.")
@click.pass_context
def command(ctx: click.Context, release: str | None, output: Path, title: str | None) -> int:
    """Write the knowledge library: one offline HTML page (DIR/index.html)."""
    from dpi_safeguards import api

    page = api.site(workspace_of(ctx), output, release, title)
    click.echo(f"wrote {page}")
    return 0
