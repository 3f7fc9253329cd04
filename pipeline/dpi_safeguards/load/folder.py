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

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from dpi_safeguards.core.ids import Kind, natural_key, sorted_ids
from dpi_safeguards.load.snapshot import (
    SNAPSHOT_FILE,
    Snapshot,
    SnapshotDocument,
    read_snapshot,
    record_of,
    snapshot_text_after,
)
from dpi_safeguards.models.framework import (
    AuthoritiesFile,
    Framework,
    KpisFile,
    MetadataFile,
    Principle,
    PrincipleFile,
    Process,
    ProcessNode,
    ReferencesFile,
    RisksFile,
    StagesFile,
)
from dpi_safeguards.store.reader import (
    Document,
    JsonPath,
    LoadError,
    parse_bytes,
    parse_text,
    read_bytes,
)
from dpi_safeguards.store.writer import atomic_write, dump_yaml, reorder_keys, to_data

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
    # file shown to users -> its name relative to the framework folder
    names: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.load_errors and not self.schema_problems

    def records(self) -> Snapshot:
        """The data of every file read, as snapshot records (meaningful when the files
        were read from their YAML: ``use_snapshot=False``)."""
        return Snapshot(
            {self.names[shown]: record_of(document) for shown, document in self.documents.items()}
        )


def _placeholder_metadata() -> MetadataFile:
    """Until framework.yaml is read (constructed, not validated: it is never shown)."""
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
    root: Path,
    *,
    display_base: Path | None = None,
    missing_ok: bool = False,
    use_snapshot: bool = True,
) -> LoadedFramework:
    """Read every framework file; problems are collected, never raised.

    ``missing_ok``: a file that does not exist holds no entries (an old commit's framework
    may predate some files); otherwise it is a finding. ``use_snapshot``: take a file's
    data from ``snapshot.json`` when its bytes are the ones recorded there
    (:mod:`~dpi_safeguards.load.snapshot`); ``False`` reads every YAML file.
    """
    paths = [p for p in framework_files(root) if not (missing_ok and not p.exists())]
    snapshot = read_snapshot(root) if use_snapshot else Snapshot()

    def read(path: Path, shown: str) -> Document:
        raw = read_bytes(path, FRAMEWORK_MAX_BYTES)
        record = snapshot.record_for(path.relative_to(root).as_posix(), raw)
        if record is None:
            return parse_bytes(raw, path, shown)
        # Not decoded: a record is made only of bytes that were read (or written) cleanly,
        # encoding, control bytes and conflict markers checked (format --check re-reads
        # every file in CI); decoding 26 MB at 100,000 practices took 0.1 s for nothing.
        return SnapshotDocument(shown, path, record.sha256, record.data_json)

    return _load_documents(root, display_base, paths, read)


def _load_documents(
    root: Path,
    display_base: Path | None,
    paths: Iterable[Path],
    read: Callable[[Path, str], Document],
) -> LoadedFramework:
    """Each framework file read by ``read`` and absorbed; problems collected."""
    base = display_base if display_base is not None else root.parent
    loaded = LoadedFramework(Framework(metadata=_placeholder_metadata()), root)
    for path in paths:
        shown = _display(root, path, base)
        try:
            document = read(path, shown)
        except LoadError as exc:
            loaded.load_errors.append(exc)
            continue
        loaded.documents[shown] = document
        loaded.names[shown] = path.relative_to(root).as_posix()
        _absorb(loaded, path, document)
    return loaded


def _validate(loaded: LoadedFramework, model: type[BaseModel], document: Document) -> Any:
    try:
        if isinstance(document, SnapshotDocument):
            try:
                return model.model_validate_json(document.data_json)
            except ValidationError:
                pass  # the errors are reported as reading the data gives them, below
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
    # Every id registered is in locations (tables hold one kind each, locations all).
    if entry.id in loaded.locations:
        loaded.duplicates.setdefault(entry.id, []).append((shown, path))
        return
    loaded.framework.table(kind)[entry.id] = entry
    loaded.locations[entry.id] = (shown, path)


