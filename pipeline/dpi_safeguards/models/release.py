"""Pydantic models of the release formats; their JSON Schemas are published.

- :class:`FrameworkDocument`: ``framework.json`` (``framework.schema.json``)
- :class:`ReleaseIndex`: ``releases/index.json`` (``release-index.schema.json``)
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from dpi_safeguards.core.ids import whole
from dpi_safeguards.models.base import DateText, StrictModel, VersionText
from dpi_safeguards.models.framework import (
    Authority,
    Kpi,
    MetadataFile,
    Practice,
    Principle,
    Process,
    Reference,
    Risk,
    Stage,
)

BUNDLE_FORMAT_VERSION = 1

Sha256 = Annotated[str, StringConstraints(pattern=whole("[0-9a-f]{64}"))]
BundlePath = Annotated[
    str,
    StringConstraints(
        min_length=1,
        max_length=200,
        pattern=whole(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*(/[A-Za-z0-9_][A-Za-z0-9_.\-]*)*"),
    ),
]
ReleaseDir = Annotated[
    str, StringConstraints(pattern=whole(r"v[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}"))
]


class ReleaseStamp(StrictModel):
    version: VersionText
    date: DateText


class FrameworkDocument(StrictModel):
    """The whole framework as one JSON document (``framework.json``)."""

    format_version: Literal[1] = Field(description="Changes only when the shape breaks.")
    release: ReleaseStamp | None = Field(
        default=None, description="The release this file belongs to (absent outside a release)."
    )
    metadata: MetadataFile
    risks: list[Risk]
    principles: list[Principle]
    stages: list[Stage]
    authorities: list[Authority]
    processes: list[Process] = Field(description="Flat, natural id order; parent = id prefix.")
    practices: list[Practice] = Field(description="Flat, natural id order; parent = id prefix.")
    kpis: list[Kpi]
    references: list[Reference]


class ReleaseFile(StrictModel):
    path: BundlePath = Field(description="Path inside the release folder, '/'-separated.")
    sha256: Sha256
    size: int = Field(ge=0, description="Size in bytes.")


class ReleaseEntry(StrictModel):
    version: VersionText
    date: DateText
    path: ReleaseDir = Field(description="The release folder, relative to the index: vX.Y.Z.")
    previous: VersionText | None = Field(
        default=None, description="The release the change list is computed from."
    )
    bundle_format_version: int = Field(description="Version of the bundle's layout and formats.")
    counts: dict[str, int] = Field(description="kind -> active entries.")
    deprecated: dict[str, int] = Field(description="kind -> deprecated entries.")
    changes: dict[str, int] = Field(
        description="change type -> entries (added, changed, deprecated, moved)."
    )
    files: list[ReleaseFile] = Field(description="Every file of the release, sorted by path.")


class ReleaseIndex(StrictModel):
    """``releases/index.json``: every release, newest first, and the latest one."""

    format_version: Literal[1] = 1
    latest: VersionText | None = None
    releases: list[ReleaseEntry] = Field(default_factory=list)

    def find(self, version: str) -> ReleaseEntry | None:
        wanted = version.removeprefix("v")
        return next((r for r in self.releases if r.version == wanted), None)
