"""The pieces every rendering of a canvas shares: the words shown for an empty
selection or a gap in the sources, and each field of a recommendation as one line."""

from __future__ import annotations

import re
from collections.abc import Iterable

from dpi_safeguards.knowledge.views import (
    DIMENSION_LABELS,
    TEXT_GAP,
    CanvasResult,
    Named,
    PracticeView,
    Recommendation,
    ReferenceView,
)

ANY = "Any"
NONE_GIVEN = "(not given in the sources)"
NO_PRACTICE = "None for this selection."
LIST_SEPARATOR = "; "
# A URL shown as a link: http(s) and RFC 3986 characters only (the same class in site.js).
SAFE_URL = re.compile(r"https?://[A-Za-z0-9._~:/?#\[\]@!$&()*+,;=%-]+")


def labels(values: Iterable[Named]) -> str:
    return LIST_SEPARATOR.join(v.label for v in values)


def ids(values: Iterable[Named]) -> str:
    return LIST_SEPARATOR.join(v.id for v in values)


def names(values: Iterable[Named]) -> str:
    return LIST_SEPARATOR.join(v.name for v in values)


def reference_text(ref: ReferenceView) -> str:
    return f"{ref.title} ({ref.url})" if ref.url else ref.title


def references_text(refs: Iterable[ReferenceView]) -> str:
    return LIST_SEPARATOR.join(reference_text(r) for r in refs)


def selected_text(result: CanvasResult, dimension: str) -> str:
    return labels(result.selection.values(dimension)) or ANY


def process_text(rec: Recommendation) -> str:
    return f"{rec.process_id} {rec.text if rec.text is not None else TEXT_GAP}"


def narrowing(practice: PracticeView) -> str:
    """' (responsible authority: R1 Government)' for a practice narrowing its process."""
    parts = []
    if practice.narrowed_authorities:
        parts.append(f"{DIMENSION_LABELS['authority'].lower()}: {labels(practice.authorities)}")
    if practice.narrowed_stages:
        parts.append(f"{DIMENSION_LABELS['stage'].lower()}: {labels(practice.stages)}")
    return f" (only for {'; '.join(parts)})" if parts else ""


def trailing_fields(rec: Recommendation) -> list[tuple[str, str]]:
    """The recommendation's fields after its practices, in the Guide's order."""
    return [
        ("Responsible authority", labels(rec.authorities) or NONE_GIVEN),
        ("Life-cycle stage", labels(rec.stages) or NONE_GIVEN),
        ("Additional resources / reference", references_text(rec.references) or "n.d."),
    ]


def practice_line(practice: PracticeView) -> str:
    refs = references_text(practice.references)
    extra = f" (reference: {refs})" if refs else ""
    return f"{practice.id} {practice.text}{narrowing(practice)}{extra}"
