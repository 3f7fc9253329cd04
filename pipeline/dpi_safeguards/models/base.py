"""Shared pieces of every model: strict parsing, provenance, deprecation."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from dpi_safeguards.core.ids import MODEL_ID_PATTERNS, Kind, whole

# Strict: "yes" is not a boolean and 1 is not a string, so pydantic and the published
# JSON Schema (generated from these models) accept exactly the same documents. Patterns
# run in pydantic's Rust engine in their ``whole()`` form; the published schema has the
# same patterns in the form every dialect reads alike (core.ids.anchored).
STRICT = ConfigDict(
    strict=True,
    extra="forbid",
    populate_by_name=True,
    # Validators are built on first use, so a command pays only for the models it uses.
    defer_build=True,
)

MAX_TEXT = 4000

Text = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=300)]


def _real_date(value: str) -> str:
    """A date the calendar has (not 2024-02-30, 2023-02-29, 2024-04-31 or 2024-13-01)."""
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a real calendar date") from None
    return value


# A real calendar date, YYYY-MM-DD. The published JSON Schema keeps the plain pattern: its
# bytes are part of every release bundle, and `safeguards verify` rebuilds v1.0.0 with this
# code, so a change there would make a published release fail verification. Pydantic also
# refuses dates the calendar lacks (2024-02-30, 2023-02-29, 2024-13-01); this is the one
# place where the model is stricter than the schema (see tests/unit/test_schemas.py).
DateText = Annotated[
    str,
    StringConstraints(pattern=whole("[0-9]{4}-[0-9]{2}-[0-9]{2}")),
    AfterValidator(_real_date),
]
VersionText = Annotated[
    str, StringConstraints(pattern=whole(r"[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}"))
]


RiskId = Annotated[str, StringConstraints(pattern=MODEL_ID_PATTERNS[Kind.RISK])]
PrincipleId = Annotated[str, StringConstraints(pattern=MODEL_ID_PATTERNS[Kind.PRINCIPLE])]
StageId = Annotated[str, StringConstraints(pattern=MODEL_ID_PATTERNS[Kind.STAGE])]
AuthorityId = Annotated[str, StringConstraints(pattern=MODEL_ID_PATTERNS[Kind.AUTHORITY])]
ProcessId = Annotated[str, StringConstraints(pattern=MODEL_ID_PATTERNS[Kind.PROCESS])]
PracticeId = Annotated[str, StringConstraints(pattern=MODEL_ID_PATTERNS[Kind.PRACTICE])]
KpiId = Annotated[str, StringConstraints(pattern=MODEL_ID_PATTERNS[Kind.KPI])]
ReferenceId = Annotated[str, StringConstraints(pattern=MODEL_ID_PATTERNS[Kind.REFERENCE])]
AnyId = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class StrictModel(BaseModel):
    model_config = STRICT


class ProvenanceRecord(StrictModel):
    """Where an entry, or one change to it, came from."""

    source: ShortText = Field(
        description="A seed document (e.g. 'seed 002: the Guide') or a contribution file path."
    )
    location: ShortText | None = Field(
        default=None, description="Section, figure, table or line within the source."
    )
    id_source: ShortText | None = Field(
        default=None, description="Where the official id was found when the source gives none."
    )
    contributors: list[ShortText] = Field(default_factory=list)
    reviewers: list[ShortText] = Field(default_factory=list)
    date: DateText | None = None
    note: Text | None = None


class Deprecation(StrictModel):
    """An entry is never deleted: it is deprecated, and its id is never reused."""

    version: VersionText | Literal["unreleased"] = Field(
        description="The release that deprecates it ('unreleased' until the next release)."
    )
    reason: Text
    replaced_by: AnyId | None = None
    also_replaced_by: list[AnyId] = Field(
        default_factory=list,
        description=(
            "For an entry split in parts: the entries that take over the rest of it "
            "(replaced_by names the first). The release's id-map.json lists them all."
        ),
    )


class Entry(StrictModel):
    id: AnyId
    provenance: list[ProvenanceRecord] = Field(min_length=1)
    deprecated: Deprecation | None = None

    @property
    def is_active(self) -> bool:
        return self.deprecated is None
