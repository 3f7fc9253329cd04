"""Canonical writing: one byte form for one content, replaced atomically.

The same data always gives the same bytes (model field order, natural id order, LF line
endings, UTF-8, no timestamps), so re-writing unchanged data changes nothing and a pull
request's diff shows only the real change.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from pipeline.store.reader import reads_as_plain_string

# Keys written after an entry's own fields, so a reviewer reads the content first.
_TAIL_KEYS = ("provenance", "deprecated", "practices", "processes", "reviews", "merged")
TEMP_PREFIX = ".safeguards-tmp-"


def to_data(model: BaseModel) -> dict[str, Any]:
    """A model as plain data: aliases used, defaults (None, []) left out, tail keys last."""
    data = model.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    ordered: dict[str, Any] = reorder_keys(data)
    return ordered


def reorder_keys(value: Any) -> Any:
    if isinstance(value, dict):
        head = {k: reorder_keys(v) for k, v in value.items() if k not in _TAIL_KEYS}
        tail = {k: reorder_keys(value[k]) for k in _TAIL_KEYS if k in value}
        return head | tail
    if isinstance(value, list):
        return [reorder_keys(v) for v in value]
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


def dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def atomic_write(path: Path, content: str | bytes) -> None:
    """Write to a temp file beside ``path``, fsync, then ``os.replace`` it into place.

    A reader sees the old file or the new one, never a half-written one. The temp file's
    name starts with TEMP_PREFIX so a later run can sweep leftovers of a killed one.
    """
    payload = content.encode("utf-8") if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


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
