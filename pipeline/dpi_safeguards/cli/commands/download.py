from __future__ import annotations

from pathlib import Path

import click

from dpi_safeguards.cli.commands import folder_output


@click.command()
@click.argument("version", default="latest", metavar="[VERSION|latest]")
@click.option(
    "--from",
    "source",
    required=True,
    help="The releases URL (https; http only for localhost) or a local releases folder.",
)
@folder_output("Folder to create with the release's files (must not exist or be empty).")
def command(version: str, source: str, output: Path) -> int:
    """Download a release, every file checked against the index's SHA-256 first."""
    from dpi_safeguards import api

    target = api.download(source, version, output)
    click.echo(f"downloaded {version} into {target}")
    return 0
