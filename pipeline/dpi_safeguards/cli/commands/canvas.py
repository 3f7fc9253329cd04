from __future__ import annotations

import click

from dpi_safeguards.cli.commands import emit, file_output, format_option, workspace_of
from dpi_safeguards.core.choices import CANVAS_FORMATS as FORMATS


@click.command()
@click.option(
    "--authority",
    "-a",
    "authorities",
    multiple=True,
    metavar="A",
    help="Responsible authority, id or name (R1, Government); repeatable.",
)
@click.option(
    "--stage",
    "-s",
    "stages",
    multiple=True,
    metavar="L",
    help="Life-cycle stage, id or name (L2, 'Strategy and Design'); repeatable.",
)
@click.option(
    "--risk", "-r", "risks", multiple=True, metavar="R", help="Risk, id or name; repeatable."
)
@click.option(
    "--principle",
    "-p",
    "principles",
    multiple=True,
    metavar="P",
    help="Principle, id or name; repeatable.",
)
@click.option(
    "--release", metavar="vX.Y.Z", default=None, help="Query a published release instead."
)
@format_option(*FORMATS)
@file_output("Write to FILE (- : stdout).")
@click.pass_context
def command(
    ctx: click.Context,
    authorities: tuple[str, ...],
    stages: tuple[str, ...],
    risks: tuple[str, ...],
    principles: tuple[str, ...],
    release: str | None,
    fmt: str,
    output: str | None,
) -> int:
    """Print the recommendations for a selection (the Guide's canvas).

    Values of one option are ORed, the options are ANDed; an option not given does not
    filter. Ids and names are accepted, case-insensitively.
    """
    from dpi_safeguards import api
    from dpi_safeguards.knowledge.formats import render

    options = api.CanvasOptions(authorities, stages, risks, principles, release)
    result = api.canvas(workspace_of(ctx), options)
    emit(render(result, fmt), output)
    return 0
