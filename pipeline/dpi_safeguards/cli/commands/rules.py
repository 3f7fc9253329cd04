from __future__ import annotations

import click


@click.command()
def command() -> int:
    """List every finding code with what it means."""
    from dpi_safeguards import api

    for code, title in api.rule_codes():
        click.echo(f"{code}  {title}")
    return 0