def _absorb_principle(loaded: LoadedFramework, parsed: PrincipleFile, shown: str) -> None:
    principle_fields = {k: getattr(parsed, k) for k in Principle.model_fields}
    principle = Principle.model_construct(**principle_fields)
    _register(loaded, Kind.PRINCIPLE, principle, shown, ())
    process_fields = tuple(Process.model_fields)
    for p_index, node in enumerate(parsed.processes):
        loaded.filed_under.setdefault(node.id, parsed.id)
        process = Process.model_construct(**{k: getattr(node, k) for k in process_fields})
        _register(loaded, Kind.PROCESS, process, shown, ("processes", p_index))
        _register_practices(loaded, node, shown, p_index)


def _register_practices(loaded: LoadedFramework, node: ProcessNode, shown: str, at: int) -> None:
    """:func:`_register` for each practice of a process, inlined: a call per practice was
    a third of absorbing 100,000 of them."""
    table = loaded.framework.table(Kind.PRACTICE)
    locations, filed_under, duplicates = loaded.locations, loaded.filed_under, loaded.duplicates
    for q_index, practice in enumerate(node.practices):
        practice_id = practice.id
        if practice_id not in filed_under:
            filed_under[practice_id] = node.id
        where = (shown, ("processes", at, "practices", q_index))
        if practice_id in locations:
            duplicates.setdefault(practice_id, []).append(where)
        else:
            table[practice_id] = practice
            locations[practice_id] = where


# ---- writing ------------------------------------------------------------------------------


def file_of(kind: Kind, entry_id: str) -> str:
    """The framework file (relative name) an entry of ``kind`` is written to."""
    if kind in (Kind.PRINCIPLE, Kind.PROCESS, Kind.PRACTICE):
        return f"{PRINCIPLES_DIR}/{entry_id.split('.', 1)[0]}.yaml"
    return next(name for name, (_m, _k, k) in LIST_FILES.items() if k is kind)


def render_framework(fw: Framework, *, only: Collection[str] | None = None) -> dict[str, str]:
    """Relative file name -> canonical text, for every framework file (or for the files
    named in ``only``)."""
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


def framework_texts(fw: Framework, root: Path, *, known: Snapshot | None = None) -> dict[str, str]:
    """Relative file name -> text of everything ``format`` writes: every framework file
    and the snapshot of them (``known``: records checked against their YAML)."""
    return with_snapshot(render_framework(fw), root, whole=True, known=known)


def with_snapshot(
    rendered: dict[str, str], root: Path, *, whole: bool, known: Snapshot | None = None
) -> dict[str, str]:
    """Framework files about to be written (``whole``: all of them), with the snapshot
    they make: a command that writes the framework writes the snapshot in the same step."""
    snapshot = snapshot_text_after(root, rendered, known=known, whole=whole)
    return {**rendered, SNAPSHOT_FILE: snapshot}


def changed_files(texts: dict[str, str], root: Path) -> list[Path]:
    """The files under ``root`` whose text is not the one in ``texts`` (or that are absent)."""
    changed: list[Path] = []
    for name, text in texts.items():
        target = root / name
        try:
            current = target.read_text(encoding="utf-8") if target.exists() else None
        except (OSError, UnicodeDecodeError):
            current = None
        if current != text:
            changed.append(target)
    return changed


def write_framework(
    fw: Framework,
    root: Path,
    *,
    before_replace: Callable[[], None] | None = None,
    known: Snapshot | None = None,
) -> list[Path]:
    """Write every framework file that changed, and the snapshot; returns the paths
    replaced.

    Every new file is first written beside its target; ``os.replace`` then swaps each in.
    """
    texts = framework_texts(fw, root, known=known)
    changed = changed_files(texts, root)
    if before_replace is not None:
        before_replace()
    for target in changed:
        atomic_write(target, texts[target.relative_to(root).as_posix()])
    return changed


def load_rendered(
    rendered: dict[str, str], root: Path, *, display_base: Path | None = None
) -> LoadedFramework:
    """Read framework files from their texts (as :func:`render_framework` gives them), as
    :func:`load_framework` would read them from disk: used to check a framework before it
    is written."""

    texts = {root / name: text for name, text in rendered.items()}
    return _load_documents(
        root,
        display_base,
        texts,
        lambda path, shown: parse_text(texts[path], shown, is_json=False),
    )
