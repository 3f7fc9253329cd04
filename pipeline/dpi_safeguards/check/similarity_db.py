"""The near-duplicate index in an SQLite file, for runs that check a few contributions.

Loading the whole :class:`~dpi_safeguards.check.similarity.CompactSimilarityIndex` of 100,000
practices costs a fifth of a second, several times the cost of checking one proposal.
This file holds the same index (and the CON009 text index) in tables keyed by feature,
entry number and normalised text; a query reads only the rows it needs, through SQLite's
B-trees. The answers are those of the compact index: the same postings, the same
candidate ranking (:func:`~dpi_safeguards.check.similarity.numbered_candidates`), the same
confirmation (tested). A run of many contributions loads the compact index instead: a
dictionary lookup is cheaper than a query once there are thousands of them.

The file is built once per cached framework (from the compact index), beside the cache
slot, and never changed in place: written to a temp file and renamed, then opened
read-only and immutable. Its key (the slot's) is stored in it and checked on opening.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from urllib.parse import quote

from dpi_safeguards.check.similarity import (
    RARE_FEATURES,
    THRESHOLD,
    CompactSimilarityIndex,
    Match,
    _confirm,
    numbered_candidates,
    prepared,
)

_SCHEMA = """
CREATE TABLE about (name TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID;
CREATE TABLE postings (feature TEXT PRIMARY KEY, numbers BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE entries (
    number INTEGER PRIMARY KEY, label TEXT NOT NULL, normalised TEXT NOT NULL,
    original TEXT NOT NULL
);
CREATE TABLE first_ids (normalised TEXT PRIMARY KEY, id TEXT NOT NULL) WITHOUT ROWID;
"""
# SQLite's default limit of host parameters in one statement is 32,766 (since 3.32).
_CHUNK = 30_000


def build(index: CompactSimilarityIndex, path: Path, key: bytes) -> None:
    """Write ``index`` to ``path`` (temp file, then rename; best effort: a read-only
    disk only means no database)."""
    try:
        fd, temp = tempfile.mkstemp(prefix=".tmp-", suffix=".sqlite", dir=path.parent)
    except OSError:
        return
    os.close(fd)
    try:
        connection = sqlite3.connect(temp)
        try:
            connection.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; " + _SCHEMA)
            with connection:
                connection.execute("INSERT INTO about VALUES ('key', ?)", (key,))
                # sorted: WITHOUT ROWID tables fill their B-tree in order, page after page
                connection.executemany(
                    "INSERT INTO postings VALUES (?, ?)", sorted(index.postings.items())
                )
                connection.executemany(
                    "INSERT INTO entries VALUES (?, ?, ?, ?)",
                    zip(
                        range(len(index.labels)),
                        index.labels,
                        index.texts,
                        index.originals,
                        strict=True,
                    ),
                )
                connection.executemany(
                    "INSERT INTO first_ids VALUES (?, ?)", sorted(index.first_ids.items())
                )
        finally:
            connection.close()
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except (OSError, sqlite3.Error):
        Path(temp).unlink(missing_ok=True)


class SimilarityDatabase:
    """The index of :func:`build`, queried in place."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    @classmethod
    def open(cls, path: Path, key: bytes) -> SimilarityDatabase | None:
        """The database at ``path`` when it holds the index of ``key``; else None."""
        try:
            info = os.stat(path)
            if (hasattr(os, "getuid") and info.st_uid != os.getuid()) or info.st_mode & 0o022:
                return None
            # immutable: never changed in place (replaced by a rename), so no locking
            uri = f"file:{quote(str(path.absolute()))}?mode=ro&immutable=1"
            connection = sqlite3.connect(uri, uri=True)
            row = connection.execute("SELECT value FROM about WHERE name = 'key'").fetchone()
        except (OSError, sqlite3.Error):
            return None
        if row is None or row[0] != key:
            connection.close()
            return None
        return cls(connection)

    def _postings(self, features: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for start in range(0, len(features), _CHUNK):
            chunk = features[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            found.update(
                self._db.execute(
                    f"SELECT feature, numbers FROM postings WHERE feature IN ({marks})", chunk
                )
            )
        return found

    def _rows(self, numbers: list[int], columns: str) -> dict[int, tuple[str, ...]]:
        found: dict[int, tuple[str, ...]] = {}
        for start in range(0, len(numbers), _CHUNK):
            chunk = numbers[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for number, *values in self._db.execute(
                f"SELECT number, {columns} FROM entries WHERE number IN ({marks})", chunk
            ):
                found[number] = tuple(values)
        return found

    def similar(
        self,
        text: str,
        *,
        threshold: float = THRESHOLD,
        exclude: frozenset[str] = frozenset(),
        include_identical: bool = False,
    ) -> list[Match]:
        """As :meth:`~dpi_safeguards.check.similarity.CompactSimilarityIndex.similar`."""
        query = prepared(text)
        if not query.normalised:
            return []
        # The postings of the query's pairs; its words only if fewer pairs are indexed
        # than the ranking uses (as _rarest looks them up).
        postings = self._postings(sorted(query.pairs))
        if len(postings) < RARE_FEATURES:
            postings.update(self._postings(sorted(query.words)))

        def labels_of(numbers: list[int]) -> list[str]:
            rows = self._rows(numbers, "label")
            return [rows[number][0] for number in numbers]

        numbers = numbered_candidates(query, postings, labels_of)
        rows = self._rows(numbers, "label, normalised, original")
        candidates = ((rows[n][0], rows[n][1], rows[n][2]) for n in numbers)
        return _confirm(query.normalised, candidates, threshold, exclude, include_identical)

    def text_index(self) -> TextIndex:
        return TextIndex(self._db)


class TextIndex(Mapping[str, str]):
    """Normalised text -> the first id holding it (rule CON009), looked up in place."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def __getitem__(self, normalised: str) -> str:
        row = self._db.execute(
            "SELECT id FROM first_ids WHERE normalised = ?", (normalised,)
        ).fetchone()
        if row is None:
            raise KeyError(normalised)
        return str(row[0])

    def __iter__(self) -> Iterator[str]:
        for (normalised,) in self._db.execute("SELECT normalised FROM first_ids"):
            yield str(normalised)

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM first_ids").fetchone()[0])
