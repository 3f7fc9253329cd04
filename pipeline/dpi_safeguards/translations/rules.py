"""The checks a catalogue goes through: a translated text gets those of a source text
(no control, bidi or zero-width character, no white space at its ends, the field's length
limit), and the catalogue must be one the pipeline can use (its language known, every
context once, up to date with the framework). Markup needs no rule: every export escapes
a translation as it escapes an English text."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from dpi_safeguards.check.rules import Issue, LineAt, translation_rule
from dpi_safeguards.check.rules.indexing import FORBIDDEN_CHARS, text_problem
from dpi_safeguards.core.findings import Severity
from dpi_safeguards.core.site_texts import placeholders
from dpi_safeguards.translations.catalogue import Catalogue, CatalogueEntry, msgstr_line
from dpi_safeguards.translations.fields import SourceText, length_limit, parse_context


@dataclass
class CatalogueContext:
    catalogue: Catalogue
    texts: dict[str, SourceText]  # the framework's texts by context
    language_problem: str | None  # why the file name is not a language we can publish

    def at(self, line: int | None, column: int | None = None) -> LineAt:
        return LineAt(self.catalogue.shown, line, column)

    def at_msgstr(self, entry: CatalogueEntry) -> LineAt:
        return self.at(msgstr_line(self.catalogue, entry), 1)


def _entries(catalogue: Catalogue) -> Iterator[CatalogueEntry]:
    yield from catalogue.entries.values()
    yield from catalogue.duplicates


@translation_rule("TRN002", Severity.ERROR, "control, bidi or zero-width character in a catalogue")
def clean_characters(ctx: CatalogueContext) -> Iterator[Issue]:
    # Line by line over the file's text, so that the finding names the very line and
    # column, whatever part of an entry (text, comment, context) holds the character.
    search = FORBIDDEN_CHARS.search
    for number, line in enumerate(ctx.catalogue.lines, 1):
        if line.isascii() and line.isprintable():
            continue
        for found in FORBIDDEN_CHARS.finditer(line) if search(line) else ():
            problem = text_problem(found.group()) or ""
            yield Issue(
                problem.replace(" at position 1", ""),
                ctx.at(number, found.start() + 1),
            )


@translation_rule("TRN003", Severity.ERROR, "translation starting or ending with white space")
def trimmed(ctx: CatalogueContext) -> Iterator[Issue]:
    for entry in _entries(ctx.catalogue):
        if entry.text and entry.text != entry.text.strip():
            yield Issue(
                "the translation starts or ends with white space (a space, a line break); "
                "remove it, as the English text has none",
                ctx.at_msgstr(entry),
            )


@translation_rule("TRN004", Severity.ERROR, "translation longer than its field allows")
def within_limit(ctx: CatalogueContext) -> Iterator[Issue]:
    for entry in _entries(ctx.catalogue):
        parts = parse_context(entry.context)
        if parts is None or not entry.text:
            continue
        limit = length_limit(parts.field)
        if len(entry.text) > limit:
            yield Issue(
                f"the translation of {entry.context} has {len(entry.text):,} characters; "
                f"the field allows {limit:,}",
                ctx.at_msgstr(entry),
            )


@translation_rule("TRN005", Severity.ERROR, "context missing, unreadable or used twice")
def contexts(ctx: CatalogueContext) -> Iterator[Issue]:
    for entry in ctx.catalogue.without_context:
        yield Issue(
            "this entry has no msgctxt; every entry names its text as '<id>:<field>' "
            "(run 'safeguards translations update' to rewrite the catalogue)",
            ctx.at(entry.line, 1),
        )
    for entry in ctx.catalogue.duplicates:
        first = ctx.catalogue.entries[entry.context]
        yield Issue(
            f"the context {entry.context} is already used at line {first.line}; "
            "each text has one entry",
            ctx.at(entry.line, 1),
        )
    for entry in ctx.catalogue.entries.values():
        if parse_context(entry.context) is None:
            yield Issue(
                f"the context {entry.context!r} does not have the form '<id>:<field>' or "
                "'<id>:<field>[<n>]'",
                ctx.at(entry.line, 1),
            )


@translation_rule("TRN006", Severity.ERROR, "catalogue of an unknown language, or a mismatch")
def known_language(ctx: CatalogueContext) -> Iterator[Issue]:
    if ctx.language_problem is not None:
        yield Issue(f"the file name gives the language: {ctx.language_problem}", ctx.at(None))
        return
    declared = ctx.catalogue.metadata.get("Language")
    if declared is not None and declared.strip() and declared.strip() != ctx.catalogue.language:
        yield Issue(
            f"the header says Language: {declared.strip()}, but the file is "
            f"{ctx.catalogue.language}.po; make them agree",
            ctx.at(_header_line(ctx.catalogue, "Language:"), 1),
        )


def _header_line(catalogue: Catalogue, prefix: str) -> int | None:
    for number, line in enumerate(catalogue.lines, 1):
        if line.startswith(f'"{prefix}'):
            return number
    return None


@translation_rule("TRN007", Severity.WARNING, "catalogue not updated since the English changed")
def up_to_date(ctx: CatalogueContext) -> Iterator[Issue]:
    for entry in ctx.catalogue.entries.values():
        source = ctx.texts.get(entry.context)
        if source is None:
            if parse_context(entry.context) is None:
                continue
            yield Issue(
                f"{entry.context} is no text of the framework (it was removed, or the "
                "entry is deprecated); run 'safeguards translations update'",
                ctx.at(entry.line, 1),
            )
        elif source.text != entry.source and not entry.fuzzy:
            yield Issue(
                f"the English text of {entry.context} changed since this entry was written; "
                "run 'safeguards translations update' (it marks the translation fuzzy)",
                ctx.at(entry.line, 1),
            )


@translation_rule("TRN008", Severity.ERROR, "translation without the placeholders of its English")
def same_placeholders(ctx: CatalogueContext) -> Iterator[Issue]:
    for entry in _entries(ctx.catalogue):
        if not entry.text or "{" not in entry.source + entry.text:
            continue
        wanted, found = placeholders(entry.source), placeholders(entry.text)
        if wanted != found:
            shown = ", ".join("{" + name + "}" for name in wanted) or "none"
            yield Issue(
                f"the translation of {entry.context} must keep the placeholders of its "
                f"English ({shown}), which the page fills in; it has "
                + (", ".join("{" + name + "}" for name in found) or "none"),
                ctx.at_msgstr(entry),
            )
