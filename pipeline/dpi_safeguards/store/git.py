"""Reading framework versions out of git (gitpython) without touching the work tree."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import git

from dpi_safeguards.core.errors import SafeguardsError


def _repo(root: Path):  # type: ignore[no-untyped-def]

    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise SafeguardsError(f"{root} is not inside a git repository") from None


def resolve_commit(root: Path, ref: str) -> str:
    """The full commit sha a tag, branch or sha names; an error names the bad ref."""

    if ref.startswith("-"):
        raise SafeguardsError(f"{ref!r} is not a git reference")
    repo = _repo(root)
    try:
        return str(repo.commit(ref).hexsha)
    except (git.BadName, ValueError, git.GitCommandError):
        raise SafeguardsError(
            f"{ref!r} is not a tag, branch or commit of {repo.working_dir}"
        ) from None


@contextmanager
def checkout_folder(root: Path, ref: str, folder: str = "framework") -> Iterator[Path]:
    """The ``folder`` of commit ``ref`` written into a temp dir (the work tree is untouched)."""
    repo = _repo(root)
    sha = resolve_commit(root, ref)
    prefix = Path(repo.working_dir).resolve()
    try:
        relative = (root.resolve() / folder).relative_to(prefix).as_posix()
    except ValueError:
        relative = folder
    tree = repo.commit(sha).tree
    with tempfile.TemporaryDirectory(prefix="safeguards-git-") as temp:
        target = Path(temp) / folder
        target.mkdir(parents=True)
        try:
            subtree = tree / relative
        except KeyError:
            raise SafeguardsError(f"commit {sha[:12]} ({ref}) has no {relative}/ folder") from None
        write_tree(subtree, target)
        yield target


def write_tree(tree: Any, target: Path) -> None:
    """Every file of a git tree object written under ``target`` (created as needed)."""
    for blob in tree.traverse():
        if blob.type != "blob":
            continue
        out = target / Path(blob.path).relative_to(tree.path)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(blob.data_stream.read())


def ids_in_history(root: Path) -> set[str]:
    """Every process/practice/KPI/reference id any commit's framework ever held.

    Used so merge never reuses an id, even one removed by a hand edit. Reads the
    principle/kpi/reference files' text of each distinct blob once.
    """

    repo = _repo(root)
    pattern = re.compile(r"^\s*-?\s*id: ['\"]?([A-Za-z0-9.\-]+)", re.MULTILINE)
    seen_blobs: set[str] = set()
    ids: set[str] = set()
    try:
        commits = list(repo.iter_commits("--all"))
    except Exception:
        return ids
    for commit in commits:
        try:
            folder = commit.tree / "framework"
        except KeyError:
            continue
        for blob in folder.traverse():
            if blob.type != "blob" or blob.hexsha in seen_blobs or not blob.path.endswith(".yaml"):
                continue
            seen_blobs.add(blob.hexsha)
            ids.update(pattern.findall(blob.data_stream.read().decode("utf-8", "replace")))
    return ids
