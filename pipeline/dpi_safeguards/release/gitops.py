"""The git steps of a release: read files at a tag, commit the release, create its tag."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import git

from dpi_safeguards.core.errors import SafeguardsError


def open_repo(root: Path) -> Any | None:
    """The git repository holding ``root``, or None when it is not in one."""

    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None


def _relative(repo: Any, path: Path) -> str:
    base = Path(repo.working_dir).resolve()
    return path.resolve().relative_to(base).as_posix()


def tag_exists(repo: Any, tag: str) -> bool:
    return any(t.name == tag for t in repo.tags)


def read_at(repo: Any, ref: str, path: Path) -> bytes | None:
    """The bytes of ``path`` (a path in the work tree) at commit ``ref``; None if absent."""
    relative = _relative(repo, path)
    try:
        blob = repo.commit(ref).tree / relative
    except KeyError:
        return None
    data: bytes = blob.data_stream.read()
    return data


def commit_and_tag(repo: Any, paths: list[Path], tag: str, message: str) -> str:
    """Commit exactly ``paths`` (added, changed or removed files under them), tag it."""

    relative = [_relative(repo, p) for p in paths if p.exists()]
    try:
        repo.git.add("--all", "--", *relative)
        has_head = repo.head.is_valid()
        staged = repo.index.diff("HEAD", paths=relative) if has_head else True
        if staged:
            repo.git.commit("-m", message, "--", *relative)
        commit = repo.head.commit
        repo.create_tag(tag, ref=commit, message=message)
    except git.GitCommandError as exc:
        raise SafeguardsError(
            f"git failed while committing the release: {exc.stderr.strip() or exc}"
        ) from None
    return str(commit.hexsha)
