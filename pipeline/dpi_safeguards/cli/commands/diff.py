from __future__ import annotations

from pathlib import Path

import click

from dpi_safeguards.cli.commands import emit, file_output, format_option, workspace_of


@click.command()
@click.argument("contribution", required=False, type=click.Path(path_type=Path))
@click.option(
    "--from",
    "from_ref",
    default=None,
    metavar="REF",
    help="The older version: a git tag/commit, a release directory, or a framework folder.",
)
@click.option(
    "--to",
    "to_ref",
    default=None,
    metavar="REF",
    help="The newer version (default: the working framework).",
)
@format_option(
    "text",
    "md",
    "json",
    help="text: terminal; md: pull request or release notes; json: changes.schema.json.",
)
@file_output("Write the change list to a file.")
@click.pass_context
def command(
    ctx: click.Context,
    contribution: Path | None,
    from_ref: str | None,
    to_ref: str | None,
    fmt: str,
    output: str | None,
) -> int:
    """Show what changed between two versions, keyed by id; or, given a CONTRIBUTION file,
    what merging it would change (with provisional ids).

    Exit 0 when the contribution would apply cleanly, 1 when it would not (stale edit,
    errors; shown on stderr), 2 usage.
    """
    from dpi_safeguards import api
    from dpi_safeguards.changes.render import CHANGE_RENDERERS
    from dpi_safeguards.core.findings import Report, render_text

    workspace = workspace_of(ctx)
    result = api.diff(workspace, from_ref, to_ref, contribution=contribution)
    emit(CHANGE_RENDERERS[fmt](result.changes, result.framework), output)
    if result.findings:
        click.echo(
            render_text(Report(findings=result.findings, files_checked=1)), err=True, nl=False
        )
    for problem in result.problems:
        click.echo(f"error: {problem}", err=True)
    return result.exit_code
