"""What a release bundle carries of the translations: ``translations.json`` (every
language's status), the catalogues of the published languages, and for each of them the
exports in that language (``i18n/<lang>/``: framework.json, the CSV tables, framework.md
and fallbacks.csv) and the knowledge library (``site/<lang>/index.html``).

A language is published when its catalogue is complete enough (``publish_from_percent``),
has no errors and is not a sample. A text it does not translate (or whose English changed
since it was translated) is given in English and listed in fallbacks.csv; the site marks
it in place, and framework.md says how many there are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from dpi_safeguards.exports.csv_tables import TABLES, csv_line, iter_csv
from dpi_safeguards.exports.framework_json import release_document_stream
from dpi_safeguards.exports.markdown import iter_framework_md
from dpi_safeguards.exports.site import LanguageLink, SitePage, render_site
from dpi_safeguards.models.framework import Framework
from dpi_safeguards.models.translations import PublishedLanguage, TranslationsSummary
from dpi_safeguards.store.writer import dump_json, iter_dump_json
from dpi_safeguards.translations.apply import (
    REASON_TEXT,
    TranslatedFramework,
    site_texts,
    translate,
)
from dpi_safeguards.translations.catalogue import TEMPLATE_FILE, render_catalogue
from dpi_safeguards.translations.locales import SOURCE_LANGUAGE
from dpi_safeguards.translations.project import LanguageState, Translations

SUMMARY_FILE = "translations.json"
LANGUAGE_DIR = "i18n"
FALLBACKS_FILE = "fallbacks.csv"
# How many fuzzy texts the release notes name per language (the rest are counted).
NOTES_NAMED = 20
Pieces = Iterable[str | bytes]


@dataclass
class BundleTranslations:
    """The translations a bundle is built with, and the previous release's summary (None
    before the first release that had one)."""

    translations: Translations
    previous: TranslationsSummary | None = None

    def published(self) -> list[LanguageState]:
        return self.translations.published()

    def summary(self) -> TranslationsSummary:
        return self.translations.summary()


def english_links(states: list[LanguageState]) -> tuple[LanguageLink, ...]:
    """The English page's language switch (none without a published language)."""
    return _links(states, None)


def _links(states: list[LanguageState], current: str | None) -> tuple[LanguageLink, ...]:
    if not states:
        return ()
    up = "../" if current is not None else ""
    links = [LanguageLink("en", "English", f"{up}index.html", current is None)]
    for state in states:
        assert state.info is not None  # a published language is a known one
        href = "index.html" if state.code == current else f"{up}{state.code}/index.html"
        links.append(LanguageLink(state.info.tag, state.info.name, href, state.code == current))
    return tuple(links)


def catalogue_files(bundle: BundleTranslations) -> Iterator[tuple[str, Pieces]]:
    """translations.json, the template, and each published language's catalogue."""
    translations = bundle.translations
    summary = bundle.summary().model_dump(mode="json", by_alias=True)
    yield SUMMARY_FILE, [dump_json(summary)]
    yield f"translations/{TEMPLATE_FILE}", [translations.template_text()]
    for state in bundle.published():
        text = render_catalogue(state.catalogue, state.update.entries)
        yield f"translations/{state.code}.po", [text]


def language_files(
    framework: Framework,
    state: LanguageState,
    bundle: BundleTranslations,
    *,
    version: str,
    date: str,
    title: str,
    with_site: bool,
) -> Iterator[tuple[str, Pieces]]:
    """One published language's files: its exports and its page of the library."""
    translated = translate(framework, state)
    folder = f"{LANGUAGE_DIR}/{state.code}"
    document = release_document_stream(translated.framework, version, date)
    yield f"{folder}/framework.json", iter_dump_json(document)
    for table in TABLES:
        yield f"{folder}/{table.filename}", iter_csv(table, translated.framework)
    yield f"{folder}/framework.md", _markdown(translated, state, version, date)
    yield f"{folder}/{FALLBACKS_FILE}", _fallbacks_csv(translated)
    if with_site:
        assert state.info is not None
        page = SitePage(
            tag=state.info.tag,
            direction=state.info.direction,
            links=_links(bundle.published(), state.code),
            translated=True,
            fallbacks=tuple(f.context for f in translated.fallbacks if f.reason != "deprecated"),
            english=state.info.english,
            texts=site_texts(state),
        )
        html = render_site(translated.framework, title=title, page=page)
        yield f"site/{state.code}/index.html", [html]


