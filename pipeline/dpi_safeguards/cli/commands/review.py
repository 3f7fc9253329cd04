from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from dpi_safeguards.cli.commands import workspace_of

if TYPE_CHECKING:
    from dpi_safeguards.core.options import Decision


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--accept", "decision", flag_value="accept", help="Accept the contribution.")
@click.option("--reject", "decision", flag_value="reject", help="Reject the contribution.")
@click.option(
    "--reviewer",
    required=True,
    help="Your name or GitHub handle, as listed in contributions/reviewers.yaml.",
)
@click.option("--note", default=None, help="Why: recorded with the decision.")
@click.option("--date", default=None, metavar="YYYY-MM-DD", help="Date of the decision (today).")
@click.pass_context
def command(
    ctx: click.Context,
    file: Path,
    decision: str | None,
    reviewer: str,
    note: str | None,
    date: str | None,
) -> int:
    """Record a review decision on a proposed contribution and move it: to accepted/ once
    enough reviewers accepted it, to rejected/ when rejected."""
    from dpi_safeguards import api
    from dpi_safeguards.core.errors import UsageError

    if decision is None:
        raise UsageError("give --accept or --reject")
    workspace = workspace_of(ctx)
    choice: Decision = "accept" if decision == "accept" else "reject"
    options = api.ReviewOptions(choice, reviewer, note=note, date=date)
    result = api.review(workspace, file, options)
    if decision == "accept":
        click.echo(
            f"{result.record.reviewer} accepted {workspace.display(result.source)} "
            f"({result.approvals}/{result.required} approvals)"
        )
    else:
        click.echo(f"{result.record.reviewer} rejected {workspace.display(result.source)}")
    if result.path != result.source:
        click.echo(f"moved to {workspace.display(result.path)}")
    else:
        click.echo(f"stays in {workspace.display(result.path)}: more approvals needed")
    return 0
