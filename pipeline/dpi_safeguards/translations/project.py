"""A repository's translations read as one: the settings, every catalogue checked and
brought up to the framework's texts in memory, and each language's status.

``translations update`` writes what is computed here; ``status`` and a release read it
without writing, so a catalogue not yet updated after an English change is counted (and
published) as it would be once updated: the changed text is fuzzy, never used.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from dpi_safeguards.check.rules import TRANSLATION_RULES
from dpi_safeguards.check.rules.schema import schema_findings
from dpi_safeguards.check.validate import Locator, load_error_finding
from dpi_safeguards.core.findings import Report
from dpi_safeguards.load.folder import LoadedFramework
from dpi_safeguards.models.framework import Framework
from dpi_safeguards.models.translations import (
    LanguageStatus,
    PublishedLanguage,
    TranslationsConfig,
    TranslationsStatus,
    TranslationsSummary,
)
from dpi_safeguards.store.errors import LoadError
from dpi_safeguards.store.reader import load_document
from dpi_safeguards.translations import rules as _rules  # importing it registers the rules
from dpi_safeguards.translations.catalogue import (
    TEMPLATE_FILE,
    Catalogue,
    CatalogueEntry,
    catalogue_paths,
    read_catalogue,
    render_template,
)
from dpi_safeguards.translations.fields import SourceText, source_texts
from dpi_safeguards.translations.locales import LanguageInfo, UnknownLanguage, language_info
from dpi_safeguards.translations.update import UpdateResult, update_entries

CONFIG_FILE = "translations.yaml"


@dataclass
class LanguageState:
    """One catalogue, read, and updated in memory to the framework's texts."""

    catalogue: Catalogue
    info: LanguageInfo | None  # None: the file name is no language we can publish
    update: UpdateResult
    language_problem: str | None = None

    @property
    def code(self) -> str:
        return self.catalogue.language

    def used(self) -> dict[str, CatalogueEntry]:
        """The translations a release uses, by context: translated and not fuzzy."""
        return {e.context: e for e in self.update.entries if not e.obsolete and e.translated}

    def counts(self) -> tuple[int, int, int, int]:
        """(total, translated, fuzzy, missing)."""
        translated = fuzzy = missing = 0
        for entry in self.update.entries:
            if entry.obsolete:
                continue
            if entry.translated:
                translated += 1
            elif entry.text:
                fuzzy += 1
            else:
                missing += 1
        return translated + fuzzy + missing, translated, fuzzy, missing

    def digest(self) -> str:
        """SHA-256 of what a release publishes of this language (context and text)."""
        digest = hashlib.sha256()
        for entry in self.update.entries:
            if not entry.obsolete and entry.translated:
                digest.update(f"{entry.context}\0{entry.text}\0".encode())
        return digest.hexdigest()


@dataclass
class Translations:
    folder: Path
    config: TranslationsConfig
    texts: list[SourceText]
    languages: list[LanguageState] = field(default_factory=list)
    report: Report = field(default_factory=Report)

    def status_of(self, state: LanguageState, shown: str) -> LanguageStatus:
        total, translated, fuzzy, missing = state.counts()
        percent = translated * 100 // total if total else 100
        threshold = self.config.publish_from_percent
        reason: str | None = None
        if state.info is None:
            reason = state.language_problem or "not a known language"
        elif state.catalogue.is_sample:
            reason = "a sample catalogue, which no translator reviewed"
        elif self.has_errors(state):
            reason = "the catalogue has errors ('safeguards translations check')"
        elif percent < threshold:
            reason = f"{percent}% translated; a release publishes from {threshold}%"
        info = state.info
        return LanguageStatus(
            language=state.code,
            name=info.name if info else state.code,
            direction=info.direction if info else "ltr",
            file=shown,
            total=total,
            translated=translated,
            fuzzy=fuzzy,
            missing=missing,
            percent=percent,
            published=reason is None,
            reason=reason,
            sample=state.catalogue.is_sample,
        )

    def has_errors(self, state: LanguageState) -> bool:
        return any(
            f.file == state.catalogue.shown and self.report.counts_as_error(f)
            for f in self.report.findings
        )

    def status(self, display: Callable[[Path], str]) -> TranslationsStatus:
        return TranslationsStatus(
            publish_from_percent=self.config.publish_from_percent,
            languages=[self.status_of(s, display(s.catalogue.path)) for s in self.languages],
        )

    def published(self) -> list[LanguageState]:
        return [s for s in self.languages if self.status_of(s, s.catalogue.shown).published]

    def summary(self) -> TranslationsSummary:
        """``translations.json`` of a release: the paths are the bundle's own."""
        languages = []
        for state in self.languages:
            status = self.status_of(state, f"translations/{state.code}.po")
            languages.append(PublishedLanguage(**status.model_dump(), digest=state.digest()))
        return TranslationsSummary(
            publish_from_percent=self.config.publish_from_percent, languages=languages
        )

    def template_text(self) -> str:
        return render_template(self.texts)

    @property
    def template_path(self) -> Path:
        return self.folder / TEMPLATE_FILE


def load_translations(
    folder: Path,
    framework: Framework,
    display: Callable[[Path], str],
    *,
    strict: bool = False,
) -> Translations:
    """Every catalogue in ``folder`` read, checked and updated in memory. Findings go into
    ``report``; a catalogue that cannot be read is left out (and named there)."""
    report = Report(strict=strict)
    config = _read_config(folder / CONFIG_FILE, display, report)
    texts = source_texts(framework)
    result = Translations(folder, config, texts, report=report)
    by_context = {t.context: t for t in texts}
    locator = Locator(LoadedFramework(framework, folder))  # it places LineAt as given
    for path in catalogue_paths(folder):
        report.files_checked += 1
        # The folder shown, then the name as it is: a link is named, not followed.
        shown = f"{display(folder)}/{path.name}"
        try:
            catalogue = read_catalogue(path, shown)
        except LoadError as error:
            report.extend([load_error_finding(error)])
            continue
        info: LanguageInfo | None
        try:
            info, problem = language_info(catalogue.language), None
        except UnknownLanguage as exc:
            info, problem = None, str(exc)
        state = LanguageState(catalogue, info, update_entries(catalogue, texts), problem)
        ctx = _rules.CatalogueContext(catalogue, by_context, problem)
        for rule in TRANSLATION_RULES:
            report.extend(locator.finding(rule, issue) for issue in rule.check(ctx))
        result.languages.append(state)
    return result


def _read_config(path: Path, display: Callable[[Path], str], report: Report) -> TranslationsConfig:
    if not path.exists() and not path.is_symlink():
        return TranslationsConfig()
    report.files_checked += 1
    try:
        document = load_document(path, display=display(path))
    except LoadError as error:
        report.extend([load_error_finding(error)])
        return TranslationsConfig()
    try:
        return TranslationsConfig.model_validate(document.data)
    except ValidationError as error:
        report.extend(schema_findings(document, error))
        return TranslationsConfig()
