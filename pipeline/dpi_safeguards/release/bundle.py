"""The release bundle: a pure function of the framework, the previous release's
framework, the version and the date. It is built either in memory (``verify`` rebuilds a
release and compares bytes) or straight into a folder, each file written and hashed as it
is rendered, so that a bundle of a few hundred megabytes (100,000 practices) is never held
whole; the bytes are the same either way.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dpi_safeguards.changes.diff import diff_frameworks
from dpi_safeguards.changes.id_map import build_id_map
from dpi_safeguards.check.schemas import packaged_dir
from dpi_safeguards.core.errors import SafeguardsError
from dpi_safeguards.core.ids import Kind
from dpi_safeguards.exports.csv_tables import TABLES, iter_csv
from dpi_safeguards.exports.datapackage import render_datapackage
from dpi_safeguards.exports.framework_json import framework_to_data, release_document_stream
from dpi_safeguards.exports.markdown import iter_framework_md
from dpi_safeguards.exports.site import SitePage, build_site
from dpi_safeguards.exports.translated import (
    BundleTranslations,
    catalogue_files,
    english_links,
    language_files,
    notes_lines,
)
from dpi_safeguards.load.released import FORMAT_VERSION
from dpi_safeguards.models.changes import ChangeList
from dpi_safeguards.models.framework import Framework
from dpi_safeguards.release.notes import render_release_notes
from dpi_safeguards.store.writer import JsonStream, dump_json, iter_dump_json
from dpi_safeguards.translations.project import LanguageState

SUMS_FILE = "SHA256SUMS"
ID_MAP_FILE = "id-map.json"
# The schemas a bundle's files (and the index that lists it) conform to.
BUNDLE_SCHEMAS = ("framework", "changes", "id-map", "release-index")
# With translations: the schema of translations.json.
TRANSLATION_SCHEMAS = ("translations",)
FILE_MODE = 0o644
DIR_MODE = 0o755
Progress = Callable[[str, int, int], None]
# A file's content as it is rendered: text pieces (UTF-8) or bytes, in order.
Pieces = Iterable[str | bytes]
# Text pieces are encoded, hashed and written in blocks of about this many characters.
BLOCK_CHARS = 1 << 20


@dataclass(frozen=True)
class BundleFile:
    """A file of the bundle as the index lists it."""

    sha256: str
    size: int


@dataclass
class Bundle:
    # Every file's bytes when the bundle was built in memory; empty when it was written
    # into ``folder`` (then read the files there).
    files: dict[str, bytes]
    changes: ChangeList
    log: list[str] = field(default_factory=list)
    # Every file (SHA256SUMS included), sorted by path: its sha256 and size.
    manifest: dict[str, BundleFile] = field(default_factory=dict)
    folder: Path | None = None

    @property
    def size(self) -> int:
        return sum(f.size for f in self.manifest.values())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def render_sums(files: dict[str, bytes]) -> bytes:
    """sha256sum's format: '<hex>  <path>' per line, sorted by path, LF endings."""
    return render_sums_of({p: sha256(data) for p, data in files.items()})


def render_sums_of(digests: Mapping[str, str]) -> bytes:
    """:func:`render_sums` from each file's sha256 (hex) instead of its bytes."""
    lines = [f"{digests[p]}  {p}\n" for p in sorted(digests) if p != SUMS_FILE]
    return "".join(lines).encode("ascii")


def parse_sums(text: str) -> dict[str, str]:
    sums: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        digest, sep, path = line.partition("  ")
        if not sep or len(digest) != 64 or not path:
            raise SafeguardsError(f"{SUMS_FILE} line {number} is not '<sha256>  <path>'")
        sums[path] = digest
    return sums


def compute_changes(
    previous: Framework | None, framework: Framework, previous_version: str | None, version: str
) -> ChangeList:
    old = previous if previous is not None else Framework(metadata=framework.metadata)
    return diff_frameworks(old, framework, from_label=previous_version, to_label=version)


