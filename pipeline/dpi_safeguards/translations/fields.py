"""Which texts are translated, and the context that names each one in a catalogue.

A catalogue entry's context is ``<id>:<field>`` (``F3.1.2:text``, ``R1:name``), or
``<id>:<field>[<n>]`` for the n-th item (from 0) of a list field (``S1:activities[2]``);
the knowledge library's own words are ``site:<key>`` (core.site_texts), after the rest.
Ids, URLs and provenance are not translated: they are the same in every language.
Deprecated entries are left out: no one is asked to translate what is no longer current.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from dpi_safeguards.core.ids import Kind, natural_key
from dpi_safeguards.core.site_texts import SITE_TEXTS
from dpi_safeguards.models.base import MAX_TEXT, Entry
from dpi_safeguards.models.framework import Framework

# Kind -> its translated fields, in the order a catalogue lists them; True: a list field.
TRANSLATED_FIELDS: dict[Kind, tuple[tuple[str, bool], ...]] = {
    Kind.PRINCIPLE: (("name", False), ("description", False)),
    Kind.PROCESS: (("text", False),),
    Kind.PRACTICE: (("text", False),),
    Kind.RISK: (("name", False), ("description", False)),
    Kind.STAGE: (("name", False), ("description", False), ("activities", True)),
    Kind.AUTHORITY: (("name", False), ("personas", True), ("roles", True), ("uses", True)),
    Kind.KPI: (("text", False), ("context", False)),
    Kind.REFERENCE: (("title", False),),
}
# The order kinds come in a catalogue: a principle, then its processes and their practices
# (they sort together by id), then the dimensions.
CATALOGUE_KINDS = (
    Kind.PRINCIPLE,
    Kind.PROCESS,
    Kind.PRACTICE,
    Kind.RISK,
    Kind.STAGE,
    Kind.AUTHORITY,
    Kind.KPI,
    Kind.REFERENCE,
)
# The fields whose models allow 300 characters (ShortText); the others allow MAX_TEXT.
SHORT_FIELDS = frozenset({"name", "personas"})
SHORT_LIMIT = 300

_CONTEXT = re.compile(r"(?P<id>[A-Za-z0-9.-]+):(?P<field>[a-z_]+)(?:\[(?P<index>[0-9]+)\])?")


SITE = "site"  # the "id" of the knowledge library's own words


@dataclass(frozen=True)
class SourceText:
    """One English text to translate."""

    context: str
    text: str
    kind: Kind | None  # None: a word of the knowledge library (site:<key>)
    entry_id: str
    field: str
    index: int | None = None

    @property
    def what(self) -> str:
        """The extracted comment a translator sees: the kind, or 'site'."""
        return self.kind.value if self.kind is not None else "knowledge library page"


@dataclass(frozen=True)
class ContextParts:
    entry_id: str
    field: str
    index: int | None


def make_context(entry_id: str, field: str, index: int | None = None) -> str:
    return f"{entry_id}:{field}" if index is None else f"{entry_id}:{field}[{index}]"


def parse_context(context: str) -> ContextParts | None:
    match = _CONTEXT.fullmatch(context)
    if match is None:
        return None
    index = match["index"]
    return ContextParts(match["id"], match["field"], int(index) if index is not None else None)


def length_limit(field: str) -> int:
    """The longest text the source field allows (a translation gets the same limit)."""
    return SHORT_LIMIT if field in SHORT_FIELDS else MAX_TEXT


def _entry_texts(kind: Kind, entry_id: str, entry: Entry) -> Iterator[SourceText]:
    for field, is_list in TRANSLATED_FIELDS[kind]:
        value = entry.__dict__.get(field)
        if is_list:
            for index, item in enumerate(value or ()):
                yield SourceText(
                    make_context(entry_id, field, index), item, kind, entry_id, field, index
                )
        elif value:
            yield SourceText(make_context(entry_id, field), value, kind, entry_id, field)


def source_texts(framework: Framework) -> list[SourceText]:
    """Every text to translate, in catalogue order: each principle with its processes and
    practices (natural id order), then risks, stages, authorities, KPIs and references."""
    texts = [
        text
        for kind in CATALOGUE_KINDS
        for entry_id, entry in framework.table(kind).items()
        if entry.is_active
        for text in _entry_texts(kind, entry_id, entry)
    ]
    site = [
        SourceText(make_context(SITE, key), english, None, SITE, key)
        for key, english in SITE_TEXTS.items()
    ]
    return sorted(texts, key=_catalogue_key) + site


_KIND_RANK = {kind: n for n, kind in enumerate(CATALOGUE_KINDS)}
_FIELD_RANK = {
    (kind, name): n
    for kind, fields in TRANSLATED_FIELDS.items()
    for n, (name, _) in enumerate(fields)
}
_NESTED = (Kind.PRINCIPLE, Kind.PROCESS, Kind.PRACTICE)


def _catalogue_key(text: SourceText) -> tuple[object, ...]:
    # Processes and practices sort with their principle: F3 < F3.1 < F3.1.1 < F4.
    assert text.kind is not None
    group = 0 if text.kind in _NESTED else _KIND_RANK[text.kind]
    return (
        group,
        natural_key(text.entry_id),
        _FIELD_RANK[(text.kind, text.field)],
        text.index or 0,
    )
