"""The framework folder on disk <-> the keyed :class:`Framework`.

```
framework/
  framework.yaml          title, licence, format version
  risks.yaml              RS*, RI*, SV*
  stages.yaml             L*
  authorities.yaml        R*
  principles/F1.yaml ...  one file per principle, its processes and their practices nested
  kpis.yaml               annex 4 indicators
  references.yaml         references and case studies
```
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from dpi_safeguards.core.ids import Kind, natural_key, sorted_ids
from dpi_safeguards.load import cache
from dpi_safeguards.load.cache import LazyDict, LazyEntries, PackedTable
from dpi_safeguards.models.framework import (
    TABLE_NAMES,
    AuthoritiesFile,
    Framework,
    KpisFile,
    MetadataFile,
    Principle,
    PrincipleFile,
    Process,
    ReferencesFile,
    RisksFile,
    StagesFile,
)
from dpi_safeguards.store.reader import (
    Document,
    JsonPath,
    LazyDocument,
    LoadError,
    gc_paused,
    gc_settle,
    parse_bytes,
    parse_text,
    read_bytes,
)
from dpi_safeguards.store.writer import atomic_write, dump_yaml, reorder_keys, to_data

if TYPE_CHECKING:
    from dpi_safeguards.load.cache import PackedTable, Slot

FRAMEWORK_MAX_BYTES = 64_000_000

METADATA_FILE = "framework.yaml"
LIST_FILES: dict[str, tuple[type[BaseModel], str, Kind]] = {
    "risks.yaml": (RisksFile, "risks", Kind.RISK),
    "stages.yaml": (StagesFile, "stages", Kind.STAGE),
    "authorities.yaml": (AuthoritiesFile, "authorities", Kind.AUTHORITY),
    "kpis.yaml": (KpisFile, "kpis", Kind.KPI),
    "references.yaml": (ReferencesFile, "references", Kind.REFERENCE),
}
PRINCIPLES_DIR = "principles"


@dataclass
class SchemaProblem:
    """A document that does not fit its model: pydantic's errors, not yet located."""

    document: Document
    error: ValidationError


@dataclass
class LoadedFramework:
    framework: Framework
    root: Path
    documents: dict[str, Document] = field(default_factory=dict)
    # id -> (file shown to users, path of the entry inside that file)
    locations: dict[str, tuple[str, JsonPath]] = field(default_factory=dict)
    # process/practice id -> the id of the principle/process it is nested under in its file
    filed_under: dict[str, str] = field(default_factory=dict)
    # ids defined more than once: id -> every (file, path) after the first
    duplicates: dict[str, list[tuple[str, JsonPath]]] = field(default_factory=dict)
    load_errors: list[LoadError] = field(default_factory=list)
    schema_problems: list[SchemaProblem] = field(default_factory=list)
    # The cache slot of this exact content (None: not cached), for indexes derived from it.
    cache_slot: Any = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.load_errors and not self.schema_problems

    def derived(self, name: str, build: Callable[[], Any]) -> Any:
        """An index built from this framework by ``build``, kept beside the framework in
        the cache (same key: same bytes, same code) when the framework is cached."""
        if self.cache_slot is None:
            return build()

        return cache.derived(self.cache_slot, name, build)


def _placeholder_metadata() -> MetadataFile:
    """Until framework.yaml is read. Constructed, not validated: validating would build
    the model's validator (40 ms), which a cache hit never needs."""
    return MetadataFile.model_construct(
        title="(unreadable)", licence="CC-BY-SA-4.0", format_version=1, description="-"
    )


def _display(root: Path, path: Path, base: Path | None) -> str:
    try:
        return str(path.relative_to(base)) if base else str(path)
    except ValueError:
        return str(path)


def framework_files(root: Path) -> list[Path]:
    files = [root / METADATA_FILE, *(root / name for name in LIST_FILES)]
    principle_dir = root / PRINCIPLES_DIR
    if principle_dir.is_dir():
        files += sorted(
            (p for p in principle_dir.iterdir() if p.suffix == ".yaml"),
            key=lambda p: natural_key(p.stem),
        )
    return files


