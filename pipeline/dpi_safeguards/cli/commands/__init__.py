"""One click command per module; see :data:`dpi_safeguards.cli.main.COMMANDS`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

# Imported when a command runs, not when --help lists the commands.
if TYPE_CHECKING:
    from dpi_safeguards.core.workspace import Workspace

Command = TypeVar("Command", bound=Callable[..., object])


def format_option(*choices: str, help: str | None = None) -> Callable[[Command], Command]:
    """``--format`` (as ``fmt``), one of ``choices``, the first being the default."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help=help,
    )


def file_output(help: str) -> Callable[[Command], Command]:
    """``-o FILE`` (a string: ``-`` may mean standard output)."""
    return click.option("-o", "--output", metavar="FILE", default=None, help=help)


def folder_output(
    help: str, *, required: bool = True, default: Path | None = None
) -> Callable[[Command], Command]:
    """``-o DIR``; whether it may exist, be empty or be made is the command's to check."""
    # A default only when there is one: click (8.3) takes an explicit None as a default,
    # and a required option with a default is never missing.
    extra: dict[str, object] = {} if default is None else {"default": default}
    return click.option(
        "-o",
        "--output",
        metavar="DIR",
        type=click.Path(path_type=Path),
        required=required,
        show_default=default is not None,
        help=help,
        **extra,  # type: ignore[arg-type]
    )


def workspace_of(ctx: click.Context) -> Workspace:
    from dpi_safeguards.core.workspace import Workspace

    root = (ctx.find_root().obj or {}).get("root")
    return Workspace.find(Path(root) if root else None)


def emit(text: str, output: str | None = None) -> None:
    """Print, or write to ``output`` atomically."""
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    from dpi_safeguards.store.writer import atomic_write

    atomic_write(Path(output), text)
