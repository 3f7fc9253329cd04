"""Safe reading of YAML and JSON files written by strangers.

Nothing here executes, builds objects from tags, expands aliases, or recurses without a
bound. YAML is read from libyaml's event stream (C speed, no recursion) and built by a
small iterative builder that knows only JSON's types, so a YAML file and a JSON file with
the same content give the same data. Every refusal is a :class:`LoadError` naming the file,
line and column and what would be valid.
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from json.decoder import scanstring  # type: ignore[attr-defined]
from json.scanner import make_scanner
from pathlib import Path
from typing import Any

import yaml

JsonPath = tuple[str | int, ...]

DEFAULT_MAX_BYTES = 1_000_000
MAX_DEPTH = 32

# YAML 1.2 core schema for plain scalars: what JSON would read the same way.
_NULL = re.compile(r"(?:~|null|Null|NULL|)")
_BOOL_TRUE = re.compile(r"(?:true|True|TRUE)")
_BOOL_FALSE = re.compile(r"(?:false|False|FALSE)")
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_NONFINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
# Plain scalars that YAML 1.1 readers (GitHub's, many libraries) read differently from
# YAML 1.2: booleans spelt as words, octal/leading-zero and sexagesimal numbers.
_AMBIGUOUS = re.compile(
    r"(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF"
    r"|[-+]?0[0-9_]+|[-+]?0b[01_]+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)"
)
_ALLOWED_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "!",
}
_CONFLICT_MARKER = re.compile(r"^(?:<{7}|={7}|>{7})(?: |$)", re.MULTILINE)
_FORBIDDEN_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The same bytes, for bytes.translate: deleting them (a table lookup per byte, in C) tells
# whether a file holds any several times faster than the regular expression's search,
# which then runs only to find where.
FORBIDDEN_BYTE_VALUES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


@dataclass
class LoadError(Exception):
    """A file that cannot be read safely; ``code`` is a stable finding code."""

    code: str
    path: str
    message: str
    line: int | None = None
    column: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}:{self.column or 1}"
        return f"{where}: {self.code} {self.message}"


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
                offset = _json_value_offset(self.text, path)
            except (ValueError, IndexError, StopIteration):
                self._positions = self._yaml_positions()  # not JSON after all (a test)
            else:
                return None if offset is None else _line_column(self.text, offset)
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
            return _parse_yaml(self.text, self.path, want_positions=True)[1]
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
        return Document(path, text, _parse_json(text, path), is_yaml=False)
    data, _ = _parse_yaml(text, path, want_positions=False)
    return Document(path, text, data, is_yaml=True)


# ---- JSON ---------------------------------------------------------------------------------


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)  # built in C; a key seen twice leaves it shorter than the pairs
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _JsonDuplicateKey(key)
            seen.add(key)
    return result


class _JsonDuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


_JSON_DECODER: list[json.JSONDecoder] = []  # made on first use


def _json_decoder() -> json.JSONDecoder:
    """One decoder for every file (json.loads with options builds a new one per call)."""
    if not _JSON_DECODER:
        _JSON_DECODER.append(
            json.JSONDecoder(object_pairs_hook=_json_object, parse_constant=_reject_constant)
        )
    return _JSON_DECODER[0]


def _parse_json(text: str, path: str) -> Any:
    # Nesting can only pass the limit if there are more opening brackets than the limit.
    depth = _max_bracket_depth(text) if text.count("[") + text.count("{") > MAX_DEPTH else 0
    if depth > MAX_DEPTH:
        raise LoadError("LOAD009", path, f"nests {depth} levels deep; at most {MAX_DEPTH}")
    try:
        return _json_decoder().decode(text)
    except _JsonDuplicateKey as exc:
        line = _find_key_line(text, exc.key)
        raise LoadError(
            "LOAD006", path, f"has the key '{exc.key}' twice; each key may appear once", line, None
        ) from None
    except json.JSONDecodeError as exc:
        raise LoadError(
            "LOAD005", path, f"is not valid JSON: {exc.msg}", exc.lineno, exc.colno
        ) from None
    except ValueError as exc:
        raise LoadError("LOAD010", path, str(exc)) from None
    except RecursionError:
        raise LoadError("LOAD009", path, f"nests too deep; at most {MAX_DEPTH} levels") from None


# Where libyaml starts a new line (positions are those the YAML reader gives), and the
# breaks other than LF that a text rarely holds.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_RARE_BREAK = re.compile("[\r\x85\u2028\u2029]")
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_JSON_SCANNER: list[Any] = []  # made on first use


def _json_value_offset(text: str, path: JsonPath) -> int | None:
    """Offset of the value at ``path`` in a JSON text known to parse, or of its nearest
    parent (None: the top value is not a container, as the YAML reader says). Values
    before it are skipped by the json module's scanner."""

    if not _JSON_SCANNER:
        _JSON_SCANNER.append(make_scanner(json.JSONDecoder()))  # type: ignore[arg-type]
    skip = _JSON_SCANNER[0]
    space = _past_space
    at = space(text, 0)
    if text[at] not in "{[":
        return None
    for step in path:
        start = at
        if text[at] == "{" and isinstance(step, str):
            at = space(text, at + 1)
            while text[at] == '"':
                key, at = scanstring(text, at + 1)
                at = space(text, space(text, at) + 1)  # past the colon
                if key == step:
                    break
                at = space(text, skip(text, at)[1])
                if text[at] == ",":
                    at = space(text, at + 1)
            else:
                return start
        elif text[at] == "[" and isinstance(step, int) and step >= 0:
            at = space(text, at + 1)
            if text[at] == "]":
                return start
            for _ in range(step):
                at = space(text, skip(text, at)[1])
                if text[at] != ",":
                    return start
                at = space(text, at + 1)
        else:
            return start
    return at


