"""A framework in one language: every text a translator translated (and no fuzzy one)
put in place of the English, and the list of texts left in English, with the reason.

The translated framework has the very shape of the English one, so every export renders
it unchanged (and escapes its texts alike); what fell back is listed beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from dpi_safeguards.core.ids import natural_key
from dpi_safeguards.core.site_texts import SITE_TEXTS
from dpi_safeguards.models.framework import Framework, copy_framework
from dpi_safeguards.translations.catalogue import CatalogueEntry
from dpi_safeguards.translations.fields import SITE, TRANSLATED_FIELDS, make_context
from dpi_safeguards.translations.project import LanguageState

FallbackReason = Literal["missing", "fuzzy", "deprecated"]
REASON_TEXT: dict[str, str] = {
    "missing": "not translated yet",
    "fuzzy": "the English changed since it was translated",
    "deprecated": "deprecated: not translated",
}


@dataclass(frozen=True)
class Fallback:
    """A text given in English in a translated export."""

    entry_id: str
    field: str
    index: int | None
    reason: FallbackReason

    @property
    def context(self) -> str:
        return make_context(self.entry_id, self.field, self.index)


@dataclass
class TranslatedFramework:
    language: str
    framework: Framework
    fallbacks: list[Fallback] = field(default_factory=list)

    def fallback_contexts(self) -> set[str]:
        return {f.context for f in self.fallbacks}


def translate(framework: Framework, state: LanguageState) -> TranslatedFramework:
    used = state.used()
    fuzzy = {e.context for e in state.update.entries if not e.obsolete and e.text and e.fuzzy}
    result = TranslatedFramework(state.code, copy_framework(framework))
    for kind, fields in TRANSLATED_FIELDS.items():
        table = result.framework.table(kind)
        for entry_id, entry in framework.table(kind).items():
            update: dict[str, object] = {}
            for name, is_list in fields:
                value = entry.__dict__.get(name)
                if not value:
                    continue
                if is_list:
                    items = [
                        _text(entry_id, name, i, item, entry.is_active, used, fuzzy, result)
                        for i, item in enumerate(value)
                    ]
                    if items != value:
                        update[name] = items
                else:
                    text = _text(entry_id, name, None, value, entry.is_active, used, fuzzy, result)
                    if text != value:
                        update[name] = text
            if update:
                table[entry_id] = entry.model_copy(update=update)
    # In the catalogue's order; deprecated entries (not in it) after, by id.
    position = {e.context: n for n, e in enumerate(state.update.entries)}
    last = len(position)
    result.fallbacks.sort(
        key=lambda f: (
            position.get(f.context, last),
            natural_key(f.entry_id),
            f.field,
            f.index or 0,
        )
    )
    return result


def _text(
    entry_id: str,
    name: str,
    index: int | None,
    english: str,
    active: bool,
    used: dict[str, CatalogueEntry],
    fuzzy: set[str],
    result: TranslatedFramework,
) -> str:
    context = make_context(entry_id, name, index)
    if not active:
        result.fallbacks.append(Fallback(entry_id, name, index, "deprecated"))
        return english
    found = used.get(context)
    if found is not None and found.source == english:
        return found.text
    reason: FallbackReason = "fuzzy" if context in fuzzy else "missing"
    result.fallbacks.append(Fallback(entry_id, name, index, reason))
    return english


def site_texts(state: LanguageState) -> dict[str, str]:
    """The knowledge library's own words in this language: each translated one (not
    fuzzy), the English for the rest."""
    used = state.used()
    texts = dict(SITE_TEXTS)
    for key, english in SITE_TEXTS.items():
        found = used.get(make_context(SITE, key))
        if found is not None and found.source == english:
            texts[key] = found.text
    return texts
