"""Identifier formats of the framework and their natural order.

Patterns use ``[0-9]`` (never ``\\d``, which accepts non-ASCII digits) and are always
applied with ``fullmatch`` (``$`` would accept a trailing newline).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum


class Kind(StrEnum):
    """The kinds of entry the framework holds, in the order they are presented."""

    RISK = "risk"
    PRINCIPLE = "principle"
    STAGE = "stage"
    AUTHORITY = "authority"
    PROCESS = "process"
    PRACTICE = "practice"
    KPI = "kpi"
    REFERENCE = "reference"


NUM = "[1-9][0-9]{0,5}"
# A country framework's namespace (ISO 3166-1 alpha-2 or alpha-3 style: MW, LS, MWI). Its
# own processes and practices carry it in the segment they add (F3.MW1 under principle
# F3, F3.1.MW2 under process F3.1, F3.MW1.1 under F3.MW1), so that every parent is still
# the id minus its last segment (docs/country-frameworks.md). The universal framework's
# ids never carry one (IDX014).
NAMESPACE = "[A-Z]{2,3}"
_SEGMENT = f"(?:{NAMESPACE})?{NUM}"
ID_PATTERNS: dict[Kind, str] = {
    Kind.RISK: f"(RS|RI|SV){NUM}",
    Kind.PRINCIPLE: f"[FO]{NUM}",
    Kind.STAGE: f"L{NUM}",
    Kind.AUTHORITY: f"R{NUM}",
    Kind.PROCESS: rf"[FO]{NUM}\.{_SEGMENT}",
    Kind.PRACTICE: rf"[FO]{NUM}\.{_SEGMENT}\.{_SEGMENT}",
    Kind.KPI: rf"KPI-(PEO|RED|INS|LAW|MKT|TEC)-(DES|DEP|OPS)-{NUM}",
    Kind.REFERENCE: f"REF-{NUM}",
}


def anchored(pattern: str) -> str:
    """A JSON Schema ``pattern`` matching the whole string, in every regex dialect.

    ``$`` is not enough: Python's ``re`` (used by the jsonschema library and so by
    check-jsonschema) lets ``$`` match before a trailing newline, so "F3\n" would pass.
    A negative lookahead for any character is end-of-input in ECMA-262 and Python alike.
    """
    return f"^(?:{pattern})(?![\\s\\S])"


def whole(pattern: str) -> str:
    """The models' form of a pattern matching the whole string: pydantic runs it in its
    Rust engine, whose ``$`` is the end of the input (no lookahead there; three times
    faster than calling Python's ``re`` per value). The published JSON Schema writes
    every such pattern in the :func:`anchored` form (``check.schemas.generate``)."""
    return f"^(?:{pattern})$"


SCHEMA_ID_PATTERNS: dict[Kind, str] = {k: anchored(p) for k, p in ID_PATTERNS.items()}
MODEL_ID_PATTERNS: dict[Kind, str] = {k: whole(p) for k, p in ID_PATTERNS.items()}
_COMPILED: dict[Kind, re.Pattern[str]] = {k: re.compile(p) for k, p in ID_PATTERNS.items()}

# The ``id_source`` of a process or practice whose id this project assigned because no
# source numbers it (framework/SOURCES.md, section 4): provisional, and replaced through the
# release's id map if an official number appears. KPI and reference ids are this
# project's scheme throughout and carry no such mark.
PROJECT_ID_SOURCE = "this project (provisional id; see framework/SOURCES.md, section 4)"

PLACEHOLDER_PATTERN = "[$][a-z0-9][a-z0-9-]{0,39}"
MODEL_PLACEHOLDER_PATTERN = whole(PLACEHOLDER_PATTERN)
_PLACEHOLDER = re.compile(PLACEHOLDER_PATTERN)

# Risks are presented in the Guide's order (safety, inclusion, structural), not alphabetically.
_PREFIX_RANK = {"RS": 0, "RI": 1, "SV": 2, "F": 0, "O": 1}
_TOKEN = re.compile(r"[0-9]+|[^0-9]+")


def is_valid_id(kind: Kind, value: str) -> bool:
    return _COMPILED[kind].fullmatch(value) is not None


def is_placeholder(value: str) -> bool:
    return _PLACEHOLDER.fullmatch(value) is not None


def kind_of(value: str) -> Kind | None:
    """The kind an id has by its shape, or None when it has no valid shape."""
    for kind, pattern in _COMPILED.items():
        if pattern.fullmatch(value):
            return kind
    return None


def parent_id(value: str) -> str | None:
    """The principle of a process, the process of a practice; None for other kinds."""
    kind = kind_of(value)
    if kind in (Kind.PROCESS, Kind.PRACTICE):
        return value.rsplit(".", 1)[0]
    return None


def natural_key(value: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key giving F2 < F10 < O1, RS1 < RI1 < SV1, F3.1.2 < F3.1.10."""
    parts: list[tuple[int, int | str]] = []
    for token in _TOKEN.findall(value):
        if token.isascii() and token.isdigit():
            parts.append((1, int(token)))
        else:
            rank = _PREFIX_RANK.get(token) if not parts else None
            parts.append((0, f"{rank:02d}" if rank is not None else f"99{token}"))
    return tuple(parts)


# Letters, a number, then ".number"s: the shape of nearly every table's ids (F3.1.2, RS4,
# L2). Among such ids, (prefix rank, numbers...) orders exactly as natural_key does (its
# keys interleave those same values with constant markers). sorted_ids sorts each
# prefix's ids by their numbers alone, the prefixes in rank order: a third of natural_key's
# cost, and a release of 100,000 practices sorts them half a dozen times.
_DOTTED_ID = re.compile(r"([A-Z]+)([0-9]+)((?:\.[0-9]+)*)")
_DIGITS = "0123456789"


def _prefix_head(prefix: str) -> str:
    """What natural_key puts first for an id of this prefix."""
    rank = _PREFIX_RANK.get(prefix)
    return f"{rank:02d}" if rank is not None else f"99{prefix}"


def sorted_ids(values: Iterable[str]) -> list[str]:
    """``values`` in natural order (:func:`natural_key`)."""
    listed = list(values)
    fullmatch = _DOTTED_ID.fullmatch
    if not all(fullmatch(v) is not None for v in listed):
        return sorted(listed, key=natural_key)
    by_prefix: dict[str, list[str]] = {}
    for value in listed:
        by_prefix.setdefault(value.partition(".")[0].rstrip(_DIGITS), []).append(value)
    heads = {prefix: _prefix_head(prefix) for prefix in by_prefix}
    if len(set(heads.values())) < len(heads):
        # Two prefixes ranked alike (F and RS): natural_key interleaves their ids.
        return sorted(listed, key=natural_key)
    ordered: list[str] = []
    for prefix in sorted(by_prefix, key=heads.__getitem__):
        start = len(prefix)
        ordered += sorted(by_prefix[prefix], key=lambda v: tuple(map(int, v[start:].split("."))))
    return ordered


def child_number(value: str) -> tuple[str, int]:
    """The order of a process or practice id P.n among its siblings, for an id whose shape
    its model checked: (namespace, n), so F3.1.2 < F3.1.12 < F3.1.MW1 (a country's own
    entries after the universal ones), without last_number's pattern."""
    last = value.rsplit(".", 1)[1]
    namespace = last.rstrip(_DIGITS)
    return namespace, int(last[len(namespace) :])


_NAMESPACED_SEGMENT = re.compile(rf"\.({NAMESPACE})[0-9]")


def namespace_of(value: str) -> str | None:
    """The country namespace a process or practice id carries (F3.1.MW2 -> MW), if any."""
    found = _NAMESPACED_SEGMENT.search(value)
    return found.group(1) if found else None


def last_number(value: str) -> int:
    """The trailing number of an id (F3.1.12 -> 12)."""
    match = re.search(r"([0-9]+)\Z", value)
    return int(match.group(1)) if match else 0
