"""Safe reading of YAML and JSON files written by strangers.

Nothing here executes, builds objects from tags, expands aliases, or recurses without a
bound. The bytes are checked here (size, links, encoding, control bytes, conflict
markers); the text is read by :mod:`~dpi_safeguards.store.yaml_text` or
:mod:`~dpi_safeguards.store.json_text`, which know only JSON's types, so a YAML file and a
JSON file with the same content give the same data. Every refusal is a :class:`LoadError`
naming the file, line and column and what would be valid.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dpi_safeguards.store.errors import MAX_DEPTH, JsonPath, LoadError
from dpi_safeguards.store.json_text import json_value_offset, line_column, parse_json
from dpi_safeguards.store.yaml_text import parse_yaml, reads_as_plain_string

# Re-exported: readers of files import them from here.
__all__ = [
    "MAX_DEPTH",
    "Document",
    "JsonPath",
    "LoadError",
    "decode",
    "load_document",
    "parse_bytes",
    "parse_text",
    "read_bytes",
    "reads_as_plain_string",
]

DEFAULT_MAX_BYTES = 1_000_000

_CONFLICT_MARKER = re.compile(r"^(?:<{7}|={7}|>{7})(?: |$)", re.MULTILINE)
_FORBIDDEN_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The same bytes, for bytes.translate: deleting them (a table lookup per byte, in C) tells
# whether a file holds any several times faster than the regular expression's search,
# which then runs only to find where.
FORBIDDEN_BYTE_VALUES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


@dataclass
class Document:
    """Parsed data of one file, and the means to find where a field stands in it."""

    path: str
    text: str
    data: Any
    is_yaml: bool
    _positions: dict[JsonPath, tuple[int, int]] | None = field(default=None, repr=False)

    def locate(self, path: JsonPath) -> tuple[int, int] | None:
        """1-based (line, column) of the value at ``path``, or of its nearest parent."""
        if not self.is_yaml and self._positions is None:
            # A JSON document is walked to the one value asked for, in C (the json
            # module's scanner skips what lies before it): cheaper than all positions.
            try:
                offset = json_value_offset(self.text, path)
            except (ValueError, IndexError, StopIteration):
                self._positions = self._yaml_positions()  # not JSON after all (a test)
            else:
                return None if offset is None else line_column(self.text, offset)
        if self._positions is None:
            # Positions are only needed when something is reported: parse again then,
            # so the common clean run pays nothing for them.
            self._positions = self._yaml_positions()
        for cut in range(len(path), -1, -1):
            found = self._positions.get(path[:cut])
            if found is not None:
                return found
        return None

    def _yaml_positions(self) -> dict[JsonPath, tuple[int, int]]:
        try:
            return parse_yaml(self.text, self.path, want_positions=True)[1]
        except LoadError:
            return {}


# Opening with O_NOFOLLOW refuses a symbolic link in the same system call that opens the
# file (no separate lstat, and no window between the check and the open); O_NONBLOCK keeps
# a FIFO from blocking the open. Where the flags do not exist, the link is checked first.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0) | _NOFOLLOW
_LINK_MESSAGE = "is a symbolic link; commit the file itself"


def read_bytes(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    shown = str(path)
    try:
        if not _NOFOLLOW and os.path.islink(path):  # pragma: no cover - platforms without it
            raise LoadError("LOAD012", shown, _LINK_MESSAGE)
        descriptor = os.open(path, _OPEN_FLAGS)
    except LoadError:
        raise
    except FileNotFoundError:
        raise LoadError("LOAD013", shown, "does not exist") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP and os.path.islink(path):
            raise LoadError("LOAD012", shown, _LINK_MESSAGE) from None
        raise LoadError("LOAD013", shown, f"cannot be read: {exc.strerror}") from None
    try:  # os.read on the descriptor: no buffered file object for a one-shot read
        status = os.fstat(descriptor)
        if stat.S_ISDIR(status.st_mode):
            raise LoadError(
                "LOAD013", shown, "is a directory, expected a .yaml, .yml or .json file"
            )
        if not stat.S_ISREG(status.st_mode):
            raise LoadError(
                "LOAD013",
                shown,
                "is not a regular file (a pipe, socket or device); expected a .yaml, .yml "
                "or .json file",
            )
        if status.st_size > max_bytes:
            raise LoadError(
                "LOAD001",
                shown,
                f"is {status.st_size:,} bytes; the limit is {max_bytes:,} bytes "
                "(split the proposal)",
            )
        # Read what fstat reports, plus one byte to see a file that grew (asking for
        # max_bytes + 1 at once allocated a megabyte buffer per small file).
        data = os.read(descriptor, status.st_size + 1)
        # As long as fstat said (the common case): the file is read to its end.
        # Otherwise (it grew, shrank, or the read was short) read on to the end.
        while len(data) != status.st_size and len(data) <= max_bytes:
            more = os.read(descriptor, max(status.st_size, 65_536))
            if not more:
                break
            data += more
    except OSError as exc:
        raise LoadError("LOAD013", shown, f"cannot be read: {exc.strerror}") from None
    finally:
        os.close(descriptor)
    if len(data) > max_bytes:
        raise LoadError("LOAD001", shown, f"grew past the limit of {max_bytes:,} bytes")
    return data


def _line_col_of_offset(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    return line, offset - start + 1


def decode(data: bytes, path: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        raise LoadError(
            "LOAD003", path, "starts with a byte-order mark; save it as UTF-8 without BOM", 1, 1
        )
    clean = len(data.translate(None, FORBIDDEN_BYTE_VALUES)) == len(data)
    bad = None if clean else _FORBIDDEN_BYTES.search(data)
    if bad is not None:
        line, col = _line_col_of_offset(data, bad.start())
        raise LoadError(
            "LOAD004",
            path,
            f"contains the control byte 0x{bad.group()[0]:02x}; only tab, LF and CR are allowed",
            line,
            col,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col_of_offset(data, exc.start)
        raise LoadError(
            "LOAD002", path, f"is not valid UTF-8 (byte 0x{data[exc.start]:02x})", line, col
        ) from None
    # The multi-line pattern tries every position; a substring search first (in C) rules
    # out almost every file.
    marker = (
        _CONFLICT_MARKER.search(text)
        if "<<<<<<<" in text or "=======" in text or ">>>>>>>" in text
        else None
    )
    if marker is not None:
        line = text.count("\n", 0, marker.start()) + 1
        raise LoadError(
            "LOAD011",
            path,
            "contains a git conflict marker; resolve the merge conflict first",
            line,
            1,
        )
    return text


def load_document(
    path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, display: str | None = None
) -> Document:
    shown = display or str(path)
    return parse_bytes(read_bytes(path, max_bytes), path, shown)


def parse_bytes(data: bytes, path: str | Path, shown: str) -> Document:
    """The bytes of ``path`` (already read) as a document shown as ``shown``."""
    is_json = os.path.splitext(path)[1].lower() == ".json"  # Path.suffix's, for a str too
    try:
        return parse_text(decode(data, shown), shown, is_json=is_json)
    except LoadError as exc:
        if exc.path != shown:
            raise LoadError(exc.code, shown, exc.message, exc.line, exc.column) from None
        raise


def parse_text(text: str, path: str, *, is_json: bool) -> Document:
    if is_json:
        return Document(path, text, parse_json(text, path), is_yaml=False)
    data, _ = parse_yaml(text, path, want_positions=False)
    return Document(path, text, data, is_yaml=True)
