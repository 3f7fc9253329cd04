"""What the exports need to know of a language, from CLDR's data (through babel): its
name in itself for the language switch, its script direction, and its word for English
(the label on a text given in English)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from babel import Locale, UnknownLocaleError

# gettext's form of a language code: fr, ar, pt_BR, sr_Latn (a catalogue's file name).
CODE_PATTERN = re.compile(r"[a-z]{2,3}(?:_[A-Z][a-z]{3})?(?:_(?:[A-Z]{2}|[0-9]{3}))?")
SOURCE_LANGUAGE = "en"


@dataclass(frozen=True)
class LanguageInfo:
    code: str  # as the catalogue's file name has it (pt_BR)
    name: str  # in the language itself (português (Brasil))
    direction: Literal["ltr", "rtl"]
    english: str  # the language's word for English

    @property
    def tag(self) -> str:
        """The BCP 47 tag HTML's lang attribute takes (pt-BR)."""
        return self.code.replace("_", "-")


class UnknownLanguage(ValueError):
    pass


def language_info(code: str) -> LanguageInfo:
    """Raises :class:`UnknownLanguage` for a code CLDR does not know or gettext would not
    write (with what would be valid)."""
    if CODE_PATTERN.fullmatch(code) is None:
        raise UnknownLanguage(
            f"{code!r} is not a language code as gettext writes it: a lower-case ISO 639 "
            "code, then optionally _Script and _REGION (fr, ar, pt_BR, sr_Latn)"
        )
    if code == SOURCE_LANGUAGE:
        raise UnknownLanguage("'en' is the source language: its texts are the framework's own")
    try:
        locale = Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        raise UnknownLanguage(f"{code!r} is not a language CLDR knows") from None
    direction: Literal["ltr", "rtl"] = "rtl" if locale.character_order == "right-to-left" else "ltr"
    name = locale.get_display_name(locale) or code
    names: dict[str, str] = dict(locale.languages or {})
    english = names.get(SOURCE_LANGUAGE, "English")
    return LanguageInfo(code, name, direction, english)
