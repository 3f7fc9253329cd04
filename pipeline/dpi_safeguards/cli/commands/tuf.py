from __future__ import annotations

import os
from pathlib import Path

import click

from dpi_safeguards.cli.commands import workspace_of

KEYS_HELP = "The folder of signing keys (outside the repository); default $SAFEGUARDS_TUF_KEYS."
ROTATABLE = ("root", "targets", "snapshot", "timestamp")


def _keys(keys: Path | None) -> Path:
    if keys is not None:
        return keys
    found = os.environ.get("SAFEGUARDS_TUF_KEYS")
    if not found:
        raise click.UsageError("give --keys DIR (or set SAFEGUARDS_TUF_KEYS)")
    return Path(found)


def _keys_option(func: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--keys", type=click.Path(path_type=Path, file_okay=False), default=None, help=KEYS_HELP
    )(func)


@click.group()
def command() -> None:
    """Signed releases: TUF metadata in releases/tuf/ (see docs/distribution.md)."""


@command.command("init")
@_keys_option
@click.option("--root-keys", type=click.IntRange(1, 9), default=1, show_default=True)
@click.option("--root-threshold", type=click.IntRange(1, 9), default=1, show_default=True)
@click.pass_context
def init(ctx: click.Context, keys: Path | None, root_keys: int, root_threshold: int) -> int:
    """Start signing: new keys in --keys (a new or empty folder outside the repository),
    the first root (releases/tuf/1.root.json: give it to downloaders out of band), then
    targets, snapshot and timestamp over every file under releases/."""
    from dpi_safeguards import api

    workspace = workspace_of(ctx)
    result = api.tuf_init(
        workspace, _keys(keys), root_keys=root_keys, root_threshold=root_threshold
    )
    for path in result.keys:
        click.echo(f"wrote key {path}")
    click.echo(
        f"signed {result.published.targets} files: "
        + ", ".join(f"{role} v{v}" for role, v in result.published.written.items())
    )
    click.echo(
        f"the trusted root is {workspace.display(workspace.releases_dir / 'tuf' / '1.root.json')}"
        ": publish its SHA-256 where downloaders can check it; move the root keys offline"
    )
    return 0


@command.command("publish")
@_keys_option
@click.pass_context
def publish(ctx: click.Context, keys: Path | None) -> int:
    """Sign what changed under releases/ and renew the timestamp (and what nears expiry):
    run after a release made without --keys, and on a schedule (the timestamp lasts 7
    days)."""
    from dpi_safeguards import api

    result = api.tuf_publish(workspace_of(ctx), _keys(keys))
    click.echo(
        f"{result.targets} files signed: "
        + ", ".join(f"{role} v{v}" for role, v in result.written.items())
    )
    return 0


@command.command("rotate")
@click.argument("role", type=click.Choice(ROTATABLE))
@_keys_option
@click.option("--root-keys", type=click.IntRange(1, 9), default=1, show_default=True)
@click.option("--root-threshold", type=click.IntRange(1, 9), default=1, show_default=True)
@click.pass_context
def rotate(
    ctx: click.Context, role: str, keys: Path | None, root_keys: int, root_threshold: int
) -> int:
    """Replace ROLE's key (the root's: with --root-keys new keys, --root-threshold of them
    needed): new key files, a new root signed by the current root keys (and by the new
    ones for the root), the old files kept as <name>.retired-N.pem."""
    from dpi_safeguards import api

    new_keys, version = api.tuf_rotate(
        workspace_of(ctx), _keys(keys), role, root_keys=root_keys, root_threshold=root_threshold
    )
    for path in new_keys:
        click.echo(f"new {role} key {path}")
    click.echo(f"root v{version} names them")
    return 0


@command.command("status")
@click.pass_context
def status(ctx: click.Context) -> int:
    """Each role's version, expiry and keys, checked as a client checks them, and every
    file under releases/ against the signed targets. Exit 1 on a problem."""
    from dpi_safeguards import api
    from dpi_safeguards.distribution.status import render_status_text

    found = api.tuf_status(workspace_of(ctx))
    click.echo(render_status_text(found), nl=False)
    return found.exit_code
