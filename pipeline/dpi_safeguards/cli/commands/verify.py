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
@click.option(
    "--attestations",
    is_flag=True,
    help="Also check each release's build-provenance attestation with 'gh attestation "
    "verify' (needs the gh command, logged in, and the network).",
)
@click.option("--repo", default=None, metavar="OWNER/NAME", help="The repository that attests.")
@format_option("text", "json", help="json: verify-report.schema.json.")
@click.pass_context
def command(
    ctx: click.Context,
    versions: tuple[str, ...],
    no_rebuild: bool,
    attestations: bool,
    repo: str | None,
    fmt: str,
) -> int:
    """Check published releases (default: all), saying what each check compared:
    checksums and index, a rebuild from the tag, the TUF signatures when releases/ is
    signed, and with --attestations the build provenance.

    Exit 0 when every check passes, 1 naming every file or check that fails.
    """
    from dpi_safeguards import api

    result = api.verify(
        workspace_of(ctx),
        list(versions) or None,
        rebuild=not no_rebuild,
        attestations=attestations,
        repository=repo,
    )
    if fmt == "json":
        from dpi_safeguards.store.writer import dump_json

        click.echo(dump_json(result.as_report().model_dump(mode="json")), nl=False)
        return 0 if result.ok else 1
    for problem in result.problems:
        click.echo(f"FAIL {problem}")
    marks = {"ok": "ok  ", "failed": "FAIL", "skipped": "skip"}
    for version in result.checked:
        failed = any(p.version == version for p in result.problems) or any(
            c.version == version and c.outcome == "failed" for c in result.checks
        )
        click.echo(f"{'FAIL' if failed else 'ok  '} v{version}")
        for check in (c for c in result.checks if c.version == version):
            click.echo(f"  {marks[check.outcome]} {check.check}: {check.detail}")
    return 0 if result.ok else 1
