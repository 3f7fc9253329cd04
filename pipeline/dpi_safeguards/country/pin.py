"""The universal release a country framework pins: found by version, checked by checksum."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from dpi_safeguards.core.errors import SafeguardsError
from dpi_safeguards.core.ids import natural_key
from dpi_safeguards.load.released import framework_from_data
from dpi_safeguards.models.country import Upstream
from dpi_safeguards.models.framework import Framework


class PinError(SafeguardsError):
    """The pinned release is missing, or its framework.json is not the pinned one."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field  # "version" or "sha256": the pin's field at fault


@dataclass(frozen=True)
class PinnedRelease:
    version: str
    sha256: str
    path: Path  # its framework.json
    framework: Framework

    @property
    def source(self) -> str:
        return (
            f"Universal DPI Safeguards Framework v{self.version} "
            f"(framework.json sha256 {self.sha256})"
        )


def release_versions(releases_dir: Path) -> list[str]:
    if not releases_dir.is_dir():
        return []
    found = (p.name for p in releases_dir.glob("v*") if (p / "framework.json").is_file())
    return sorted(found, key=natural_key)


def framework_json_of(releases_dir: Path, version: str) -> Path:
    path = releases_dir / f"v{version}" / "framework.json"
    if not path.is_file():
        known = ", ".join(release_versions(releases_dir)) or "none"
        raise PinError(
            f"the pinned release {version} is not in {releases_dir} "
            f"(no v{version}/framework.json); releases there: {known}",
            "version",
        )
    return path


def load_pinned(releases_dir: Path, pin: Upstream) -> PinnedRelease:
    path = framework_json_of(releases_dir, pin.version)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != pin.sha256:
        raise PinError(
            f"the pinned sha256 does not match {path}: that file's sha256 is {digest}; "
            "a pin names the exact release it was written against (re-pin with "
            "'safeguards country rebase' to move to another)",
            "sha256",
        )
    try:
        parsed = json.loads(data)
    except ValueError as exc:
        raise SafeguardsError(f"{path} is not JSON: {exc}") from None
    return PinnedRelease(pin.version, digest, path, framework_from_data(parsed, str(path)))
