from __future__ import annotations

from pathlib import Path

import click

from dpi_safeguards.cli.commands import folder_output


@click.command()
@folder_output("Folder to write the JSON Schemas into.", required=False, default=Path("schemas"))
def command(output: Path) -> int:
    """Write the published JSON Schemas, generated from the models."""
    from dpi_safeguards import api

    changed = api.write_schemas(output)
    for path in changed:
        click.echo(f"wrote {path}")
    if not changed:
        click.echo(f"schemas in {output} are up to date")
    return 0
