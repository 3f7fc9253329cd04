"""Catalogues on disk: ``translations/framework.pot`` (the English texts) and one
``translations/<language>.po`` per language, read and written with polib.

polib, not a format of our own, so that translators work in the tools they know (Poedit,
Weblate, Pootle); polib rather than babel's writer because it writes exactly the header
we give it (babel stamps its version and the time into every file, and a release must be
the same bytes on every machine). Each entry carries its line in the file, so that a
finding names the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import polib

from dpi_safeguards.store.errors import LoadError
from dpi_safeguards.store.reader import decode, read_bytes
from dpi_safeguards.translations.fields import SourceText

TEMPLATE_FILE = "framework.pot"
CATALOGUE_SUFFIX = ".po"
# A catalogue of 100,000 practices is some 80 MB; the bound stops a runaway file.
CATALOGUE_MAX_BYTES = 256 * 1024 * 1024
# No wrapping: a text is one line of the file (with its own line breaks kept), which
# makes a changed text one changed line, and writing five times faster than wrapping.
WRAP_WIDTH = 0
PROJECT = "Universal DPI Safeguards Framework"
# A header field of ours: "sample" marks a catalogue written to test the tool, whose texts
# no translator has reviewed; a release never publishes it.
REVIEW_HEADER = "X-Safeguards-Review"
SAMPLE = "sample"
_SYNTAX_LINE = re.compile(r"line (\d+)")


@dataclass
class CatalogueEntry:
    context: str
    source: str  # msgid: the English text the translation was made from
    text: str  # msgstr; empty: not translated
    fuzzy: bool = False
    previous: str | None = None  # the source before it changed (#| msgid)
    comment: str = ""  # extracted comment (#.), written by update
    translator_comment: str = ""  # the translator's own (# ...), kept as it is
    line: int = 0  # the entry's first line in its file (0: built, not read)
    obsolete: bool = False

    @property
    def translated(self) -> bool:
        return bool(self.text) and not self.fuzzy


@dataclass
class Catalogue:
    language: str
    path: Path
    shown: str  # the path as findings name it
    header: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    # active entries by context (the first, when a context is used twice)
    entries: dict[str, CatalogueEntry] = field(default_factory=dict)
    obsolete: dict[str, CatalogueEntry] = field(default_factory=dict)
    duplicates: list[CatalogueEntry] = field(default_factory=list)
    without_context: list[CatalogueEntry] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # the file's text, line by line

    @property
    def is_sample(self) -> bool:
        return self.metadata.get(REVIEW_HEADER, "").strip().lower() == SAMPLE


def catalogue_paths(folder: Path) -> list[Path]:
    """Every ``<language>.po`` in ``folder``, by language."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix == CATALOGUE_SUFFIX)


def read_catalogue(path: Path, shown: str) -> Catalogue:
    """A catalogue read safely (size bound, no link, UTF-8 without BOM or control bytes);
    raises :class:`LoadError` with the line when it cannot be read."""
    try:
        data = read_bytes(path, CATALOGUE_MAX_BYTES)
    except LoadError as error:
        error.path = shown  # the path as the user gave it, not as the OS opened it
        raise
    text = decode(data, shown)
    catalogue = Catalogue(language=path.stem, path=path, shown=shown, lines=text.splitlines())
    if not text.strip():
        return catalogue
    try:
        parsed = polib.pofile(text if "\n" in text else text + "\n", wrapwidth=WRAP_WIDTH)
    except (OSError, ValueError) as exc:
        found = _SYNTAX_LINE.search(str(exc))
        raise LoadError(
            "TRN001",
            shown,
            f"is not a PO catalogue: {exc}",
            int(found.group(1)) if found else None,
            1 if found else None,
        ) from None
    catalogue.header = parsed.header
    catalogue.metadata = dict(parsed.metadata)
    for item in parsed:
        entry = CatalogueEntry(
            context=item.msgctxt or "",
            source=item.msgid,
            text=item.msgstr,
            fuzzy="fuzzy" in item.flags,
            previous=item.previous_msgid,
            comment=item.comment or "",
            translator_comment=item.tcomment or "",
            line=item.linenum or 0,
            obsolete=item.obsolete,
        )
        if not entry.context:
            catalogue.without_context.append(entry)
        elif entry.obsolete:
            catalogue.obsolete.setdefault(entry.context, entry)
        elif entry.context in catalogue.entries:
            catalogue.duplicates.append(entry)
        else:
            catalogue.entries[entry.context] = entry
    return catalogue


def msgstr_line(catalogue: Catalogue, entry: CatalogueEntry) -> int:
    """The line of an entry's ``msgstr`` (its first line when it has none)."""
    for number in range(max(entry.line, 1), len(catalogue.lines) + 1):
        if catalogue.lines[number - 1].lstrip("#~ ").startswith("msgstr"):
            return number
    return entry.line


def default_metadata(language: str | None) -> dict[str, str]:
    """The header of a new catalogue (``language``) or of the template (None). The
    translator fields hold gettext's own placeholders until a translator's tool fills
    them: no date of ours, so the same framework gives the same bytes."""
    return {
        "Project-Id-Version": PROJECT,
        "PO-Revision-Date": "YEAR-MO-DA HO:MI+ZONE",
        "Last-Translator": "FULL NAME <EMAIL@ADDRESS>",
        "Language-Team": "LANGUAGE <LL@li.org>",
        "Language": language or "",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }


def complete_metadata(metadata: dict[str, str], language: str) -> dict[str, str]:
    """A catalogue's header with every field gettext's tools expect (those it lacks take
    the defaults); the fields it has are kept as the translator's tool wrote them."""
    return {**default_metadata(language), **metadata}


def _po_entry(entry: CatalogueEntry) -> polib.POEntry:
    return polib.POEntry(
        msgctxt=entry.context,
        msgid=entry.source,
        msgstr=entry.text,
        flags=["fuzzy"] if entry.fuzzy else [],
        previous_msgid=entry.previous if entry.fuzzy else None,
        comment=entry.comment or None,
        tcomment=entry.translator_comment or None,
        obsolete=entry.obsolete,
    )


def render_po(header: str, metadata: dict[str, str], entries: list[CatalogueEntry]) -> str:
    """A catalogue's text: the same entries always give the same bytes."""
    po = polib.POFile(wrapwidth=WRAP_WIDTH)
    po.header = header
    po.metadata = metadata
    for entry in entries:
        po.append(_po_entry(entry))
    text = str(po)
    return text if text.endswith("\n") else text + "\n"


TEMPLATE_HEADER = (
    f"The English texts of the {PROJECT}, to translate.\n"
    "Written by 'safeguards translations update' from framework/: do not edit."
)


def template_entries(texts: list[SourceText]) -> list[CatalogueEntry]:
    return [CatalogueEntry(t.context, t.text, "", comment=t.what) for t in texts]


def render_template(texts: list[SourceText]) -> str:
    return render_po(TEMPLATE_HEADER, default_metadata(None), template_entries(texts))


def render_catalogue(catalogue: Catalogue, entries: list[CatalogueEntry]) -> str:
    metadata = complete_metadata(catalogue.metadata, catalogue.language)
    return render_po(catalogue.header, metadata, entries)
