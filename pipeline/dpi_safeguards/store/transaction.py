"""All-or-nothing changes to several files, surviving SIGKILL at any point.

1. every new content is written to a temp file beside its target (fsync'd);
2. a journal naming every (temp -> target) rename and every deletion is written atomically;
3. the renames and deletions are applied; 4. the journal is removed.

A run killed before step 2 leaves only temp files, which the next run sweeps away (the
repository is in its *before* state). A run killed after step 2 leaves the journal, which
the next run replays to the end (the *after* state). Each single file is always either its
before or its after content, because each step is an ``os.replace``.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from dpi_safeguards.store.writer import TEMP_PREFIX, sweep_temp_files

JOURNAL_NAME = ".safeguards-journal.json"


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_temp(target: Path, payload: bytes) -> Path:

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=target.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(name, 0o644)
    return Path(name)


@dataclass
class Transaction:
    """Collects writes and deletions under ``root``; ``commit`` applies them all."""

    root: Path
    writes: dict[Path, bytes] = field(default_factory=dict)
    deletions: set[Path] = field(default_factory=set)

    def write(self, path: Path, content: str | bytes) -> None:
        payload = content.encode("utf-8") if isinstance(content, str) else content
        self.writes[path] = payload
        self.deletions.discard(path)

    def delete(self, path: Path) -> None:
        self.writes.pop(path, None)
        self.deletions.add(path)

    def move(self, source: Path, target: Path, content: str | bytes | None = None) -> None:
        """A file move (optionally with new content) as one write plus one deletion."""
        self.write(target, content if content is not None else source.read_bytes())
        if source != target:
            self.delete(source)

    @property
    def paths(self) -> list[Path]:
        return sorted({*self.writes, *self.deletions})

    def commit(self) -> None:
        if not self.writes and not self.deletions:
            return
        renames: list[tuple[str, str]] = []
        for target, payload in sorted(self.writes.items()):
            temp = _write_temp(target, payload)
            renames.append((self._rel(temp), self._rel(target)))
        journal = {
            "renames": renames,
            "deletions": sorted(self._rel(p) for p in self.deletions),
        }
        _write_journal(self.root, journal)
        replay(self.root)

    def _rel(self, path: Path) -> str:
        return os.path.relpath(path, self.root)


def _write_journal(root: Path, journal: dict[str, object]) -> None:
    path = root / JOURNAL_NAME
    temp = _write_temp(path, json.dumps(journal, indent=1).encode("utf-8"))
    os.replace(temp, path)
    _fsync_dir(root)


def replay(root: Path) -> bool:
    """Finish a journal left by a killed run; returns True when there was one."""
    path = root / JOURNAL_NAME
    if not path.exists():
        return False
    journal = json.loads(path.read_text(encoding="utf-8"))
    folders: set[Path] = set()
    for temp_rel, target_rel in journal.get("renames", []):
        temp, target = root / temp_rel, root / target_rel
        if temp.exists():
            os.replace(temp, target)
            folders.add(target.parent)
    for deletion in journal.get("deletions", []):
        (root / deletion).unlink(missing_ok=True)
        folders.add((root / deletion).parent)
    for folder in folders:
        _fsync_dir(folder)
    path.unlink()
    _fsync_dir(root)
    return True


def recover(root: Path, folders: list[Path]) -> list[Path]:
    """Run at the start of every writing command: replay a journal, sweep leftovers."""
    replay(root)
    removed = [p for p in root.glob(TEMP_PREFIX + "*") if p.is_file()]
    for leftover in removed:
        leftover.unlink(missing_ok=True)
    return removed + sweep_temp_files(folders)
