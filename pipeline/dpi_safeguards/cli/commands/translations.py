from __future__ import annotations

import click

from dpi_safeguards.cli.commands import emit, file_output, format_option, workspace_of


@click.group()
def command() -> None:
    """Translations: gettext catalogues per language in translations/.

    See docs/translations.md.
    """


@command.command("update")
@click.option(
    "--add",
    "add",
    multiple=True,
    metavar="LANG",
    help="Start a catalogue for LANG (fr, ar, pt_BR); repeatable.",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when a file would change.")
@click.pass_context
def update(ctx: click.Context, add: tuple[str, ...], check: bool) -> int:
    """Write translations/framework.pot from the framework and bring every catalogue up to
    it: a text whose English changed is marked fuzzy, a new one is added empty, a removed
    one becomes obsolete. Exit 0 done (or up to date), 1 with --check when out of date."""
    from dpi_safeguards import api
    from dpi_safeguards.translations.render import render_update_text

    workspace = workspace_of(ctx)
    report = api.translations_update(workspace, add=add, check=check)
    shown = {str(p): workspace.display(p) for p in report.changed}
    click.echo(render_update_text(report, shown), nl=False)
    return 1 if check and report.changed else 0


@command.command("status")
@format_option("text", "json", "markdown", help="json: translations-status.schema.json.")
@file_output("Write the report to a file.")
@click.pass_context
def status(ctx: click.Context, fmt: str, output: str | None) -> int:
    """Per language: translated, fuzzy and missing texts, and whether a release would
    publish it. Counts as 'translations update' would leave the catalogues."""
    from dpi_safeguards import api
    from dpi_safeguards.translations.render import (
        render_status_json,
        render_status_markdown,
        render_status_text,
    )

    workspace = workspace_of(ctx)
    found = api.translations(workspace).status(workspace.display)
    renderers = {
        "text": render_status_text,
        "json": render_status_json,
        "markdown": render_status_markdown,
    }
    emit(renderers[fmt](found), output)
    return 0


@command.command("check")
@format_option("text", "json", "github", help="As safeguards validate.")
@click.option("--strict", is_flag=True, help="Count warnings as errors.")
@file_output("Write the report to a file.")
@click.pass_context
def check(ctx: click.Context, fmt: str, strict: bool, output: str | None) -> int:
    """Check every catalogue: characters, lengths, contexts, language, up to date.

    Exit 0 clean, 1 findings, 2 usage.
    """
    from dpi_safeguards import api
    from dpi_safeguards.core.findings import REPORTERS

    report = api.translations(workspace_of(ctx), strict=strict).report
    emit(REPORTERS[fmt](report), output)
    return report.exit_code
