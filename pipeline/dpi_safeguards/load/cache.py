"""A cache of loaded frameworks, keyed by the exact bytes of the framework files.

Reading and checking 100,000 practices from YAML costs seconds; a contributor runs
``validate`` on every push against a framework that rarely changes. So a clean load is
kept as a pickle and reused while nothing changed:

- The key is a SHA-256 over every framework file's name (as shown to users) and bytes,
  plus a fingerprint of this package (its version and the source of the modules that
  shape the loaded objects), the Python and pydantic versions. Any byte changed, a file
  added or removed, another version of the code: a different key, so a miss.
- Only clean loads are stored (no load error, no schema problem); a load with problems is
  always done in full, so every finding and message is exactly as without the cache.
- Tiny frameworks (under :data:`MIN_BYTES`: test fixtures) are never cached.
- One slot per framework folder, at most :data:`MAX_SLOTS` of them (the least recently
  used go first), so the cache cannot grow without bound; written to a temp file and
  renamed into place, so a reader never sees half a file.
- Where: ``$SAFEGUARDS_CACHE_DIR``, else ``$XDG_CACHE_HOME/safeguards``, else
  ``~/.cache/safeguards``. ``SAFEGUARDS_NO_CACHE=1`` turns it off. A slot not owned by
  the current user, or writable by others, is ignored (a pickle runs code when loaded).
"""

from __future__ import annotations

import copy
import hashlib
import json
import mmap
import os
import pickle
import sys
import tempfile
import time
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic

from dpi_safeguards import __version__
from dpi_safeguards.store.reader import gc_paused, gc_settle

FORMAT = 3
MIN_BYTES = 64_000
MAX_SLOTS = 32  # framework folders kept; the least recently used beyond that are removed
_MAGIC = b"safeguards-framework-cache\n"
# Modules whose classes or logic shape what is pickled: a change to any gives a new key.
_SHAPING_MODULES = (
    "models/base.py",
    "models/framework.py",
    "store/cache.py",
    "store/layout.py",
    "store/reader.py",
    "ids.py",
    "rules/contribution.py",  # derived indexes (the text index) are built there
    "rules/indexing.py",
    "similarity.py",
    "similarity_db.py",  # the SQLite form of the near-duplicate index
)
_FINGERPRINT: list[bytes] = []


@dataclass
class Slot:
    path: Path
    key: bytes


def _now() -> float:

    return time.time()


def enabled() -> bool:
    return os.environ.get("SAFEGUARDS_NO_CACHE", "") in ("", "0")


