"""``safeguards translations update``: bring a catalogue up to the framework's texts.

What msgmerge does, keyed by context (one pass, no fuzzy matching across entries):

- the source text is unchanged: the translation is kept as it is;
- the source text changed: the translation is kept but marked fuzzy, with the text it
  was made from as the previous source (``#| msgid``), so a translator sees what changed
  and a release never uses it until a translator clears the flag;
- a new text: an empty entry; but an item of a list field whose exact text is translated
  elsewhere in the same list (the list was reordered or an item inserted) takes that
  translation;
- a text gone from the framework: the entry becomes obsolete (``#~``), kept for the day
  the text comes back with the same words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dpi_safeguards.core.ids import natural_key
from dpi_safeguards.translations.catalogue import Catalogue, CatalogueEntry
from dpi_safeguards.translations.fields import SourceText


@dataclass
class UpdateResult:
    entries: list[CatalogueEntry]  # in catalogue order, obsolete ones last
    became_fuzzy: list[str] = field(default_factory=list)  # contexts
    added: list[str] = field(default_factory=list)
    obsoleted: list[str] = field(default_factory=list)
    revived: list[str] = field(default_factory=list)


def _list_key(text: SourceText) -> tuple[str, str] | None:
    return (text.entry_id, text.field) if text.index is not None else None


def update_entries(catalogue: Catalogue, texts: list[SourceText]) -> UpdateResult:
    old = catalogue.entries
    # (entry id, list field) -> source text -> a translated entry of that list
    list_items: dict[tuple[str, str], dict[str, CatalogueEntry]] = {}
    for entry in old.values():
        head, sep, _ = entry.context.partition("[")
        if sep and entry.translated:
            entry_id, _, name = head.partition(":")
            list_items.setdefault((entry_id, name), {}).setdefault(entry.source, entry)
    result = UpdateResult(entries=[])
    current: set[str] = set()
    for text in texts:
        current.add(text.context)
        result.entries.append(_updated(text, old.get(text.context), catalogue, list_items, result))
    result.obsoleted = [c for c in old if c not in current]
    obsolete = {
        **{c: e for c, e in catalogue.obsolete.items() if c not in current},
        **{c: _as_obsolete(e) for c, e in old.items() if c not in current and e.text},
    }
    result.entries.extend(obsolete[c] for c in sorted(obsolete, key=natural_key))
    return result


def _as_obsolete(entry: CatalogueEntry) -> CatalogueEntry:
    return CatalogueEntry(
        entry.context,
        entry.source,
        entry.text,
        fuzzy=entry.fuzzy,
        previous=entry.previous,
        translator_comment=entry.translator_comment,
        obsolete=True,
    )


def _updated(
    text: SourceText,
    old: CatalogueEntry | None,
    catalogue: Catalogue,
    list_items: dict[tuple[str, str], dict[str, CatalogueEntry]],
    result: UpdateResult,
) -> CatalogueEntry:
    comment = text.what
    if old is not None and old.source == text.text:
        return CatalogueEntry(
            text.context,
            text.text,
            old.text,
            fuzzy=old.fuzzy and bool(old.text),
            previous=old.previous if old.fuzzy else None,
            comment=comment,
            translator_comment=old.translator_comment,
        )
    reused = _reused(text, catalogue, list_items)
    if reused is not None:
        if old is None and text.context in catalogue.obsolete:
            result.revived.append(text.context)
        return CatalogueEntry(
            text.context,
            text.text,
            reused.text,
            comment=comment,
            translator_comment=reused.translator_comment,
        )
    if old is not None and old.text:
        # The source changed under a translation: keep it for the translator, flagged.
        if not old.fuzzy:
            result.became_fuzzy.append(text.context)
        made_from = old.previous if old.fuzzy and old.previous else old.source
        return CatalogueEntry(
            text.context,
            text.text,
            old.text,
            fuzzy=True,
            previous=made_from,
            comment=comment,
            translator_comment=old.translator_comment,
        )
    if old is None:
        result.added.append(text.context)
    return CatalogueEntry(
        text.context,
        text.text,
        "",
        comment=comment,
        translator_comment=old.translator_comment if old is not None else "",
    )


def _reused(
    text: SourceText,
    catalogue: Catalogue,
    list_items: dict[tuple[str, str], dict[str, CatalogueEntry]],
) -> CatalogueEntry | None:
    """A translation of exactly this text: an obsolete entry of the same context (the text
    came back), or another item of the same list."""
    gone = catalogue.obsolete.get(text.context)
    if gone is not None and gone.source == text.text and gone.translated:
        return gone
    key = _list_key(text)
    if key is None:
        return None
    return list_items.get(key, {}).get(text.text)
