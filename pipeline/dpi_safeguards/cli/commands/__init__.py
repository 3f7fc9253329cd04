"""One click command per module; see :data:`dpi_safeguards.cli.main.COMMANDS`."""

from __future__ import annotations

from pathlib import Path

import click

from dpi_safeguards.core.workspace import Workspace


def workspace_of(ctx: click.Context) -> Workspace:
    root = (ctx.find_root().obj or {}).get("root")
    return Workspace.find(Path(root) if root else None)


def emit(text: str, output: str | None = None) -> None:
    """Print, or write to ``output`` atomically."""
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    from dpi_safeguards.store.writer import atomic_write

    atomic_write(Path(output), text)
