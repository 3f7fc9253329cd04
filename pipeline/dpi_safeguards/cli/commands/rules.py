from __future__ import annotations

import click


@click.command()
def command() -> int:
    """List every finding code with what it means."""
    from dpi_safeguards.check.rules import all_codes
    from dpi_safeguards.core.ids import natural_key

    for code, title in sorted(all_codes().items(), key=lambda kv: natural_key(kv[0])):
        click.echo(f"{code}  {title}")
    return 0
