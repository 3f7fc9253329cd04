"""What a canvas query returns: the selection, and each recommendation with its process
and practices as the renderers show them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

CANVAS_TITLE = "Universal DPI Safeguards Canvas"
TEXT_GAP = "(not given in the sources)"

# The four dimensions, in the Guide's order, with the labels the canvas uses.
DIMENSIONS: tuple[str, ...] = ("authority", "stage", "risk", "principle")
DIMENSION_LABELS: dict[str, str] = {
    "authority": "Responsible authority",
    "stage": "Life-cycle stage",
    "risk": "Risk",
    "principle": "Principle",
}


@dataclass(frozen=True)
class Named:
    """An entry as the canvas shows it: id and display name."""

    id: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.id} {self.name}"


@dataclass(frozen=True)
class ReferenceView:
    id: str
    title: str
    url: str | None


@dataclass(frozen=True)
class PracticeView:
    id: str
    text: str
    authorities: tuple[Named, ...]  # effective (own narrowing or the process's)
    stages: tuple[Named, ...]
    narrowed_authorities: bool
    narrowed_stages: bool
    references: tuple[ReferenceView, ...]


class Recommendation(NamedTuple):
    """One process of an answer. A named tuple, not a frozen dataclass: a query builds
    one per matching process, and a frozen dataclass costs about four times as much to
    build (its ``__init__`` sets each field through ``object.__setattr__``)."""

    number: int
    principle: Named
    process_id: str
    text: str | None  # None where the sources do not give the process's text
    risks: tuple[Named, ...]
    authorities: tuple[Named, ...]
    stages: tuple[Named, ...]
    references: tuple[ReferenceView, ...]
    practices: tuple[PracticeView, ...]


@dataclass(frozen=True)
class Selection:
    """Resolved filter values (ids, natural order) per dimension; empty: not filtered."""

    authority: tuple[Named, ...] = ()
    stage: tuple[Named, ...] = ()
    risk: tuple[Named, ...] = ()
    principle: tuple[Named, ...] = ()

    def values(self, dimension: str) -> tuple[Named, ...]:
        result: tuple[Named, ...] = getattr(self, dimension)
        return result

    def ids(self, dimension: str) -> frozenset[str]:
        return frozenset(v.id for v in self.values(dimension))


@dataclass(frozen=True)
class CanvasResult:
    selection: Selection
    recommendations: tuple[Recommendation, ...]

    @property
    def total(self) -> int:
        return len(self.recommendations)