def _past_space(text: str, at: int) -> int:
    found = _JSON_SPACE.match(text, at)
    return found.end() if found else at


def _line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of an offset, lines broken as libyaml
    breaks them."""
    if _RARE_BREAK.search(text, 0, offset) is None:
        return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
    line, start = 1, 0
    for match in _LINE_BREAK.finditer(text, 0, offset):
        line, start = line + 1, match.end()
    return line, offset - start + 1


# A JSON string (skipped whole: brackets in a text are not nesting) or a bracket.
_JSON_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _max_bracket_depth(text: str) -> int:
    """How deep the JSON text's arrays and objects nest (brackets inside strings are
    text: they used to count, and a text holding 40 "[" was refused as too deep)."""
    depth = best = 0
    for match in _JSON_BRACKET.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            best = max(best, depth)
        elif char in "]}":
            depth -= 1
    return best


def _find_key_line(text: str, key: str) -> int | None:
    needle = json.dumps(key)
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return lines[1] if len(lines) > 1 else (lines[0] if lines else None)


# ---- YAML ---------------------------------------------------------------------------------


# First characters of every plain scalar that may resolve to something other than a string
# (null, booleans, numbers, YAML 1.1 words); the longest such word is five characters.
_SPECIAL_START = frozenset("~nNtTfFyYoO+-.0123456789")
_NUMBER_START = frozenset("+-.0123456789")


def _certainly_string(value: str) -> bool:
    """True for plain scalars no pattern of :func:`_resolve_plain_patterns` can match
    (most framework scalars: prose and ids), decided without running them."""
    return bool(value) and (
        value[0] not in _SPECIAL_START or (len(value) > 5 and value[0] not in _NUMBER_START)
    )


def reads_as_plain_string(value: str) -> bool:
    """True when ``value``, written unquoted, is read back by this reader as that string.

    The writer quotes every other string (PyYAML's YAML 1.1 emitter would leave ``08`` or
    ``on`` unquoted, which this reader refuses as ambiguous).
    """
    if _certainly_string(value):
        return True
    return not any(
        pattern.fullmatch(value)
        for pattern in (_NULL, _BOOL_TRUE, _BOOL_FALSE, _AMBIGUOUS, _INT, _FLOAT, _NONFINITE)
    )


def _resolve_plain(value: str, mark: tuple[int, int], path: str) -> Any:
    if _certainly_string(value):
        return value
    return _resolve_plain_patterns(value, mark, path)


def _resolve_plain_patterns(value: str, mark: tuple[int, int], path: str) -> Any:
    if _NULL.fullmatch(value):
        return None
    if _BOOL_TRUE.fullmatch(value):
        return True
    if _BOOL_FALSE.fullmatch(value):
        return False
    if _AMBIGUOUS.fullmatch(value):
        raise LoadError(
            "LOAD008",
            path,
            f"the unquoted value {value!r} means different things to different YAML readers "
            f'(YAML 1.1 reads it as a boolean or number); write it in quotes: "{value}"',
            *mark,
        )
    if _INT.fullmatch(value):
        return int(value)
    if _FLOAT.fullmatch(value):
        number = float(value)
        if math.isfinite(number):
            return number
    if _NONFINITE.fullmatch(value):
        raise LoadError(
            "LOAD010", path, f"{value!r} is not a finite number; JSON allows none", *mark
        )
    return value


def _mark(event: Any) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


def _parse_yaml(
    text: str, path: str, *, want_positions: bool
) -> tuple[Any, dict[JsonPath, tuple[int, int]]]:
    positions: dict[JsonPath, tuple[int, int]] = {}
    # Each frame: [container, current key (mappings) or None, path of the container]
    stack: list[list[Any]] = []
    root: Any = None
    documents = 0
    try:
        events: Iterator[Any] = yaml.parse(text, Loader=yaml.CSafeLoader)
        for event in events:
            kind = type(event)
            if kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise LoadError(
                        "LOAD007",
                        path,
                        "holds more than one YAML document ('---'); put one proposal per file",
                        *_mark(event),
                    )
                continue
            if kind in (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent):
                continue
            if kind is yaml.AliasEvent or getattr(event, "anchor", None):
                raise LoadError(
                    "LOAD007",
                    path,
                    "uses a YAML anchor or alias ('&'/'*'); write each value out in full",
                    *_mark(event),
                )
            tag = getattr(event, "tag", None)
            if tag is not None and tag not in _ALLOWED_TAGS:
                raise LoadError(
                    "LOAD007",
                    path,
                    f"uses the YAML tag {tag!r}; tags are not allowed, write plain values",
                    *_mark(event),
                )
            if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                frame = stack.pop()
                if isinstance(frame[0], dict) and frame[1] is not None:
                    raise LoadError("LOAD005", path, "a key has no value", *_mark(event))
                value = frame[0]
            elif kind is yaml.ScalarEvent:
                if (
                    (tag is None and event.implicit[0])
                    or tag == "tag:yaml.org,2002:int"
                    or tag == "tag:yaml.org,2002:float"
                ):
                    value = _resolve_plain(event.value, _mark(event), path)
                else:
                    value = event.value
                if stack and isinstance(stack[-1][0], dict) and stack[-1][1] is None:
                    # This scalar is a key.
                    container = stack[-1][0]
                    if not isinstance(value, str):
                        value = event.value
                    if value in container:
                        raise LoadError(
                            "LOAD006",
                            path,
                            f"has the key '{value}' twice in one mapping; each key may appear once",
                            *_mark(event),
                        )
                    stack[-1][1] = value
                    continue
            else:  # a mapping or sequence starts
                if len(stack) >= MAX_DEPTH:
                    raise LoadError(
                        "LOAD009", path, f"nests deeper than {MAX_DEPTH} levels", *_mark(event)
                    )
                container_path: JsonPath = _child_path(stack)
                if want_positions:
                    positions[container_path] = _mark(event)
                if stack and isinstance(stack[-1][0], dict) and stack[-1][1] is None:
                    raise LoadError(
                        "LOAD005",
                        path,
                        "a key must be a plain string, not a list or mapping",
                        *_mark(event),
                    )
                stack.append([{} if kind is yaml.MappingStartEvent else [], None, container_path])
                continue
            # attach ``value`` to its parent
            if not stack:
                root = value
                continue
            parent = stack[-1]
            if want_positions and kind is yaml.ScalarEvent:
                positions[_child_path(stack)] = _mark(event)
            if isinstance(parent[0], dict):
                parent[0][parent[1]] = value
                parent[1] = None
            else:
                parent[0].append(value)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        if "nesting depth" in str(exc.problem):
            raise LoadError(
                "LOAD009", path, f"nests deeper than {MAX_DEPTH} levels", line, column
            ) from None
        raise LoadError(
            "LOAD005", path, f"is not valid YAML: {exc.problem}", line, column
        ) from None
    except yaml.YAMLError as exc:
        raise LoadError("LOAD005", path, f"is not valid YAML: {exc}") from None
    return root, positions


def _child_path(stack: list[list[Any]]) -> JsonPath:
    if not stack:
        return ()
    container, key, parent_path = stack[-1]
    if isinstance(container, dict):
        return (*parent_path, key)
    return (*parent_path, len(container))
