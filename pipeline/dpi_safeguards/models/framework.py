"""The framework's entities (Guide, section 3.1 and annex 5) and the files that hold them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from pydantic import Field

from dpi_safeguards.core.ids import Kind, child_number
from dpi_safeguards.models.base import (
    AuthorityId,
    Entry,
    KpiId,
    PracticeId,
    PrincipleId,
    ProcessId,
    ReferenceId,
    RiskId,
    ShortText,
    StageId,
    StrictModel,
    Text,
)

RiskGroup = Literal["safety", "inclusion", "structural"]
PrincipleKind = Literal["foundational", "operational"]
KpiArea = Literal[
    "people",
    "redressal",
    "institutions-and-processes",
    "laws-and-policies",
    "market-dynamics",
    "technology",
]
KpiPhase = Literal["design", "deployment", "operations-and-maintenance"]
ReferenceKind = Literal["knowledge-resource", "reference", "case-study", "toolkit"]


class Risk(Entry):
    id: RiskId
    name: ShortText
    group: RiskGroup
    description: Text


class Principle(Entry):
    id: PrincipleId
    name: ShortText
    kind: PrincipleKind
    description: Text


class Stage(Entry):
    id: StageId
    name: ShortText
    description: Text
    activities: list[Text] = Field(default_factory=list)


class Authority(Entry):
    id: AuthorityId
    name: ShortText
    personas: list[ShortText] = Field(default_factory=list)
    roles: list[Text] = Field(default_factory=list)
    uses: list[Text] = Field(
        default_factory=list, description="Potential use of the Framework (Guide table 2.1)."
    )


ProcessGap = Literal["text", "risks", "authorities", "stages"]


class Process(Entry):
    id: ProcessId
    text: Text | None = Field(
        default=None,
        description="The process recommendation; absent only where 'gaps' lists 'text'.",
    )
    risks: list[RiskId] = Field(default_factory=list)
    authorities: list[AuthorityId] = Field(default_factory=list)
    stages: list[StageId] = Field(default_factory=list)
    references: list[ReferenceId] = Field(default_factory=list)
    gaps: list[ProcessGap] = Field(
        default_factory=list,
        description=(
            "What the sources do not give for this process (recorded, never invented); "
            "a contribution fills a gap by an edit. Every other dimension needs one value."
        ),
    )


class Practice(Entry):
    id: PracticeId
    text: Text
    authorities: list[AuthorityId] = Field(
        default_factory=list, description="Narrows the process's authorities; empty: all of them."
    )
    stages: list[StageId] = Field(
        default_factory=list, description="Narrows the process's stages; empty: all of them."
    )
    references: list[ReferenceId] = Field(default_factory=list)


class Kpi(Entry):
    id: KpiId
    area: KpiArea
    phase: KpiPhase
    text: Text
    context: Text | None = Field(
        default=None, description="A lead-in the indicator belongs to, as the annex gives it."
    )


class Reference(Entry):
    id: ReferenceId
    title: Text
    url: ShortText | None = None
    kind: ReferenceKind


# ---- files: how the entries are grouped on disk ------------------------------------------


class ProcessNode(Process):
    """A process as written in its principle's file, with its practices nested."""

    practices: list[Practice] = Field(default_factory=list)


class MetadataFile(StrictModel):
    title: ShortText
    licence: Literal["CC-BY-SA-4.0"]
    format_version: Literal[1]
    description: Text
    sources: list[Text] = Field(default_factory=list)


class RisksFile(StrictModel):
    risks: list[Risk]


class StagesFile(StrictModel):
    stages: list[Stage]


class AuthoritiesFile(StrictModel):
    authorities: list[Authority]


class PrincipleFile(Principle):
    processes: list[ProcessNode] = Field(default_factory=list)


class KpisFile(StrictModel):
    kpis: list[Kpi]


class ReferencesFile(StrictModel):
    references: list[Reference]


ENTRY_MODELS: dict[Kind, type[Entry]] = {
    Kind.RISK: Risk,
    Kind.PRINCIPLE: Principle,
    Kind.STAGE: Stage,
    Kind.AUTHORITY: Authority,
    Kind.PROCESS: Process,
    Kind.PRACTICE: Practice,
    Kind.KPI: Kpi,
    Kind.REFERENCE: Reference,
}


# Kind -> the Framework field (and framework.json key) holding its entries.
TABLE_NAMES: dict[Kind, str] = {
    Kind.RISK: "risks",
    Kind.PRINCIPLE: "principles",
    Kind.STAGE: "stages",
    Kind.AUTHORITY: "authorities",
    Kind.PROCESS: "processes",
    Kind.PRACTICE: "practices",
    Kind.KPI: "kpis",
    Kind.REFERENCE: "references",
}


@dataclass
class Framework:
    """The whole framework, every kind keyed by id (never positional)."""

    metadata: MetadataFile
    risks: dict[str, Risk] = field(default_factory=dict)
    principles: dict[str, Principle] = field(default_factory=dict)
    stages: dict[str, Stage] = field(default_factory=dict)
    authorities: dict[str, Authority] = field(default_factory=dict)
    processes: dict[str, Process] = field(default_factory=dict)
    practices: dict[str, Practice] = field(default_factory=dict)
    kpis: dict[str, Kpi] = field(default_factory=dict)
    references: dict[str, Reference] = field(default_factory=dict)

    def table(self, kind: Kind) -> dict[str, Entry]:
        table: dict[str, Entry] = getattr(self, TABLE_NAMES[kind])
        return table

    def get(self, entry_id: str) -> Entry | None:
        for kind in Kind:
            found = self.table(kind).get(entry_id)
            if found is not None:
                return found
        return None

    def all_ids(self) -> list[str]:
        """Every id of every kind, kind by kind."""
        return [entry_id for kind in Kind for entry_id in self.table(kind)]

    def kind_of(self, entry_id: str) -> Kind | None:
        for kind in Kind:
            if entry_id in self.table(kind):
                return kind
        return None

    def counts(self, *, include_deprecated: bool = False) -> dict[str, int]:
        return {
            kind.value: sum(
                1 for e in self.table(kind).values() if include_deprecated or e.is_active
            )
            for kind in Kind
        }

    def children_index(self) -> dict[str, list[str]]:
        """Parent id -> child ids (natural order), built in one pass."""
        index: dict[str, list[str]] = {}
        for kind in (Kind.PROCESS, Kind.PRACTICE):
            for key in self.table(kind):
                index.setdefault(key.rsplit(".", 1)[0], []).append(key)
        # A parent's children are its id and ".n" (the models check the id's shape): in
        # number order by n alone, without sorted_ids's work for 10,000 short lists.
        return {parent: sorted(children, key=child_number) for parent, children in index.items()}


def copy_framework(fw: Framework) -> Framework:
    """A copy whose tables can change without touching ``fw`` (entries are replaced, never
    mutated, so the entries themselves are shared)."""
    copy = replace(fw)
    for kind in Kind:
        table = fw.table(kind)
        setattr(copy, TABLE_NAMES[kind], dict(table))
    return copy
