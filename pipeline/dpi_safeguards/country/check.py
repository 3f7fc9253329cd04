"""Checking a country framework: safe reading, its schema, its pin, the country rules, and
then the universal framework's rules on its effective framework, all as one report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from dpi_safeguards.changes.id_map import build_id_map
from dpi_safeguards.check.rules import COUNTRY_RULES, FRAMEWORK_RULES
from dpi_safeguards.check.rules.indexing import FrameworkContext
from dpi_safeguards.check.rules.schema import document_finding, schema_findings
from dpi_safeguards.check.validate import Locator, load_error_finding
from dpi_safeguards.core.errors import SafeguardsError, UsageError
from dpi_safeguards.core.findings import Report, render_text
from dpi_safeguards.core.workspace import ROOT_MARKER
from dpi_safeguards.country.effective import Effective, effective_framework
from dpi_safeguards.country.pin import PinError, PinnedRelease, load_pinned

# Importing the rules module registers the country rules in COUNTRY_RULES.
from dpi_safeguards.country.rules import CountryContext
from dpi_safeguards.load.folder import LoadedFramework
from dpi_safeguards.models.country import CountryFile
from dpi_safeguards.store.reader import Document, LoadError, load_document

COUNTRY_FILE = "country.yaml"


@dataclass
class CountryCheck:
    report: Report
    document: Document | None = None
    country: CountryFile | None = None
    pinned: PinnedRelease | None = None
    effective: Effective | None = None


def country_file(path: Path) -> Path:
    """A country framework is a folder holding country.yaml, or that file itself."""
    return path / COUNTRY_FILE if path.is_dir() else path


def check_country(path: Path, releases_dir: Path, *, strict: bool = False) -> CountryCheck:
    file = country_file(path)
    shown = str(file)
    result = CountryCheck(Report(files_checked=1, strict=strict))
    try:
        document = load_document(file, display=shown)
    except LoadError as error:
        result.report.extend([load_error_finding(error)])
        return result
    return check_document(document, releases_dir, strict=strict)


def check_document(document: Document, releases_dir: Path, *, strict: bool = False) -> CountryCheck:
    """:func:`check_country` of a country file already read (or about to be written)."""
    shown = document.path
    result = CountryCheck(Report(files_checked=1, strict=strict), document=document)
    try:
        country = CountryFile.model_validate(document.data)
    except ValidationError as error:
        result.report.extend(schema_findings(document, error))
        return result
    result.country = country
    try:
        pinned = load_pinned(releases_dir, country.upstream)
    except PinError as error:
        result.report.extend(
            [document_finding(document, "CTY001", str(error), ("upstream", error.field))]
        )
        return result
    result.pinned = pinned
    effective = effective_framework(country, pinned.framework, [pinned.source])
    result.effective = effective
    ctx = CountryContext(
        file=shown,
        country=country,
        upstream=pinned.framework,
        upstream_version=pinned.version,
        effective=effective,
        id_map=build_id_map(pinned.framework, pinned.version).lookup(),
    )
    loaded = _loaded(document, country, effective, pinned)
    locator = Locator(loaded)
    for rule in COUNTRY_RULES:
        result.report.extend(locator.finding(rule, issue) for issue in rule.check(ctx))
    framework_ctx = FrameworkContext(loaded, namespace=country.namespace)
    for rule in FRAMEWORK_RULES:
        result.report.extend(locator.finding(rule, issue) for issue in rule.check(framework_ctx))
    return result


def _loaded(
    document: Document, country: CountryFile, effective: Effective, pinned: PinnedRelease
) -> LoadedFramework:
    """The effective framework as the universal rules read a loaded one: the country's
    own entries located in its file, the release's in its framework.json."""
    loaded = LoadedFramework(effective.framework, Path(document.path).parent)
    loaded.documents[document.path] = document
    upstream_file = str(pinned.path)
    for kind in ("processes", "practices"):
        for entry_id in getattr(effective.framework, kind):
            loaded.locations[entry_id] = (upstream_file, ())
    for table, entries in (("processes", country.processes), ("practices", country.practices)):
        for index, entry in enumerate(entries):
            place = (document.path, (table, index))
            if entry.id in loaded.locations and loaded.locations[entry.id][0] == document.path:
                loaded.duplicates.setdefault(entry.id, []).append(place)
            else:
                loaded.locations[entry.id] = place
    return loaded


def checked_country(path: Path, releases_dir: Path) -> CountryCheck:
    """:func:`check_country`, refusing (with every error listed) a framework with errors."""
    result = check_country(path, releases_dir)
    errors = result.report.errors
    if errors or result.effective is None:
        raise CountryInvalid(render_text(Report(findings=errors, files_checked=1)).rstrip())
    return result


class CountryInvalid(SafeguardsError):
    """A country framework with errors: nothing is written from it."""

    def __init__(self, listing: str) -> None:
        super().__init__(
            f"the country framework has errors; nothing was written:\n{listing}\n"
            "run 'safeguards country validate' for the full report"
        )


def upstream_releases(path: Path, upstream: Path | None) -> Path:
    """The folder holding the universal releases (``vX.Y.Z/framework.json``): the one
    given, else the ``releases/`` of the universal repository the country folder is in."""
    if upstream is not None:
        if not upstream.is_dir():
            raise UsageError(f"--upstream {upstream} is not a folder of universal releases")
        return upstream
    start = country_file(path).resolve().parent
    for folder in (start, *start.parents):
        if (folder / ROOT_MARKER).is_file() and (folder / "releases").is_dir():
            return folder / "releases"
    raise UsageError(
        f"{path} is not inside a universal framework repository: pass --upstream DIR, the "
        "folder holding the universal releases (vX.Y.Z/framework.json)"
    )