def cache_dir() -> Path:
    explicit = os.environ.get("SAFEGUARDS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "safeguards"


def _fingerprint() -> bytes:
    if not _FINGERPRINT:
        digest = hashlib.sha256()
        digest.update(f"{FORMAT}|{__version__}|{sys.version}|{pydantic.VERSION}".encode())
        package = Path(__file__).resolve().parents[1]
        for name in _SHAPING_MODULES:
            try:
                digest.update(name.encode() + b"\0" + (package / name).read_bytes())
            except OSError:
                digest.update(name.encode() + b"\0missing")
        _FINGERPRINT.append(digest.digest())
    return _FINGERPRINT[0]


def slot_for(root: Path, files: list[tuple[str, bytes]]) -> Slot | None:
    """The cache slot of a framework folder and the key its content must match; None
    when the cache is off or the framework is too small to be worth it."""
    if not enabled() or sum(len(data) for _, data in files) < MIN_BYTES:
        return None
    path = _slot_path(root)
    if path is None:
        return None
    digest = hashlib.sha256(_fingerprint())
    for shown, data in files:
        digest.update(f"\0{shown}\0{len(data)}\0".encode())
        digest.update(data)
    return Slot(path, digest.digest())


def _slot_path(root: Path) -> Path | None:
    try:
        folder = str(root.resolve())
    except OSError:
        return None
    return cache_dir() / (hashlib.sha256(folder.encode()).hexdigest()[:32] + ".pickle")


# ---- the key without reading the files: a stat record ----------------------------------------
#
# Reading and hashing 41 MB of framework (100,000 practices) to find the key costs more
# than checking one proposal. As git does for its index, the key is kept with each file's
# size, times, inode and mode; while every file still shows exactly those, the key holds.
# A file changed within RACY_NS of the record's time could show the same times with other
# bytes (the clock ticks coarsely), so such a record is not trusted: the files are read
# and hashed, and the record is written again once they have aged.

RACY_NS = 2_000_000_000
FileStat = tuple[str, int, int, int, int, int]  # shown, size, mtime_ns, ctime_ns, inode, mode


def stat_files(files: list[tuple[str, Path]]) -> list[FileStat] | None:
    """What the stat record compares (links are not followed); None if a file is gone."""
    found: list[FileStat] = []
    for shown, path in files:
        try:
            info = os.lstat(path)
        except OSError:
            return None
        found.append(
            (shown, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_mode)
        )
    return found


def slot_by_stat(root: Path, stats: list[FileStat]) -> Slot | None:
    """The slot and key of a framework whose files show exactly the recorded stats."""
    if not enabled() or sum(entry[1] for entry in stats) < MIN_BYTES:
        return None
    path = _slot_path(root)
    if path is None:
        return None
    record = _read_record(path.with_name(path.stem + ".stat.json"))
    if not isinstance(record, dict) or record.get("fingerprint") != _fingerprint().hex():
        return None
    if record.get("files") != [list(entry) for entry in stats]:
        return None
    written = record.get("written_ns")
    if not isinstance(written, int):
        return None
    if any(max(entry[2], entry[3]) >= written - RACY_NS for entry in stats):
        return None
    try:
        return Slot(path, bytes.fromhex(record["key"]))
    except (KeyError, TypeError, ValueError):
        return None


def remember_stats(slot: Slot, stats: list[FileStat], taken_ns: int) -> None:
    """Keep the key with the files' stats (taken at ``taken_ns``, before they were read)."""

    if any(max(entry[2], entry[3]) >= taken_ns - RACY_NS for entry in stats):
        return  # too recent to tell a later change apart; recorded on a later run
    record = {
        "fingerprint": _fingerprint().hex(),
        "key": slot.key.hex(),
        "written_ns": taken_ns,
        "files": [list(entry) for entry in stats],
    }
    _write_atomic(slot.path.with_name(slot.path.stem + ".stat.json"), [json.dumps(record).encode()])


def _read_record(path: Path) -> Any:

    try:
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            if not _owned(info):
                return None
            return json.loads(handle.read(1_000_000))
    except (OSError, ValueError):
        return None


def _owned(info: os.stat_result) -> bool:
    """Written by this user and by no one else (a pickle runs code when loaded)."""
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    return not info.st_mode & 0o022


def now_ns() -> int:

    return time.time_ns()


def read(slot: Slot) -> Any | None:
    """The cached object when the slot holds exactly this key; else None (never raises)."""
    try:
        with slot.path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            if not _owned(info):
                return None
            header = handle.read(len(_MAGIC) + len(slot.key))
            if header != _MAGIC + slot.key:
                return None
            value = pickle.load(handle)
        if info.st_mtime < _now() - 3600:
            os.utime(slot.path)  # recently used: kept by _prune
        return value
    except Exception:  # a missing, truncated or foreign slot is a miss, never an error
        return None


def write(slot: Slot, value: Any) -> None:
    """Store ``value`` in the slot (best effort: a read-only disk just means no cache)."""
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except pickle.PicklingError:
        return
    _write_atomic(slot.path, [_MAGIC + slot.key, data])


def write_mapped(slot: Slot, chunks: list[bytes]) -> None:
    """Store raw bytes in the slot, to be mapped into memory by :func:`read_mapped`."""
    _write_atomic(slot.path, [_MAGIC + slot.key, *chunks])


def read_mapped(slot: Slot) -> memoryview | None:
    """The slot's bytes after its header, mapped (not read): pages are read from the
    file only where they are used. None unless the slot holds exactly this key. The
    mapping stays valid if the file is replaced (a rename keeps the old file's pages)."""

    try:
        with slot.path.open("rb") as handle:
            if not _owned(os.fstat(handle.fileno())):
                return None
            header = len(_MAGIC) + len(slot.key)
            if handle.read(header) != _MAGIC + slot.key:
                return None
            try:
                return memoryview(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))[header:]
            except (OSError, ValueError):  # a file system that cannot map files: read it
                return memoryview(handle.read())
    except (OSError, ValueError):
        return None


