from __future__ import annotations

import click


@click.command()
def command() -> int:
    """List every finding code with what it means."""
    from pipeline.ids import natural_key
    from pipeline.rules import all_codes

    for code, title in sorted(all_codes().items(), key=lambda kv: natural_key(kv[0])):
        click.echo(f"{code}  {title}")
    return 0