def framework_document(framework: Framework, version: str, date: str) -> dict[str, Any]:
    data = framework_to_data(framework)
    return {
        "format_version": data.pop("format_version"),
        "release": {"version": version, "date": date},
        **data,
    }


def framework_document_stream(framework: Framework, version: str, date: str) -> dict[str, Any]:
    """:func:`framework_document` for :func:`iter_dump_json`: the same bytes, written entry
    by entry."""
    return release_document_stream(framework, version, date)


def _schema_files(names: tuple[str, ...] = BUNDLE_SCHEMAS) -> dict[str, bytes]:

    folder = packaged_dir()
    out = {}
    for name in names:
        path = folder / f"{name}.schema.json"
        out[f"schemas/{name}.schema.json"] = path.read_bytes()
    return out


def _site_files(
    framework: Framework, version: str, log: list[str], page: SitePage | None = None
) -> dict[str, bytes]:
    with tempfile.TemporaryDirectory(prefix="safeguards-site-") as temp:
        out_dir = Path(temp)
        build_site(framework, out_dir, title=site_title(framework, version), page=page)
        files = {}
        for path in sorted(out_dir.rglob("*")):
            if path.is_file() and not path.is_symlink():
                files["site/" + path.relative_to(out_dir).as_posix()] = path.read_bytes()
    return files


class _Writer:
    """Takes the bundle's files one by one as they are rendered: keeps their bytes
    (``folder`` None) or writes them under ``folder`` (created; it must not exist) with
    fixed modes; either way records each file's sha256 and size."""

    def __init__(self, folder: Path | None, *, keep: bool = True) -> None:
        self.folder = folder
        self.keep = keep
        self.files: dict[str, bytes] = {}
        self.manifest: dict[str, BundleFile] = {}
        if folder is not None:
            folder.mkdir(mode=DIR_MODE)
            os.chmod(folder, DIR_MODE)

    def add(self, name: str, pieces: Pieces) -> None:
        if self.folder is None and not self.keep:
            digest, size = hashlib.sha256(), 0
            for block in _blocks(pieces):
                digest.update(block)
                size += len(block)
            self.manifest[name] = BundleFile(digest.hexdigest(), size)
            return
        if self.folder is None:
            data = b"".join(_blocks(pieces))
            self.files[name] = data
            self.manifest[name] = BundleFile(sha256(data), len(data))
            return
        path = self.folder / name
        for parent in reversed(path.relative_to(self.folder).parents[:-1]):
            folder = self.folder / parent
            if not folder.exists():
                folder.mkdir()
                os.chmod(folder, DIR_MODE)
        digest = hashlib.sha256()
        size = 0
        with open(path, "xb") as handle:
            for block in _blocks(pieces):
                digest.update(block)
                size += len(block)
                handle.write(block)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(path, FILE_MODE)
        self.manifest[name] = BundleFile(digest.hexdigest(), size)

    def add_all(self, files: Iterable[tuple[str, Pieces]]) -> None:
        # A loop in the caller would keep the last file's pieces alive after it.
        for name, pieces in files:
            self.add(name, pieces)


def _blocks(pieces: Pieces) -> Iterator[bytes]:
    """The pieces as bytes, text joined into blocks of about BLOCK_CHARS and encoded."""
    pending: list[str] = []
    count = 0
    for piece in pieces:
        if isinstance(piece, bytes):
            if pending:
                yield "".join(pending).encode()
                pending.clear()
                count = 0
            yield piece
            continue
        pending.append(piece)
        count += len(piece)
        if count >= BLOCK_CHARS:
            yield "".join(pending).encode()
            pending.clear()
            count = 0
    if pending:
        yield "".join(pending).encode()


def _handed_over(files: dict[str, bytes]) -> Iterator[tuple[str, Pieces]]:
    """Files rendered whole, in path order, each let go of once taken."""
    for name in sorted(files):
        yield name, [files.pop(name)]


