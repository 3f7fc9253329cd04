"""What the canvas index keeps of each active process and practice: the views a query
returns, built once, and what its filters test."""

from __future__ import annotations

from dataclasses import dataclass, field

from dpi_safeguards.knowledge.views import Named, PracticeView, ReferenceView


@dataclass(frozen=True)
class PracticeFacts:
    """A practice as shown (independent of the query) and what the filters test."""

    id: str
    own_authorities: tuple[str, ...]
    own_stages: tuple[str, ...]
    references: tuple[str, ...]
    authority_ids: frozenset[str]  # effective
    stage_ids: frozenset[str]
    view: PracticeView


@dataclass
class ProcessFacts:
    id: str
    principle: str
    text: str | None
    risks: tuple[str, ...]
    authorities: tuple[str, ...]
    stages: tuple[str, ...]
    references: tuple[str, ...]
    practices: list[PracticeFacts] = field(default_factory=list)
    # What a query reads, side by side: each practice's view and its effective authorities
    # and stages as bit masks (bit = rank of the value), so filtering a process's practices
    # is integer tests over three tuples instead of set tests over scattered objects.
    practice_views: tuple[PracticeView, ...] = ()
    authority_masks: tuple[int, ...] = ()
    stage_masks: tuple[int, ...] = ()
    cells: dict[int, tuple[PracticeView, ...]] = field(default_factory=dict)
    views: (
        tuple[
            Named,
            tuple[Named, ...],
            tuple[Named, ...],
            tuple[Named, ...],
            tuple[ReferenceView, ...],
        ]
        | None
    ) = None