def load_framework(
    root: Path, *, display_base: Path | None = None, missing_ok: bool = False
) -> LoadedFramework:
    """Read every framework file; problems are collected, never raised.

    ``missing_ok``: a file that does not exist holds no entries (an old commit's framework
    may predate some files); otherwise it is a finding.

    A clean load of a large framework is kept in :mod:`dpi_safeguards.load.cache`, keyed by
    the exact bytes of its files, and reused while none of them changed.
    """
    base = display_base if display_base is not None else root.parent
    metadata = _placeholder_metadata()
    loaded = LoadedFramework(Framework(metadata=metadata), root)
    with gc_paused():
        named = [
            (_display(root, path, base), path)
            for path in framework_files(root)
            if not (missing_ok and not path.exists())
        ]

        # Stats first (before any file is read), so a record of them can only be older
        # than the bytes the key is made of.
        taken = cache.now_ns()
        stats = cache.stat_files(named) if cache.enabled() else None
        if stats is not None:
            slot = cache.slot_by_stat(root, stats)
            hit = cache.read(slot) if slot is not None else None
            if slot is not None and isinstance(hit, _Cached):
                restored = hit.restore(root, [(path, shown, None) for shown, path in named], slot)
                if restored is not None:
                    gc_settle()
                    return restored
        files: list[tuple[Path, str, bytes | LoadError]] = []
        for shown, path in named:
            try:
                files.append((path, shown, read_bytes(path, FRAMEWORK_MAX_BYTES)))
            except LoadError as exc:
                files.append((path, shown, exc))
        readable = [(p, shown, d) for p, shown, d in files if isinstance(d, bytes)]
        slot = None
        if len(readable) == len(files):
            slot = cache.slot_for(root, [(shown, data) for _, shown, data in readable])
            if slot is not None:
                hit = cache.read(slot)
                restored = hit.restore(root, readable, slot) if isinstance(hit, _Cached) else None
                if restored is not None:
                    if stats is not None:
                        cache.remember_stats(slot, stats, taken)
                    gc_settle()
                    return restored
        for path, shown, data in files:
            try:
                if isinstance(data, LoadError):
                    raise data
                document = parse_bytes(data, path, shown)
            except LoadError as exc:
                loaded.load_errors.append(exc)
                continue
            loaded.documents[shown] = document
            _absorb(loaded, path, document)
        if slot is not None and loaded.ok:
            _Cached.store(loaded, slot)
            if stats is not None:
                cache.remember_stats(slot, stats, taken)
            loaded.cache_slot = slot
        gc_settle()
    return loaded


