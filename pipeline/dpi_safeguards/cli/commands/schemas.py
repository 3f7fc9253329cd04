from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("schemas"),
    show_default=True,
    help="Folder to write the JSON Schemas into.",
)
def command(output: Path) -> int:
    """Write the published JSON Schemas, generated from the models."""
    from dpi_safeguards import api

    changed = api.write_schemas(output)
    for path in changed:
        click.echo(f"wrote {path}")
    if not changed:
        click.echo(f"schemas in {output} are up to date")
    return 0
