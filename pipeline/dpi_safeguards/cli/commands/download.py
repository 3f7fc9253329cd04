from __future__ import annotations

from pathlib import Path

import click

from dpi_safeguards.cli.commands import folder_output


@click.command()
@click.argument("version", default="latest", metavar="[VERSION|latest]")
@click.option(
    "--from",
    "source",
    required=True,
    help="The releases URL (https; http only for localhost) or a local releases folder.",
)
@folder_output("Folder to create with the release's files (must not exist or be empty).")
@click.option(
    "--trusted-root",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The secretariat's root metadata (1.root.json), obtained from them out of band: "
    "the first download from a signed source needs it.",
)
@click.option(
    "--metadata-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where the client keeps the metadata it verified (default: one folder per source "
    "under $XDG_DATA_HOME/safeguards/tuf).",
)
def command(
    version: str,
    source: str,
    output: Path,
    trusted_root: Path | None,
    metadata_dir: Path | None,
) -> int:
    """Download a release. From a signed source (TUF), every file and the index are
    verified through the signed metadata: a tampered file, a tampered index, a rollback to
    older metadata or expired metadata (a freeze) is refused, in one line saying which.
    From an unsigned source, every file is checked against the index's SHA-256."""
    from dpi_safeguards import api

    done = api.download(
        source, version, output, trusted_root=trusted_root, metadata_dir=metadata_dir
    )
    how = (
        "each verified through the signed TUF metadata"
        if done.verified_by == "tuf"
        else "each checked against the index's SHA-256 (the source is not signed)"
    )
    click.echo(f"downloaded {done.version} into {done.folder}: {done.files} files, {how}")
    return 0