@dataclass
class _Cached:
    """What the cache keeps of a clean load: everything but the documents' text and data
    (the files are at hand anyway, and parsed again only when asked for).

    - Entries are pickled one by one, and their pickles kept in a file of their own
      (:data:`ENTRIES`) that is mapped into memory, not read: a run reads only the
      pages of the entries it restores.
    - The tables in one pickle each (faster when every entry is read) are in another
      file (:data:`BULK`), read only then.
    - Where each entry is (``locations``, ``filed_under``, ``duplicates``: 100,000
      tuples) stays one pickled bytes object until something asks.
    """

    metadata: MetadataFile
    tables: dict[Kind, PackedTable]  # without their entries' bytes (see ENTRIES)
    entries_ends: list[int]  # where each table's entries end in the ENTRIES file
    places: bytes  # pickle of (locations, filed_under, duplicates)
    documents: list[tuple[str, bool]]  # shown name, is YAML

    @classmethod
    def store(cls, loaded: LoadedFramework, slot: Slot) -> None:
        """Write a clean load to its slot: the entries' file first, the slot last (a
        reader finding the slot finds its entries)."""

        fw = loaded.framework
        dump = pickle.dumps
        tables = {
            kind: PackedTable(
                {
                    key: dump(entry, protocol=pickle.HIGHEST_PROTOCOL)
                    for key, entry in fw.table(kind).items()
                }
            )
            for kind in Kind
        }
        blobs = [table.take_blob() for table in tables.values()]
        ends, end = [], 0
        for blob in blobs:
            end += len(blob)
            ends.append(end)
        places = (loaded.locations, loaded.filed_under, loaded.duplicates)
        cached = cls(
            fw.metadata,
            tables,
            ends,
            dump(places, protocol=pickle.HIGHEST_PROTOCOL),
            [(shown, doc.is_yaml) for shown, doc in loaded.documents.items()],
        )
        cache.write_mapped(cache.beside(slot, ENTRIES, ".bin"), [bytes(b) for b in blobs])
        cache.write(slot, cached)
        cache.write(cache.beside(slot, BULK), cls.bulk_of(loaded))

    @staticmethod
    def bulk_of(loaded: LoadedFramework) -> dict[Kind, bytes]:

        fw = loaded.framework
        return {
            kind: pickle.dumps(fw.table(kind), protocol=pickle.HIGHEST_PROTOCOL) for kind in Kind
        }

    def restore(
        self, root: Path, files: Sequence[tuple[Path, str, bytes | None]], slot: Slot
    ) -> LoadedFramework | None:
        """The load this was made from (None: its entries' file is missing or stale).
        ``files``: each file's bytes, or None when not read (they are then read if a
        document's text is asked for)."""

        mapped = cache.read_mapped(cache.beside(slot, ENTRIES, ".bin"))
        if mapped is None or len(mapped) != (self.entries_ends[-1] if self.entries_ends else 0):
            return None
        framework = Framework(metadata=self.metadata)
        bulk = _BulkFile(slot)
        start = 0
        for (kind, raw), end in zip(self.tables.items(), self.entries_ends, strict=True):
            raw.attach(mapped[start:end])
            start = end
            setattr(framework, TABLE_NAMES[kind], LazyEntries(raw, bulk.reader(kind)))
        found = {shown: (path, data) for path, shown, data in files}
        documents: dict[str, Document] = {
            shown: LazyDocument(shown, _bytes_of(*found[shown]), is_yaml)
            for shown, is_yaml in self.documents
        }
        places: list[Any] = []

        def place(index: int) -> Callable[[], Any]:
            def load() -> Any:
                if not places:
                    places.extend(pickle.loads(self.places))
                return places[index]

            return load

        restored = LoadedFramework(
            framework, root, documents, LazyDict(place(0)), LazyDict(place(1)), LazyDict(place(2))
        )
        restored.cache_slot = slot
        return restored


def _bytes_of(path: Path, data: bytes | None) -> bytes | Callable[[], bytes]:
    if data is not None:
        return data

    def read() -> bytes:
        try:
            return read_bytes(path, FRAMEWORK_MAX_BYTES)
        except LoadError:
            return b""  # gone since: nothing to locate a finding in

    return read


ENTRIES = "entries"
BULK = "bulk"


class _BulkFile:
    """The tables of a cached framework in one pickle each, read from their file the
    first time a table is restored whole (one read for all tables). Missing or stale:
    the tables are restored entry by entry instead."""

    def __init__(self, slot: Slot) -> None:
        self._slot = slot
        self._tables: dict[Kind, bytes] | None = None

    def reader(self, kind: Kind) -> Callable[[], bytes | None]:
        def read() -> bytes | None:
            if self._tables is None:
                found = cache.read(cache.beside(self._slot, BULK))
                self._tables = found if isinstance(found, dict) else {}
            return self._tables.pop(kind, None)

        return read


def _validate(loaded: LoadedFramework, model: type[BaseModel], document: Document) -> Any:
    try:
        return model.model_validate(document.data)
    except ValidationError as exc:
        loaded.schema_problems.append(SchemaProblem(document, exc))
        return None


def _absorb(loaded: LoadedFramework, path: Path, document: Document) -> None:
    fw = loaded.framework
    if path.name == METADATA_FILE and path.parent == loaded.root:
        meta = _validate(loaded, MetadataFile, document)
        if meta is not None:
            fw.metadata = meta
        return
    if path.parent.name == PRINCIPLES_DIR:
        principle_file = _validate(loaded, PrincipleFile, document)
        if principle_file is None:
            return
        _absorb_principle(loaded, principle_file, document.path)
        return
    model, key, kind = LIST_FILES[path.name]
    parsed = _validate(loaded, model, document)
    if parsed is None:
        return
    for index, entry in enumerate(getattr(parsed, key)):
        _register(loaded, kind, entry, document.path, (key, index))


def _register(loaded: LoadedFramework, kind: Kind, entry: Any, shown: str, path: JsonPath) -> None:
    table = loaded.framework.table(kind)
    if entry.id in table or entry.id in loaded.locations:
        loaded.duplicates.setdefault(entry.id, []).append((shown, path))
        return
    table[entry.id] = entry
    loaded.locations[entry.id] = (shown, path)


