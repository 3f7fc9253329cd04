"""The change list between two versions of the framework (``changes.json``).

Downstream tools consume it; its JSON Schema is published as ``changes.schema.json``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, PrivateAttr

from dpi_safeguards.models.base import StrictModel

ChangeType = Literal["added", "deprecated", "changed", "moved", "removed"]
CHANGE_TYPES: tuple[ChangeType, ...] = ("added", "deprecated", "changed", "moved", "removed")


class FieldChange(StrictModel):
    field: str = Field(description="The field that changed (e.g. 'text', 'risks').")
    old: Any = Field(default=None, description="The value before (JSON).")
    new: Any = Field(default=None, description="The value after (JSON).")
    added: list[Any] = Field(
        default_factory=list, description="For a list field: the items the newer version adds."
    )
    removed: list[Any] = Field(
        default_factory=list,
        description="For a list field: the items the newer version no longer has.",
    )


class EntryChange(StrictModel):
    id: str = Field(description="The entry's id in the newer version.")
    kind: str = Field(description="risk, principle, stage, authority, process, practice, ...")
    change: ChangeType
    principle: str | None = Field(
        default=None, description="The principle a process or practice belongs to."
    )
    moved_from: str | None = Field(
        default=None, description="For 'moved': the deprecated id this entry replaces."
    )
    summary: str | None = Field(default=None, description="Name or text of the entry.")
    fields: list[FieldChange] = Field(default_factory=list)
    contributors: list[str] = Field(default_factory=list)
    reviewers: list[str] = Field(default_factory=list)
    contribution: str | None = None


class ChangeList(StrictModel):
    format_version: Literal[1] = 1
    from_version: str | None = Field(
        default=None, alias="from", description="The older version (tag, release, folder)."
    )
    to_version: str | None = Field(default=None, alias="to", description="The newer version.")
    counts: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="kind -> change type -> number of entries."
    )
    changes: list[EntryChange] = Field(default_factory=list)
    # In memory only (never in changes.json or its schema), keyed by (kind, id): each
    # change's entry as the newer version holds it, and for a move the deprecated entry
    # it replaces, so that dpi_safeguards.changes.diff.apply_changes can rebuild the newer
    # version from the older one. Kept here, not on each change: a model with private
    # attributes takes twice as long to build, and a first release has 111,000 changes.
    _entries: dict[tuple[str, str], Any] = PrivateAttr(default_factory=dict)
    _replaced: dict[tuple[str, str], Any] = PrivateAttr(default_factory=dict)

    def of(self, change: ChangeType) -> list[EntryChange]:
        return [c for c in self.changes if c.change == change]

    @property
    def is_empty(self) -> bool:
        return not self.changes


IdRelation = Literal["deprecated", "moved", "merged", "split", "renumbered"]


class IdMapEntry(StrictModel):
    id: str = Field(description="An id that is no longer current (deprecated).")
    kind: str = Field(description="risk, principle, stage, authority, process, practice, ...")
    relation: IdRelation = Field(
        description=(
            "deprecated: no replacement; moved: replaced by one entry; merged: one of "
            "several entries replaced by the same one; split: replaced by several; "
            "renumbered: an id this project assigned, replaced by an official one."
        )
    )
    replaced_by: list[str] = Field(
        default_factory=list, description="The entries named as its replacement, in order."
    )
    current: list[str] = Field(
        default_factory=list,
        description=(
            "The active ids to use today: replacements followed through later replacements "
            "(empty when nothing active replaces it)."
        ),
    )
    since: str = Field(description="The release that deprecated it.")
    reason: str


class IdMap(StrictModel):
    """``id-map.json``: every id of this or an earlier release that is no longer current,
    and what replaces it, so that downstream tools can follow renamed entries."""

    format_version: Literal[1] = 1
    release: str = Field(description="The release this map belongs to.")
    ids: list[IdMapEntry] = Field(default_factory=list)

    def lookup(self) -> dict[str, IdMapEntry]:
        return {entry.id: entry for entry in self.ids}
