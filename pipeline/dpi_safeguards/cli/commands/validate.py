from __future__ import annotations

import sys
from pathlib import Path

import click

from dpi_safeguards.cli.commands import emit, file_output, format_option, workspace_of


def _progress_printer() -> object:
    """Progress on a terminal only; quiet when piped or in CI."""
    import os

    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None

    def show(done: int, total: int) -> None:
        if total >= 50 and (done == total or done % 25 == 0):
            end = "\n" if done == total else ""
            click.echo(f"\rchecked {done}/{total} files", err=True, nl=False)
            if end:
                click.echo("", err=True)

    return show


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@format_option(
    "text",
    "json",
    "github",
    help="json: validate-report.schema.json; github: workflow annotations.",
)
@click.option("--strict", is_flag=True, help="Count warnings as errors.")
@file_output("Write the report to a file.")
@click.pass_context
def command(
    ctx: click.Context, paths: tuple[Path, ...], fmt: str, strict: bool, output: str | None
) -> int:
    """Check the framework and contributions: schema, indexing rules, safe reading.

    With no PATH: the whole framework and every file under contributions/.
    Exit 0 clean, 1 findings, 2 usage.
    """
    from dpi_safeguards import api
    from dpi_safeguards.core.findings import REPORTERS

    workspace = workspace_of(ctx)
    report = api.validate(
        workspace,
        list(paths) if paths else None,
        strict=strict,
        progress=_progress_printer(),  # type: ignore[arg-type]
    )
    emit(REPORTERS[fmt](report), output)
    return report.exit_code
