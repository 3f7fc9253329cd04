"""What the canvas index keeps of each active process and practice: the facts every
reader needs (the site embeds them), and the views and masks a query reads, made for a
process the first time a query reaches it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from dpi_safeguards.knowledge.views import Named, PracticeView, ReferenceView


class PracticeFacts(NamedTuple):
    """A practice's own values (active ones, natural order). A named tuple: the index
    makes one per practice, 100,000 in a large framework, and a frozen dataclass costs
    several times as much to build."""

    id: str
    text: str
    own_authorities: tuple[str, ...]  # its narrowing; empty: its process's
    own_stages: tuple[str, ...]
    references: tuple[str, ...]


@dataclass
class QueryViews:
    """What a query reads of one process, side by side: each practice's view and its
    effective authorities and stages as bit masks (bit = rank of the value), so filtering
    a process's practices is integer tests over three tuples instead of set tests over
    scattered objects; and the answer to each one-authority and/or one-stage selection."""

    practice_views: tuple[PracticeView, ...] = ()
    authority_masks: tuple[int, ...] = ()
    stage_masks: tuple[int, ...] = ()
    cells: dict[int, tuple[PracticeView, ...]] = field(default_factory=dict)


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
    query_views: QueryViews | None = None  # made on a query's first need