def _write_atomic(path: Path, chunks: list[bytes]) -> None:
    """Write to a temp file beside ``path``, then rename it into place (best effort)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                for chunk in chunks:
                    handle.write(chunk)
            os.chmod(temp, 0o600)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        _prune(path.parent)
    except OSError:
        pass


def _prune(folder: Path) -> None:
    """Keep the :data:`MAX_SLOTS` most recently used slots (and what is derived from
    them); remove the rest."""
    slots: dict[str, list[Path]] = {}
    for path in folder.iterdir():
        stem = path.name.split(".", 1)[0]
        if len(stem) == 32 and not path.name.startswith("."):
            slots.setdefault(stem, []).append(path)
    if len(slots) <= MAX_SLOTS:
        return

    def last_used(files: list[Path]) -> float:
        try:
            return max(f.stat().st_mtime for f in files)
        except OSError:
            return 0.0

    by_age = sorted(slots.values(), key=last_used)
    for files in by_age[: len(slots) - MAX_SLOTS]:
        for file in files:
            file.unlink(missing_ok=True)


def beside(slot: Slot, name: str, suffix: str = ".pickle") -> Slot:
    """A file kept beside the slot under the same key (so it is dropped with it)."""
    return Slot(slot.path.with_name(f"{slot.path.stem}.{name}{suffix}"), slot.key)


def derived(slot: Slot, name: str, build: Callable[[], Any]) -> Any:
    """An index derived from the cached framework, kept in its own file beside the slot
    under the same key (so it is dropped with the framework it was built from)."""
    found = read(beside(slot, name))
    if found is not None:
        return found
    value = build()
    write(beside(slot, name), value)
    return value


# Lookups by bisection before a table builds an index of its ids (and a lazy table lays
# out its keys): a few cost less than the index, thousands more. A packed table waits
# for more lookups than a quarter of its ids: measured, that is where an index starts to
# pay (a bisection costs 1-2 us, indexing 100,000 ids 44 ms).
BISECTIONS = 256


class PackedTable:
    """id -> pickled entry, every entry's pickle in one bytes object: unpickling a table
    of 100,000 entries is then a few bytes objects and one string, not 100,000 objects.

    The ids are kept sorted, as one string split on first use (a third of the cost of
    unpickling them as a list), and looked up by bisection, so a run that reads a few
    entries builds no index over all of them; the framework's order is a permutation.
    The mapping operations :class:`LazyEntries` uses on its ``raw`` table (``in``,
    ``pop``, iteration over what is left, ``len``, ``clear``) are provided, and
    :meth:`order` gives every id in the framework's order."""

    __slots__ = ("_blob", "_ends", "_ids", "_joined", "_lookups", "_order", "_taken", "_where")
    _blob: bytes | memoryview

    def __init__(self, entries: dict[str, bytes]) -> None:
        keys = list(entries)
        values = list(entries.values())
        by_id = sorted(range(len(keys)), key=keys.__getitem__)  # sorted position -> own
        self._ids: list[str] | None = [keys[i] for i in by_id]
        self._joined = ""
        ends = array("q")
        offset = 0
        for i in by_id:
            offset += len(values[i])
            ends.append(offset)
        self._ends = ends.tobytes()
        self._blob = b"".join([values[i] for i in by_id])
        order = array("i", bytes(4 * len(keys)))  # framework position -> sorted position
        for position, i in enumerate(by_id):
            order[i] = position
        self._order = order.tobytes()
        self._taken: set[str] = set()
        self._lookups = 0
        self._where: dict[str, int] | None = None

    def __getstate__(self) -> tuple[str, bytes, bytes | memoryview, bytes]:
        # Ids never hold a NUL (the reader refuses control bytes), so it can join them.
        return "\0".join(self._sorted_ids()), self._ends, self._blob, self._order

    def __setstate__(self, state: tuple[str, bytes, bytes | memoryview, bytes]) -> None:
        self._joined, self._ends, self._blob, self._order = state
        self._ids = None
        self._taken = set()
        self._lookups = 0
        self._where = None

    def _sorted_ids(self) -> list[str]:
        if self._ids is None:
            self._ids = self._joined.split("\0") if self._joined else []
            self._joined = ""
        return self._ids

    def _position(self, key: object) -> int | None:
        if not isinstance(key, str) or key in self._taken:
            return None
        if self._where is not None:
            return self._where.get(key)
        ids = self._sorted_ids()
        self._lookups += 1
        if self._lookups > max(BISECTIONS, len(ids) // 4):  # many lookups: index the ids once
            self._where = {key: position for position, key in enumerate(ids)}
        position = bisect_left(ids, key)
        return position if position < len(ids) and ids[position] == key else None

    def take_blob(self) -> bytes | memoryview:
        """The entries' bytes, no longer held (they are stored apart: see :meth:`attach`)."""
        blob, self._blob = self._blob, b""
        return blob

    def attach(self, blob: bytes | memoryview) -> None:
        """The entries' bytes, as :meth:`take_blob` gave them (a mapped file's, say)."""
        self._blob = blob

    def order(self) -> list[str]:
        """Every id (popped ones too), in the framework's order."""
        ids = self._sorted_ids()
        return [ids[position] for position in memoryview(self._order).cast("i")]

    def __contains__(self, key: object) -> bool:
        return self._position(key) is not None

    def __iter__(self) -> Iterator[str]:
        taken = self._taken
        return iter([key for key in self.order() if key not in taken])

    def __len__(self) -> int:
        return len(self._ends) // 8 - len(self._taken)

    def pop(self, key: str, *default: None) -> bytes | memoryview | None:
        """The pickled entry, no longer held; with a default, None for an absent key."""
        position = self._position(key)
        if position is None:
            if default:
                return None
            raise KeyError(key)
        self._taken.add(key)
        ends = memoryview(self._ends).cast("q")
        return self._blob[ends[position - 1] if position else 0 : ends[position]]

    def clear(self) -> None:
        self._taken = set(self._sorted_ids())


class LazyEntries(dict[str, Any]):
    """A framework table (id -> entry) restored from the cache entry by entry.

    An entry is unpickled the first time it is read; ``in``, ``len`` and ``get`` ask the
    packed table, so a validation of one proposal restores only the few entries it
    looks at, and lays out no keys. Every way of reading all ids or values (iteration,
    ``keys()``, ``items()``, ``values()``, copies, ``|``, ``==``, pickling) first lays
    out every id in the framework's order (and bulk reads restore everything), so they
    see a plain dict.
    """

    __slots__ = ("_bulk", "_keyed", "_lookups", "_raw")

    def __init__(
        self,
        raw: dict[str, bytes] | PackedTable,  # or memoryviews: see PackedTable.attach
        bulk: bytes | Callable[[], bytes | None] | None = None,
    ) -> None:
        super().__init__()
        self._raw = raw  # id -> pickled entry, for entries not restored yet
        # The whole table in one pickle (or how to read it: it is kept in its own file,
        # read only when everything is restored): restoring everything at once is
        # cheaper than one entry at a time.
        self._bulk = bulk
        self._keyed = False
        self._lookups = 0
        if not isinstance(raw, PackedTable):
            self._lay_out()

    def _lay_out(self) -> None:
        """Every id in the framework's order (entries restored so far keep theirs)."""
        if self._keyed:
            return
        self._keyed = True
        restored = dict(dict.items(self))
        raw = self._raw
        dict.clear(self)
        dict.update(self, dict.fromkeys(raw.order() if isinstance(raw, PackedTable) else raw))
        dict.update(self, restored)

    def _restore(self, key: str) -> Any:
        data = self._raw.pop(key)
        assert data is not None  # key is in self._raw
        value = pickle.loads(data)
        dict.__setitem__(self, key, value)
        return value

    def restore_all(self) -> None:
        self._lay_out()
        if not self._raw:
            return

        bulk = self._bulk() if callable(self._bulk) else self._bulk
        with gc_paused():
            if bulk is not None:
                everything = pickle.loads(bulk)
                for key in list(self._raw):
                    dict.__setitem__(self, key, everything[key])
                self._raw.clear()
            else:
                for key in list(self._raw):
                    self._restore(key)
        self._bulk = None
        gc_settle()

    def __getitem__(self, key: str) -> Any:
        if key in self._raw:
            return self._restore(key)
        return dict.__getitem__(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        if key in self._raw:
            return self._restore(key)
        return dict.get(self, key, default)

    def __contains__(self, key: object) -> bool:
        if dict.__contains__(self, key):
            return True
        if self._keyed:
            return False
        self._lookups += 1
        if self._lookups > max(BISECTIONS, len(self._raw) // 4):  # many: lay the keys out once
            self._lay_out()
        return key in self._raw

    def __len__(self) -> int:
        return dict.__len__(self) if self._keyed else dict.__len__(self) + len(self._raw)

    def __iter__(self) -> Iterator[str]:
        # Ids only (so that dict(x), {**x} and update(x) go through [] per key).
        self._lay_out()
        return dict.__iter__(self)

    def __reversed__(self) -> Iterator[str]:
        self._lay_out()
        return dict.__reversed__(self)

    def __setitem__(self, key: str, value: Any) -> None:
        self._lay_out()
        self._raw.pop(key, None)
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: str) -> None:
        self._lay_out()
        self._raw.pop(key, None)
        dict.__delitem__(self, key)

    def clear(self) -> None:
        self._lay_out()
        self._raw.clear()
        dict.clear(self)

    def keys(self) -> Any:
        # dict(x), {**x} and update(x) read keys() and then every value: restore in bulk.
        self.restore_all()
        return dict.keys(self)

    def items(self) -> Any:
        self.restore_all()
        return dict.items(self)

    def values(self) -> Any:
        self.restore_all()
        return dict.values(self)

    def copy(self) -> dict[str, Any]:
        return dict(self.items())

    def pop(self, key: str, *default: Any) -> Any:
        self._lay_out()
        if key in self._raw:
            self._restore(key)
        return dict.pop(self, key, *default)

    def popitem(self) -> tuple[str, Any]:
        self.restore_all()
        return dict.popitem(self)

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key in self:
            return self[key]
        self[key] = default
        return default

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __eq__(self, other: object) -> bool:
        self.restore_all()
        if isinstance(other, LazyEntries):
            other.restore_all()
        return dict.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None

    def __or__(self, other: Any) -> Any:
        return self.copy() | other

    def __ror__(self, other: Any) -> Any:
        return dict(other) | self.copy()

    def __ior__(self, other: Any) -> LazyEntries:  # type: ignore[override]
        self.update(other)
        return self

    def __repr__(self) -> str:
        self.restore_all()
        return dict.__repr__(self)

    def __reduce__(self) -> Any:
        return (dict, (self.copy(),))

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:

        return copy.deepcopy(self.copy(), memo)


class LazyDict(dict[Any, Any]):
    """A dict filled by ``load`` the first time anything reads or changes it: the
    locations of 100,000 entries are only needed when a finding is about one of them."""

    __slots__ = ("_load",)

    def __init__(self, load: Callable[[], dict[Any, Any]]) -> None:
        super().__init__()
        self._load: Callable[[], dict[Any, Any]] | None = load

    def _fill(self) -> None:
        if self._load is not None:
            load, self._load = self._load, None
            dict.update(self, load())

    def __reduce__(self) -> Any:
        self._fill()
        return (dict, (dict(dict.items(self)),))

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[Any, Any]:

        self._fill()
        return copy.deepcopy(dict(dict.items(self)), memo)


def _filling(name: str) -> Callable[..., Any]:
    method = getattr(dict, name)

    def call(self: LazyDict, *args: Any, **kwargs: Any) -> Any:
        self._fill()
        return method(self, *args, **kwargs)

    call.__name__ = name
    return call


for _name in (
    "__contains__", "__eq__", "__getitem__", "__ior__", "__iter__", "__len__", "__ne__",
    "__or__", "__repr__", "__reversed__", "__ror__", "__setitem__", "__delitem__", "clear",
    "copy", "get", "items", "keys", "pop", "popitem", "setdefault", "update", "values",
):  # fmt: skip
    setattr(LazyDict, _name, _filling(_name))
