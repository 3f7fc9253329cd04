"""Reading a release's ``framework.json`` back into a :class:`Framework`
(the format :mod:`dpi_safeguards.exports.framework_json` writes)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dpi_safeguards.core.errors import SafeguardsError, UsageError
from dpi_safeguards.core.ids import natural_key
from dpi_safeguards.models.framework import ENTRY_MODELS, TABLE_NAMES, Framework, MetadataFile

FORMAT_VERSION = 1


def framework_from_data(data: Any, source: str = "framework.json") -> Framework:
    if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
        raise SafeguardsError(f"{source}: not a format_version {FORMAT_VERSION} framework.json")
    try:
        fw = Framework(metadata=MetadataFile.model_validate(data["metadata"]))
        for kind, key in TABLE_NAMES.items():
            model = ENTRY_MODELS[kind]
            table = fw.table(kind)
            for item in data.get(key, []):
                entry = model.model_validate(item)
                table[entry.id] = entry
    except (ValidationError, KeyError, TypeError) as exc:
        raise SafeguardsError(f"{source}: does not match the framework schema: {exc}") from None
    return fw


def load_release(path: Path) -> Framework:
    """Read a release's ``framework.json`` (a file, or a release folder holding one)."""
    file = path / "framework.json" if path.is_dir() else path
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SafeguardsError(f"{file} does not exist") from None
    except (OSError, ValueError) as exc:
        raise SafeguardsError(f"{file} cannot be read as JSON: {exc}") from None
    return framework_from_data(data, str(file))


_RELEASE = re.compile(r"v[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}")


def release_framework(releases_dir: Path, release: str) -> Framework:
    """The framework of a published release (releases/vX.Y.Z/framework.json)."""
    if _RELEASE.fullmatch(release) is None:
        raise UsageError(f"--release must look like v1.2.3, not {release!r}")
    path = releases_dir / release / "framework.json"
    if not path.is_file():
        known = sorted(
            (p.name for p in releases_dir.glob("v*") if (p / "framework.json").is_file()),
            key=natural_key,
        )
        listing = ", ".join(known) if known else "none"
        raise UsageError(f"no release {release} ({path} is missing); releases: {listing}")
    return load_release(path)
