"""Naming a version of the framework: a git tag or commit, a release directory (or its
``framework.json``), a framework folder, or (None) the working framework."""

from __future__ import annotations

from pathlib import Path

from dpi_safeguards.check.validate import checked_framework
from dpi_safeguards.core.errors import SafeguardsError, UsageError
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.load.folder import LoadedFramework, load_framework
from dpi_safeguards.load.released import load_release
from dpi_safeguards.models.framework import Framework
from dpi_safeguards.store.git import checkout_folder

WORKING = "working framework"


def _as_path(workspace: Workspace, ref: str) -> Path | None:
    """A relative path is taken from the current directory (as the shell would), then
    from the repository root."""
    for candidate in (Path(ref), workspace.root / ref):
        if candidate.exists():
            return candidate
    return None


def load_version(workspace: Workspace, ref: str | None) -> tuple[Framework, str]:
    """The framework ``ref`` names, and the label to show for it."""

    if ref is None:
        loaded = load_framework(workspace.framework_dir, display_base=workspace.root)
        return checked_framework(loaded, "the working framework", ""), WORKING
    if not ref.strip():
        raise UsageError("an empty version name was given; name a tag, commit or folder")
    path = _as_path(workspace, ref)
    if path is not None:
        if path.is_file():
            if path.name.endswith(".json"):
                return load_release(path), ref
            raise UsageError(f"{ref} is a file but not a release's framework.json")
        if (path / "framework.json").is_file():
            return load_release(path), ref
        for folder in (path, path / "framework"):
            if (folder / "framework.yaml").is_file():
                loaded = load_framework(folder, display_base=folder.parent, missing_ok=True)
                return checked_framework(loaded, ref, ""), ref
        raise UsageError(
            f"{ref} holds neither framework.json (a release) nor framework.yaml (a framework "
            "folder)"
        )

    try:
        loaded = load_framework_at(workspace.root, ref)
    except SafeguardsError:
        # Tags do not travel with every clone: a release's own bundle holds the same data.
        published = workspace.releases_dir / ref / "framework.json"
        if published.is_file():
            return load_release(published), ref
        raise
    return checked_framework(loaded, f"the framework at {ref}", ""), ref


def load_framework_at(root: Path, ref: str) -> LoadedFramework:
    """The framework folder as commit ``ref`` holds it (read from git, work tree untouched)."""
    with checkout_folder(root, ref) as folder:
        return load_framework(folder, display_base=folder.parent, missing_ok=True)
