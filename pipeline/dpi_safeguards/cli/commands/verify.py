from __future__ import annotations

import click

from dpi_safeguards.cli.commands import format_option, workspace_of


@click.command()
@click.argument("versions", nargs=-1, metavar="[vX.Y.Z]...")
@click.option(
    "--no-rebuild",
    is_flag=True,
    help="Only check checksums (SHA256SUMS and index.json); do not rebuild from the git tag.",
)
@format_option("text", "json", help="json: verify-report.schema.json.")
@click.pass_context
def command(ctx: click.Context, versions: tuple[str, ...], no_rebuild: bool, fmt: str) -> int:
    """Check published releases (default: all): checksums, index, rebuild from the tag.

    Exit 0 when every file matches, 1 naming every file that differs.
    """
    from dpi_safeguards import api

    result = api.verify(workspace_of(ctx), list(versions) or None, rebuild=not no_rebuild)
    if fmt == "json":
        from dpi_safeguards.store.writer import dump_json

        click.echo(dump_json(result.as_report().model_dump(mode="json")), nl=False)
        return 0 if result.ok else 1
    for problem in result.problems:
        click.echo(f"FAIL {problem}")
    for version in result.checked:
        if not any(p.version == version for p in result.problems):
            how = "checksums and rebuild from tag" if version in result.rebuilt else "checksums"
            click.echo(f"ok   v{version} ({how})")
    return 0 if result.ok else 1
