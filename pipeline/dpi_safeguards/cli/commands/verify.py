from __future__ import annotations

import click

from dpi_safeguards.cli.commands import workspace_of


@click.command()
@click.argument("versions", nargs=-1, metavar="[vX.Y.Z]...")
@click.option(
    "--no-rebuild",
    is_flag=True,
    help="Only check checksums (SHA256SUMS and index.json); do not rebuild from the git tag.",
)
@click.pass_context
def command(ctx: click.Context, versions: tuple[str, ...], no_rebuild: bool) -> int:
    """Check published releases (default: all): checksums, index, rebuild from the tag.

    Exit 0 when every file matches, 1 naming every file that differs.
    """
    from dpi_safeguards import api

    result = api.verify(workspace_of(ctx), list(versions) or None, rebuild=not no_rebuild)
    for problem in result.problems:
        click.echo(f"FAIL {problem}")
    for version in result.checked:
        if not any(p.version == version for p in result.problems):
            how = "checksums and rebuild from tag" if version in result.rebuilt else "checksums"
            click.echo(f"ok   v{version} ({how})")
    return 0 if result.ok else 1
