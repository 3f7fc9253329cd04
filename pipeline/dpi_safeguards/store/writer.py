"""Canonical writing: one byte form for one content, replaced atomically.

The same data always gives the same bytes (model field order, natural id order, LF line
endings, UTF-8, no timestamps), so re-writing unchanged data changes nothing and a pull
request's diff shows only the real change.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson
import yaml
from pydantic import BaseModel

from dpi_safeguards.core.errors import UsageError
from dpi_safeguards.store.reader import reads_as_plain_string

# Keys written after an entry's own fields, so a reviewer reads the content first.
_TAIL_KEYS = ("provenance", "deprecated", "practices", "processes", "reviews", "merged")
_TAIL_SET = frozenset(_TAIL_KEYS)
_CONTAINERS = (dict, list)
TEMP_PREFIX = ".safeguards-tmp-"


def to_data(model: BaseModel) -> dict[str, Any]:
    """A model as plain data: aliases used, defaults (None, []) left out, tail keys last."""
    data = model.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    ordered: dict[str, Any] = reorder_keys(data)
    return ordered


# The tail keys an entry model has: its own top-level ones (no model nested in an entry
# has a field of that name: tests/unit/test_release_streaming.py checks every one).
ENTRY_TAIL_KEYS = ("provenance", "deprecated")


def entry_to_data(entry: BaseModel) -> dict[str, Any]:
    """:func:`to_data` of an entry (a risk, practice, ...): only its top level has tail
    keys, so only that is reordered (framework.json writes 100,000 practices)."""
    data: dict[str, Any] = entry.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    for key in ENTRY_TAIL_KEYS:
        if key in data:
            data[key] = data.pop(key)
    return data


def reorder_keys(value: Any) -> Any:
    """``value`` with the tail keys of every mapping in it moved last. Plain values are
    not passed to a call of their own: a release of 100,000 practices has millions."""
    if isinstance(value, dict):
        head = {
            k: reorder_keys(v) if isinstance(v, _CONTAINERS) else v
            for k, v in value.items()
            if k not in _TAIL_SET
        }
        if _TAIL_SET.isdisjoint(value):
            return head
        return head | {k: reorder_keys(value[k]) for k in _TAIL_KEYS if k in value}
    if isinstance(value, list):
        return [reorder_keys(v) if isinstance(v, _CONTAINERS) else v for v in value]
    return value


class _CanonicalDumper(yaml.CSafeDumper):
    """libyaml's emitter; block style, mapping order kept, long lines unwrapped (one field
    per diff line), multi-line texts as literal blocks."""


def _represent_str(dumper: _CanonicalDumper, value: str) -> yaml.ScalarNode:
    style: str | None = None
    if "\n" in value and value.strip() == value and "\r" not in value:
        style = "|"
    elif not reads_as_plain_string(value):
        style = "'"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_CanonicalDumper.add_representer(str, _represent_str)


def dump_yaml(data: Mapping[str, Any]) -> str:
    text = yaml.dump(
        dict(data),
        Dumper=_CanonicalDumper,
        sort_keys=False,
        allow_unicode=True,
        width=1_000_000,
        indent=2,
        default_flow_style=False,
        line_break="\n",
    )
    return text


def indented_json(data: Any) -> str:
    """``json.dumps(data, ensure_ascii=False, indent=2)``, written by orjson: the same bytes
    ten times faster (the standard library encodes in Python once it indents). The two
    differ only in how some floats are spelt (1e-07 against 1e-7); no released file holds
    a float (every field of the framework's models is a string, an integer or a list).
    Integers beyond 64 bits, which orjson refuses, go to the standard library."""
    try:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode()
    except orjson.JSONEncodeError:
        return json.dumps(data, ensure_ascii=False, indent=2)


def compact_json(data: Any) -> str:
    """``json.dumps(data, ensure_ascii=False, separators=(",", ":"))``, written by orjson
    (as :func:`indented_json`, and with the same fallback)."""
    try:
        return orjson.dumps(data).decode()
    except orjson.JSONEncodeError:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def dump_json(data: Any) -> str:
    return indented_json(data) + "\n"


class JsonStream:
    """A list that :func:`iter_dump_json` encodes a few items at a time, so the whole list
    (100,000 entries as nested dicts) never exists at once. Iterated once."""

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = items


_JSON_INDENT = "  "
_STREAM_HOLDERS = (dict, JsonStream)
# Items of a JsonStream encoded by one json call (a few hundred kilobytes of text).
JSON_ITEMS_PER_PIECE = 256


def iter_dump_json(data: Any, items_per_piece: int | None = None) -> Iterator[str]:
    """:func:`dump_json` in pieces: ``"".join(iter_dump_json(d)) == dump_json(d)`` where
    every :class:`JsonStream` in ``d`` (as a value of dicts, at any depth) is replaced by
    the list of its items; a stream's items are encoded ``items_per_piece`` at a time
    (default JSON_ITEMS_PER_PIECE)."""
    yield from _json_pieces(data, 0, items_per_piece or JSON_ITEMS_PER_PIECE)
    yield "\n"


def _json_items(items: list[Any], level: int) -> str:
    """Items of a list at ``level`` as the whole list's text has them between its "[" and
    its closing line break: one call for many items."""
    text = indented_json(items)  # "[\n  a,\n  b\n]"
    return text[1:-2].replace("\n", "\n" + _JSON_INDENT * level) if level else text[1:-2]


def _holds_stream(value: Any) -> bool:
    if isinstance(value, JsonStream):
        return True
    return isinstance(value, dict) and any(
        isinstance(v, _STREAM_HOLDERS) and _holds_stream(v) for v in value.values()
    )


def _json_pieces(value: Any, level: int, per_piece: int) -> Iterator[str]:
    if isinstance(value, JsonStream):
        inner = "\n" + _JSON_INDENT * (level + 1)
        opened = False
        batch: list[Any] = []
        for item in value.items:
            if _holds_stream(item):
                if batch:
                    yield ("," if opened else "[") + _json_items(batch, level)
                    opened = True
                    batch.clear()
                yield ("," if opened else "[") + inner
                opened = True
                yield from _json_pieces(item, level + 1, per_piece)
                continue
            batch.append(item)
            if len(batch) >= per_piece:
                yield ("," if opened else "[") + _json_items(batch, level)
                opened = True
                batch.clear()
        if batch:
            yield ("," if opened else "[") + _json_items(batch, level)
            opened = True
        yield "\n" + _JSON_INDENT * level + "]" if opened else "[]"
    elif _holds_stream(value):
        inner = "\n" + _JSON_INDENT * (level + 1)
        for number, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise TypeError(f"a streamed JSON object needs str keys, not {key!r}")
            yield ("," if number else "{") + inner + json.dumps(key, ensure_ascii=False) + ": "
            yield from _json_pieces(item, level + 1, per_piece)
        yield "\n" + _JSON_INDENT * level + "}"
    else:
        # json never writes a raw line break inside a string, so every "\n" of the text is
        # an indentation point: shifting them nests the text at ``level``.
        text = indented_json(value)
        yield text.replace("\n", "\n" + _JSON_INDENT * level) if level else text


def atomic_write(path: Path, content: str | bytes) -> None:
    """Write to a temp file beside ``path``, fsync, then ``os.replace`` it into place.

    A reader sees the old file or the new one, never a half-written one. The temp file's
    name starts with TEMP_PREFIX so a later run can sweep leftovers of a killed one.
    """
    payload = content.encode("utf-8") if isinstance(content, str) else content
    if path.is_dir():
        raise UsageError(f"{path} is a folder; give the path of a file to write")
    output_folder(path.parent)
    try:
        fd, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, path)
    except OSError as exc:
        Path(temp_name).unlink(missing_ok=True)
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def output_folder(path: Path) -> Path:
    """``path`` as a folder to write into, created if missing (with its parents); a clear
    error when it cannot be (a file there, no permission, a read-only disk)."""
    if path.is_dir():
        return path
    if path.exists():
        raise UsageError(f"{path} is a file; give a folder to write into")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the folder {path}: {exc.strerror}") from None
    return path


def sweep_temp_files(roots: Iterable[Path]) -> list[Path]:
    """Remove temp files a killed run left behind; returns what was removed."""
    removed: list[Path] = []
    for root in roots:
        if not root.exists():
            continue
        for leftover in root.rglob(TEMP_PREFIX + "*"):
            if leftover.is_file():
                leftover.unlink(missing_ok=True)
                removed.append(leftover)
    return removed
