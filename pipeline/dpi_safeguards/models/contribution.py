"""A contribution: one small change set proposed by a contributor, plus its review trail."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from dpi_safeguards.core.ids import MODEL_PLACEHOLDER_PATTERN
from dpi_safeguards.models.base import (
    AnyId,
    AuthorityId,
    DateText,
    PrincipleId,
    RiskId,
    ShortText,
    StageId,
    StrictModel,
    Text,
    VersionText,
)
from dpi_safeguards.models.framework import KpiArea, KpiPhase, ReferenceKind

Placeholder = Annotated[str, StringConstraints(pattern=MODEL_PLACEHOLDER_PATTERN)]
# A reference to an entry: an existing id, or a placeholder for one this contribution adds.
Target = Annotated[str, StringConstraints(min_length=1, max_length=40)]
GithubHandle = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")]

EditableField = Literal[
    "name", "text", "description", "title", "url", "risks", "authorities", "stages", "references"
]
LIST_FIELDS = frozenset({"risks", "authorities", "stages", "references"})


class Contributor(StrictModel):
    name: ShortText
    affiliation: ShortText | None = None
    github: GithubHandle | None = Field(default=None, description="GitHub user name, no '@'.")


class AddProcess(StrictModel):
    op: Literal["add-process"]
    placeholder: Placeholder
    principle: PrincipleId
    text: Text
    risks: list[RiskId] = Field(min_length=1)
    authorities: list[AuthorityId] = Field(min_length=1)
    stages: list[StageId] = Field(min_length=1)
    references: list[Target] = Field(default_factory=list)


class AddPractice(StrictModel):
    op: Literal["add-practice"]
    placeholder: Placeholder | None = None
    parent: Target = Field(description="A process id, or the placeholder of an added process.")
    text: Text
    authorities: list[AuthorityId] = Field(default_factory=list)
    stages: list[StageId] = Field(default_factory=list)
    references: list[Target] = Field(default_factory=list)


class AddKpi(StrictModel):
    op: Literal["add-kpi"]
    placeholder: Placeholder | None = None
    area: KpiArea
    phase: KpiPhase
    text: Text
    context: Text | None = None


class AddReference(StrictModel):
    op: Literal["add-reference"]
    placeholder: Placeholder
    title: Text
    url: ShortText
    kind: ReferenceKind


class Edit(StrictModel):
    op: Literal["edit"]
    target: AnyId
    field: EditableField
    expected: Text | list[Target] | None = Field(
        description=(
            "The current value the edit replaces (null where the entry has none yet); "
            "a different current value makes the edit stale."
        )
    )
    value: Text | list[Target]

    def is_stale(self, current: object) -> bool:
        """Whether the entry no longer holds the value this edit was written against. A
        list field with no value yet (``[]``) is what ``expected: null`` means."""
        expected: object = self.expected
        if isinstance(current, list) and expected is None:
            expected = []
        return current != expected

    def stale_message(self, current: object) -> str:
        return (
            f"the edit is stale: {self.target}.{self.field} is now {_shown(current)}, not "
            f"the expected {_shown(self.expected)}; rewrite the edit against the current "
            "value (set 'expected' to it)"
        )


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 400 else text[:397] + "..."


class Deprecate(StrictModel):
    op: Literal["deprecate"]
    target: AnyId
    reason: Text
    replaced_by: Target | None = None


Change = Annotated[
    AddProcess | AddPractice | AddKpi | AddReference | Edit | Deprecate,
    Field(discriminator="op"),
]


class ReviewRecord(StrictModel):
    reviewer: ShortText
    date: DateText
    decision: Literal["accept", "reject"]
    note: Text | None = None


class MergeRecord(StrictModel):
    date: DateText
    ids: dict[Placeholder, AnyId] = Field(
        default_factory=dict, description="The id each placeholder received."
    )
    added: list[AnyId] = Field(default_factory=list, description="Every id this merge added.")
    version: VersionText | None = None


class Contribution(StrictModel):
    schema_: str | None = Field(default=None, alias="$schema")
    title: ShortText
    summary: Text | None = None
    contributors: list[Contributor] = Field(min_length=1)
    licence: Literal["CC-BY-SA-4.0"]
    licence_consent: bool = Field(
        description="True: the contributors license the text under CC BY-SA 4.0."
    )
    source: Text | None = Field(default=None, description="Where the proposed text comes from.")
    changes: list[Change] = Field(min_length=1, max_length=200)
    reviews: list[ReviewRecord] = Field(default_factory=list)
    merged: MergeRecord | None = None