def site_title(framework: Framework, version: str) -> str:
    return f"{framework.metadata.title} {version}"


# One step of a bundle's build: renders its files (name, pieces) when called.
Step = Callable[[], Iterable[tuple[str, Pieces]]]


def build_bundle(
    framework: Framework,
    previous: Framework | None,
    *,
    version: str,
    date: str,
    previous_version: str | None,
    changes: ChangeList | None = None,
    with_site: bool = True,
    progress: Progress | None = None,
    target: Path | None = None,
    keep_bytes: bool = True,
    extra_files: Mapping[str, bytes] | None = None,
    translations: BundleTranslations | None = None,
) -> Bundle:
    """Every file of ``releases/vX.Y.Z/`` (including SHA256SUMS): as bytes in
    ``Bundle.files``, or, with ``target`` (a folder that must not exist yet), written
    into it file by file as each is rendered. ``Bundle.manifest`` lists every file's
    sha256 and size either way; with neither ``target`` nor ``keep_bytes``, that is all
    there is (a dry run that keeps no bundle: nothing held, nothing written).
    ``extra_files`` (path -> bytes) are added as they are; ``translations`` adds
    translations.json and, per published language, its exports and site page
    (:mod:`dpi_safeguards.exports.translated`)."""
    if changes is None:
        changes = compute_changes(previous, framework, previous_version, version)
    writer = _Writer(target, keep=keep_bytes)
    bundle = Bundle({}, changes, folder=target)
    steps = _content_steps(framework, changes, version, date, previous_version, translations)
    published = translations.published() if translations is not None else []
    if with_site:
        page = SitePage(links=english_links(published)) if published else None
        steps.append(
            ("site", lambda: _handed_over(_site_files(framework, version, bundle.log, page)))
        )
    if translations is not None:
        steps += _translation_steps(framework, translations, version, date, with_site)
    if extra_files:
        # A country framework's own files (its progress), listed and hashed like the rest.
        steps.append(("extra files", lambda: _handed_over(dict(extra_files))))
    # The two files that describe the others come last: datapackage.json, SHA256SUMS.
    total = len(steps) + 2
    for done, (label, step) in enumerate(steps, 1):
        _report(progress, label, done, total)
        writer.add_all(step())
    _report(progress, "datapackage.json", total - 1, total)
    csv_files = {k: v for k, v in writer.manifest.items() if k.endswith(".csv")}
    languages = tuple(state.code for state in published)
    writer.add(
        "datapackage.json",
        [dump_json(render_datapackage(framework, version, date, csv_files, languages))],
    )
    _report(progress, SUMS_FILE, total, total)
    writer.add(SUMS_FILE, [render_sums_of({p: f.sha256 for p, f in writer.manifest.items()})])
    bundle.files = dict(sorted(writer.files.items()))
    bundle.manifest = dict(sorted(writer.manifest.items()))
    return bundle


def _translation_steps(
    framework: Framework,
    translations: BundleTranslations,
    version: str,
    date: str,
    with_site: bool,
) -> list[tuple[str, Step]]:
    """translations.json and the catalogues, then one step per published language."""
    steps: list[tuple[str, Step]] = [("translations", lambda: catalogue_files(translations))]
    title = site_title(framework, version)

    def language_step(state: LanguageState) -> Step:
        return lambda: language_files(
            framework,
            state,
            translations,
            version=version,
            date=date,
            title=title,
            with_site=with_site,
        )

    for state in translations.published():
        steps.append((f"{state.code} exports", language_step(state)))
    return steps


