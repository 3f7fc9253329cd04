from __future__ import annotations

import click

from dpi_safeguards.cli.commands import format_option


@click.command()
@format_option("text", "json", help="json: rules.schema.json.")
def command(fmt: str) -> int:
    """List every finding code with what it means."""
    from dpi_safeguards import api
    from dpi_safeguards.store.writer import dump_json

    if fmt == "json":
        click.echo(dump_json(api.rules_data().model_dump(mode="json")), nl=False)
        return 0
    for code, title in api.rule_codes():
        click.echo(f"{code}  {title}")
    return 0
