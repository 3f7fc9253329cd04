"""The listing of ``releases/``: ``index.json`` (every release, newest first, with its
files' sizes and SHA-256), and ``CHANGELOG.md`` and ``feed.xml`` rendered from it."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from dpi_safeguards.core.errors import SafeguardsError
from dpi_safeguards.models.framework import Framework
from dpi_safeguards.models.release import (
    BUNDLE_FORMAT_VERSION,
    ReleaseEntry,
    ReleaseFile,
    ReleaseIndex,
)
from dpi_safeguards.release.bump import Version
from dpi_safeguards.release.bundle import Bundle, counts_of
from dpi_safeguards.release.feed import render_feed
from dpi_safeguards.release.notes import render_changelog
from dpi_safeguards.store.writer import dump_json

INDEX_FILE = "index.json"
CHANGELOG_FILE = "CHANGELOG.md"
FEED_FILE = "feed.xml"


def read_index(releases_dir: Path) -> ReleaseIndex:
    path = releases_dir / INDEX_FILE
    if not path.exists():
        return ReleaseIndex()
    return parse_index(path.read_bytes(), str(path))


def parse_index(data: bytes, source: str) -> ReleaseIndex:

    try:
        return ReleaseIndex.model_validate_json(data)
    except ValidationError as exc:
        raise SafeguardsError(f"{source} is not a valid release index: {exc}") from None


def index_entry(
    framework: Framework, bundle: Bundle, version: str, date: str, previous: str | None
) -> ReleaseEntry:
    counts, deprecated = counts_of(framework)
    change_counts: dict[str, int] = {}
    for change in bundle.changes.changes:
        change_counts[change.change] = change_counts.get(change.change, 0) + 1
    return ReleaseEntry(
        version=version,
        date=date,
        path=f"v{version}",
        previous=previous,
        bundle_format_version=BUNDLE_FORMAT_VERSION,
        counts=counts,
        deprecated=deprecated,
        changes=dict(sorted(change_counts.items())),
        files=[
            ReleaseFile(path=p, sha256=f.sha256, size=f.size)
            for p, f in sorted(bundle.manifest.items())
        ],
    )


def render_index(index: ReleaseIndex) -> str:
    return dump_json(index.model_dump(mode="json", by_alias=True))


def render_listing(releases_dir: Path, index: ReleaseIndex, title: str) -> dict[str, str]:
    """index.json, CHANGELOG.md and feed.xml, from the index and each RELEASE_NOTES.md."""

    notes: list[tuple[str, str, str]] = []
    for entry in index.releases:
        path = releases_dir / entry.path / "RELEASE_NOTES.md"
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        notes.append((entry.version, entry.date, text))
    return {
        INDEX_FILE: render_index(index),
        CHANGELOG_FILE: render_changelog([(v, t) for v, _, t in notes]),
        FEED_FILE: render_feed(title, notes),
    }


def next_index(index: ReleaseIndex, entry: ReleaseEntry) -> ReleaseIndex:
    """The index with ``entry`` added: releases newest first, the newest as latest."""
    releases = sorted(
        [*index.releases, entry], key=lambda r: Version.parse(r.version), reverse=True
    )
    return ReleaseIndex(latest=str(Version.parse(releases[0].version)), releases=releases)
