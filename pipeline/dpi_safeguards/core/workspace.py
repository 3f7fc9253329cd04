"""Where things are: the repository root and its data folders."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from dpi_safeguards.core.errors import UsageError

CONTRIBUTION_STATES = ("proposed", "accepted", "rejected", "merged")
ROOT_MARKER = Path("framework") / "framework.yaml"


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def framework_dir(self) -> Path:
        return self.root / "framework"

    @property
    def contributions_dir(self) -> Path:
        return self.root / "contributions"

    @property
    def releases_dir(self) -> Path:
        return self.root / "releases"

    @property
    def translations_dir(self) -> Path:
        return self.root / "translations"

    def state_dir(self, state: str) -> Path:
        return self.contributions_dir / state

    def contribution_states(self) -> list[Path]:
        """Folders validated by default: every state, plus the examples."""
        return [self.contributions_dir / s for s in (*CONTRIBUTION_STATES, "examples")]

    def display(self, path: Path) -> str:
        """A path as users should see it: relative to the root when inside it."""
        try:
            return str(_resolve(path).relative_to(_resolve_dir(self.root)))
        except (ValueError, OSError):
            return str(path)

    @classmethod
    def find(cls, root: Path | None = None) -> Workspace:
        """The given root, else $SAFEGUARDS_ROOT, else the nearest folder upwards holding
        framework/framework.yaml."""
        if root is None and os.environ.get("SAFEGUARDS_ROOT"):
            root = Path(os.environ["SAFEGUARDS_ROOT"])
        if root is not None:
            if not (root / ROOT_MARKER).is_file():
                raise UsageError(
                    f"{root} is not a framework repository: {ROOT_MARKER} is missing there"
                )
            return cls(root.resolve())
        here = Path.cwd().resolve()
        for folder in (here, *here.parents):
            if (folder / ROOT_MARKER).is_file():
                return cls(folder)
        raise UsageError(
            f"no framework found: run inside a checkout (a folder with {ROOT_MARKER}) "
            "or pass --root DIR"
        )


def resolved_path(path: Path) -> Path:
    """``path.resolve()``, with each folder resolved once per process."""
    return _resolve(path)


def resolved_folder(folder: Path) -> Path:
    """``folder.resolve()``, cached per process like :func:`resolved_path`."""
    return _resolve_dir(folder)


def _resolve(path: Path) -> Path:
    """``path.resolve()``, resolving each folder once per process (validating 10,000
    files in one folder would otherwise walk the same folders 10,000 times)."""
    if path.name in ("", ".", "..") or path.is_symlink():
        return path.resolve()
    return _resolve_dir(path.parent) / path.name


def _resolve_dir(folder: Path) -> Path:
    # Keyed by the absolute (not normalised) form: the same relative folder means another
    # one after a change of the working directory.
    return _resolve_absolute(folder if folder.is_absolute() else Path.cwd() / folder)


@functools.lru_cache(maxsize=256)
def _resolve_absolute(folder: Path) -> Path:
    return folder.resolve()
