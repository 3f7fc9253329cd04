"""Where the files of a validate run are: the contribution files of a folder (links
included, to be refused by name), each file's place (shown name, archived or not, inside a
nested repository or not), and the checks on the paths a user gives."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dpi_safeguards.core.errors import UsageError
from dpi_safeguards.core.workspace import Workspace, resolved_folder, resolved_path

CONTRIBUTION_SUFFIXES = (".yaml", ".yml", ".json")


def submodule_of(path: str | Path) -> Path | None:
    """The folder holding a ``.git`` entry between ``path`` and the nearest enclosing
    ``contributions`` folder (inclusive), or None. A submodule's files are another
    repository's: they are refused, whatever they hold."""
    folders = list(Path(path).absolute().parents)
    top = next((i for i, folder in enumerate(folders) if folder.name == "contributions"), None)
    if top is None:
        return None
    for folder in folders[: top + 1]:
        if os.path.lexists(folder / ".git"):
            return folder
    return None


def contribution_files(folder: Path) -> list[Path]:
    """Files named .yaml, .yml or .json under ``folder`` (links too, to be refused by name),
    in path order; links to folders are not entered."""
    return [Path(path) for path, _link in _listing(folder)]


def _listing(folder: Path) -> list[tuple[str, bool]]:
    """(path, is a symbolic link) of :func:`contribution_files`'s files, as strings (the
    listing tells whether a file is a link without a system call per file)."""
    if not folder.is_dir():
        return []
    found: list[tuple[tuple[str, ...], str, bool]] = []
    _collect(str(folder), (), found)
    found.sort()  # by path components, as sorting the Paths would
    return [(path, link) for _parts, path, link in found]


def _collect(
    folder: str, parts: tuple[str, ...], found: list[tuple[tuple[str, ...], str, bool]]
) -> None:
    # os.scandir reports each entry's type without a stat per file (pathlib's rglob then
    # is_file() made two system calls per file).
    try:
        entries = list(os.scandir(folder))
    except (PermissionError, NotADirectoryError):
        return
    for entry in entries:
        name = entry.name
        if entry.is_dir(follow_symlinks=False):
            _collect(entry.path, (*parts, name), found)
            continue
        dot = name.rfind(".")
        suffix = name[dot:].lower() if 0 < dot < len(name) - 1 else ""
        if suffix in CONTRIBUTION_SUFFIXES:
            link = entry.is_symlink()
            if link or entry.is_file():
                found.append(((*parts, name), entry.path, link))


ARCHIVED_STATES = ("merged", "rejected")


@dataclass(frozen=True)
class TargetPlace:
    path: str | Path  # as given, or as a folder's listing gave it
    resolved: str  # the real path, as a string (no Path built per file of a listing)
    display: str
    # Merged and rejected contributions are history: their text is in the framework (or
    # was refused), so they are read and schema-checked but not held against the
    # framework as it is now.
    archived: bool
    nested: Path | None  # see submodule_of


@dataclass(frozen=True)
class _Folder:
    inside: str  # the real path and a separator: a file's real path is this + its name
    shown: str | None  # relative to the root, None when outside it
    archived: bool
    nested: Path | None


class TargetPlaces:
    """Where each file of a run is, worked out once per folder: 10,000 files in one folder
    would otherwise resolve and walk the same folders 10,000 times."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self._root = resolved_path(workspace.root)
        self._archived = {resolved_path(workspace.state_dir(s)) for s in ARCHIVED_STATES}
        self._folders: dict[str, _Folder] = {}

    def of(self, path: Path, *, is_link: bool | None = None) -> TargetPlace:
        """``is_link``: whether ``path`` is a symbolic link, when already known."""
        if is_link is None:
            is_link = path.is_symlink()
        if path.name in ("", ".", "..") or is_link:
            resolved = resolved_path(path)  # a link is shown and filed where it points
            return TargetPlace(
                path,
                str(resolved),
                self._workspace.display(path),
                resolved.parent in self._archived,
                submodule_of(path),
            )
        return self._in_folder(path, str(path.parent), path.name)

    def given(self, paths: list[Path]) -> tuple[list[TargetPlace], bool]:
        """The places of the files and folders a user named, and whether a path inside
        the framework folder was among them (then the framework rules run too)."""
        located: list[TargetPlace] = []
        framework_named = False
        framework_dir = self._workspace.framework_dir.resolve()
        for given in paths:
            if not given.exists() and not given.is_symlink():
                raise UsageError(
                    f"{given} does not exist; give contribution files (.yaml, .yml, .json) "
                    "or folders holding them"
                )
            if _is_within(given.resolve(), framework_dir):
                framework_named = True
            elif given.is_dir() and not given.is_symlink():
                listed = self.listed(given)
                if not listed:
                    raise UsageError(
                        f"{given} holds no contribution file (.yaml, .yml or .json); "
                        "nothing to validate there"
                    )
                located += listed
            else:
                located.append(self.of(given))
        return located, framework_named

    def listed(self, folder: Path) -> list[TargetPlace]:
        """The places of :func:`contribution_files`'s files under ``folder``, worked out
        from the listing's strings: building a Path per file cost more than the rest of
        finding its place (10,000 files: a tenth of a second)."""
        places = []
        for path, is_link in _listing(folder):
            if is_link:
                places.append(self.of(Path(path), is_link=True))
            else:
                parent, name = os.path.split(path)
                places.append(self._in_folder(path, parent, name))
        return places

    def _in_folder(self, path: str | Path, parent: str, name: str) -> TargetPlace:
        """The place of the file ``name`` in the folder ``parent`` (not a link)."""
        folder = self._folder(parent)
        shown = str(path) if folder.shown is None else f"{folder.shown}{name}"
        return TargetPlace(path, f"{folder.inside}{name}", shown, folder.archived, folder.nested)

    def _folder(self, parent: str) -> _Folder:
        key = parent or "."  # the working directory does not change during a run
        folder = self._folders.get(key)
        if folder is None:
            resolved = resolved_folder(Path(key))
            try:
                relative = str(resolved.relative_to(self._root))
                shown: str | None = "" if relative == "." else f"{relative}{os.sep}"
            except ValueError:
                shown = None
            inside = str(resolved)
            if not inside.endswith(os.sep):
                inside += os.sep
            nested = submodule_of(Path(key) / "_")  # the same for every file in the folder
            folder = _Folder(inside, shown, resolved in self._archived, nested)
            self._folders[key] = folder
        return folder


def _is_within(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True
