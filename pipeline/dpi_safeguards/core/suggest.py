"""Did-you-mean: the valid words closest to a misspelt one, and the ids near a wrong id."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from dpi_safeguards.core.ids import sorted_ids


def closest(word: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """The candidates most like ``word`` (case aside), best first; none when nothing is
    close (difflib's ratio of at least 0.6)."""
    by_folded: dict[str, str] = {}
    for candidate in candidates:
        by_folded.setdefault(candidate.casefold(), candidate)
    found = difflib.get_close_matches(word.casefold(), list(by_folded), n=limit, cutoff=0.6)
    return [by_folded[f] for f in found]


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` (or 'x' or 'y'), or "" when nothing is close."""
    found = closest(word, candidates)
    if not found:
        return ""
    return "; did you mean " + " or ".join(f"'{f}'" for f in found) + "?"


def near_ids(wanted: str, ids: Iterable[str], limit: int = 8) -> list[str]:
    """The ids that share the most leading parts with ``wanted`` (F1.9 -> F1.1 ... F1.5:
    the same principle), else the closest spellings; in natural order."""
    pool = list(ids)
    parts = wanted.replace("-", ".").casefold().split(".")
    for keep in range(len(parts) - 1, 0, -1):
        prefix = parts[:keep]
        sharing = [i for i in pool if i.replace("-", ".").casefold().split(".")[:keep] == prefix]
        if sharing:
            return sorted_ids(sharing)[:limit]
    return sorted_ids(closest(wanted, pool, limit))