def _absorb_principle(loaded: LoadedFramework, parsed: PrincipleFile, shown: str) -> None:
    principle_fields = {k: getattr(parsed, k) for k in Principle.model_fields}
    principle = Principle.model_construct(**principle_fields)
    _register(loaded, Kind.PRINCIPLE, principle, shown, ())
    for p_index, node in enumerate(parsed.processes):
        loaded.filed_under.setdefault(node.id, parsed.id)
        process_fields = {k: getattr(node, k) for k in Process.model_fields}
        _register(
            loaded,
            Kind.PROCESS,
            Process.model_construct(**process_fields),
            shown,
            ("processes", p_index),
        )
        for q_index, practice in enumerate(node.practices):
            loaded.filed_under.setdefault(practice.id, node.id)
            _register(
                loaded, Kind.PRACTICE, practice, shown, ("processes", p_index, "practices", q_index)
            )


# ---- writing ------------------------------------------------------------------------------


def file_of(kind: Kind, entry_id: str) -> str:
    """The framework file (relative name) an entry of ``kind`` is written to."""
    if kind in (Kind.PRINCIPLE, Kind.PROCESS, Kind.PRACTICE):
        return f"{PRINCIPLES_DIR}/{entry_id.split('.', 1)[0]}.yaml"
    return next(name for name, (_m, _k, k) in LIST_FILES.items() if k is kind)


def render_framework(fw: Framework, *, only: Collection[str] | None = None) -> dict[str, str]:
    """Relative file name -> canonical text, for every framework file (or for the files
    named in ``only``)."""
    # Imported here: reading (validate) never needs the writer, nor PyYAML's dumper.

    out: dict[str, str] = {}
    if only is None or METADATA_FILE in only:
        out[METADATA_FILE] = dump_yaml(to_data(fw.metadata))
    for name, (_model, key, kind) in LIST_FILES.items():
        if only is not None and name not in only:
            continue
        table = fw.table(kind)
        entries = [to_data(table[i]) for i in sorted_ids(table)]
        out[name] = dump_yaml({key: entries})
    children = fw.children_index()
    for principle_id in sorted_ids(fw.principles):
        if only is not None and f"{PRINCIPLES_DIR}/{principle_id}.yaml" not in only:
            continue
        data = to_data(fw.principles[principle_id])
        processes = []
        for process_id in children.get(principle_id, []):
            process = fw.processes[process_id]
            node = to_data(process)
            practices = [to_data(fw.practices[q]) for q in children.get(process_id, [])]
            if practices:
                node["practices"] = practices
            processes.append(node)
        if processes:
            data["processes"] = processes
        out[f"{PRINCIPLES_DIR}/{principle_id}.yaml"] = dump_yaml(reorder_keys(data))
    return out


def write_framework(
    fw: Framework, root: Path, *, before_replace: Callable[[], None] | None = None
) -> list[Path]:
    """Write every framework file that changed; returns the paths replaced.

    Every new file is first written beside its target; ``os.replace`` then swaps each in.
    """

    rendered = render_framework(fw)
    changed: list[Path] = []
    for name, text in rendered.items():
        target = root / name
        try:
            current = target.read_text(encoding="utf-8") if target.exists() else None
        except (OSError, UnicodeDecodeError):
            current = None
        if current != text:
            changed.append(target)
    if before_replace is not None:
        before_replace()
    for target in changed:
        atomic_write(target, rendered[str(target.relative_to(root))])
    return changed


def load_rendered(
    rendered: dict[str, str], root: Path, *, display_base: Path | None = None
) -> LoadedFramework:
    """Read framework files from their texts (as :func:`render_framework` gives them), as
    :func:`load_framework` would read them from disk: used to check a framework before it
    is written."""

    base = display_base if display_base is not None else root.parent
    metadata = _placeholder_metadata()
    loaded = LoadedFramework(Framework(metadata=metadata), root)
    with gc_paused():
        for name, text in rendered.items():
            path = root / name
            shown = _display(root, path, base)
            try:
                document = parse_text(text, shown, is_json=False)
            except LoadError as exc:
                loaded.load_errors.append(exc)
                continue
            loaded.documents[shown] = document
            _absorb(loaded, path, document)
    return loaded
