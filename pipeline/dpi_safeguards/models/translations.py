"""Translations: the settings file (``translations/translations.yaml``), the status report
and the summary a release bundle carries (``translations.json``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from dpi_safeguards.models.base import ShortText, StrictModel

DEFAULT_PUBLISH_FROM = 90


class TranslationsConfig(StrictModel):
    schema_: str | None = Field(default=None, alias="$schema")
    publish_from_percent: int = Field(
        default=DEFAULT_PUBLISH_FROM,
        ge=0,
        le=100,
        description=(
            "A release publishes a language's exports when at least this share (in percent) "
            "of its texts is translated; the others are given in English, marked as such."
        ),
    )


class LanguageStatus(StrictModel):
    language: ShortText = Field(description="The code, as the catalogue's file name has it.")
    name: ShortText = Field(description="The language's name in itself (CLDR).")
    direction: Literal["ltr", "rtl"]
    file: ShortText
    total: int = Field(ge=0, description="Texts to translate (active entries only).")
    translated: int = Field(ge=0)
    fuzzy: int = Field(
        ge=0,
        description=(
            "Translated, but the English text changed since (or a translator flagged it): "
            "not used until a translator clears the fuzzy flag."
        ),
    )
    missing: int = Field(ge=0)
    percent: int = Field(ge=0, le=100, description="translated / total, rounded down.")
    published: bool = Field(description="Whether a release now would publish its exports.")
    reason: ShortText | None = Field(default=None, description="Why it would not be published.")
    sample: bool = Field(
        default=False, description="A sample catalogue no translator reviewed: never published."
    )


class TranslationsStatus(StrictModel):
    format_version: Literal[1] = 1
    source_language: Literal["en"] = "en"
    publish_from_percent: int = Field(ge=0, le=100)
    languages: list[LanguageStatus]


class PublishedLanguage(LanguageStatus):
    digest: str = Field(
        pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 of the published translations (context, text), to tell a change.",
    )


class TranslationsSummary(StrictModel):
    """``translations.json`` in a release bundle: every language and what was published."""

    format_version: Literal[1] = 1
    source_language: Literal["en"] = "en"
    publish_from_percent: int = Field(ge=0, le=100)
    languages: list[PublishedLanguage]
