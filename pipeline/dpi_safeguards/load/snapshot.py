"""``framework/snapshot.json``: every framework file's data as JSON, keyed by its SHA-256.

Reading YAML safely costs about 25 times what reading the same data as JSON does (see
docs/performance.md). The snapshot is written beside the YAML by every command that writes
the framework (``format``, ``merge``, ``release``) and is committed with it; ``format
--check`` (run in CI) fails when it does not match the YAML, byte for byte of its data.

It is not a cache: nothing is written on read, and it is never trusted blindly. A file is
taken from the snapshot only when the SHA-256 of its bytes is the one recorded; any other
file (edited by hand, say) is read from its YAML, so a stale or missing snapshot makes a
run slower, never different. The format is JSON, which cannot execute anything.

One line per framework file, so a pull request's diff shows which files changed::

    {"format": 1, "files": {
    "authorities.yaml": {"sha256": "…", "data": {…}},
    …
    }}
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dpi_safeguards.store.reader import Document, LoadError, parse_bytes, parse_text

SNAPSHOT_FILE = "snapshot.json"
SNAPSHOT_FORMAT = 1
# Each framework file may hold 64 MB (load.folder.FRAMEWORK_MAX_BYTES); its JSON is smaller.
SNAPSHOT_MAX_BYTES = 25 * 64_000_000
_HEADER = f'{{"format": {SNAPSHOT_FORMAT}, "files": {{'
_FOOTER = "}}"
# One file's line. The data is kept as its JSON text: pydantic validates that text in
# Rust without building Python objects for it first (less time, and less memory).
_LINE = re.compile(r'("(?:[^"\\]|\\.)*"): \{"sha256":"([0-9a-f]{64})","data":(.*)\},?')


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Record:
    sha256: str
    data_json: str  # the file's data as compact JSON


class SnapshotDocument(Document):
    """A framework file whose data was taken from the snapshot. Its data is parsed from
    the recorded JSON, and its text read again from the file, only if asked for (to
    locate a finding): at 100,000 practices they would hold 80 MB for nothing."""

    def __init__(self, path: str, file: Path, sha256: str, data_json: str) -> None:
        self.path, self.is_yaml, self._positions = path, True, None
        self.file, self.sha256, self.data_json = file, sha256, data_json

    @functools.cached_property
    def data(self) -> Any:
        try:
            return json.loads(self.data_json)
        except ValueError:  # a snapshot edited by hand: the YAML is the truth
            return parse_text(self.text, self.path, is_json=False).data

    @functools.cached_property
    def text(self) -> str:  # type: ignore[override]
        try:
            raw = self.file.read_bytes()
        except OSError:
            return ""
        # Changed since it was read: no position is better than a wrong one.
        return raw.decode("utf-8") if sha256_of(raw) == self.sha256 else ""


def record_of(document: Document) -> Record:
    """The record of a framework file as it was read."""
    if isinstance(document, SnapshotDocument):
        return Record(document.sha256, document.data_json)
    data_json = json.dumps(document.data, ensure_ascii=False, separators=(",", ":"))
    return Record(sha256_of(document.text.encode("utf-8")), data_json)


@dataclass
class Snapshot:
    """File name (relative to the framework folder) -> its recorded data."""

    records: dict[str, Record] = field(default_factory=dict)

    def record_for(self, name: str, content: bytes) -> Record | None:
        """The record of ``name``, if ``content`` is exactly what it was made from."""
        record = self.records.get(name)
        if record is None or record.sha256 != sha256_of(content):
            return None
        return record

    def text(self) -> str:
        lines = [
            f'{json.dumps(name, ensure_ascii=False)}: {{"sha256":"{record.sha256}",'
            f'"data":{record.data_json}}}'
            for name, record in sorted(self.records.items())
        ]
        return "\n".join([_HEADER, ",\n".join(lines), _FOOTER, ""])


def read_snapshot(root: Path) -> Snapshot:
    """The snapshot in ``root``; an empty one when it is absent or not exactly in the form
    :meth:`Snapshot.text` writes (every file is then read from its YAML, and ``format
    --check`` says why). Read a line at a time: one file's data is in memory twice at
    most, never the whole snapshot."""
    records: dict[str, Record] = {}
    path = root / SNAPSHOT_FILE
    try:
        # As framework files are read: never through a link, never beyond a bound.
        if path.is_symlink() or path.stat().st_size > SNAPSHOT_MAX_BYTES:
            return Snapshot()
        with path.open(encoding="utf-8", newline="\n") as lines:
            if next(lines, None) != _HEADER + "\n":
                return Snapshot()
            for line in lines:
                if line == _FOOTER + "\n":
                    return Snapshot(records) if next(lines, None) is None else Snapshot()
                match = _LINE.fullmatch(line.removesuffix("\n"))
                if match is None:
                    return Snapshot()
                records[json.loads(match[1])] = Record(match[2], match[3])
    except (OSError, UnicodeDecodeError):
        pass
    return Snapshot()


def snapshot_text_after(
    root: Path,
    rendered: Mapping[str, str],
    *,
    known: Snapshot | None = None,
    whole: bool = False,
) -> str:
    """The snapshot once the framework files ``rendered`` (name -> text) are written into
    ``root``. A file keeps its record when its text is unchanged; the others are read
    from their new text. ``known``: records already checked against their YAML (the
    current snapshot otherwise). ``whole``: ``rendered`` is the whole framework, so the
    records of files not in it are dropped."""
    current = read_snapshot(root) if known is None else known
    records = dict(current.records)
    if whole:
        records = {name: r for name, r in records.items() if name in rendered}
    for name, text in rendered.items():
        raw = text.encode("utf-8")
        if current.record_for(name, raw) is not None:
            continue
        try:
            # As a file is read: its bytes checked (encoding, control bytes, markers), so
            # the loader need not check the bytes of a file that has a record.
            document = parse_bytes(raw, name, name)
        except LoadError:  # not a file the framework can be read from: no record
            records.pop(name, None)
            continue
        records[name] = record_of(document)
    return Snapshot(records).text()