def _content_steps(
    framework: Framework,
    changes: ChangeList,
    version: str,
    date: str,
    previous_version: str | None,
    translations: BundleTranslations | None = None,
) -> list[tuple[str, Step]]:
    """The bundle's steps but the site, each with its progress label, in build order.
    Each renders its files only when called, so that one step's files are let go of
    before the next step's are rendered."""

    schemas = BUNDLE_SCHEMAS + (TRANSLATION_SCHEMAS if translations is not None else ())

    def framework_json() -> Iterable[tuple[str, Pieces]]:
        document = framework_document_stream(framework, version, date)
        return [("framework.json", iter_dump_json(document))]

    def csv_tables() -> Iterable[tuple[str, Pieces]]:
        return ((table.filename, iter_csv(table, framework)) for table in TABLES)

    def framework_md() -> Iterable[tuple[str, Pieces]]:
        return [("framework.md", iter_framework_md(framework, version, date))]

    def changes_json() -> Iterable[tuple[str, Pieces]]:
        return [("changes.json", iter_dump_json(_changes_stream(changes)))]

    def id_map() -> Iterable[tuple[str, Pieces]]:
        data = build_id_map(framework, version).model_dump(mode="json")
        return [(ID_MAP_FILE, [dump_json(data)])]

    def release_notes() -> Iterable[tuple[str, Pieces]]:
        notes = render_release_notes(
            framework,
            changes,
            version=version,
            date=date,
            previous=previous_version,
            translation_notes=(
                notes_lines(translations, previous_version) if translations is not None else []
            ),
        )
        return [("RELEASE_NOTES.md", [notes])]

    return [
        ("framework.json", framework_json),
        ("CSV tables", csv_tables),
        ("framework.md", framework_md),
        ("changes.json", changes_json),
        (ID_MAP_FILE, id_map),
        ("RELEASE_NOTES.md", release_notes),
        ("schemas", lambda: _handed_over(_schema_files(schemas))),
    ]


def _report(progress: Progress | None, label: str, done: int, total: int) -> None:
    if progress is not None:
        progress(label, done, total)


def _changes_stream(changes: ChangeList) -> dict[str, Any]:
    """``changes.model_dump(mode="json", by_alias=True)`` for :func:`iter_dump_json`:
    the changes (the last field) dumped one at a time."""
    data: dict[str, Any] = changes.model_dump(mode="json", by_alias=True, exclude={"changes"})
    data["changes"] = JsonStream(c.model_dump(mode="json", by_alias=True) for c in changes.changes)
    return data


def iter_bundle(folder: Path) -> Iterator[tuple[str, Path]]:
    """Every regular file under a release folder, by path (symlinks are refused)."""
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            raise SafeguardsError(f"{path} is a symlink; a release holds regular files only")
        if path.is_file():
            yield path.relative_to(folder).as_posix(), path


def same_bundle(folder: Path, bundle: Bundle) -> bool:
    """Whether ``folder`` holds exactly the bundle's files, byte for byte (compared block
    by block against ``bundle.folder``, or against ``bundle.files``)."""
    found = dict(iter_bundle(folder))
    if sorted(found) != list(bundle.manifest):
        return False
    for name, path in found.items():
        if bundle.folder is None:
            if path.read_bytes() != bundle.files[name]:
                return False
        elif not _same_bytes(path, bundle.folder / name):
            return False
    return True


def _same_bytes(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    with open(a, "rb") as first, open(b, "rb") as second:
        while True:
            block = first.read(1 << 20)
            if block != second.read(1 << 20):
                return False
            if not block:
                return True


def read_bundle(folder: Path) -> dict[str, bytes]:
    """Every regular file under a release folder (symlinks are refused)."""
    return {name: path.read_bytes() for name, path in iter_bundle(folder)}


def counts_of(framework: Framework) -> tuple[dict[str, int], dict[str, int]]:
    active = framework.counts()
    total = framework.counts(include_deprecated=True)
    return active, {k.value: total[k.value] - active[k.value] for k in Kind}


__all__ = ["FORMAT_VERSION", "Bundle", "build_bundle", "compute_changes"]
