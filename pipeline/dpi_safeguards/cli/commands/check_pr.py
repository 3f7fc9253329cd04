from __future__ import annotations

import click

from dpi_safeguards.cli.commands import format_option, workspace_of


@click.command()
@click.option("--base", required=True, metavar="REF", help="The branch the pull request targets.")
@click.option("--head", default="HEAD", show_default=True, metavar="REF", help="Its last commit.")
@click.option(
    "--allow-maintainer-paths",
    is_flag=True,
    help="Accept changes outside contributions/proposed/ (a maintainer's pull request).",
)
@format_option("text", "github", help="github: workflow annotations (messages escaped).")
@click.pass_context
def command(
    ctx: click.Context, base: str, head: str, allow_maintainer_paths: bool, fmt: str
) -> int:
    """Check the scope of a contribution pull request (git diff BASE...HEAD): it may only
    add or change files in contributions/proposed/; list what each contribution does.

    Exit 0 in scope, 1 a file outside it (each named), 2 usage."""
    from dpi_safeguards import api
    from dpi_safeguards.core.findings import escape_workflow_property, workflow_message

    workspace = workspace_of(ctx)
    report = api.check_pr(workspace, base, head, allow_maintainer_paths=allow_maintainer_paths)
    for item in report.contributions:
        if item.problem:
            line = f"{item.path} ({item.status}): {item.problem}"
        else:
            ops = "; ".join(item.operations) or "no changes"
            line = f"{item.path} ({item.status}): {item.title!r}: {len(item.operations)} "
            line += f"change(s): {ops}"
        if fmt == "github":
            click.echo(f"::notice title=contribution::{workflow_message(line)}")
        else:
            click.echo(line)
    for finding in report.findings:
        if fmt == "github":
            click.echo(
                f"::error file={escape_workflow_property(finding.path)},title=scope::"
                f"{workflow_message(finding.path + ' ' + finding.message)}"
            )
        else:
            click.echo(f"{finding.path}: error: {finding.message}")
    summary = (
        f"{len(report.contributions)} contribution file(s), "
        f"{len(report.findings)} file(s) outside the contribution scope"
    )
    click.echo(summary, err=True)
    return report.exit_code
