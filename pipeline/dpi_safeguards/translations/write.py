"""``safeguards translations update``: write the template and every catalogue as
:mod:`dpi_safeguards.translations.project` computed them, all files or none (one
journaled transaction), or with ``check`` only say which would change."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dpi_safeguards.core.errors import SafeguardsError, UsageError
from dpi_safeguards.store.transaction import Transaction
from dpi_safeguards.translations.catalogue import (
    CATALOGUE_SUFFIX,
    Catalogue,
    default_metadata,
    render_catalogue,
)
from dpi_safeguards.translations.locales import UnknownLanguage, language_info
from dpi_safeguards.translations.project import LanguageState, Translations
from dpi_safeguards.translations.update import update_entries


@dataclass
class LanguageUpdate:
    language: str
    path: Path
    changed: bool
    became_fuzzy: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    obsoleted: list[str] = field(default_factory=list)
    created: bool = False


@dataclass
class UpdateReport:
    template: Path
    template_changed: bool
    languages: list[LanguageUpdate] = field(default_factory=list)
    written: bool = False

    @property
    def changed(self) -> list[Path]:
        paths = [self.template] if self.template_changed else []
        return paths + [u.path for u in self.languages if u.changed]


def new_catalogue_header(language: str, name: str) -> str:
    return (
        f"The Universal DPI Safeguards Framework in {name} ({language}).\n"
        "Translate each msgstr; keep msgctxt as it is. A text whose English changed is "
        "marked fuzzy:\ncheck it against the English, then remove the flag."
    )


def _new_state(translations: Translations, language: str) -> LanguageState:
    try:
        info = language_info(language)
    except UnknownLanguage as exc:
        raise UsageError(f"--add {language}: {exc}") from None
    path = translations.folder / f"{language}{CATALOGUE_SUFFIX}"
    if path.exists() or path.is_symlink():
        raise UsageError(f"--add {language}: {path} exists already")
    catalogue = Catalogue(
        language=language,
        path=path,
        shown=str(path),
        header=new_catalogue_header(language, info.name),
        metadata=default_metadata(language),
    )
    return LanguageState(catalogue, info, update_entries(catalogue, translations.texts))


def update_catalogues(
    translations: Translations, *, add: tuple[str, ...] = (), check: bool = False
) -> UpdateReport:
    """Bring the template and the catalogues up to the framework's texts. A catalogue that
    could not be read, or has errors, stops it before anything is written."""
    if translations.report.errors and not check:
        first = translations.report.errors[0]
        raise SafeguardsError(
            f"{len(translations.report.errors)} error(s) in the translations, first "
            f"{first.file}:{first.line or 0}: {first.code} {first.message}; fix them first "
            "('safeguards translations check' lists them all)"
        )
    states = list(translations.languages)
    known = {s.code for s in states}
    for language in add:
        if language in known:
            raise UsageError(f"--add {language}: the catalogue exists already")
        states.append(_new_state(translations, language))
        known.add(language)
    template = translations.template_path
    template_text = translations.template_text()
    report = UpdateReport(template, _differs(template, template_text))
    transaction = Transaction(translations.folder.parent)
    if report.template_changed:
        transaction.write(template, template_text)
    for state in states:
        text = render_catalogue(state.catalogue, state.update.entries)
        created = not state.catalogue.path.exists()
        item = LanguageUpdate(
            state.code,
            state.catalogue.path,
            created or _differs(state.catalogue.path, text),
            became_fuzzy=state.update.became_fuzzy,
            added=state.update.added,
            obsoleted=state.update.obsoleted,
            created=created,
        )
        report.languages.append(item)
        if item.changed:
            transaction.write(state.catalogue.path, text)
    if not check and report.changed:
        translations.folder.mkdir(parents=True, exist_ok=True)
        transaction.commit()
        report.written = True
    return report


def _differs(path: Path, text: str) -> bool:
    try:
        return path.read_text(encoding="utf-8") != text
    except (OSError, UnicodeDecodeError):
        return True