def _markdown(
    translated: TranslatedFramework, state: LanguageState, version: str, date: str
) -> Iterator[str]:
    total, done, fuzzy, _ = state.counts()
    assert state.info is not None
    given = len(translated.fallbacks)
    yield (
        f"> Language: {state.info.name} ({state.code}). {done} of {total} texts are "
        f"translated; {given} are given in English ({fuzzy} of them because the English "
        f"changed since they were translated), each listed in {FALLBACKS_FILE} beside "
        "this file.\n\n"
    )
    yield from iter_framework_md(translated.framework, version, date)


def _fallbacks_csv(translated: TranslatedFramework) -> Iterator[str]:
    yield csv_line(["id", "field", "index", "reason", "explanation"])
    for f in translated.fallbacks:
        index = "" if f.index is None else str(f.index)
        yield csv_line([f.entry_id, f.field, index, f.reason, REASON_TEXT[f.reason]])


def notes_lines(bundle: BundleTranslations, previous_version: str | None) -> list[str]:
    """The release notes' section on translations (none without a catalogue)."""
    summary = bundle.summary()
    before = {
        lang.language: lang for lang in (bundle.previous.languages if bundle.previous else [])
    }
    if not summary.languages and not before:
        return []
    since = f"since {previous_version}" if previous_version else "since (first release)"
    out = [
        "",
        "## Translations",
        "",
        f"Source language: {SOURCE_LANGUAGE}. A language is published from "
        f"{summary.publish_from_percent}% of its texts translated; a text not translated, "
        "or whose English changed since it was translated, is given in English "
        f"(listed in `{LANGUAGE_DIR}/<language>/{FALLBACKS_FILE}`).",
        "",
        f"| language | translated | fuzzy | missing | published | {since} |",
        "|---|---|---|---|---|---|",
    ]
    for lang in summary.languages:
        old = before.get(lang.language)
        out.append(
            f"| {lang.language} ({lang.name}) | {lang.translated} of {lang.total} "
            f"| {lang.fuzzy} | {lang.missing} "
            f"| {'yes' if lang.published else 'no: ' + (lang.reason or '')} "
            f"| {_since(lang.published, lang.digest, old)} |"
        )
    for code in sorted(set(before) - {lang.language for lang in summary.languages}):
        out.append(f"| {code} | - | - | - | no: the catalogue was removed | removed |")
    fuzzy_lines = []
    by_code = {s.code: s for s in bundle.translations.languages}
    for lang in summary.languages:
        state = by_code[lang.language]
        changed = [e.context for e in state.update.entries if not e.obsolete and e.text and e.fuzzy]
        if lang.published and changed:
            named = ", ".join(changed[:NOTES_NAMED])
            more = f" and {len(changed) - NOTES_NAMED} more" if len(changed) > NOTES_NAMED else ""
            fuzzy_lines.append(f"- {lang.language}: {named}{more}")
    published = [lang.language for lang in summary.languages if lang.published]
    if published:
        out += [
            "",
            f"The exports in each published language ({', '.join(published)}) are in "
            f"`{LANGUAGE_DIR}/<language>/`, its knowledge library in `site/<language>/index.html`; "
            f"every language's status is in [{SUMMARY_FILE}]({SUMMARY_FILE}).",
        ]
    if fuzzy_lines:
        out += [
            "",
            "Given in English because the English changed since they were translated "
            "(fuzzy, until a translator reviews them):",
            "",
            *fuzzy_lines,
        ]
    return out


def _since(published: bool, digest: str, old: PublishedLanguage | None) -> str:
    if old is None or not old.published:
        return "newly published" if published else "-"
    if not published:
        return "no longer published"
    return "unchanged" if old.digest == digest else "translations changed"
