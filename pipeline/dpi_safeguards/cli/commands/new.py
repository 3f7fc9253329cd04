from __future__ import annotations

from pathlib import Path

import click

from dpi_safeguards.cli.commands import file_output, workspace_of
from dpi_safeguards.core.choices import CONTRIBUTION_KINDS as KINDS
from dpi_safeguards.core.choices import KPI_AREAS, KPI_PHASES


@click.command()
@click.option("--kind", type=click.Choice(KINDS), default=None, help="What to propose.")
@click.option(
    "--parent",
    default=None,
    help="The process (practice), principle (process) or entry (edit, deprecate).",
)
@click.option("--title", default=None, help="A one-line title of the proposal.")
@click.option("--name", default=None, help="Your name, as it should be credited.")
@click.option("--github", default=None, help="Your GitHub user name.")
@click.option("--field", default=None, help="For --kind edit: the field to change (text).")
@click.option("--area", type=click.Choice(KPI_AREAS), default=None, help="For --kind kpi.")
@click.option("--phase", type=click.Choice(KPI_PHASES), default=None, help="For --kind kpi.")
@click.option(
    "--agree-licence",
    is_flag=True,
    help="License your text under CC BY-SA 4.0 (sets licence_consent: true).",
)
@file_output("File to write ('-': print); default: a new file in contributions/proposed/.")
@click.pass_context
def command(
    ctx: click.Context,
    kind: str | None,
    parent: str | None,
    title: str | None,
    name: str | None,
    github: str | None,
    field: str | None,
    area: str | None,
    phase: str | None,
    agree_licence: bool,
    output: str | None,
) -> int:
    """Write a contribution file to fill in. Missing --kind/--parent are asked for, with
    the valid choices listed. Then: safeguards validate FILE; safeguards diff FILE."""
    from dpi_safeguards import api

    workspace = workspace_of(ctx)
    if kind is None:
        kind = click.prompt(
            "What do you propose", type=click.Choice(KINDS), show_choices=True, err=True
        )
    assert kind is not None
    choices = api.parent_choices(workspace, kind) if parent is None else None
    if choices is not None:
        what = {"practice": "process", "process": "principle"}.get(kind, "entry")
        click.echo(f"Choose the {what}:", err=True)
        for entry_id, label in choices:
            shown = label if len(label) <= 90 else label[:87] + "..."
            click.echo(f"  {entry_id:<12} {shown}", err=True)
        parent = click.prompt(
            f"The {what}'s id",
            type=click.Choice([c[0] for c in choices]),
            show_choices=False,
            err=True,
        )
    if kind == "kpi":
        if area is None:
            area = click.prompt("Area", type=click.Choice(KPI_AREAS), err=True)
        if phase is None:
            phase = click.prompt("Phase", type=click.Choice(KPI_PHASES), err=True)
    options = api.ScaffoldOptions(
        kind,
        parent,
        title=title,
        name=name,
        github=github,
        field=field,
        area=area,
        phase=phase,
        agree_licence=agree_licence,
    )
    result = api.new_contribution(workspace, options, None if output is None else Path(output))
    if result.path is None:
        click.echo(result.text, nl=False)
        return 0
    shown = workspace.display(result.path)
    click.echo(f'wrote {shown}: fill in every "" value, then', err=True)
    click.echo(f"  safeguards validate {shown}\n  safeguards diff {shown}", err=True)
    return 0
