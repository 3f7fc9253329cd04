from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dpi_safeguards.cli.commands import emit, file_output, format_option

if TYPE_CHECKING:
    from dpi_safeguards.core.options import CountryOptions

Command = Callable[..., object]
BUMP_CHOICES = ("auto", "major", "minor", "patch")


def _country_options(func: Command) -> Command:
    """PATH (a country framework's folder or its country.yaml) and --upstream."""
    func = click.option(
        "--upstream",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help=(
            "Folder of the universal releases (vX.Y.Z/framework.json); default: the "
            "releases/ of the universal repository the country framework is in."
        ),
    )(func)
    return click.argument("path", type=click.Path(path_type=Path))(func)


def _options(path: Path, upstream: Path | None, **extra: object) -> CountryOptions:
    from dpi_safeguards.core.options import CountryOptions

    return CountryOptions(path=path, upstream=upstream, **extra)  # type: ignore[arg-type]


def _progress() -> Callable[[str, int, int], None] | None:
    """Progress on a terminal only; quiet when piped or in CI."""
    import os

    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None

    def show(label: str, done: int, total: int) -> None:
        if total:
            click.echo(f"[{done}/{total}] {label}", err=True)

    return show


@click.group()
def command() -> None:
    """Country frameworks: a pinned universal release, selected, extended and tracked.

    See docs/country-frameworks.md.
    """


@command.command("validate")
@_country_options
@format_option("text", "json", "github", help="As safeguards validate.")
@click.option("--strict", is_flag=True, help="Count warnings as errors.")
@file_output("Write the report to a file.")
def validate(path: Path, upstream: Path | None, fmt: str, strict: bool, output: str | None) -> int:
    """Check a country framework: its file, its pin, and what it resolves to.

    Exit 0 clean, 1 findings, 2 usage.
    """
    from dpi_safeguards import api
    from dpi_safeguards.core.findings import REPORTERS

    report = api.country_validate(_options(path, upstream, strict=strict))
    emit(REPORTERS[fmt](report), output)
    return report.exit_code


@command.command("resolve")
@_country_options
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, metavar="DIR")
@click.option("--version", default=None, help="The bundle's version label (default 0.0.0).")
@click.option("--date", default=None, help="The bundle's date, YYYY-MM-DD (default: today).")
def resolve(
    path: Path, upstream: Path | None, output: Path, version: str | None, date: str | None
) -> int:
    """Write the effective framework as a release bundle into DIR (new or empty)."""
    from dpi_safeguards import api

    options = _options(path, upstream, version=version, date=date)
    result = api.country_resolve(options, output, _progress())
    click.echo(f"wrote {output}: {len(result.files)} files, {sum(result.files.values())} bytes")
    return 0


@command.command("release")
@_country_options
@click.option("--version", default=None, help="X.Y.Z (default: chosen from the changes).")
@click.option("--bump", type=click.Choice(BUMP_CHOICES), default=None)
@click.option("--date", default=None, help="YYYY-MM-DD (default: today).")
def release(
    path: Path, upstream: Path | None, version: str | None, bump: str | None, date: str | None
) -> int:
    """Release the country framework into its own releases/vX.Y.Z."""
    from dpi_safeguards import api

    options = _options(path, upstream, version=version, bump=bump, date=date)
    result = api.country_release(options, _progress())
    after = f" (after {result.previous})" if result.previous else ""
    click.echo(f"released {result.version}{after} into {result.folder}")
    return 0


@command.command("status")
@_country_options
@format_option("text", "json", help="json: country-status.schema.json.")
@click.option("--as-of", default=None, help="The date 'due' is counted at (default: today).")
def status(path: Path, upstream: Path | None, fmt: str, as_of: str | None) -> int:
    """What applies, what is tracked, done and due: by principle, risk and stage."""
    from dpi_safeguards import api
    from dpi_safeguards.country.progress import render_status_text
    from dpi_safeguards.store.writer import dump_json

    found = api.country_status(_options(path, upstream), as_of)
    if fmt == "json":
        click.echo(dump_json(found.model_dump(mode="json", by_alias=True)), nl=False)
    else:
        click.echo(render_status_text(found), nl=False)
    return 0


@command.command("rebase")
@_country_options
@click.option("--to", "to", required=True, metavar="X.Y.Z", help="The newer universal release.")
@click.option("--dry-run", is_flag=True, help="Report and check; write nothing.")
@format_option("text", "json")
def rebase(path: Path, upstream: Path | None, to: str, dry_run: bool, fmt: str) -> int:
    """Move the pin to a newer universal release: report what changed for the selection,
    apply what is safe, stop on conflicts (nothing is written then). Exit 1 on conflicts."""
    from dpi_safeguards import api
    from dpi_safeguards.country.render import render_rebase_json, render_rebase_text

    result = api.country_rebase(_options(path, upstream), to, dry_run=dry_run)
    render = render_rebase_json if fmt == "json" else render_rebase_text
    click.echo(render(result), nl=False)
    return result.exit_code


@command.command("propose")
@_country_options
@click.argument("entry_id", metavar="ID")
@click.option("--contributor", required=True, help="The name the contribution credits.")
@click.option(
    "--licence-consent",
    is_flag=True,
    help="The contributors license the text under CC BY-SA 4.0 (else set it in the file).",
)
@file_output("Write the contribution file here (default: standard output).")
def propose(
    path: Path,
    upstream: Path | None,
    entry_id: str,
    contributor: str,
    licence_consent: bool,
    output: str | None,
) -> int:
    """Turn one of the country's own processes or practices into a contribution to the
    universal framework."""
    from dpi_safeguards import api
    from dpi_safeguards.country.render import render_proposal

    contribution = api.country_propose(
        _options(path, upstream), entry_id, contributor=contributor, consent=licence_consent
    )
    emit(render_proposal(contribution), output)
    if output not in (None, "-"):
        click.echo(f"wrote {output}", err=True)
    return 0
