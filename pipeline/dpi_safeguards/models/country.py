"""A country framework (``country.yaml``): a pinned universal release, what applies of it,
what is left out and why, the country's own processes and practices, and who does what by
when. docs/country-frameworks.md describes the file and its commands."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from dpi_safeguards.core.ids import NAMESPACE, whole
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
from dpi_safeguards.models.framework import Practice, Process

Namespace = Annotated[str, StringConstraints(pattern=whole(NAMESPACE))]
Sha256 = Annotated[str, StringConstraints(pattern=whole("[0-9a-f]{64}"))]
TrackingStatus = Literal["planned", "in-progress", "done"]
TRACKING_STATUSES: tuple[TrackingStatus, ...] = ("planned", "in-progress", "done")


class Upstream(StrictModel):
    version: VersionText = Field(description="The universal release this framework extends.")
    sha256: Sha256 = Field(
        description="SHA-256 of that release's framework.json, as its SHA256SUMS lists it."
    )


class Selector(StrictModel):
    """Selects the processes and practices that match every dimension it gives (an empty
    selector selects nothing). ``ids`` names processes (with their practices) or practices."""

    ids: list[AnyId] = Field(default_factory=list)
    principles: list[PrincipleId] = Field(default_factory=list)
    risks: list[RiskId] = Field(default_factory=list)
    stages: list[StageId] = Field(default_factory=list)
    authorities: list[AuthorityId] = Field(default_factory=list)


class Exclusion(StrictModel):
    id: AnyId = Field(description="A selected process (with its practices) or practice.")
    reason: Text


class Tracking(StrictModel):
    owner: ShortText = Field(description="Who is responsible (an office, not a person's name).")
    due: DateText = Field(description="The target date, YYYY-MM-DD.")
    status: TrackingStatus
    note: Text | None = None


class CountryFile(StrictModel):
    format_version: Literal[1]
    country: ShortText
    namespace: Namespace = Field(
        description="Carried by the country's own ids in the segment they add (F3.1.MW1)."
    )
    title: ShortText
    description: Text
    upstream: Upstream
    select: list[Selector] = Field(
        min_length=1, description="A process or practice applies when any selector selects it."
    )
    exclude: list[Exclusion] = Field(default_factory=list)
    processes: list[Process] = Field(default_factory=list, description="The country's own.")
    practices: list[Practice] = Field(default_factory=list, description="The country's own.")
    tracking: dict[AnyId, Tracking] = Field(
        default_factory=dict, description="Per selected or local process or practice id."
    )


# ---- reports: `safeguards country status` -------------------------------------------------


class ProgressRow(StrictModel):
    id: str = Field(description="A principle, risk or stage id; 'all' for the total.")
    name: str
    selected: int = Field(description="Processes and practices that apply.")
    tracked: int = Field(description="Of those, with an owner, a due date and a status.")
    planned: int
    in_progress: int = Field(alias="in-progress")
    done: int
    due: int = Field(description="Tracked, not done, and due on or before the as-of date.")


class CountryStatus(StrictModel):
    """The output of ``safeguards country status --format json``."""

    country: str
    namespace: str
    upstream: str = Field(description="The pinned universal release.")
    as_of: DateText
    total: ProgressRow
    by_principle: list[ProgressRow]
    by_risk: list[ProgressRow]
    by_stage: list[ProgressRow]
    due: list[str] = Field(description="The ids that are due and not done, in id order.")
