from __future__ import annotations

from pathlib import Path

import click

from dpi_safeguards.cli.commands import folder_output, workspace_of


@click.command()
@click.argument("version", metavar="vX.Y.Z|latest")
@folder_output("Folder to write the archives (and their SHA256SUMS) into.")
@click.pass_context
def command(ctx: click.Context, version: str, output: Path) -> int:
    """Write reproducible .zip and .tar.gz archives of a published release."""
    from dpi_safeguards import api

    for path in api.bundle(workspace_of(ctx), version, output):
        click.echo(f"wrote {path}")
    return 0
